"""The one way speech becomes text: cut at pauses into chunks, each transcribed with what came before as its
prompt, the last ones again together at the end.

A live recording feeds chunks as the Chunker closes them (`speech/recorder`); a file is cut by the same
Chunker from its own levels (`transcribe_samples`), so an imported file and a recording of the same words get
the same transcript. Measured on real speech (benchmarks/quality.py), cutting at pauses with the previous
text as prompt beat one long-form pass over the whole file, which drifts and skips quiet stretches.

The last pass: when the recording ends, the tail chunk is transcribed together with the chunks before it
(up to Whisper's 30 s window), so a sentence or a spoken marker cut at a chunk edge is heard whole, and a
short recording is transcribed in one piece. It is done only when it fits the time left (`budget`),
estimated from how fast the earlier chunks went.
"""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voicejournal.core.entry import Segment
from voicejournal.speech.levels import SILENT_DB, block_levels, level_db, normalise
from voicejournal.store.home import SAMPLE_RATE

WINDOW_SECONDS = 30.0  # Whisper hears at most this much at once
PROMPT_CHARS = 400  # of the text before a chunk, given as its prompt
FIRST_RTF = 0.15  # compute seconds per audio second assumed before a chunk was timed
REPETITIVE_RATIO = 2.4  # as faster-whisper's compression_ratio_threshold
SLOW_WORDS_PER_SECOND = 1.5  # people say 2-3 words a second
UNHEARD_SECONDS = 1.5  # speech this long after a chunk's last segment is heard again
PAUSE_SECONDS = 0.2  # the Chunker cuts in the middle of a pause of at least 0.4 s
END_SLACK_SECONDS = 0.1  # a segment ending this close to its chunk's end runs to it
MISSED_WORDS = (
    3  # an answer without the prompt is taken when it says this many words more (the prompt helps names)
)


@dataclass
class _Span:
    start: int  # first frame
    end: int
    first: int  # index of its first segment
    samples: Any  # kept while the span is within one window of the end (None after)


class ChunkedTranscript:
    """Segments of one recording, chunk by chunk (see the module docstring)."""

    def __init__(self, transcriber: Any, samplerate: int = SAMPLE_RATE):
        self.transcriber = transcriber
        self.samplerate = samplerate
        self.segments: list[Segment] = []
        self.language: str | None = None
        self.model: str | None = getattr(transcriber, "model_name", None)
        self.chunks = 0
        self.final_pass = 0.0  # seconds of audio the last pass covered (0: none)
        self._spans: list[_Span] = []
        self._compute = 0.0  # seconds spent transcribing
        self._heard = 0.0  # seconds of audio transcribed
        self._levels: list[float] = []  # of every 100 ms block so far, for the gain (30 min: 18,000 floats)

    @property
    def rtf(self) -> float:
        """Compute seconds per audio second so far."""
        return self._compute / self._heard if self._heard >= 1.0 else FIRST_RTF

    def add(self, start: int, end: int, samples: Any) -> list[Segment]:
        """Transcribe one chunk (frames start..end); returns its new segments."""
        self.chunks += 1
        levels = block_levels(samples)
        self._levels.extend(levels)
        if max(levels, default=SILENT_DB) <= SILENT_DB:
            return []  # not a sound louder than a dead microphone: Whisper would only imagine words
        new = self._transcribe(samples, start, self._prompt(len(self.segments)))
        self._keep(_Span(start, end, len(self.segments), samples))
        self.segments.extend(new)
        return new

    def last(self, start: int, end: int, samples: Any, budget: float | None = None) -> list[Segment]:
        """The final chunk: transcribed together with the chunks just before it when all fit in Whisper's
        window and in `budget` seconds (None: no limit). Returns the segments of the whole last pass."""
        spans = self._joinable(start, end, budget)
        if not spans:
            return self.add(start, end, samples)
        import numpy as np

        self.chunks += 1
        self._levels.extend(block_levels(samples))
        first = spans[0]
        both = np.concatenate([*(s.samples for s in spans), samples])
        new = self._transcribe(both, first.start, self._prompt(first.first))
        del self.segments[first.first :]
        del self._spans[-len(spans) :]
        self._spans.append(_Span(first.start, end, len(self.segments), None))
        self.segments.extend(new)
        self.final_pass = (end - first.start) / self.samplerate
        return new

    def _keep(self, span: _Span) -> None:
        self._spans.append(span)
        for old in self._spans[:-1]:
            if (span.end - old.start) / self.samplerate > WINDOW_SECONDS:
                old.samples = None

    def _joinable(self, start: int, end: int, budget: float | None) -> list[_Span]:
        """The last spans (touching each other and the final chunk at `start`) it can be heard with."""
        chosen: list[_Span] = []
        for span in reversed(self._spans):
            seconds = (end - span.start) / self.samplerate
            if span.samples is None or span.end != (chosen[0].start if chosen else start):
                break
            if seconds > WINDOW_SECONDS or (budget is not None and seconds * self.rtf * 1.5 > budget):
                break
            chosen.insert(0, span)
        return chosen

    def _prompt(self, before: int) -> str | None:
        text = " ".join(s.text.strip() for s in self.segments[:before] if s.text.strip())
        return text[-PROMPT_CHARS:] or None

    def _transcribe(self, samples: Any, start: int, prompt: str | None) -> list[Segment]:
        began = time.perf_counter()
        offset = start / self.samplerate
        # A quiet microphone is raised by what the whole recording so far says of its speech and its
        # pauses: one chunk of dense speech alone has too few pauses to tell speech from steady noise.
        samples = normalise(samples, self._levels)
        result = self.transcriber.transcribe(samples, offset=offset, initial_prompt=prompt)
        said = " ".join(s.text for s in result.segments)
        prompted = bool(prompt)
        if prompt and (repetitive(said) or not said):
            # A prompt that repeats itself ("word word word") can pull Whisper into a loop, and a prompt can
            # make it skip a short chunk the gate heard speech in ("Mood: seven out of ten."): hear it afresh.
            again = self.transcriber.transcribe(samples, offset=offset)
            fresh = " ".join(s.text for s in again.segments)
            if (said and len(fresh) < len(said)) or (not said and fresh and not repetitive(fresh)):
                result, said, prompted = again, fresh, False
        segments = list(result.segments)
        if (
            prompted
            and segments
            and folded(segments[-1].text) in folded(prompt)
            and runs_to_the_end(segments[-1], samples, offset, self.samplerate)
        ):
            # Whisper wrote again a sentence its prompt already held and stopped, giving it no end (faster-whisper
            # then ends it with the chunk) although the chunk ends in a pause: what followed ("Mood: seven out of
            # ten.") was lost. Heard afresh, with the words' own timings; alone, a short rest is misheard ("We'll
            # stand with how good it is."), so the whole chunk is heard again. Only then: on real speech, hearing
            # every stretched segment afresh cost a point of WER (the prompt helps with names) and 60 % more time.
            again = self.transcriber.transcribe(samples, offset=offset, word_timestamps=True)
            fresh = " ".join(s.text for s in again.segments)
            if len(fresh.split()) >= len(said.split()) + MISSED_WORDS and not repetitive(fresh):
                segments = list(again.segments)
        # Whisper sometimes ends a window early ("Please call Stella." and not the phone number after it), often
        # stretching the last segment to the end: a long file goes on from there, a chunk would lose it. So
        # speech after the last segment, or after the time its words can have taken, is heard.
        rest = unheard_tail(
            samples, spoken_until(segments[-1], offset) if segments else None, self.samplerate
        )
        if rest is not None:
            before = " ".join(s.text for s in segments)[-PROMPT_CHARS:]
            more = self.transcriber.transcribe(
                samples[rest:], offset=offset + rest / self.samplerate, initial_prompt=before
            )
            segments += list(more.segments)
        self._compute += time.perf_counter() - began
        self._heard += len(samples) / self.samplerate
        self.language = self.language or getattr(result, "language", None)
        self.model = getattr(result, "model", None) or self.model
        return segments


