"""Entries: finding, saving, tagging, correcting, deleting; where their recordings live."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from voicejournal.core.entry import Entry
from voicejournal.core.text import clean_tags  # here too for the services that import it from here
from voicejournal.errors import (
    EntryNotFoundError,
    JournalCorruptError,
    UsageError,
)
from voicejournal.services import on_first_use
from voicejournal.store.home import ensure_private_dir

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2-3 ms of a fresh `show`/`tag`)
if TYPE_CHECKING:
    from voicejournal.services import meaning_sync, sessions
else:  # needed by writes only: `show` and `search` do without them
    meaning_sync, sessions = on_first_use("meaning_sync", "sessions")

AUDIO_DIR = "audio"


def get(journal, entry_id: str) -> Entry:
    """The entry with this id, or the only one whose id starts with it."""
    key = entry_id.strip().lower()
    if not key:
        raise EntryNotFoundError(entry_id)
    doc = journal.storage.get_entry(key)
    if doc is None and len(key) < 4:
        matches = sorted(i for i in journal.storage.entry_ids() if i.startswith(key))
        if len(matches) > 1:
            raise UsageError(
                f"'{entry_id}' matches several entries ({', '.join(matches[:5])}); type more of the id."
            )
        doc = journal.storage.get_entry(matches[0]) if matches else None
    if doc is None:
        raise EntryNotFoundError(entry_id)
    return Entry.from_doc(doc)


def entries(
    journal,
    since: datetime | None = None,
    until: datetime | None = None,
    tags: Iterable[str] = (),
    kind: str | None = None,
) -> list[Entry]:
    """Entries matching every filter given, newest first."""
    wanted = {t.lower() for t in tags}
    found = []
    for doc in journal.storage.docs_between(since, until):  # only the months of the period
        entry = Entry.from_doc(doc)
        if since and entry.created < since:
            continue
        if until and entry.created > until:
            continue
        if kind and entry.kind != kind:
            continue
        if wanted and not wanted <= {t.lower() for t in entry.tags}:
            continue
        found.append(entry)
    found.sort(key=lambda e: e.created, reverse=True)
    return found


def new_entry_id(journal) -> str:
    return journal.storage.new_id()


def audio_path(journal, entry: Entry) -> Path | None:
    """Where the entry's recording is; JournalCorruptError if it would lead outside the journal."""
    if not entry.audio:
        return None
    from voicejournal.core.validate import inside_home, is_audio_path

    path = inside_home(journal.home, entry.audio) if is_audio_path(entry.audio, entry.id) else None
    if path is None:
        raise JournalCorruptError(
            f"Entry {entry.id} points at a recording outside the journal ({entry.audio}); it was left "
            "alone. Remove the entry from its journal file by hand, or restore a good backup."
        )
    return path


def audio_destination(journal, entry_id: str, created: datetime) -> tuple[str, Path]:
    """Where an entry's FLAC lives: audio/YYYY/MM/<id>.flac (relative path, absolute path)."""
    rel = f"{AUDIO_DIR}/{created:%Y}/{created:%m}/{entry_id}.flac"
    folder = journal.home / AUDIO_DIR / f"{created:%Y}" / f"{created:%m}"
    ensure_private_dir(folder)
    return rel, journal.home / rel


def enrich(journal, entry: Entry) -> None:
    """Derive what comes from the text (themes, markers…) before an entry is saved."""
    journal.detect_entry_themes(entry)
    sessions.enrich_review(journal, entry)


def save_entry(journal, entry: Entry, new: bool = False, derive: bool = True, embed: bool = True) -> Entry:
    """Store a new or changed entry (derived fields are refreshed first, unless `derive` is False: a change
    that leaves the text alone, such as tags, changes nothing derived from it). Without `embed` its meaning
    vectors wait for the next search by meaning (or `capture.embed_saved`): a recording is saved first."""
    if derive:
        journal.enrich(entry)
    with journal.storage.transaction():
        index_fresh = journal.index.is_fresh()  # before the write: only then can it follow incrementally
        vectors = meaning_sync.before_write(journal)
        if new:
            journal.storage.add_entry(entry.to_doc())
        else:
            journal.storage.update_entry(entry.id, entry.to_doc())
        if index_fresh:
            journal.index.upsert(entry, journal.storage.signature())
        words_changed = [entry] if derive and embed else []  # a tag or a mood changes no words
        meaning_sync.after_write(journal, vectors, upsert=words_changed)
    return entry


def save_entries(journal, changed: list[Entry]) -> list[Entry]:
    """Store many changed entries at once (already enriched): each month file written once, the index
    and the meaning vectors kept in step in the same transaction."""
    if not changed:
        return changed
    with journal.storage.transaction():
        index_fresh = journal.index.is_fresh()  # before the write: only then can it follow incrementally
        vectors = meaning_sync.before_write(journal)
        journal.storage.update_entries([entry.to_doc() for entry in changed])
        if index_fresh:
            journal.index.upsert_many(changed, journal.storage.signature())  # one transaction, one save
        meaning_sync.after_write(journal, vectors, upsert=changed)
    return changed


