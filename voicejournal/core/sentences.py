"""Sentences of a transcript, each with the moment it begins in the recording.

Whisper's segments are not sentences: a 24 s window often comes back as one segment holding several, and
a sentence may run across two. `split_sentences` cuts them (inside a segment, a sentence's moment is its
share of the segment's characters). Markers, the brief, sharing and exports cut the whole transcript
(`entry_segments`), joining a sentence that runs across segments; search hits, meaning passages and `show`
cut each segment on its own (`sentences_with_times`), so every piece keeps to one segment's time span.
Light on purpose (a few patterns): `show` and the index use it without loading the marker patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicejournal.core.entry import Entry, Segment


@dataclass
class Sentence:
    text: str
    offset: float | None


_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "st", "vs", "etc", "e.g", "i.e", "prof"}
_WORD_RE = re.compile(r"[^\W_]+")
_END = re.compile(r"[.?!…]+[\"'”’)]*(?=\s|$)")


def entry_segments(entry: Entry) -> list[Segment]:
    """The entry's timed segments, or its text as untimed segments, one a line (written or edited
    entries: a typed list "Homework: …" / "Question: …" needs no full stops to be read apart)."""
    if entry.segments and not entry.edited:
        return entry.segments
    return [Segment(-1.0, -1.0, line) for line in entry.text.splitlines() if line.strip()]


def split_sentences(segments: list[Segment]) -> list[Sentence]:
    """Sentences across Whisper's segments, each with the moment it begins (inside a segment: by its share of
    the segment's characters).

    Ends of sentences are punctuation, and a segment boundary where the next segment starts with a
    capital letter (Whisper often leaves the full stop out between segments).
    """
    sentences: list[Sentence] = []
    current: list[str] = []
    current_offset: float | None = None

    def flush() -> None:
        nonlocal current, current_offset
        text = " ".join(current).strip()
        if text:
            sentences.append(Sentence(text, current_offset))
        current, current_offset = [], None

    for seg in segments:
        text = " ".join(seg.text.split())
        if not text:
            continue
        offset = None if seg.start < 0 else float(seg.start)
        # A sentence that begins inside a segment (a long window holds several) starts that far into it:
        # spoken at an even pace, as a share of its characters.
        per_char = 0.0 if offset is None else max(0.0, float(seg.end) - offset) / len(text)

        def starts_at(pos: int, offset=offset, per_char=per_char) -> float | None:
            return None if offset is None else round(offset + per_char * pos, 2)

        if current and text[0].isupper():
            flush()
        pos = 0
        for match in _END.finditer(text):
            before = text[pos : match.start()]
            last_word = before.rsplit(None, 1)[-1].lower() if before.strip() else ""
            if match.group().startswith(".") and last_word.rstrip(".") in _ABBREVIATIONS:
                continue
            if current_offset is None:
                current_offset = starts_at(pos)
            current.append(text[pos : match.end()])
            flush()
            pos = match.end()
        rest = text[pos:].strip()
        if rest:
            if current_offset is None:
                current_offset = starts_at(pos)
            current.append(rest)
    flush()
    return sentences


_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences_with_times(entry: Entry) -> list[tuple[float | None, str]]:
    """The entry's text as (start time, sentence) pieces for the best-sentence lookup.

    Unedited transcripts use the recognizer's segments cut into sentences, each at the moment it begins (a
    segment of a 24 s window often holds several: `split_sentences` places each by its share of the segment's
    characters, as for spoken markers). An edited transcript uses the edited text,
    each sentence placed at the heard sentence it shares most words with (so a corrected word keeps its
    time). Written entries have sentences without times.
    """
    if not entry.segments:
        return [(None, p.strip()) for p in _SENTENCE_RE.split(entry.text or "") if p.strip()]
    heard = [(s.offset, s.text) for seg in entry.segments for s in split_sentences([seg]) if s.text]
    if not entry.edited:
        return heard
    heard_words = [(start, set(_WORD_RE.findall(text.lower()))) for start, text in heard]
    out: list[tuple[float | None, str]] = []
    for p in (p.strip() for p in _SENTENCE_RE.split(entry.text or "")):
        if not p:
            continue
        words = set(_WORD_RE.findall(p.lower()))
        best, best_overlap = None, 0
        for start, sw in heard_words:
            overlap = len(words & sw)
            if overlap > best_overlap:
                best, best_overlap = start, overlap
        out.append((best if best_overlap * 2 >= len(words) else None, p))
    return out
