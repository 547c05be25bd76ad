"""The one way speech becomes text: cut at pauses into chunks, heard together in windows of 24-30 s, each
with the text before it as its prompt (why, and what was tried and dropped, with figures: ARCHITECTURE.md,
"How transcription was chosen").

A live recording feeds chunks as the Chunker closes them (`speech/recorder`); a file is cut by the same
Chunker from its own levels (`transcribe_samples`). Chunks are grouped into windows the same way in both: once
the chunks not yet heard together make GROUP_SECONDS (never more than Whisper's 30 s window), they are heard
as one, the text before them as prompt. Live, each chunk is also heard alone as soon as it closes, so the
text is there while recording goes on and, at stop, only the last chunk is left to hear; its window replaces
that text. A file skips the hearing alone, so a file and a recording of the same words get the same text.

Live, a window is deferred, never dropped, while chunks wait to be heard alone: it is heard as soon as the
queue is empty (`catch_up`), oldest first. A window that writes few words for its speech (SPARSE_WINDOW_WORDS)
is heard again without a prompt, and what it left out put back (live, only when its chunks' words did not mend
it, and never once the person stopped).

The last pass: at stop, the last chunk is heard together with the chunks not yet in a window (a short
recording entirely) when that fits the time left (`budget`), estimated from how fast the earlier chunks went;
else, when that leaves it short, with the seconds before it from the chunk before (from a pause, what they
say again dropped). A last chunk with no speech (the pause before the stop) is not heard at all when the chunk
before it had no time for a second look: that look is taken in its place. The budget has room for ~8 s of
audio, so while the machine has nothing else to do, the open window's chunks are heard together ahead of a
stop (`look_ahead`), and at the stop that text takes the place of what they said alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voicejournal.core.entry import Segment
from voicejournal.speech.answers import put_back, skipped_words
from voicejournal.speech.hearing import Hearing, prompt_after
from voicejournal.speech.levels import block_levels, level_db
from voicejournal.speech.trace import log
from voicejournal.speech.unheard import context_tail, short_of_words, speaks
from voicejournal.store.home import SAMPLE_RATE

WINDOW_SECONDS = 30.0  # Whisper hears at most this much at once
GROUP_SECONDS = 24.0  # chunks are heard again together once they make this much (benchmarks/quality.py)
# Put before every prompt: the marker phrases people say (core/markers), so that Whisper expects them.
PROMPT_HINT = "Question for my therapist: Homework: Goal: Small win: Mood: 6 out of 10."
# Live, a window is heard only as long as this takes (measured on the windows so far): one being heard when the
# person stops cannot be cut short, so on a busy machine windows are shorter (stop -> saved <= 2 s).
LIVE_WINDOW_COST = 1.5
SKIPPED_WORDS = 4  # a window heard again may not leave out this many words in a row that its chunks said
# A window that wrote fewer words a second of its speech than this may have left some out: heard again without a
# prompt (people say 2.5-3.8 words a second).
SPARSE_WINDOW_WORDS = 2.6
MAX_WAITING = 4  # live, windows deferred at most (~100 s): a machine that cannot keep up drops the oldest
CONTEXT_SECONDS = 8.0  # at stop, a last chunk shorter than this is heard with up to this much before it
MIN_CONTEXT_SECONDS = 2.0  # less time before it than this is no help
MIN_SPEECH_SECONDS = 0.5  # a last chunk with less speech than this is the pause before the stop: heard alone


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
        self.hearing = Hearing(transcriber, samplerate, live)
        self.segments: list[Segment] = []
        self.chunks = 0
        self.final_pass = 0.0  # seconds of audio the last window at stop covered (0: none)
        self._pending: list[_Span] = []  # chunks not yet in a window (at most WINDOW_SECONDS)
        self._waiting: list[list[_Span]] = []  # live, windows closed but not heard yet (chunks waited)
        self._before: _Span | None = None  # live, the chunk added last: its end is heard again at stop
        self._ahead: tuple[list[_Span], list[Segment] | None, str | None] | None = None  # live, heard ahead
        self._window_compute = 0.0  # seconds spent on windows heard again live
        self._window_heard = 0.0  # and their seconds of audio

    @property
    def hurry(self) -> bool:
        """Live, stopped (Recorder.stop): no more windows, only text for chunks with none."""
        return self.hearing.hurry

    @hurry.setter
    def hurry(self, value: bool) -> None:
        self.hearing.hurry = value

    @property
    def language(self) -> str | None:
        return self.hearing.language

    @property
    def model(self) -> str | None:
        return self.hearing.model

    @property
    def rtf(self) -> float:
        """Compute seconds per audio second so far."""
        return self.hearing.rtf

    @property
    def waiting(self) -> int:
        """Windows closed but not heard yet (live, while chunks waited); none once stopped."""
        return 0 if self.hurry else len(self._waiting)

    def group_seconds(self) -> float:
        """How much audio makes a window: GROUP_SECONDS, or live what is heard within LIVE_WINDOW_COST as the
        windows so far went (none yet: GROUP_SECONDS)."""
        if not self.live or not self._window_heard:
            return GROUP_SECONDS
        rtf = self._window_compute / self._window_heard
        return min(GROUP_SECONDS, LIVE_WINDOW_COST / max(rtf, 1e-3))

    def _seconds(self, spans: list[_Span]) -> float:
        return (spans[-1].end - spans[0].start) / self.samplerate if spans else 0.0

    def _span(self, start: int, end: int, samples: Any) -> _Span:
        self.chunks += 1
        self.hearing.levels.extend(block_levels(samples))
        return _Span(start, end, len(self.segments), samples)

    def add(self, start: int, end: int, samples: Any, behind: bool = False) -> list[Segment]:
        """One chunk (frames start..end); returns the segments it added or changed. `behind` (live): more
        chunks wait, so a window is deferred (`catch_up` hears it once they are heard): the transcriber keeps
        up with speech, and a stop finds no queue (10 min with a CPU hog: stop -> saved 8.0 s before)."""
        span = self._span(start, end, samples)
        out: list[Segment] = []
        if self._pending and self._seconds([*self._pending, span]) > WINDOW_SECONDS:
            self._close()
            if self.live and not behind:
                # The window it closed is heard first: its text, not its chunks' own, is this chunk's prompt, as
                # in a file. Before, the chunk was heard first (the 502 s live run: 9 of 19 windows), and when it
                # was then a window of one, it kept that text.
                out += self.catch_up(everything=True)
                span.first = len(self.segments)  # the window's text took the place of its chunks'
        if self.live:
            new = self.hearing.hear(samples, start, self._prompt(len(self.segments)))
            span.heard = True
            self.segments.extend(new)
            out += new
        self._pending.append(span)
        self._before = span if self.live else None
        if self._seconds(self._pending) >= self.group_seconds():
            self._close()
        if behind and self.waiting:
            log.debug("%d windows deferred: chunks wait", self.waiting)
        return out if behind else out + self.catch_up(everything=not self.live)

    def _close(self) -> None:
        """The pending chunks make a window, to be heard (`catch_up`)."""
        self._waiting.append(self._pending)
        self._pending = []
        if len(self._waiting) > MAX_WAITING:
            log.debug("window %s dropped: %d wait", self._ids(self._waiting[0]), len(self._waiting))
            self._waiting.pop(0)

    def catch_up(self, everything: bool = False) -> list[Segment]:
        """The oldest window not yet heard (`everything`: all of them), heard; the segments it changed. Once
        stopped, none: the person waits, and the chunks have their own text."""
        out: list[Segment] = []
        while self._waiting and not self.hurry:
            out += self._hear_window(self._waiting.pop(0))
            if not everything:
                break
        if self.hurry and self._waiting:
            log.debug("%d windows left unheard: stopped", len(self._waiting))
            self._waiting = []
        return out

    def last(self, start: int, end: int, samples: Any, budget: float | None = None) -> list[Segment]:
        """The final chunk: heard together with the chunks not yet heard in a window (the last of them that fit
        Whisper's window and `budget` seconds; None: no limit), else with the seconds before it, else alone.
        Returns the segments it added or changed."""
        span = self._span(start, end, samples)
        self.hearing.until = None if budget is None else time.perf_counter() + budget
        out: list[Segment] = []
        if budget is None:  # a file: what waits is heard first, in order
            if self._pending and self._seconds([*self._pending, span]) > WINDOW_SECONDS:
                self._close()
            out += self.catch_up(everything=True)
        else:
            if self._waiting:
                log.debug("%d windows left unheard: stopped", len(self._waiting))
                self._waiting = []
            out += self._take_ahead()
        span.first = len(self.segments)  # after what was just heard (it held the window's text before)
        if budget is not None and not speaks(samples, self.hearing.levels, MIN_SPEECH_SECONDS):
            # The pause before the stop has nothing to hear, and the chunk before it may have had no time for
            # its second look (its last words, "Mood: seven out of ten.", left out): that look is taken instead.
            before = self._before if self._before is not None and self._before.end == span.start else None
            taken = self.hearing.skipped_look(before.start) if before is not None else None
            if taken is not None:
                kind, new = taken
                log.debug("last pass: %s of %s in place of a silent last chunk", kind, self._ids([before]))
                self._pending = []
                if kind == "afresh" and new:  # the chunk's own text, heard again whole, is replaced
                    self.segments[before.first :] = new
                else:
                    self.segments.extend(new)
                return out + new
        joined = [*self._pending, span]
        while len(joined) > 1 and (
            self._seconds(joined) > WINDOW_SECONDS
            or (budget is not None and self._seconds(joined) * self.rtf * 1.5 > budget)
        ):
            joined.pop(0)  # live, out of time: the earliest keep the text they got alone
        if len(joined) > 1:
            self.final_pass = self._seconds(joined)
        log.debug("last pass: %s, budget %s, rtf %.3f", self._ids(joined), budget, self.rtf)
        self._pending = []
        if (
            budget is not None
            and len(joined) == 1
            and self._seconds(joined) < CONTEXT_SECONDS
            and speaks(samples, self.hearing.levels, MIN_SPEECH_SECONDS)
        ):
            before = self._context(span, budget)
            if before is not None:
                return out + self._with_context(span, before)
        return out + self._hear_window(joined)

    def _context(self, span: _Span, budget: float) -> Any:
        """The end of the chunk before `span` to hear with it at stop, as many seconds as the measured pace
        allows in `budget` (at most CONTEXT_SECONDS; `unheard.context_tail`); None when too few fit."""
        before = self._before if self._before is not None and self._before.end == span.start else None
        # Only the seconds added count: the chunk is heard anyway (Whisper hears 30 s whatever it is given).
        room = min(CONTEXT_SECONDS, budget / (max(self.rtf, 1e-3) * 1.5))
        if before is None or room < MIN_CONTEXT_SECONDS:
            return None
        return context_tail(before.samples, room, MIN_CONTEXT_SECONDS, self.samplerate)

    def _with_context(self, span: _Span, before: Any) -> list[Segment]:
        """The last chunk heard after `before` (the end of the chunk before it): its new segments."""
        new = self.hearing.hear_after(before, span.samples, span.start, self.segments, PROMPT_HINT)
        if not new and self.hearing.time_for(len(span.samples)):
            new = self.hearing.hear(span.samples, span.start, self._prompt(len(self.segments)))  # alone, then
        log.debug("last chunk heard with %.1f s before it", len(before) / self.samplerate)
        self.final_pass = (span.end - span.start + len(before)) / self.samplerate
        self.segments.extend(new)
        return new

    def _ids(self, spans: list[_Span]) -> str:
        return f"{spans[0].start / self.samplerate:.1f}-{spans[-1].end / self.samplerate:.1f} s ({len(spans)} chunks)"

    def _hear_window(self, spans: list[_Span]) -> list[Segment]:
        """The chunks `spans` heard together, in place of what they said alone."""
        if not spans or (len(spans) == 1 and spans[0].heard):
            return []  # one chunk heard alone already is its own window
        again = all(s.heard for s in spans)  # live: the chunks have their text already
        if again and self.hurry:
            return []  # stopped: the person waits, and the chunks' own text is there
        first = spans[0]
        later = [s for group in self._waiting for s in group] + self._pending
        end = min((s.first for s in later if s.start >= spans[-1].end), default=len(self.segments))
        alone = self.segments[first.first : end]
        new = self._heard_ahead(spans)
        new = self._window_text(spans, alone, again) if new is None else new
        if new is None:
            return []  # stopped while it was heard (what follows must not wait): the chunks keep their text
        self._splice(first.first, end, new, [s for s in later if s.start >= spans[-1].end])
        return new

    def _splice(self, first: int, end: int, new: list[Segment], after: list[_Span]) -> None:
        """`new` in place of the segments first..end, and the chunks `after` them told where theirs moved."""
        for s in after:
            s.first += len(new) - (end - first)
        self.segments[first:end] = new

    def _window_text(
        self, spans: list[_Span], alone: list[Segment], again: bool, keep: bool = False
    ) -> list[Segment] | None:
        """What the chunks `spans` say heard together; `again`: live, `alone` is their text so far, put back
        where the window left words out. None: stopped while it was heard (with `keep`, its answer is kept)."""
        import numpy as np

        first = spans[0]
        both = np.concatenate([s.samples for s in spans]) if len(spans) > 1 else first.samples
        began = time.perf_counter()
        new = self.hearing.hear(both, first.start, self._prompt(first.first), abandon=again, keep=keep)
        log.debug("window %s heard in %.2f s (group %.1f s)", self._ids(spans), time.perf_counter() - began,
                  self.group_seconds())  # fmt: skip
        if again:
            # Only its first call: a stop waits for the call under way, and no more (see `Hearing.hear`).
            self._window_compute += self.hearing.first_call
            self._window_heard += len(both) / self.samplerate
        if again and self.hurry and not keep:
            return None
        if again and skipped_words(alone, new) >= SKIPPED_WORDS:
            # Whisper skipped a sentence in the long window (it does: "Please call Stella."): the chunks' words
            # are put back for it, and the window keeps the rest, which it hears better.
            new = put_back(alone, new, SKIPPED_WORDS)
        if len(spans) > 1 and not self.hurry and self._sparse(new, both):
            # A window with few words for its speech (after its chunks' words were put back, live): the prompt
            # made Whisper skip a sentence, or the start of one cut at a pause. Heard afresh, what it skipped is
            # put back. Live, never once stopped, and dropped if the person stops while it is heard.
            fresh = self.hearing.hear(both, first.start, None, abandon=again)
            if not (again and self.hurry) and skipped_words(fresh, new) >= SKIPPED_WORDS:
                new = put_back(fresh, new, SKIPPED_WORDS)
        return new

    def look_ahead(self) -> bool:
        """Live, while no chunk waits: the open window's chunks (two or more, each heard alone) heard together
        now, their text kept aside for a stop, where it takes the place of what they said alone (`last`; the
        last pass has time for ~8 s of audio, the open window holds up to GROUP_SECONDS). Whether it heard them."""
        spans = list(self._pending)
        if not self.live or self.hurry or self._waiting or len(spans) < 2 or self._ahead_of(spans):
            return False
        prompt = self._prompt(spans[0].first)
        new = self._window_text(spans, self.segments[spans[0].first :], again=True, keep=True)
        self._ahead = (spans, new or None, prompt)  # None: stopped in a second look, the chunks keep theirs
        return True

    def _heard_ahead(self, spans: list[_Span]) -> list[Segment] | None:
        """The text `look_ahead` heard for the window `spans` with the prompt it has now, else None: a window
        closed as it was heard ahead (the next chunk made it too long) is not heard twice."""
        ahead = self._ahead
        if ahead is None or ahead[1] is None or len(ahead[0]) != len(spans) or not self._ahead_of(spans):
            return None
        if ahead[2] != self._prompt(spans[0].first):
            return None
        self._ahead = None
        log.debug("window %s heard ahead", self._ids(spans))
        return ahead[1]

    def _ahead_of(self, spans: list[_Span]) -> bool:
        """Whether the text kept aside (`look_ahead`) is of the chunks `spans` begin with."""
        if self._ahead is None or len(self._ahead[0]) > len(spans):
            return False
        return all(a is b for a, b in zip(self._ahead[0], spans, strict=False))

    def _take_ahead(self) -> list[Segment]:
        """At stop: the text `look_ahead` kept aside in place of what its chunks said alone, when they are still
        the first of the chunks not heard in a window; the segments it put in."""
        if not self._ahead_of(self._pending) or self._ahead[1] is None:
            self._ahead = None
            return []
        (spans, new, _), self._ahead = self._ahead, None
        rest = self._pending[len(spans) :]
        first = spans[0].first
        self._splice(first, rest[0].first if rest else len(self.segments), new, rest)
        for s in spans:
            s.first = first
        self._pending = rest
        log.debug("last pass: %s heard ahead", self._ids(spans))
        return new

    def _sparse(self, window: list[Segment], samples: Any) -> bool:
        """Whether a window wrote fewer than SPARSE_WINDOW_WORDS words a second of its speech."""
        return short_of_words(sum(len(s.text.split()) for s in window), samples, SPARSE_WINDOW_WORDS)

    def _prompt(self, before: int) -> str | None:
        text = " ".join(s.text.strip() for s in self.segments[:before] if s.text.strip())
        return prompt_after(PROMPT_HINT, text) or None

    def stop(self, budget: float) -> None:
        """Live, the person stopped: no window is heard again, and a chunk still to hear gets no second look that
        would end more than `budget` seconds from now (the chunks waiting, and the one under way, keep to the
        time of the last pass)."""
        self.hurry = True
        self.hearing.until = time.perf_counter() + budget


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
