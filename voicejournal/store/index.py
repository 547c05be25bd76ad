"""The search index: a derived SQLite FTS5 index beside the journal (the query language is core/query.py).

The index (`<home>/index.sqlite`) is never a source of truth. It records the journal's
`Storage.signature()` at the moment it was built; whenever that differs (an entry written by a process
that did not update the index, a restored backup, a deleted index), or SQLite reports the file damaged,
the index is thrown away and rebuilt from the journal. Journal writes keep it current incrementally
(`upsert` / `remove`), which is what makes adding an entry cheap.

Tables:
    entries       one row per entry: id, time, kind, mood, tags, themes, a preview (for filters and `list`)
    entry_tags    (rowid, tag), entry_themes (rowid, theme): indexed filters
    docs          FTS5 over the entry's title+text, tags and notes: BM25 ranks whole entries
    segs          each segment (or sentence) with its start time; rowid = entry rowid * 4096 + n, so one
                  entry's sentences are a range lookup. A sentence that is the text's own characters (nearly
                  all) is kept as its place in `docs`' text (at, len), not as a second copy of its words.
                  The best sentence of each hit is found by copying the hits' sentences into a small
                  temporary FTS5 table (see `index_queries.best_sentences`).

Words are matched by SQLite's Porter stemmer over unicode61 with diacritics removed, which folds case,
accents, punctuation and regular forms (sleeping = sleep = sleeps). Forms the stemmer cannot join
(anxious / anxiety, slept / sleep, angry / anger) come from `core.text.WORD_FAMILIES`: a query word is expanded
to its whole family.

In an encrypted journal the index holds the same private words, so it never touches the disk in plain
form: it is built in memory, stored sealed like every journal file (`files.save_sqlite`) and opened by
decrypting it into memory (`files.load_sqlite`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from voicejournal.errors import DiskFullError, JournalCorruptError, UsageError, VoiceJournalError
from voicejournal.store import files, fs, index_pending
from voicejournal.store.diskspace import is_disk_full
from voicejournal.store.home import has_key_file

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (3 ms of a fresh `search`)
if TYPE_CHECKING:
    from voicejournal.core.entry import Entry
    from voicejournal.core.query import Filters, IndexedEntry, Query, SearchResult

INDEX_FILE = "index.sqlite"
INDEX_VERSION = "6"  # 6: a sentence found in the text is kept as where it is (at, len), not again


class SearchIndex:
    """The derived FTS5 index of one journal. Cheap to construct; opens (and if needed rebuilds) lazily."""

    def __init__(self, storage, home: Path | None = None):
        self.storage = storage
        self.home = Path(home or storage.home)
        self.path = self.home / INDEX_FILE
        self._conn: sqlite3.Connection | None = None
        self.rebuilt = False  # set when this process had to rebuild (for tests and benchmarks)
        self.on_rebuild = None  # called with the number of entries before a rebuild (to tell the person)

    # --- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _sealed(self) -> bool:
        """An encrypted journal: the index lives in memory and is stored encrypted."""
        if not has_key_file(self.home):
            return False
        from voicejournal.store import keyfile

        return keyfile.load_key_file(self.home) is not None

    def _open_existing(self) -> sqlite3.Connection | None:
        if not self.path.exists():
            return None
        if self._sealed():
            try:
                conn = files.load_sqlite(self.home, self.path)
            except JournalCorruptError:
                return None  # rebuilt
            if conn is None:
                return None
        else:
            conn = _connect(self.path)
        try:
            row = conn.execute("SELECT value FROM info WHERE key = 'version'").fetchone()
            if not row or row[0] != INDEX_VERSION:
                conn.close()
                return None
            pending = index_pending.load(self.home, self.path) if self._sealed() else None
            if pending is not None:  # saves since the sealed file was written (see index_pending.py)
                _apply(conn, pending.docs.values(), pending.signature)
        except sqlite3.DatabaseError:
            conn.close()
            return None
        return conn

    def stored_signature(self, conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT value FROM info WHERE key = 'signature'").fetchone()
        return row[0] if row else None

    def connection(self) -> sqlite3.Connection:
        """An up-to-date index: rebuilt first when missing, stale or damaged (checked on every use: a
        stat() per journal file, so a long-lived process notices writes by others too)."""
        signature = self.storage.signature()
        conn, self._conn = self._conn or self._open_existing(), None
        try:
            if conn is not None and self.stored_signature(conn) == signature:
                self._conn = conn
                return conn
            if conn is not None and self._sealed():  # an in-memory copy: another process may have saved
                conn.close()  # a fresher one
                conn = self._open_existing()
                if conn is not None and self.stored_signature(conn) == signature:
                    self._conn = conn
                    return conn
        except sqlite3.DatabaseError:
            pass
        if conn is not None:
            conn.close()
        try:
            self.rebuild()
        except (sqlite3.OperationalError, OSError, DiskFullError) as exc:
            if not is_disk_full(exc, self.path):
                raise
            # No room for the index on disk: build it in memory for this command, so reading the
            # journal never depends on free space. The next command with room saves it again.
            self._conn = sqlite3.connect(":memory:")
            self._conn.execute("PRAGMA temp_store = MEMORY")
            self._fill(self._conn, self.storage.entries_by_month(), self.storage.signature())
            return self._conn
        self._conn = self._open_existing() if self._sealed() else _connect(self.path)
        return self._conn

    def is_fresh(self) -> bool:
        """Does the index match the journal right now? (Call inside the storage transaction.)"""
        if self._conn is None and self._sealed():  # the small pending file says, if there is one
            pending = index_pending.load(self.home, self.path)
            if pending is not None:
                return pending.signature == self.storage.signature()
        try:
            conn = self._conn or self._open_existing()
            if conn is None:
                return False
            self._conn = conn
            return self.stored_signature(conn) == self.storage.signature()
        except sqlite3.DatabaseError:
            self._discard()
            return False

    def _discard(self) -> None:
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm", index_pending.PENDING_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def rebuild(self) -> None:
        """Build the whole index from the journal into a new file, then swap it in."""
        self.close()
        signature = self.storage.signature()
        if self.on_rebuild is not None:
            count = len(self.storage.entry_ids())
            if count >= 500:
                self.on_rebuild(count)
        docs = self.storage.entries_by_month()  # read a month at a time: 50,000 entries need not fit at once
        if self._sealed():
            conn = sqlite3.connect(":memory:")
            try:
                conn.execute("PRAGMA temp_store = MEMORY")
                self._fill(conn, docs, signature)
                files.save_sqlite(self.home, self.path, conn)
                index_pending.start(self.home, self.path, signature)
            finally:
                conn.close()
            self.rebuilt = True
            return
        tmp = self.path.with_name(f".{INDEX_FILE}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the index holds private words
        os.close(fd)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=OFF")  # a half-built temp file is simply thrown away
            conn.execute("PRAGMA synchronous=OFF")
            self._fill(conn, docs, signature)
            conn.close()
            os.replace(tmp, self.path)
        except BaseException:
            conn.close()
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        self.rebuilt = True

    def _fill(self, conn: sqlite3.Connection, months: Iterable[list[dict]], signature: str) -> None:
        """Index every entry of `months` (stored entries, a month at a time, oldest first): rowids follow
        time, and only one month's entries are held at once."""
        # The row writer (and its sentence cutting) loads for writes only: `search` never needs it.
        from voicejournal.core.entry import Entry
        from voicejournal.store.index_layout import SCHEMA
        from voicejournal.store.index_rows import insert_entry

        conn.executescript(SCHEMA)
        with conn:
            rowid = 0
            for docs in months:
                entries = []
                for d in docs:
                    try:
                        entries.append(Entry.from_doc(d))
                    except (KeyError, TypeError, ValueError, JournalCorruptError):
                        continue  # a malformed record is the journal's problem; the index skips it
                entries.sort(key=lambda e: e.created.timestamp())
                for entry in entries:
                    rowid += 1
                    insert_entry(conn, rowid, entry)
            conn.execute("INSERT INTO docs(docs) VALUES ('optimize')")
            conn.executemany(
                "INSERT INTO info VALUES (?, ?)", [("version", INDEX_VERSION), ("signature", signature)]
            )

    def upsert(self, entry: Entry, signature: str) -> None:
        """Index one added or changed entry and record the journal's new signature.

        Only call this when the index was fresh before the write (see `is_fresh`), inside the same
        storage transaction; otherwise leave the index stale and it rebuilds on next use.
        """
        self.upsert_many([entry], signature)

    def upsert_many(self, entries: list[Entry], signature: str) -> None:
        """Index many added or changed entries in one transaction (the same rules as `upsert`)."""
        if not (self._sealed() and self._add_pending(entries, signature)):
            from voicejournal.store.index_rows import upsert_entry

            self._write(lambda conn: [upsert_entry(conn, entry) for entry in entries], signature)

    def _add_pending(self, entries: list[Entry], signature: str) -> bool:
        """In an encrypted journal, note the entries in the pending file instead of sealing the whole index
        again (see index_pending.py); False when the index must be saved whole (none yet, or enough waits)."""
        pending = index_pending.load(self.home, self.path)
        if pending is None or len(pending.docs) + len(entries) > index_pending.FOLD_AT:
            return False
        pending.docs.update((entry.id, entry.to_doc()) for entry in entries)
        pending.signature = signature
        with contextlib.suppress(OSError, VoiceJournalError):  # unsaved: the index is stale, rebuilt on use
            index_pending.save(self.home, self.path, pending)
        if self._conn is not None:  # this process's copy in memory follows too
            _apply(self._conn, entries, signature)
        return True

    def remove(self, entry_id: str, signature: str) -> None:
        """Forget one deleted entry and record the journal's new signature; its words leave the file too."""
        from voicejournal.store.index_rows import delete_entry

        self._write(lambda conn: delete_entry(conn, entry_id), signature, scrub=True)

    def drop(self) -> None:
        """Remove the index file, overwritten first (it holds private words); the next use rebuilds it."""
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm", index_pending.PENDING_SUFFIX):
            fs.shred(Path(f"{self.path}{suffix}"))

    def _write(self, change, signature: str, scrub: bool = False) -> None:
        try:
            conn = self._conn or self._open_existing()
            if conn is None:
                return  # no index yet: the next search builds one
            self._conn = conn
            with conn:
                change(conn)
                conn.execute("UPDATE info SET value = ? WHERE key = 'signature'", (signature,))
                if scrub:  # FTS5 keeps deleted words in old segments until they are merged
                    conn.execute("INSERT INTO docs(docs) VALUES ('optimize')")
            if scrub:  # and SQLite keeps freed pages in the file until it is rebuilt
                conn.execute("VACUUM")
            if self._sealed():  # whole, with what was pending: a new, empty pending file follows it
                files.save_sqlite(self.home, self.path, conn)
                index_pending.start(self.home, self.path, signature)
        except sqlite3.DatabaseError:
            self._discard()  # rebuilt on next use

    def _read(self, fn):
        """Run a read; a damaged index found while reading is rebuilt once and the read retried."""
        try:
            return fn(self.connection())
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise
            if "fts5" in str(exc):  # the query quoting makes this unreachable; never show a traceback
                raise UsageError(
                    'That search could not be understood. Try plain words or "a phrase".'
                ) from None
            self._discard()
        except sqlite3.DatabaseError:
            self._discard()
        return fn(self.connection())

    # --- queries -----------------------------------------------------------------------------

    def search(self, query: str | Query, filters: Filters | None = None, limit: int = 20) -> SearchResult:
        """Entries matching the query, best first (BM25), each with its best sentence."""
        from voicejournal.core.query import Filters, Query, parse_query
        from voicejournal.store import index_queries as queries

        q = query if isinstance(query, Query) else parse_query(query)
        return self._read(lambda conn: queries.search(conn, q, filters or Filters(), limit))

    def list(self, filters: Filters | None = None, limit: int | None = None) -> list[IndexedEntry]:
        """Entries matching the filters, newest first, straight from the index."""
        from voicejournal.core.query import Filters
        from voicejournal.store import index_queries as queries

        return self._read(lambda conn: queries.list_entries(conn, filters or Filters(), limit))

    def theme_rows(self, since: datetime | None = None) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
        """(theme, "YYYY-MM", entries) for each theme and month, and the number of entries per month."""
        from voicejournal.store import index_queries as queries

        return self._read(lambda conn: queries.theme_rows(conn, since))

    def tags(self) -> list[str]:
        return self._read(
            lambda c: [r[0] for r in c.execute("SELECT DISTINCT tag FROM entry_tags ORDER BY 1")]
        )

    def theme_names(self) -> list[str]:
        return self._read(
            lambda c: [r[0] for r in c.execute("SELECT DISTINCT theme FROM entry_themes ORDER BY 1")]
        )

    def recent_ids(self, limit: int = 200) -> list[tuple[str, str]]:
        """(id, a short description) of the newest entries, for shell completion."""
        return self._read(
            lambda c: [
                (r[0], f"{r[1][:10]} {r[2][:50]}")
                for r in c.execute(
                    "SELECT id, created, preview FROM entries ORDER BY ts DESC LIMIT ?", (limit,)
                )
            ]
        )


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30)
    # The temporary table of hit sentences holds private words: keep it in memory, never in /tmp.
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def _apply(conn: sqlite3.Connection, entries, signature: str) -> None:
    """Index changed entries (Entry objects or stored docs) and record the journal's signature."""
    from voicejournal.core.entry import Entry
    from voicejournal.store.index_rows import upsert_entry

    with conn:
        for entry in entries:
            if isinstance(entry, dict):
                try:
                    entry = Entry.from_doc(entry)
                except (KeyError, TypeError, ValueError, JournalCorruptError):
                    continue  # as `_fill` skips a malformed record
            upsert_entry(conn, entry)
        conn.execute("UPDATE info SET value = ? WHERE key = 'signature'", (signature,))
