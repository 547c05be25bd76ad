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
# A rest can begin well before the written text ends (a segment stretched over pauses says its words took less
# time than they did): it writes again what was written, misheard ("for a still liner" for "forced aligner"),
# then the written text's last words as they were. A run this long of those last words, after at most
# LATE_CUT_WORDS others, says that all before it was heard already (the 502 s recording: 10 words written twice).
LATE_REPEAT_WORDS = 6
LATE_CUT_WORDS = 12
SAID_WORD = re.compile(r"[^\W\d]+(?:'[^\W\d]+)*|\d")  # digits one by one: "1-0-0-0-1" is 5 words said
# Digits one by one here too: Whisper writes a number said digit by digit as "1 0 0 0 1" in one hearing and
# "10001." in another (the 502 s live run ended "1 0 0 0 1 9 0 2 1 0 10001. 90210. 01803.": the last pass
# wrote the digits again, not seen as a repeat).
FOLDED_WORD = re.compile(r"[a-z0-9']*[a-z'][a-z0-9']*|[0-9]")  # "1st", "mp3": one word each
SAME_WORDS_RATIO = 0.6  # words this alike by characters are one hearing and another of the same words
# A phrase of up to LOOP_PHRASE words said more than LOOP_REPEATS times in a row is Whisper looping, not a person
# ("some more word word word …" 85 times, live, when both looks at a window looped; or a segment again and
# again): cut to what its time holds at SPEAKING_WORDS_PER_SECOND, LOOP_REPEATS at most ("word word word word
# word" said is 5).
LOOP_PHRASE = 8
LOOP_REPEATS = 8
SPEAKING_WORDS_PER_SECOND = 3.0
# Whisper writes in the style of its prompt: heard without one, spontaneous speech can come back with no
# punctuation at all ("feels like these days go on forever this is the acoustic corpus I'm talking pretty fast"),
# and as the next prompt that text made every later chunk come back so (a 502 s live run: no mark in ~900 words
# after the first minute). Written text, even the longest sentences, has a mark within this many words.
UNPUNCTUATED_WORDS = 40
PUNCTUATION = re.compile(r"[.,;:?!]")


def folded(text: str) -> str:
    """Lower-case words only, for comparing what Whisper wrote."""
    return " ".join(FOLDED_WORD.findall(text.lower()))


def punctuated(text: str) -> str:
    """`text` for a prompt: up to its last punctuation mark when UNPUNCTUATED_WORDS words or more follow that
    (none: ""), so that Whisper is not led to write without punctuation (UNPUNCTUATED_WORDS)."""
    marks = list(PUNCTUATION.finditer(text))
    end = marks[-1].end() if marks else 0
    return text if len(text[end:].split()) < UNPUNCTUATED_WORDS else text[:end].strip()


def repetitive(text: str) -> bool:
    """Text that compresses as well as a loop does (Whisper's own test, over a whole chunk)."""
    data = text.encode()
    return len(data) > 60 and len(data) / len(zlib.compress(data)) > REPETITIVE_RATIO


def loops(segments: list[Segment]) -> bool:
    """Whether an answer loops: as a whole, or in one segment ("Here's some more word word word …")."""
    return repetitive(" ".join(s.text for s in segments)) or any(repetitive(s.text) for s in segments)


