"""Persistence: TinyDB files, written atomically under a cross-process lock.

Layout of the journal home::

    journal.json            small tables: meta (schema version), sessions, goals, homework, themes, …
    entries/YYYY-MM.json    the entries, one TinyDB file per month of their `created` date; a month that
                            outgrows PART_BYTES continues in YYYY-MM.2.json, YYYY-MM.3.json, …
    audio/…                 recordings (see journal.py)
    *.bak                   the previous good version of each file, kept by every write
    encryption.json         only in an encrypted journal: every file above is then sealed (crypto.py)

Why a file per month: TinyDB rewrites a whole file per operation, so a save costs one month however long
the journal, and damage touches one month only. Why parts: a save must not cost more as a month fills up
either (an import of years of jrnl entries can put thousands in one month), so new entries go to a further
part of their month once its last part holds PART_BYTES. Every write is atomic (`store/fs`: the old or the new file,
never a torn one) and keeps the old one as `<name>.bak`; every read-modify-write holds the lock, TinyDB opened
afresh inside it (it caches the next id). The derived id map (`idmap.py`) says which month holds an entry.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from voicejournal.core.validate import ID_ALPHABET
from voicejournal.errors import JournalVersionError
from voicejournal.store import fs, month_files
from voicejournal.store.home import ENTRY_FILE_PATTERN, LOCK_FILE, ensure_private_dir
from voicejournal.store.leftovers import clean_stale_temp_files
from voicejournal.store.month_files import (
    into_parts,
    month_of,
    part_name,
    part_number,
    shard_name,
)
from voicejournal.store.tinyfile import JSONFileStorage, read_plain, replacer, where_id

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (3 ms of a fresh `search`)
if TYPE_CHECKING:
    from tinydb import TinyDB

    from voicejournal.store.idmap import IdMap

SCHEMA_VERSION = 1
JOURNAL_FILE = "journal.json"
ENTRIES_DIR = "entries"
LOCK_TIMEOUT = 30.0
_SHARD_RE = re.compile(f"^{ENTRY_FILE_PATTERN}$")
_RECORD_ID = re.compile(rb'"id":"([^"\\]*)"')


class Storage:
    """All reads and writes of the journal's TinyDB files."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.entries_dir = self.home / ENTRIES_DIR
        self.journal_path = self.home / JOURNAL_FILE
        self._local = threading.local()
        self.checked = False
        self._idmap: IdMap | None = None

    @property
    def idmap(self) -> IdMap:
        """The derived id map (store/idmap.py), loaded by the commands that look an entry up."""
        if self._idmap is None:
            from voicejournal.store.idmap import IdMap

            self._idmap = IdMap(self)
        return self._idmap

    # --- locking -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the journal's exclusive lock (re-entrant within a thread; exclusive across threads and
        processes, since each holder opens its own file description for flock)."""
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        self.prepare()
        fd = fs.acquire_lock(self.home / LOCK_FILE, LOCK_TIMEOUT)
        self._local.depth = 1
        try:
            clean_stale_temp_files(self.home, self.entries_dir)
            yield
        finally:
            self._local.depth = 0
            self._local.stats = None  # another process may write once the lock is released
            os.close(fd)  # releases the flock

    def prepare(self) -> None:
        """Create the home (owner-only) and check the schema version, once per process."""
        if self.checked:
            return
        ensure_private_dir(self.home)
        ensure_private_dir(self.entries_dir)
        meta = self._table_docs(self.journal_path, "meta")
        version = max((d.get("schema", 0) for d in meta), default=None)
        if version is not None and version > SCHEMA_VERSION:
            raise JournalVersionError(
                f"This journal was written by a newer voicejournal (format {version}; this one reads up to "
                f"{SCHEMA_VERSION}). Update voicejournal to open it; nothing was changed."
            )
        self.checked = True
        if version is None:
            with self.transaction():
                if not self._table_docs(self.journal_path, "meta"):
                    with self._db(self.journal_path) as db:
                        db.table("meta", cache_size=0).insert({"schema": SCHEMA_VERSION})

    @contextlib.contextmanager
    def _db(self, path: Path) -> Iterator[TinyDB]:
        from tinydb import TinyDB  # only writes go through TinyDB: commands that read never load it

        db = TinyDB(path, storage=JSONFileStorage, home=self.home)
        try:
            yield db
        finally:
            db.close()

    def _table_docs(self, path: Path, table: str) -> list[dict]:
        data = JSONFileStorage(path, self.home).read()
        if not data:
            return []
        return list(data.get(table, {}).values())

    # --- entries -------------------------------------------------------------------------------

    def shards(self) -> list[Path]:
        """Entry files, newest month first."""
        try:
            names = [n for n in os.listdir(self.entries_dir) if _SHARD_RE.match(n)]
        except FileNotFoundError:
            return []
        return [self.entries_dir / n for n in sorted(names, reverse=True)]

    def shard_stats(self) -> dict[str, os.stat_result]:
        """Each month file's name and stat, newest first (plain strings: this runs several times per command).

        Under the lock no other process changes a month file, so the stats are kept while it is held: only
        the files this process changed since are stated again (`fs.changed`). `tag` asks three times and
        stats the folder once, then the one file it wrote."""
        held = getattr(self._local, "depth", 0) > 0
        log = fs.changed.get(os.path.abspath(self.entries_dir), [])
        kept = getattr(self._local, "stats", None) if held else None
        if kept is None:
            stats = self._stat_shards()
        else:
            stats, seen = kept
            changed = [name for name in dict.fromkeys(log[seen:]) if _SHARD_RE.match(name)]
            for name in changed:
                try:
                    stats[name] = os.stat(os.path.join(self.entries_dir, name))
                except FileNotFoundError:
                    stats.pop(name, None)
            if changed:
                stats = dict(sorted(stats.items(), reverse=True))  # newest first, as stated
        if held:
            self._local.stats = (stats, len(log))
        return dict(stats)

    def _stat_shards(self) -> dict[str, os.stat_result]:
        folder = os.fspath(self.entries_dir)
        try:
            names = sorted((n for n in os.listdir(folder) if _SHARD_RE.match(n)), reverse=True)
        except FileNotFoundError:
            return {}
        stats = {}
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                stats[name] = os.stat(os.path.join(folder, name))
        return stats

    def shard_docs(self, shard: Path) -> list[dict]:
        """The entries stored in one month file."""
        return self._table_docs(shard, "entries")

    def entry_ids(self) -> dict[str, str]:
        """Every entry id and the name of the month file holding it (the derived id map)."""
        self.prepare()
        return self.idmap.ids()

    def _find(self, entry_id: str) -> tuple[Path, dict] | None:
        self.prepare()
        return self.idmap.find(entry_id)

    def add_entry(self, doc: dict) -> None:
        self.add_entries([doc])

    def add_entries(self, docs: list[dict]) -> None:
        """Store new entries: each month file written once, whatever the number of its new entries; into the
        month's last part while it has room (PART_BYTES), then into new parts."""
        by_month: dict[str, list[dict]] = {}
        for doc in docs:
            by_month.setdefault(month_of(shard_name(doc["created"])), []).append(doc)
        with self.transaction(), self.idmap.follow() as ids:
            stats = self.shard_stats()
            for month, group in sorted(by_month.items()):
                last = max((part_number(n) for n in stats if month_of(n) == month), default=1)
                found = stats.get(part_name(month, last))
                size = found.st_size if found is not None else 0
                limit = month_files.PART_BYTES
                for part, run in enumerate(into_parts(group, max(0, limit - size), limit), start=last):
                    if not run:
                        continue
                    name = part_name(month, part)
                    with self._db(self.entries_dir / name) as db:
                        db.table("entries", cache_size=0).insert_multiple(run)
                    ids.update((doc["id"], name) for doc in run)

    def get_entry(self, entry_id: str) -> dict | None:
        found = self._find(entry_id)
        return None if found is None else found[1]

    def update_entry(self, entry_id: str, doc: dict) -> None:
        """Replace the stored entry with `doc` (moving it to another month's file if its date changed)."""
        with self.transaction():
            found = self._find(entry_id)
            if found is None:
                from voicejournal.errors import EntryNotFoundError

                raise EntryNotFoundError(entry_id)
            shard = found[0]
            moved = month_of(shard.name) != month_of(shard_name(doc["created"]))  # its date changed month
            if moved:
                self.add_entry(doc)  # add first: a kill in between leaves a duplicate, never a loss
                self.remove_from(shard, entry_id)
                return

            with self.idmap.follow():
                if not self.idmap.replace(shard, entry_id, doc):  # in place; else through TinyDB
                    with self._db(shard) as db:
                        db.table("entries", cache_size=0).update(replacer(doc), where_id() == entry_id)

    def update_entries(self, docs: list[dict]) -> None:
        """Replace many stored entries at once: one rewrite per month file instead of one per entry."""
        with self.transaction():
            files = self.entry_ids()
            by_shard: dict[Path, list[dict]] = {}
            for doc in docs:
                name = files.get(doc["id"]) or shard_name(doc["created"])
                by_shard.setdefault(self.entries_dir / name, []).append(doc)
            for shard, group in by_shard.items():
                data = JSONFileStorage(shard, self.home).read() or {}
                where = {doc.get("id"): key for key, doc in data.setdefault("entries", {}).items()}
                month = month_of(shard.name)
                stay = [d for d in group if d["id"] in where and month_of(shard_name(d["created"])) == month]
                if stay:
                    data["entries"].update((where[doc["id"]], doc) for doc in stay)
                    with self.idmap.follow():
                        JSONFileStorage(shard, self.home).write(data)
                staying = {doc["id"] for doc in stay}
                for doc in group:
                    if doc["id"] not in staying:  # not found there, or its date moved it to another month
                        self.update_entry(doc["id"], doc)

    def file_of(self, entry_id: str) -> Path | None:
        """The entries file that holds this entry (one of its month's parts), or None."""
        self.prepare()
        name = self.idmap.month_of(entry_id)
        return None if name is None else self.entries_dir / name

    def remove_entry(self, entry_id: str) -> None:
        with self.transaction():
            found = self._find(entry_id)
            if found is not None:
                self.remove_from(found[0], entry_id)

    def remove_from(self, shard: Path, entry_id: str) -> None:
        with self.transaction(), self.idmap.follow() as ids:
            with self._db(shard) as db:
                db.table("entries", cache_size=0).remove(where_id() == entry_id)
            if ids.get(entry_id) == shard.name:
                del ids[entry_id]

    def all_entries(self) -> list[dict]:
        self.prepare()
        docs: list[dict] = []
        for shard in self.shards():
            docs.extend(self._table_docs(shard, "entries"))
        return docs

    def docs_between(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[dict]:
        """The stored entries that can be from `since` to `until` (either open), read from only the month
        files of that period, newest month first: a period's entries cost the same in a journal of years.
        Dates are compared on the stored ISO text; each entry keeps its own UTC offset, so a day either side
        of the period covers every day and month file it can be in (the caller compares exact times)."""
        low = f"{since - timedelta(days=1):%Y-%m-%d}" if since else ""
        high = f"{until + timedelta(days=1):%Y-%m-%d}" if until else "9999"
        self.prepare()
        for shard in self.shards():
            if not low[:7] <= month_files.month_of(shard.name) <= high[:7]:  # a month or one of its parts
                continue
            for doc in self._table_docs(shard, "entries"):
                created = doc.get("created")
                if (since or until) and isinstance(created, str) and not low <= created[:10] <= high:
                    continue
                yield doc

    def entries_by_month(self) -> Iterator[list[dict]]:
        """The stored entries one month at a time (its files' parts together), oldest month first: for
        work over the whole journal that need not hold all of it at once (an index rebuild)."""
        self.prepare()
        months: dict[str, list[Path]] = {}
        for shard in self.shards():
            months.setdefault(month_files.month_of(shard.name), []).append(shard)
        for month in sorted(months):
            yield [doc for shard in months[month] for doc in self._table_docs(shard, "entries")]

    def find_entries(self, field: str, value: str) -> list[dict]:
        """Entries whose `field` equals the string `value` (a byte search narrows the files parsed)."""
        self.prepare()
        import orjson

        needle = orjson.dumps(value)
        found = []
        for shard in self.shards():
            if needle in read_plain(shard, self.home):
                found.extend(d for d in self._table_docs(shard, "entries") if d.get(field) == value)
        return found

    def signature(self) -> str:
        """Changes whenever any entry file changes: lets derived indexes notice they are stale."""
        stats = self.shard_stats()
        return "|".join(f"{name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}" for name, st in stats.items())

    # --- small tables in journal.json ----------------------------------------------------------

    def all(self, table: str) -> list[dict]:
        self.prepare()
        return self._table_docs(self.journal_path, table)

    def get(self, table: str, record_id: str) -> dict | None:
        return next((d for d in self.all(table) if d.get("id") == record_id), None)

    def insert(self, table: str, doc: dict) -> None:
        self.insert_many(table, [doc])

    def insert_many(self, table: str, docs: list[dict]) -> None:
        self.insert_tables({table: docs})

    def insert_tables(self, docs: dict[str, list[dict]]) -> None:
        """Add records to tables of journal.json with one read and one write (TinyDB's ids: the next free)."""
        if not any(docs.values()):
            return
        with self.transaction():
            data = JSONFileStorage(self.journal_path, self.home).read() or {}
            for table, new in docs.items():
                rows = data.setdefault(table, {})
                first = max(map(int, rows), default=0) + 1
                rows.update((str(first + n), doc) for n, doc in enumerate(new))
            JSONFileStorage(self.journal_path, self.home).write(data)

    def update(self, table: str, record_id: str, doc: dict) -> None:
        with self.transaction(), self._db(self.journal_path) as db:
            db.table(table, cache_size=0).update(replacer(doc), where_id() == record_id)

    def remove(self, table: str, record_id: str) -> None:
        with self.transaction(), self._db(self.journal_path) as db:
            db.table(table, cache_size=0).remove(where_id() == record_id)

    # --- ids -----------------------------------------------------------------------------------

    def new_id(self, length: int = 4) -> str:
        """A short id not used by any entry or record (call inside `transaction()` to keep it unique)."""
        return self.new_ids(1, length)[0]

    def new_ids(self, count: int, length: int = 4) -> list[str]:
        """`count` distinct short ids not used by any entry or record (inside `transaction()`, as new_id)."""
        used = self.entry_ids()
        records = b""
        with contextlib.suppress(FileNotFoundError):
            records = read_plain(self.journal_path, self.home)
        taken = set(_RECORD_ID.findall(records))  # orjson writes compact JSON; only ids end in "id"
        import secrets

        fresh: list[str] = []
        while len(fresh) < count:
            candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(length))
            if not (candidate.isdigit() or candidate in used or candidate.encode() in taken):
                taken.add(candidate.encode())
                fresh.append(candidate)
        return fresh
