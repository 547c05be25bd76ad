"""Keeping the meaning vectors in step with saves: a check before each write of entries and, only when
words changed and there are vectors, the work after it (services/meaning.py). A save that changes no words
(`tag`, `mood`) or a journal without vectors never loads the vectors or the model code."""

from __future__ import annotations

from collections.abc import Iterable

from voicejournal.store.home import has_vectors

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2-3 ms of a fresh `tag`)
if TYPE_CHECKING:
    from voicejournal.core.entry import Entry


class WriteToken:
    """What `before_write` saw: the journal's signature right before the write; None: no vectors yet."""

    __slots__ = ("before",)

    def __init__(self, before: str | None):
        self.before = before


def before_write(journal) -> WriteToken:
    """Call inside the storage transaction, before entries are written (cheap: no vectors are read, and
    without a vectors file not even the month files are looked at)."""
    return WriteToken(journal.storage.signature() if has_vectors(journal.home) else None)


def after_write(journal, token: WriteToken, upsert: Iterable[Entry] = (), remove: Iterable[str] = ()) -> None:
    """After entries were written or deleted (same transaction): embed the changed ones, drop the deleted.

    `upsert` holds only entries whose words may have changed: a write that leaves them alone (a tag, a
    mood) passes none, and neither reads nor rewrites the vectors; their signature then differs in the
    month just written, so the next search by meaning reads that one month file again.
    """
    upsert, remove = list(upsert), list(remove)
    if token.before is None or (not upsert and not remove):
        return  # no vectors yet (the first search by meaning makes them), or no words changed
    from voicejournal.services import meaning

    meaning.follow_write(journal, token.before, upsert, remove)