def unlooped(segments: list[Segment]) -> list[Segment]:
    """`segments` with every phrase (up to LOOP_PHRASE words, within a segment or across several) repeated more
    than LOOP_REPEATS times in a row cut to the repeats its segments' time holds (at SPEAKING_WORDS_PER_SECOND,
    after their other words; 2 at least, LOOP_REPEATS at most); a segment left with no words goes."""
    tokens = [(k, t) for k, s in enumerate(segments) for t in s.text.split()]
    keys = [folded(t) for _, t in tokens]
    cut = False
    for n in range(1, LOOP_PHRASE + 1):
        i = 0
        while i + n * (LOOP_REPEATS + 1) <= len(tokens):
            phrase = keys[i : i + n]
            repeats = 1
            while keys[i + repeats * n : i + (repeats + 1) * n] == phrase:
                repeats += 1
            if repeats > LOOP_REPEATS and all(phrase):
                first, last = tokens[i][0], tokens[i + repeats * n - 1][0]
                others = sum(first <= k <= last for k, _ in tokens) - repeats * n
                seconds = segments[last].end - segments[first].start
                keep = max(2, min(LOOP_REPEATS, (int(seconds * SPEAKING_WORDS_PER_SECOND) - others) // n))
                del tokens[i + keep * n : i + repeats * n], keys[i + keep * n : i + repeats * n]
                cut = True
            i += 1
    if not cut:
        return segments
    kept: dict[int, list[str]] = {}
    for k, t in tokens:
        kept.setdefault(k, []).append(t)
    return [
        segment if kept[k] == segment.text.split() else with_words(segment, kept[k])
        for k, segment in enumerate(segments)
        if k in kept
    ]


def with_words(segment: Segment, words: list[str]) -> Segment:
    """`segment` saying only `words` (its leading space kept, as Whisper writes one before each segment)."""
    return replace(segment, text=(" " if segment.text.startswith(" ") else "") + " ".join(words))


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
    has its first word misheard), or LATE_CUT_WORDS for a run of LATE_REPEAT_WORDS or more; one word in four
    of the run may differ (heard twice, a word can come back another way). 0 when none."""
    for k in range(min(len(written), len(heard)), REPEAT_WORDS - 1, -1):
        tail = written[-k:]
        cuts = LATE_CUT_WORDS if k >= LATE_REPEAT_WORDS else CUT_WORDS
        for cut in range(min(cuts, len(heard) - k) + 1):
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
            out.append(with_words(segment, tokens))
    return out


def put_back(alone: list[Segment], window: list[Segment], run: int) -> list[Segment]:
    """`window`'s segments with every run of `run` or more words in a row that it left out of `alone` (the same
    audio heard chunk by chunk) put back where the words align, in `alone`'s words; what a run replaced in the
    window goes. A long window heard again skips a sentence now and then ("Please call Stella."), and is
    better than the chunks elsewhere. Times are shared out by characters within each segment."""
    from difflib import SequenceMatcher

    old, new = _tokens(alone), _tokens(window)
    old_words = [(k, w) for k, t in enumerate(old) for w in t[1]]
    new_words_ = [(k, w) for k, t in enumerate(new) for w in t[1]]
    runs = SequenceMatcher(None, [w for _, w in old_words], [w for _, w in new_words_], autojunk=False)
    out: list[tuple[int, str, float, float]] = []  # (source segment, token, start, end); window >= 0
    at = 0  # the next window token
    for op, i1, i2, j1, j2 in runs.get_opcodes():
        if op not in ("delete", "replace") or (i2 - i1) - (j2 - j1) < run:
            continue
        cut = new_words_[j1][0] if j1 < len(new_words_) else len(new)
        resume = new_words_[j2 - 1][0] + 1 if j2 > j1 else cut
        side = _edge(" ".join(w for _, w in new_words_[j1:j2]), [w for _, w in old_words[i1:i2]])
        if side == "start":  # the window's words are the run's first ones, heard better: kept, the rest after
            cut, i1 = resume, i1 + j2 - j1
        elif side == "end":
            resume, i2 = cut, i2 - (j2 - j1)
        out += [(t[0], t[2], t[3], t[4]) for t in new[at:cut]]
        out += [(-1 - t[0], t[2], t[3], t[4]) for t in old[old_words[i1][0] : old_words[i2 - 1][0] + 1]]
        at = max(at, resume)
    out += [(t[0], t[2], t[3], t[4]) for t in new[at:]]
    pieces: list[Segment] = []
    last = None
    for source, token, start, end in out:
        if pieces:  # in order of time, though a window's own times do not know of the words put back
            start = max(start, pieces[-1].end)
            end = max(end, start)
        if source == last:
            pieces[-1] = Segment(pieces[-1].start, end, f"{pieces[-1].text} {token}")
        else:
            pieces.append(Segment(start, end, f" {token}"))
        last = source
    return pieces


def _edge(said: str, run: list[str]) -> str | None:
    """Which end of a run of words left out `said` (the few words a window wrote in its place) is another
    hearing of: "start", "end" or None (neither is close, by characters)."""
    from difflib import SequenceMatcher

    if not said:
        return None
    n = len(said.split())
    head = SequenceMatcher(None, said, " ".join(run[:n])).ratio()
    tail = SequenceMatcher(None, said, " ".join(run[-n:])).ratio()
    if max(head, tail) < SAME_WORDS_RATIO:
        return None
    return "start" if head >= tail else "end"


def _tokens(segments: list[Segment]) -> list[tuple[int, list[str], str, float, float]]:
    """Each whitespace token of the segments: (segment, its folded words, token, start, end by characters)."""
    out = []
    for k, segment in enumerate(segments):
        text = segment.text
        matches = list(re.finditer(r"\S+", text))
        if not matches:
            continue
        first, size = matches[0].start(), max(matches[-1].end() - matches[0].start(), 1)
        share = (segment.end - segment.start) / size  # the first token starts the segment, the last ends it
        for match in matches:
            start = segment.start + share * (match.start() - first)
            end = segment.start + share * (match.end() - first)
            out.append((k, FOLDED_WORD.findall(match.group().lower()), match.group(), start, end))
    return out