def save_new_entries(journal, new: list[Entry]) -> list[Entry]:
    """Store many new entries at once: ids allocated together under the lock, each month file written
    once and the index updated in one transaction (an import of years of entries stays quick)."""
    with journal.storage.transaction():
        markers = []
        for entry, entry_id in zip(new, journal.storage.new_ids(len(new)), strict=True):
            entry.id = entry_id
            journal.detect_entry_themes(entry)  # as `enrich`, with the markers filed together below
            markers.append((entry.created, sessions.review_fields(journal, entry)))
        journal.planner.file_new_markers(markers)
        index_fresh = journal.index.is_fresh()
        vectors = meaning_sync.before_write(journal)
        journal.storage.add_entries([entry.to_doc() for entry in new])
        if index_fresh:
            journal.index.upsert_many(new, journal.storage.signature())
        meaning_sync.after_write(journal, vectors, upsert=new)
    return new


def tag(journal, entry_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Entry:
    """Add and remove tags of one entry."""
    with journal.storage.transaction():
        entry = journal.get(entry_id)
        dropped = set(clean_tags(remove))
        unknown = dropped - set(entry.tags)
        if unknown:
            raise UsageError(
                f"Entry {entry.id} has no tag '{sorted(unknown)[0]}'. "
                f"Its tags: {', '.join(entry.tags) or 'none'}."
            )
        entry.tags = clean_tags([t for t in entry.tags if t not in dropped] + list(add))
        return save_entry(journal, entry, derive=False)


def edit_text(journal, entry_id: str, text: str) -> Entry:
    """Replace an entry's text with a corrected one; what the recognizer heard stays in its segments."""
    with journal.storage.transaction():
        entry = journal.get(entry_id)
        new = text.strip()
        if not new:
            raise UsageError(
                f"The new text of entry {entry.id} is empty, so nothing was changed. "
                f"To remove the entry: `voicejournal delete {entry.id}`."
            )
        entry.text = new
        # Back to exactly what was heard counts as not edited; segments always keep the original.
        entry.edited = not (entry.segments and new == entry.original_text)
        return journal.save_entry(entry)


def delete(journal, entry_id: str) -> Entry:
    """Remove an entry and its recording, leaving none of its words or sound behind in the home."""
    from voicejournal.store import fs

    with journal.storage.transaction():
        entry = journal.get(entry_id)
        held_in = journal.storage.file_of(entry.id)  # the month's part that holds it
        audio = journal.audio_path(entry)  # refuses a recording outside the journal before anything changes
        index_fresh = journal.index.is_fresh()
        vectors = meaning_sync.before_write(journal)
        journal.storage.remove_entry(entry.id)
        journal.forget_filed(entry.id)  # questions, homework… it filed by voice, unless acted on
        # Each save keeps the previous version as .bak: that copy still holds the deleted words.
        if held_in is not None:
            renew_bak(held_in)
        renew_bak(journal.storage.journal_path)
        if index_fresh:
            journal.index.remove(entry.id, journal.storage.signature())
        else:
            journal.index.drop()  # an old index still holds the words; the next search rebuilds it
        meaning_sync.after_write(journal, vectors, remove=[entry.id])
    # The entry goes first: a crash in between leaves a stray file, never an entry without its audio.
    if audio is not None:
        fs.shred(audio)
    return entry


def set_mood(journal, entry_id: str, mood: int | None) -> Entry:
    """Record how the person felt (1-5), or clear it."""
    if mood is not None and not 1 <= mood <= 5:
        raise UsageError("Mood is a number from 1 (low) to 5 (good).")
    with journal.storage.transaction():
        entry = journal.get(entry_id)
        entry.mood = mood
        journal.save_entry(entry)
    return entry


def entries_by_ids(journal, ids: list[str]) -> list[Entry]:
    """Full entries for ids from the index, in the same order."""
    if len(ids) <= 20:
        return [journal.get(i) for i in ids]
    storage, wanted = journal.storage, set(ids)
    held_in = storage.entry_ids()  # id -> its month file: only the files holding these are read
    docs = {}
    for name in sorted({held_in[i] for i in wanted if i in held_in}):
        docs.update(
            (d["id"], d) for d in storage.shard_docs(storage.entries_dir / name) if d.get("id") in wanted
        )
    return [Entry.from_doc(docs[i]) for i in ids if i in docs]


def renew_bak(path: Path) -> None:
    """Make `path`'s .bak a copy of what it holds now, overwriting the older copy (after a delete)."""
    from voicejournal.store import fs

    fs.shred(path.with_name(path.name + ".bak"))
    if path.exists():
        fs.link_backup(path)
