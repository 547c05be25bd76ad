"""Passages: an entry's words cut into chunks of about 150 words at sentence boundaries, for meaning search.

The embedding model reads at most 256 word pieces (about 180 English words), so a long transcript is cut
into passages that each fit, and each passage keeps where it starts in the recording. A passage is a run of
whole sentences (`core.sentences.sentences_with_times`); a single sentence longer than the limit is cut at word
boundaries so nothing is lost to truncation.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicejournal.core.entry import Entry
from voicejournal.core.sentences import sentences_with_times

TARGET_WORDS = 150  # a passage grows to about this many words…
MAX_WORDS = 180  # …and never beyond this (256 word pieces is about 180 words of everyday speech)


@dataclass(frozen=True)
class Passage:
    """Consecutive sentences of one entry: `sentences[i]` is (start in the recording or None, text)."""

    number: int
    sentences: tuple[tuple[float | None, str], ...]

    @property
    def start(self) -> float | None:
        return next((s for s, _ in self.sentences if s is not None), None)

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.sentences)


def _split_long(start: float | None, text: str) -> list[tuple[float | None, str]]:
    words = text.split()
    if len(words) <= MAX_WORDS:
        return [(start, text)]
    return [(start, " ".join(words[i : i + TARGET_WORDS])) for i in range(0, len(words), TARGET_WORDS)]


def cut(pieces: list[tuple[float | None, str]]) -> list[Passage]:
    """Group (start, sentence) pieces into passages of about TARGET_WORDS words, never past MAX_WORDS."""
    passages: list[Passage] = []
    current: list[tuple[float | None, str]] = []
    words = 0
    for start, sentence in pieces:
        for part in _split_long(start, sentence):
            n = len(part[1].split())
            if current and (words >= TARGET_WORDS or words + n > MAX_WORDS):
                passages.append(Passage(len(passages), tuple(current)))
                current, words = [], 0
            current.append(part)
            words += n
    if current:
        passages.append(Passage(len(passages), tuple(current)))
    return passages


def entry_pieces(entry: Entry) -> list[tuple[float | None, str]]:
    """What is embedded of an entry: its title (when the text does not already start with it), then its
    sentences with their times."""
    pieces = sentences_with_times(entry)
    if entry.title and not (entry.text or "").startswith(entry.title):
        pieces = [(None, entry.title.strip()), *pieces]
    return [(s, t) for s, t in pieces if t.strip()]


def entry_passages(entry: Entry) -> list[Passage]:
    """The passages of one entry (none for an entry without words yet)."""
    return cut(entry_pieces(entry))


def fingerprint(passages: list[Passage]) -> str:
    """A short digest of exactly what is embedded: equal digests mean the vectors can be kept."""
    import hashlib  # here: OpenSSL's start-up is only paid by writes that keep meaning vectors in step

    digest = hashlib.sha256()
    for p in passages:
        digest.update(p.text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:24]
