"""One look at a piece of a recording: Whisper's answer with the text before it as prompt, and the second looks
an answer can call for (a loop, too few words, a sentence of the prompt written again, speech left out at the
end), each in the time a stopped recording allows (speech/chunked decides what is heard when)."""

from __future__ import annotations

import time
from typing import Any

from voicejournal.core.entry import Segment
from voicejournal.speech.answers import (
    folded,
    loops,
    new_words,
    punctuated,
    repetitive,
    spoken_until,
    unlooped,
)
from voicejournal.speech.levels import SILENT_DB, block_levels, normalise
from voicejournal.speech.trace import log
from voicejournal.speech.unheard import runs_to_the_end, short_of_words, unheard_tail
from voicejournal.store.home import SAMPLE_RATE

PROMPT_CHARS = 400  # of the text before a chunk, given as its prompt
FIRST_RTF = 0.15  # compute seconds per audio second assumed before a chunk was timed
LIVE_TEMPERATURES = (0.0, 0.2)  # live, Whisper's fallbacks when an answer looks wrong (a file: all six)
SPARSE_WORDS_PER_SECOND = 1.0  # fewer words than this per second of speech: the prompt made Whisper skip some
# Live, a call writes at most this many tokens per second of audio it hears, and LOOP_TOKENS more: people say
# 2-3 words (3-4 tokens) a second. A 4.2 s rest of the 502 s live run looped on to Whisper's 448 tokens and took
# 8.1 s, holding back every chunk after it (and a stop, had it come then).
TOKENS_PER_SECOND = 8
LOOP_TOKENS = 24
MISSED_WORDS = (
    3  # an answer without the prompt is taken when it says this many words more (the prompt helps names)
)


def prompt_after(hint: str, said: str) -> str:
    """The prompt for what follows `said` (the text so far): `hint`, then the last PROMPT_CHARS of `said`, never
    ending in a long run without punctuation (`answers.punctuated`)."""
    return (hint + " " + punctuated(said[-PROMPT_CHARS:])).strip()


