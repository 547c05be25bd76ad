"""The search query language and what a search returns (pure: no SQLite here).

Query language: words (all must occur), "exact phrases", -word or -"phrase" to leave out. Everything
the person types is quoted before it reaches FTS5, so no query can be a syntax error. A query word is
widened to its family (`core.text.word_family`: anxious finds anxiety, slept finds sleep).
"""

from __future__ import annotations

import re
from datetime import datetime

from voicejournal.core.record import Factory, Record
from voicejournal.core.text import fold, word_family
from voicejournal.errors import UsageError

HL_OPEN, HL_CLOSE = "\x01", "\x02"
WORD_RE = re.compile(r"[^\W_]+")


# --- the query language ----------------------------------------------------------------------


class Query(Record):
    """A parsed query: what must occur (words and phrases) and what must not."""

    text: str
    terms: list[list[str]] = Factory(list)  # each term: one word, or a phrase's words
    excluded: list[list[str]] = Factory(list)

    def match_expression(self) -> str:
        """The FTS5 MATCH expression: every term required, exclusions after NOT."""
        required = " AND ".join(_term_expr(t) for t in self.terms)
        if self.excluded:
            return f"({required}) NOT ({' OR '.join(_term_expr(t) for t in self.excluded)})"
        return required

    def any_term_expression(self) -> str:
        """Any one of the wanted terms: to find the best sentence inside a matching entry."""
        return " OR ".join(_term_expr(t) for t in self.terms)

    @property
    def words(self) -> list[str]:
        return [w for t in self.terms for w in t]


def fts_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _term_expr(words: list[str]) -> str:
    """One term as FTS5: a word with its family, or a phrase (each word's family, at most 16 variants)."""
    if len(words) == 1:
        fam = word_family(words[0])
        return fts_quote(fam[0]) if len(fam) == 1 else "(" + " OR ".join(fts_quote(f) for f in fam) + ")"
    variants: list[list[str]] = [[]]
    for w in words:
        fam = word_family(w)
        if len(variants) * len(fam) > 16:
            fam = (w,)
        variants = [v + [f] for v in variants for f in fam]
    phrases = [fts_quote(" ".join(v)) for v in variants]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


_TOKEN_RE = re.compile(r'(-?)"([^"]*)(?:"|$)|(\S+)')

EMPTY_QUERY = 'Say what to search for, e.g. `voicejournal search "my sister"`.'
ONLY_EXCLUDED = (
    "Add at least one word to look for: -words only leave entries out "
    "(e.g. `voicejournal search sleep -work`)."
)


def parse_query(text: str) -> Query:
    """Words (all required), "exact phrases", -excluded words or -"phrases".

    An unclosed quote runs to the end of the query. Punctuation inside words is ignored the way the
    index ignores it ("don't" finds "don't" and "dont"), so no input can break the search.
    """
    query = Query(text)
    if not text.strip():
        raise UsageError(EMPTY_QUERY)
    for m in _TOKEN_RE.finditer(text):
        if m.group(3) is not None:
            raw = m.group(3)
            negative = raw.startswith("-") and len(raw) > 1
            raw = raw[1:] if negative else raw
        else:
            negative, raw = bool(m.group(1)), m.group(2)
        words = [w.lower() for w in WORD_RE.findall(fold(raw))]
        if not words:
            continue
        # Within an unquoted word, punctuation splits it into a phrase ("e-mail" = "e mail").
        (query.excluded if negative else query.terms).append(words)
    if not query.terms:
        if query.excluded:
            raise UsageError(ONLY_EXCLUDED)
        raise UsageError(f"There are no words to search for in '{' '.join(text.split())}'. {EMPTY_QUERY}")
    return query


# --- results ---------------------------------------------------------------------------------


class IndexedEntry(Record):
    """What the index knows about an entry: enough to list it without opening the journal."""

    id: str
    created: datetime
    kind: str
    mood: int | None
    tags: list[str]
    themes: list[str]
    duration: float
    status: str
    title: str | None
    preview: str

    @property
    def text(self) -> str:
        """The beginning of the text (what a listing shows)."""
        return self.preview


class SearchHit(Record):
    entry: IndexedEntry
    score: float  # BM25, higher is better
    start: float | None  # where the best sentence starts in the recording (None: a written entry)
    snippet: str  # the best sentence, trimmed around the match, with **highlights**

    @property
    def id(self) -> str:
        return self.entry.id


class SearchResult(Record):
    query: Query
    hits: list[SearchHit]
    total: int  # all matching entries, beyond `limit`
    suggestions: list[str] = Factory(list)  # close words that do occur, when nothing matched


class Filters(Record):
    """Filters shared by `search` and `list`."""

    since: datetime | None = None
    until: datetime | None = None
    tags: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    kind: str | None = None
    mood: int | None = None


def make_snippet(highlighted: str, before: int = 10, after: int = 18) -> str:
    """The sentence of a highlighted segment with the most matches, trimmed to a window of words around
    its first match if it is long; matches **marked**."""
    sentences = [p for p in re.split(r"(?<=[.!?…])\s+", highlighted.strip()) if p]
    if len(sentences) > 1:
        # A phrase match may span a sentence end: keep the markers balanced per sentence below.
        best = max(range(len(sentences)), key=lambda i: (sentences[i].count(HL_OPEN), -i))
        highlighted = sentences[best]
    words = highlighted.split()
    first = next((i for i, w in enumerate(words) if HL_OPEN in w), None)
    if first is None:
        first = 0
    lo = max(0, first - before)
    hi = min(len(words), first + after)
    window = " ".join(words[lo:hi])
    opens, closes = window.count(HL_OPEN), window.count(HL_CLOSE)
    if opens > closes:
        window += HL_CLOSE
    elif closes > opens:
        window = HL_OPEN + window
    if lo > 0:
        window = "…" + window
    if hi < len(words):
        window += "…"
    return window.replace(HL_OPEN, "**").replace(HL_CLOSE, "**")
