"""What Whisper wrote, judged as text: loops, words a window left out, when a segment's words can have ended,
and words of a re-heard rest that say again what was just written (speech/chunked uses them all)."""

from __future__ import annotations

import re
import zlib
from dataclasses import replace

from voicejournal.core.entry import Segment

REPETITIVE_RATIO = 2.4  # as faster-whisper's compression_ratio_threshold
SLOW_WORDS_PER_SECOND = 1.5  # people say 2-3 words a second
REPEAT_WORDS = 2  # a re-heard rest starting with this many of the written text's last words says them again
CUT_WORDS = 1  # words at a re-heard rest's start that may be cut (it begins mid-word) before the repeat
SAID_WORD = re.compile(r"[^\W\d]+(?:'[^\W\d]+)*|\d")  # digits one by one: "1-0-0-0-1" is 5 words said
FOLDED_WORD = re.compile(r"[a-z0-9']+")


def folded(text: str) -> str:
    """Lower-case words only, for comparing what Whisper wrote."""
    return " ".join(FOLDED_WORD.findall(text.lower()))


def repetitive(text: str) -> bool:
    """Text that compresses as well as a loop does (Whisper's own test, over a whole chunk)."""
    data = text.encode()
    return len(data) > 60 and len(data) / len(zlib.compress(data)) > REPETITIVE_RATIO


def loops(segments: list[Segment]) -> bool:
    """Whether an answer loops: as a whole, or in one segment ("Here's some more word word word …")."""
    return repetitive(" ".join(s.text for s in segments)) or any(repetitive(s.text) for s in segments)


def skipped_words(before: list[Segment], after: list[Segment]) -> int:
    """The longest run of words in `before` that `after` leaves out (words compared `folded`)."""
    from difflib import SequenceMatcher

    old = folded(" ".join(s.text for s in before)).split()
    new = folded(" ".join(s.text for s in after)).split()
    runs = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    return max(
        [
            (i2 - i1) - (j2 - j1) if op == "replace" else i2 - i1
            for op, i1, i2, j1, j2 in runs
            if op in ("delete", "replace")
        ],
        default=0,
    )


def spoken_until(segment: Segment, offset: float = 0.0) -> float:
    """When a segment's words must have ended (seconds into its chunk): its end, or sooner when it is far
    longer than its words take even said slowly (SLOW_WORDS_PER_SECOND, plus a pause)."""
    words = len(SAID_WORD.findall(segment.text))
    return min(segment.end, segment.start + words / SLOW_WORDS_PER_SECOND + 2.0) - offset


def repeated_start(written: list[str], heard: list[str]) -> int:
    """How many of `heard`'s first words say again the last words of `written` (both folded word lists): the
    longest such run, of REPEAT_WORDS at least, after at most CUT_WORDS words (a rest that begins mid-word
    has its first word misheard); one word in four of the run may differ (heard twice, a word can come back
    another way). 0 when none."""
    for k in range(min(len(written), len(heard)), REPEAT_WORDS - 1, -1):
        tail = written[-k:]
        for cut in range(min(CUT_WORDS, len(heard) - k) + 1):
            if sum(a != b for a, b in zip(tail, heard[cut : cut + k], strict=True)) <= k // 4:
                return cut + k
    return 0


def new_words(written: str, more: list[Segment]) -> list[Segment]:
    """The segments of a re-heard rest without what `written` (the text before it) says already: a segment
    whose words all stand in it as they are, and the words at the rest's start that repeat its end (when a
    slow speaker's last words are heard again, the end of a sentence was written twice)."""
    before = folded(written).split()
    text = f" {' '.join(before)} "
    kept = [s for s in more if folded(s.text) and f" {folded(s.text)} " not in text]
    drop = repeated_start(before, folded(" ".join(s.text for s in kept)).split())
    out = []
    for segment in kept:
        tokens = segment.text.split()
        while drop > 0 and tokens:
            drop -= len(FOLDED_WORD.findall(tokens.pop(0).lower()))
        if tokens:
            out.append(
                replace(segment, text=(" " if segment.text.startswith(" ") else "") + " ".join(tokens))
            )
    return out