class Hearing:
    """The model's answers for one recording, timed: `rtf` says how fast it goes, `hurry` and `until` how long
    a look may still take once the person stopped."""

    def __init__(self, transcriber: Any, samplerate: int = SAMPLE_RATE, live: bool = True):
        self.transcriber = transcriber
        self.samplerate = samplerate
        self.language: str | None = None
        self.model: str | None = getattr(transcriber, "model_name", None)
        self.hurry = False  # live, stopped (Recorder.stop): what is heard again is dropped
        self.until: float | None = None  # live, stopped: no second look after this perf_counter()
        self.compute = 0.0  # seconds spent transcribing
        self.heard = 0.0  # seconds of audio transcribed
        self.first_call = 0.0  # seconds the last look took for its first call to the model
        # Live, any call may be under way when the person stops, and Whisper's six fallbacks made one 3.7 s
        # rest take 4.5 s (stop -> saved 5.4 s after the 502 s run): a call tries one fallback at most.
        self.live = live
        self.decode = {"temperatures": LIVE_TEMPERATURES} if live else {}
        self.levels: list[float] = []  # of every 100 ms block so far, for the gain (30 min: 18,000 floats)
        # Live, stopped: the second look the last look had no time for (what it was: "rest" or "afresh", the
        # samples, their start frame, and where the rest begins and the text before it, or the text said), so
        # that the last pass can take it instead of hearing a silent tail.
        self.skipped: tuple[str, Any, int, Any] | None = None

    @property
    def rtf(self) -> float:
        """Compute seconds per audio second so far."""
        return self.compute / self.heard if self.heard >= 1.0 else FIRST_RTF

    def hear(
        self, samples: Any, start: int, prompt: str | None, abandon: bool = False, keep: bool = False
    ) -> list[Segment]:
        """The segments of `samples` (from frame `start`). `abandon`: a window heard again live, whose text is
        dropped once the recording stops (`hurry`); with `keep`, the answer of a call under way at the stop is
        kept, without a second look."""
        self.first_call = 0.0
        if max(block_levels(samples), default=SILENT_DB) <= SILENT_DB:
            return []  # not a sound louder than a dead microphone: Whisper would only imagine words
        # Both looks can loop (the answer with the prompt and the one without): what is kept is cut back.
        return unlooped(self._transcribe(samples, start, prompt, abandon, keep))

    def options(self, frames: int) -> dict:
        """Decoding options for a call on `frames` of audio: live, one fallback and a bound on its tokens."""
        if not self.live:
            return {}
        tokens = int(TOKENS_PER_SECOND * frames / self.samplerate) + LOOP_TOKENS
        return {**self.decode, "max_new_tokens": tokens}

    def time_for(self, frames: int) -> bool:
        """Whether one more look at `frames` of audio fits the time left once stopped (`until`; none: it does).
        The digits at the end of the 502 s live run, heard afresh and then their rest heard again after the
        last pass, made stop -> saved 7.2 s: only the first call was in the budget."""
        return (
            self.until is None
            or time.perf_counter() + frames / self.samplerate * self.rtf * 1.5 <= self.until
        )

    def _transcribe(
        self, samples: Any, start: int, prompt: str | None, abandon: bool, keep: bool = False
    ) -> list[Segment]:
        began = time.perf_counter()
        self.skipped = None
        offset = start / self.samplerate
        # A quiet microphone is raised by what the whole recording so far says of its speech and its
        # pauses: one chunk of dense speech alone has too few pauses to tell speech from steady noise.
        samples = normalise(samples, self.levels)
        result = self.transcriber.transcribe(
            samples, offset=offset, initial_prompt=prompt, **self.options(len(samples))
        )
        self.first_call = time.perf_counter() - began
        log.debug(
            "  call %.1f s at %.1f s in %.2f s", len(samples) / self.samplerate, offset, self.first_call
        )
        if abandon and self.hurry:  # stopped while it was heard: no second look (the person waits)
            return list(result.segments) if keep else []  # and its text is dropped, unless kept
        said = " ".join(s.text for s in result.segments)
        prompted = bool(prompt)
        if prompt and (loops(result.segments) or not said):
            # A prompt that repeats itself ("word word word") can pull Whisper into a loop, and a prompt can
            # make it skip a short chunk the gate heard speech in ("Mood: seven out of ten."): hear it afresh.
            log.debug("  second look: afresh (loop or nothing)")
            again = self.transcriber.transcribe(samples, offset=offset, **self.options(len(samples)))
            if abandon and self.hurry:
                return []  # stopped: the chunks keep their text, and the person waits no longer
            fresh = " ".join(s.text for s in again.segments)
            if (said and len(fresh) < len(said)) or (not said and fresh and not repetitive(fresh)):
                result, said, prompted = again, fresh, False
        elif (
            prompt
            and short_of_words(len(said.split()), samples, SPARSE_WORDS_PER_SECOND)
            and self.time_for(len(samples))
        ):
            # Too few words for the speech in the chunk: the prompt made Whisper skip what it already held
            # ("I talked to my sister …" said again, then only "Mood: seven out of ten." written). Afresh.
            log.debug("  second look: afresh (sparse)")
            again = self.transcriber.transcribe(samples, offset=offset, **self.options(len(samples)))
            if abandon and self.hurry:
                return []
            fresh = " ".join(s.text for s in again.segments)
            if len(fresh.split()) >= len(said.split()) + MISSED_WORDS and not loops(again.segments):
                result, said, prompted = again, fresh, False
        segments = list(result.segments)
        stretched = (
            prompted
            and segments
            and folded(segments[-1].text) in folded(prompt)
            and runs_to_the_end(segments[-1], samples, offset, self.samplerate)
        )
        if stretched and not self.time_for(len(samples)):
            self.skipped = ("afresh", samples, start, said)
        elif stretched:
            # Whisper wrote again a sentence its prompt already held and stopped, giving it no end (faster-whisper
            # then ends it with the chunk) although the chunk ends in a pause: what followed ("Mood: seven out of
            # ten.") was lost. Heard afresh, with the words' own timings; alone, a short rest is misheard ("We'll
            # stand with how good it is."), so the whole chunk is heard again. Only then: on real speech, hearing
            # every stretched segment afresh cost a point of WER (the prompt helps with names) and 60 % more time.
            if abandon and self.hurry:
                return []
            segments = self._afresh(samples, offset, said) or segments
        # Whisper sometimes ends a window early ("Please call Stella." and not the phone number after it), often
        # stretching the last segment to the end: a long file goes on from there, a chunk would lose it. So
        # speech after the last segment, or after the time its words can have taken, is heard.
        rest = unheard_tail(
            samples, spoken_until(segments[-1], offset) if segments else None, self.samplerate
        )
        if rest is not None and not (abandon and self.hurry):
            before = " ".join(s.text for s in segments)[-PROMPT_CHARS:]
            if self.time_for(len(samples) - rest):
                segments += self._rest(samples, offset, rest, before)
            elif self.skipped is None:
                self.skipped = ("rest", samples, start, (rest, before))
        log.debug(
            "  heard %.1f s at %.1f s in %.2f s",
            len(samples) / self.samplerate,
            offset,
            time.perf_counter() - began,
        )
        self.compute += time.perf_counter() - began
        self.heard += len(samples) / self.samplerate
        self.language = self.language or getattr(result, "language", None)
        self.model = getattr(result, "model", None) or self.model
        return segments

    def _rest(self, samples: Any, offset: float, rest: int, before: str) -> list[Segment]:
        """The new segments of `samples[rest:]`, heard again after a look that ended early, `before` its text."""
        log.debug("  second look: rest from %.1f s", offset + rest / self.samplerate)
        more = self.transcriber.transcribe(
            samples[rest:],
            offset=offset + rest / self.samplerate,
            initial_prompt=before,
            **self.options(len(samples) - rest),
        ).segments
        if loops(more):  # a short rest after a repetitive prompt loops ("word word word …"): afresh
            more = self.transcriber.transcribe(
                samples[rest:],
                offset=offset + rest / self.samplerate,
                **self.options(len(samples) - rest),
            ).segments
        # Neither a loop nor words written already: a segment can run on over words it did say, and a slow
        # speaker's last words, said after `spoken_until`, are heard again at the rest's start.
        return new_words(before, [s for s in more if not repetitive(s.text)])

    def _afresh(self, samples: Any, offset: float, said: str) -> list[Segment] | None:
        """`samples` heard afresh with the words' own timings: its segments if they say at least MISSED_WORDS
        more than `said` (the stretched answer), else None."""
        log.debug("  second look: afresh with word times (stretched)")
        again = self.transcriber.transcribe(
            samples, offset=offset, word_timestamps=True, **self.options(len(samples))
        )
        fresh = " ".join(s.text for s in again.segments)
        if len(fresh.split()) >= len(said.split()) + MISSED_WORDS and not repetitive(fresh):
            return list(again.segments)
        return None

    def hear_after(
        self, before: Any, samples: Any, start: int, written: list[Segment], hint: str
    ) -> list[Segment]:
        """`samples` (from frame `start`) heard after `before`, the seconds before them: their segments without
        what `before` says again (segments over by the time they begin, and words repeating `written`, the
        text so far, whose earlier part is the prompt after `hint`)."""
        import numpy as np

        first = start - len(before)
        earlier = [s for s in written if s.end <= first / self.samplerate + 0.1]
        prompt = prompt_after(hint, " ".join(s.text.strip() for s in earlier))
        heard = self.hear(np.concatenate([before, samples]), first, prompt)
        begins = start / self.samplerate
        said = " ".join(s.text for s in written)[-PROMPT_CHARS:]
        return new_words(said, [s for s in heard if s.end > begins + 0.1])

    def skipped_look(self, start: int) -> tuple[str, list[Segment]] | None:
        """Live, at the last pass: the second look that the look at frames from `start` had no time for, taken
        now: ("rest", the rest's new segments) or ("afresh", the chunk's segments, none if no better); None
        if that look skipped none."""
        if self.skipped is None or self.skipped[2] != start:
            return None
        kind, samples, start, extra = self.skipped
        self.skipped = None
        began, offset = time.perf_counter(), start / self.samplerate
        heard = len(samples)
        if kind == "rest":
            rest, before = extra
            new = self._rest(samples, offset, rest, before)
            heard -= rest
        else:
            new = self._afresh(samples, offset, extra) or []
        self.compute += time.perf_counter() - began
        self.heard += heard / self.samplerate
        return kind, unlooped(new)
