"""The one way speech becomes text: cut at pauses into chunks, heard together in windows of 24-30 s, each
with the text before it as its prompt.

A live recording feeds chunks as the Chunker closes them (`speech/recorder`); a file is cut by the same
Chunker from its own levels (`transcribe_samples`). Chunks are grouped into windows the same way in both: once
the chunks not yet heard together make GROUP_SECONDS (never more than Whisper's 30 s window), they are heard
as one, the text before them as prompt. Live, each chunk is also heard alone as soon as it closes, so the
text is there while recording goes on and, at stop, only the last chunk is left to hear; its window replaces
that text. A file skips the hearing alone, so a file and a recording of the same words get the same text.

Measured on the joined speech-dev file (benchmarks/quality.py, tiny.en): chunks of 8-28 s heard one by one
gave 8.6 % WER where faster-whisper's own long-form pass over 30 s windows gave 5.6 %; windows of 20-30 s
cut at pauses closed that gap (5.4 % with GROUP_SECONDS 24). Whisper hears a sentence better with more of
its neighbours around it.

The last pass: at stop, the last chunk is heard together with the chunks not yet in a window (a short
recording entirely) when that fits the time left (`budget`), estimated from how fast the earlier chunks went;
else alone, and the others keep the text they got alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voicejournal.core.entry import Segment
from voicejournal.speech.answers import (
    folded,
    loops,
    new_words,
    put_back,
    repetitive,
    skipped_words,
    spoken_until,
)
from voicejournal.speech.levels import SILENT_DB, block_levels, level_db, normalise
from voicejournal.speech.trace import log
from voicejournal.speech.unheard import runs_to_the_end, speech_seconds, unheard_tail
from voicejournal.store.home import SAMPLE_RATE

WINDOW_SECONDS = 30.0  # Whisper hears at most this much at once
GROUP_SECONDS = 24.0  # chunks are heard again together once they make this much (benchmarks/quality.py)
PROMPT_CHARS = 400  # of the text before a chunk, given as its prompt
# Put before every prompt: the marker phrases people say (core/markers), so that Whisper expects them.
PROMPT_HINT = "Question for my therapist: Homework: Goal: Small win: Mood: 6 out of 10."
FIRST_RTF = 0.15  # compute seconds per audio second assumed before a chunk was timed
# Live, a window is heard only as long as this takes (measured so far): a window being heard when the person
# stops cannot be cut short, so on a busy machine windows are shorter (a recording's stop -> saved <= 2 s).
LIVE_WINDOW_COST = 1.1
LIVE_TEMPERATURES = (0.0, 0.2)  # live, Whisper's fallbacks when an answer looks wrong (a file: all six)
SPARSE_WORDS_PER_SECOND = 1.0  # fewer words than this per second of speech: the prompt made Whisper skip some
SKIPPED_WORDS = 4  # a window heard again may not leave out this many words in a row that its chunks said
MISSED_WORDS = (
    3  # an answer without the prompt is taken when it says this many words more (the prompt helps names)
)


@dataclass
class _Span:
    start: int  # first frame
    end: int
    first: int  # index of its first segment
    samples: Any
    heard: bool = False  # transcribed on its own already (live)


class ChunkedTranscript:
    """Segments of one recording, chunk by chunk, then window by window (see the module docstring).

    `live`: each chunk is heard as soon as it closes (a recording has its text at once, and at stop only the
    last chunk is left), and again with its neighbours once they fill a window. A file (`live=False`) is
    heard window by window only: the same windows, the same text, half the work.
    """

    def __init__(self, transcriber: Any, samplerate: int = SAMPLE_RATE, live: bool = True):
        self.transcriber = transcriber
        self.samplerate = samplerate
        self.live = live
        self.segments: list[Segment] = []
        self.language: str | None = None
        self.model: str | None = getattr(transcriber, "model_name", None)
        self.chunks = 0
        self.final_pass = 0.0  # seconds of audio the last window at stop covered (0: none)
        self.hurry = False  # live, stopped (Recorder.stop): no more windows, only text for chunks with none
        self._pending: list[_Span] = []  # chunks not yet heard in a window (at most WINDOW_SECONDS)
        self._compute = 0.0  # seconds spent transcribing
        self._heard = 0.0  # seconds of audio transcribed
        self._window_compute = 0.0  # the same, of windows heard again live
        self._window_heard = 0.0
        self._first_call = 0.0  # seconds the last `_transcribe` took for its first call to the model
        self._until: float | None = None  # live, stopped: no second look at a chunk after this perf_counter()
        # Live, any call may be under way when the person stops, and Whisper's six fallbacks made one 3.7 s
        # rest take 4.5 s (stop -> saved 5.4 s after the 502 s run): a call tries one fallback at most.
        self._decode = {"temperatures": LIVE_TEMPERATURES} if live else {}
        self._levels: list[float] = []  # of every 100 ms block so far, for the gain (30 min: 18,000 floats)

    @property
    def rtf(self) -> float:
        """Compute seconds per audio second so far."""
        return self._compute / self._heard if self._heard >= 1.0 else FIRST_RTF

    def group_seconds(self) -> float:
        """How much audio makes a window: GROUP_SECONDS, or live what is heard within LIVE_WINDOW_COST."""
        if not self.live:
            return GROUP_SECONDS
        rtf = self._window_compute / self._window_heard if self._window_heard else self.rtf
        return min(GROUP_SECONDS, LIVE_WINDOW_COST / max(rtf, 1e-3))

    def _seconds(self, spans: list[_Span]) -> float:
        return (spans[-1].end - spans[0].start) / self.samplerate if spans else 0.0

    def add(self, start: int, end: int, samples: Any, behind: bool = False) -> list[Segment]:
        """One chunk (frames start..end); returns the segments it added or changed. `behind` (live): more
        chunks wait, so no window is heard now: the transcriber keeps up with speech, and a stop finds no
        queue (10 min with a CPU hog: stop -> saved 8.0 s)."""
        self.chunks += 1
        self._levels.extend(block_levels(samples))
        out: list[Segment] = []
        span = _Span(start, end, len(self.segments), samples)
        if self._pending and self._seconds([*self._pending, span]) > WINDOW_SECONDS:
            if self.hurry or behind:
                log.debug(
                    "window %s dropped: %s", self._ids(self._pending), "hurry" if self.hurry else "behind"
                )
            out += [] if self.hurry or behind else self._hear_window()
            self._pending = []
            span.first = len(self.segments)
        if self.live:
            new = self._hear(samples, start, self._prompt(len(self.segments)))
            span.heard = True
            self.segments.extend(new)
            out += new
        self._pending.append(span)
        if self._seconds(self._pending) >= self.group_seconds() and not (self.hurry or behind):
            out += self._hear_window()
        elif self._seconds(self._pending) >= self.group_seconds():
            log.debug("window %s skipped: %s", self._ids(self._pending), "hurry" if self.hurry else "behind")
        return out

    def _ids(self, spans: list[_Span]) -> str:
        return f"{spans[0].start / self.samplerate:.1f}-{spans[-1].end / self.samplerate:.1f} s ({len(spans)} chunks)"

    def last(self, start: int, end: int, samples: Any, budget: float | None = None) -> list[Segment]:
        """The final chunk: heard together with the chunks not yet heard in a window (the last of them that fit
        Whisper's window and `budget` seconds; None: no limit), else alone. Returns the segments it added or
        changed."""
        self.chunks += 1
        self._levels.extend(block_levels(samples))
        self._until = None if budget is None else time.perf_counter() + budget
        span = _Span(start, end, len(self.segments), samples)
        out: list[Segment] = []
        if budget is None and self._seconds([*self._pending, span]) > WINDOW_SECONDS:
            out += self._hear_window()  # a file: what waits is a window of its own
            span.first = len(self.segments)
        joined = [*self._pending, span]
        while len(joined) > 1 and (
            self._seconds(joined) > WINDOW_SECONDS
            or (budget is not None and self._seconds(joined) * self.rtf * 1.5 > budget)
        ):
            joined.pop(0)  # live, out of time: the earliest keep the text they got alone
        if len(joined) > 1:
            self.final_pass = self._seconds(joined)
        log.debug("last pass: %s, budget %s, rtf %.3f", self._ids(joined), budget, self.rtf)
        self._pending = joined
        return out + self._hear_window()

    def _hear_window(self) -> list[Segment]:
        """The pending chunks heard again together, in place of what they said alone."""
        spans, self._pending = self._pending, []
        if not spans or (len(spans) == 1 and spans[0].heard):
            return []  # one chunk heard alone already is its own window
        again = all(s.heard for s in spans)  # live: the chunks have their text already
        if again and self.hurry:
            return []  # stopped: the person waits, and the chunks' own text is there
        import numpy as np

        first = spans[0]
        both = np.concatenate([s.samples for s in spans]) if len(spans) > 1 else first.samples
        self._first_call = 0.0
        began = time.perf_counter()
        new = self._hear(both, first.start, self._prompt(first.first), abandon=again)
        log.debug(
            "window %s heard in %.2f s (group %.1f s)",
            self._ids(spans),
            time.perf_counter() - began,
            self.group_seconds(),
        )
        if again:
            # Only its first call: a stop waits for the call under way, and no more (see `_transcribe`).
            self._window_compute += self._first_call
            self._window_heard += len(both) / self.samplerate
        alone = self.segments[first.first :]
        if again and self.hurry:
            return []  # stopped while it was heard (what follows must not wait): the chunks keep their text
        if again and skipped_words(alone, new) >= SKIPPED_WORDS:
            # Whisper skipped a sentence in the long window (it does: "Please call Stella."): the chunks' words
            # are put back for it, and the window keeps the rest, which it hears better.
            new = put_back(alone, new, SKIPPED_WORDS)
        del self.segments[first.first :]
        self.segments.extend(new)
        return new

    def _hear(self, samples: Any, start: int, prompt: str | None, abandon: bool = False) -> list[Segment]:
        """`abandon`: a window heard again live, whose text is dropped once the recording stops (`hurry`)."""
        if max(block_levels(samples), default=SILENT_DB) <= SILENT_DB:
            return []  # not a sound louder than a dead microphone: Whisper would only imagine words
        return self._transcribe(samples, start, prompt, abandon)

    def stop(self, budget: float) -> None:
        """Live, the person stopped: no window is heard again, and a chunk still to hear gets no second look that
        would end more than `budget` seconds from now (the chunks waiting, and the one under way, keep to the
        time of the last pass)."""
        self.hurry = True
        self._until = time.perf_counter() + budget

    def _time_for(self, frames: int) -> bool:
        """Whether one more look at `frames` of audio fits the last pass's budget (`last`; none: it does). The
        digits at the end of the 502 s live run, heard afresh and then their rest heard again after the last
        pass, made stop -> saved 7.2 s: only the first call was in the budget."""
        return (
            self._until is None
            or time.perf_counter() + frames / self.samplerate * self.rtf * 1.5 <= self._until
        )

    def _prompt(self, before: int) -> str | None:
        text = " ".join(s.text.strip() for s in self.segments[:before] if s.text.strip())
        return (PROMPT_HINT + " " + text[-PROMPT_CHARS:]).strip() or None

    def _transcribe(
        self, samples: Any, start: int, prompt: str | None, abandon: bool = False
    ) -> list[Segment]:
        began = time.perf_counter()
        offset = start / self.samplerate
        # A quiet microphone is raised by what the whole recording so far says of its speech and its
        # pauses: one chunk of dense speech alone has too few pauses to tell speech from steady noise.
        samples = normalise(samples, self._levels)
        result = self.transcriber.transcribe(samples, offset=offset, initial_prompt=prompt, **self._decode)
        self._first_call = time.perf_counter() - began
        log.debug(
            "  call %.1f s at %.1f s in %.2f s", len(samples) / self.samplerate, offset, self._first_call
        )
        if abandon and self.hurry:
            return []  # stopped while it was heard: its text is dropped, so no second look (the person waits)
        said = " ".join(s.text for s in result.segments)
        prompted = bool(prompt)
        if prompt and (loops(result.segments) or not said):
            # A prompt that repeats itself ("word word word") can pull Whisper into a loop, and a prompt can
            # make it skip a short chunk the gate heard speech in ("Mood: seven out of ten."): hear it afresh.
            log.debug("  second look: afresh (loop or nothing)")
            again = self.transcriber.transcribe(samples, offset=offset, **self._decode)
            if abandon and self.hurry:
                return []  # stopped: the chunks keep their text, and the person waits no longer
            fresh = " ".join(s.text for s in again.segments)
            if (said and len(fresh) < len(said)) or (not said and fresh and not repetitive(fresh)):
                result, said, prompted = again, fresh, False
        elif (
            prompt
            and len(said.split()) < SPARSE_WORDS_PER_SECOND * speech_seconds(samples)
            and self._time_for(len(samples))
        ):
            # Too few words for the speech in the chunk: the prompt made Whisper skip what it already held
            # ("I talked to my sister …" said again, then only "Mood: seven out of ten." written). Afresh.
            log.debug("  second look: afresh (sparse)")
            again = self.transcriber.transcribe(samples, offset=offset, **self._decode)
            if abandon and self.hurry:
                return []
            fresh = " ".join(s.text for s in again.segments)
            if len(fresh.split()) >= len(said.split()) + MISSED_WORDS and not loops(again.segments):
                result, said, prompted = again, fresh, False
        segments = list(result.segments)
        if (
            prompted
            and segments
            and folded(segments[-1].text) in folded(prompt)
            and runs_to_the_end(segments[-1], samples, offset, self.samplerate)
            and self._time_for(len(samples))
        ):
            # Whisper wrote again a sentence its prompt already held and stopped, giving it no end (faster-whisper
            # then ends it with the chunk) although the chunk ends in a pause: what followed ("Mood: seven out of
            # ten.") was lost. Heard afresh, with the words' own timings; alone, a short rest is misheard ("We'll
            # stand with how good it is."), so the whole chunk is heard again. Only then: on real speech, hearing
            # every stretched segment afresh cost a point of WER (the prompt helps with names) and 60 % more time.
            log.debug("  second look: afresh with word times (stretched)")
            again = self.transcriber.transcribe(samples, offset=offset, word_timestamps=True, **self._decode)
            if abandon and self.hurry:
                return []
            fresh = " ".join(s.text for s in again.segments)
            if len(fresh.split()) >= len(said.split()) + MISSED_WORDS and not repetitive(fresh):
                segments = list(again.segments)
        # Whisper sometimes ends a window early ("Please call Stella." and not the phone number after it), often
        # stretching the last segment to the end: a long file goes on from there, a chunk would lose it. So
        # speech after the last segment, or after the time its words can have taken, is heard.
        rest = unheard_tail(
            samples, spoken_until(segments[-1], offset) if segments else None, self.samplerate
        )
        if rest is not None and not (abandon and self.hurry) and self._time_for(len(samples) - rest):
            before = " ".join(s.text for s in segments)[-PROMPT_CHARS:]
            log.debug("  second look: rest from %.1f s", offset + rest / self.samplerate)
            more = self.transcriber.transcribe(
                samples[rest:], offset=offset + rest / self.samplerate, initial_prompt=before, **self._decode
            ).segments
            if loops(more):  # a short rest after a repetitive prompt loops ("word word word …"): afresh
                more = self.transcriber.transcribe(
                    samples[rest:], offset=offset + rest / self.samplerate, **self._decode
                ).segments
            # Neither a loop nor words written already: a segment can run on over words it did say, and a slow
            # speaker's last words, said after `spoken_until`, are heard again at the rest's start.
            segments += new_words(before, [s for s in more if not repetitive(s.text)])
        log.debug(
            "  heard %.1f s at %.1f s in %.2f s",
            len(samples) / self.samplerate,
            offset,
            time.perf_counter() - began,
        )
        self._compute += time.perf_counter() - began
        self._heard += len(samples) / self.samplerate
        self.language = self.language or getattr(result, "language", None)
        self.model = getattr(result, "model", None) or self.model
        return segments


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
    out = ChunkedTranscript(transcriber, live=False)
    total = len(samples) / SAMPLE_RATE
    for n, (start, end) in enumerate(chunks):
        if n == len(chunks) - 1:
            out.last(start, end, samples[start:end])
        else:
            out.add(start, end, samples[start:end])
        if progress is not None:
            progress(end / SAMPLE_RATE, total)
    return out