def spoken_until(segment: Segment, offset: float = 0.0) -> float:
    """When a segment's words must have ended (seconds into its chunk): its end, or sooner when it is far
    longer than its words take even said slowly (SLOW_WORDS_PER_SECOND, plus a pause)."""
    words = len(segment.text.split())
    return min(segment.end, segment.start + words / SLOW_WORDS_PER_SECOND + 2.0) - offset


def folded(text: str) -> str:
    """Lower-case words only, for comparing what Whisper wrote."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def runs_to_the_end(
    segment: Segment, samples: Any, offset: float = 0.0, samplerate: int = SAMPLE_RATE
) -> bool:
    """Whether a chunk's last segment ends with the chunk although the chunk ends in a pause (its last
    PAUSE_SECONDS well below its speech): Whisper then wrote no end of its own."""
    from voicejournal.speech.levels import SPEECH_OVER_FLOOR_DB, speech_level

    if segment.end - offset < len(samples) / samplerate - END_SLACK_SECONDS:
        return False
    speech, _ = speech_level(block_levels(samples))
    return level_db(samples[-int(PAUSE_SECONDS * samplerate) :]) < speech - SPEECH_OVER_FLOOR_DB


def unheard_tail(samples: Any, heard_until: float | None, samplerate: int = SAMPLE_RATE) -> int | None:
    """The first frame of speech after `heard_until` (seconds) that no segment covers: at least
    UNHEARD_SECONDS long, and most of it as loud as the chunk's speech. None when nothing was heard at all
    (the same audio again would give the same nothing) or what is left is pause, breath or noise."""
    from voicejournal.speech.levels import block_levels, speech_level

    if heard_until is None:
        return None
    lo = max(0, int(heard_until * samplerate))
    if len(samples) - lo < UNHEARD_SECONDS * samplerate:
        return None
    speech, _ = speech_level(block_levels(samples))
    loud = [db for db in block_levels(samples[lo:]) if db > max(SILENT_DB, speech - 10.0)]
    return lo if len(loud) >= UNHEARD_SECONDS * 10 / 2 else None  # half of it loud, in 100 ms blocks


def repetitive(text: str) -> bool:
    """Text that compresses as well as a loop does (Whisper's own test, over a whole chunk)."""
    data = text.encode()
    return len(data) > 60 and len(data) / len(zlib.compress(data)) > REPETITIVE_RATIO


def transcribe_samples(
    transcriber: Any, samples: Any, progress: Callable[[float, float], None] | None = None
) -> ChunkedTranscript:
    """A whole file's samples, cut at pauses exactly as a live recording is."""
    from voicejournal.speech.chunker import Chunker
    from voicejournal.speech.devices import BLOCKSIZE

    chunker = Chunker(SAMPLE_RATE)
    chunks: list[tuple[int, int]] = []
    for i in range(0, len(samples), BLOCKSIZE):
        block = samples[i : i + BLOCKSIZE]
        chunks.extend(chunker.feed(level_db(block), len(block)))
    tail = chunker.finish()
    if tail is not None:
        chunks.append(tail)
    out = ChunkedTranscript(transcriber)
    total = len(samples) / SAMPLE_RATE
    for n, (start, end) in enumerate(chunks):
        if n == len(chunks) - 1:
            out.last(start, end, samples[start:end])
        else:
            out.add(start, end, samples[start:end])
        if progress is not None:
            progress(end / SAMPLE_RATE, total)
    return out
