"""How counts read in messages: '0 entries', '1 entry', '2 entries'. Every printed count goes through here."""

from __future__ import annotations

# Nouns whose plural is not the word and an "s".
_IRREGULAR = {"entry": "entries"}


def noun(n: int, one: str, many: str | None = None) -> str:
    """The noun that goes with n: 'entry' for 1, 'entries' for 0 and 2."""
    if n == 1:
        return one
    if many:
        return many
    head, _, last = one.rpartition(" ")  # "journal file" -> "journal files", "homework item" -> "… items"
    plural = _IRREGULAR.get(last, last + "s")
    return f"{head} {plural}" if head else plural


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 entry', '2 entries', '0 recordings': the number and its noun."""
    return f"{n} {noun(n, one, many)}"
