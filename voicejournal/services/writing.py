"""Typed entries: a note written instead of spoken, saved and enriched exactly like a recording."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from voicejournal.core.entry import TEXT_ONLY, TYPED, Entry
from voicejournal.errors import UsageError
from voicejournal.services.entries import clean_tags

EMPTY_TEXT = (
    "The note is empty, so nothing was saved. Type it after `voicejournal write`, or run "
    "`voicejournal write` alone to open your editor."
)


def write_entry(
    journal,
    text: str,
    date: datetime | None = None,
    tags: Iterable[str] = (),
    mood: int | None = None,
    session: str | None = None,
    kind: str = "journal",
) -> Entry:
    """Save a typed note (now, or at `date`): themed, indexed and scanned for spoken-style markers
    ("Question for my therapist: …") like a recording; an empty text is refused."""
    text = text.strip()
    if not text:
        raise UsageError(EMPTY_TEXT)
    if mood is not None and not 1 <= mood <= 5:
        raise UsageError("Mood is a number from 1 (low) to 5 (good).")
    session = journal.session_id(session)
    with journal.storage.transaction():
        entry = Entry(
            id=journal.storage.new_id(),
            created=(date or journal.now()).astimezone(),
            kind=kind,
            status=TEXT_ONLY,
            text=text,
            tags=clean_tags(tags),
            mood=mood,
            session=session,
            source=TYPED,
        )
        return journal.save_entry(entry, new=True)
