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
                  entry's sentences are a range lookup. The best sentence of each hit is found by copying
                  the hits' sentences into a small temporary FTS5 table (see `_best_sentences`).

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
import re
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from voicejournal.core.entry import Entry
from voicejournal.core.query import (
    HL_CLOSE,
    HL_OPEN,
    Filters,
    IndexedEntry,
    Query,
    SearchHit,
    SearchResult,
    fts_quote,
    make_snippet,
    parse_query,
    sentences_with_times,
)
from voicejournal.errors import DiskFullError, JournalCorruptError, UsageError
from voicejournal.store import files, fs, keyfile
from voicejournal.store.diskspace import is_disk_full

INDEX_FILE = "index.sqlite"
INDEX_VERSION = "4"
SEG_SHIFT = 4096  # segments per entry addressable in `segs` (longer recordings share the last slot)
TOKENIZER = "porter unicode61 remove_diacritics 2"


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("porter")  # the same algorithm as SQLite's porter tokenizer


# --- the index -------------------------------------------------------------------------------

_SCHEMA = f"""
CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entries(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, ts REAL NOT NULL, created TEXT NOT NULL,
    kind TEXT, mood INTEGER, tags TEXT, themes TEXT, duration REAL, status TEXT, title TEXT, preview TEXT);
CREATE INDEX entries_ts ON entries(ts);
CREATE TABLE entry_tags(rowid INTEGER NOT NULL, tag TEXT NOT NULL);
CREATE INDEX entry_tags_tag ON entry_tags(tag, rowid);
CREATE INDEX entry_tags_rowid ON entry_tags(rowid);
CREATE TABLE entry_themes(rowid INTEGER NOT NULL, theme TEXT NOT NULL, month TEXT NOT NULL);
CREATE INDEX entry_themes_theme ON entry_themes(theme, rowid);
CREATE INDEX entry_themes_rowid ON entry_themes(rowid);
CREATE INDEX entry_themes_month ON entry_themes(month, theme);
CREATE VIRTUAL TABLE docs USING fts5(text, tags, notes, tokenize='{TOKENIZER}');
CREATE TABLE segs(rowid INTEGER PRIMARY KEY, start REAL, text TEXT NOT NULL);
CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row');
"""


def _entry_rows(entry: Entry) -> tuple[tuple, tuple, list[tuple[float | None, str]]]:
    text = entry.text or ""
    preview = " ".join(text.split())[:200]
    meta = (
        entry.id,
        entry.created.timestamp(),
        entry.created.isoformat(timespec="seconds"),
        entry.kind,
        entry.mood,
        "\n".join(entry.tags),  # one per line: cheaper to read back than JSON for long listings
        "\n".join(entry.themes),
        entry.duration,
        entry.status,
        entry.title,
        preview,
    )
    body = f"{entry.title}\n{text}" if entry.title and not text.startswith(entry.title) else text
    doc = (body, " ".join(entry.tags), entry.notes or "")
    return meta, doc, sentences_with_times(entry)


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
            self._fill(self._conn, self.storage.all_entries(), self.storage.signature())
            return self._conn
        self._conn = self._open_existing() if self._sealed() else _connect(self.path)
        return self._conn

    def is_fresh(self) -> bool:
        """Does the index match the journal right now? (Call inside the storage transaction.)"""
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
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def rebuild(self) -> None:
        """Build the whole index from the journal into a new file, then swap it in."""
        self.close()
        signature = self.storage.signature()
        docs = self.storage.all_entries()
        if self.on_rebuild is not None and len(docs) >= 500:
            self.on_rebuild(len(docs))
        if self._sealed():
            conn = sqlite3.connect(":memory:")
            try:
                conn.execute("PRAGMA temp_store = MEMORY")
                self._fill(conn, docs, signature)
                files.save_sqlite(self.home, self.path, conn)
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

    def _fill(self, conn: sqlite3.Connection, docs: list[dict], signature: str) -> None:
        conn.executescript(_SCHEMA)
        with conn:
            entries = []
            for d in docs:
                try:
                    entries.append(Entry.from_doc(d))
                except (KeyError, TypeError, ValueError, JournalCorruptError):
                    continue  # a malformed record is the journal's problem; the index skips it
            entries.sort(key=lambda e: e.created.timestamp())
            for rowid, entry in enumerate(entries, start=1):
                self._insert(conn, rowid, entry)
            conn.execute("INSERT INTO docs(docs) VALUES ('optimize')")
            conn.executemany(
                "INSERT INTO info VALUES (?, ?)", [("version", INDEX_VERSION), ("signature", signature)]
            )

    @staticmethod
    def _insert(conn: sqlite3.Connection, rowid: int, entry: Entry) -> None:
        meta, doc, pieces = _entry_rows(entry)
        conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (rowid, *meta))
        conn.execute("INSERT INTO docs(rowid, text, tags, notes) VALUES (?, ?, ?, ?)", (rowid, *doc))
        base = rowid * SEG_SHIFT
        if len(pieces) > SEG_SHIFT:
            tail_start = pieces[SEG_SHIFT - 1][0]
            pieces = pieces[: SEG_SHIFT - 1] + [(tail_start, " ".join(p for _, p in pieces[SEG_SHIFT - 1 :]))]
        conn.executemany(
            "INSERT INTO segs(rowid, text, start) VALUES (?, ?, ?)",
            [(base + i, text, start) for i, (start, text) in enumerate(pieces)],
        )
        conn.executemany("INSERT INTO entry_tags VALUES (?, ?)", [(rowid, t) for t in set(entry.tags)])
        month = f"{entry.created:%Y-%m}"  # the month as the entry itself has it (its own time zone)
        conn.executemany(
            "INSERT INTO entry_themes VALUES (?, ?, ?)", [(rowid, t, month) for t in entry.themes]
        )

    @staticmethod
    def _delete(conn: sqlite3.Connection, entry_id: str) -> int | None:
        row = conn.execute("SELECT rowid FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            return None
        rowid = row[0]
        conn.execute("DELETE FROM entries WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))
        conn.execute(
            "DELETE FROM segs WHERE rowid BETWEEN ? AND ?",
            (rowid * SEG_SHIFT, rowid * SEG_SHIFT + SEG_SHIFT - 1),
        )
        conn.execute("DELETE FROM entry_tags WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM entry_themes WHERE rowid = ?", (rowid,))
        return rowid

    def upsert(self, entry: Entry, signature: str) -> None:
        """Index one added or changed entry and record the journal's new signature.

        Only call this when the index was fresh before the write (see `is_fresh`), inside the same
        storage transaction; otherwise leave the index stale and it rebuilds on next use.
        """
        self._write(lambda conn: self._upsert(conn, entry), signature)

    def _upsert(self, conn: sqlite3.Connection, entry: Entry) -> None:
        rowid = self._delete(conn, entry.id)
        if rowid is None:
            rowid = (conn.execute("SELECT max(rowid) FROM entries").fetchone()[0] or 0) + 1
        self._insert(conn, rowid, entry)

    def remove(self, entry_id: str, signature: str) -> None:
        """Forget one deleted entry and record the journal's new signature; its words leave the file too."""
        self._write(lambda conn: self._delete(conn, entry_id), signature, scrub=True)

    def drop(self) -> None:
        """Remove the index file, overwritten first (it holds private words); the next use rebuilds it."""
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
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
            if self._sealed():
                files.save_sqlite(self.home, self.path, conn)
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
        q = query if isinstance(query, Query) else parse_query(query)
        return self._read(lambda conn: self._search(conn, q, filters or Filters(), limit))

    def _search(self, conn: sqlite3.Connection, q: Query, filters: Filters, limit: int) -> SearchResult:
        where, params = _filter_sql(filters)
        match = q.match_expression()
        # CROSS JOIN keeps the FTS table as the outer loop, so bm25() is computed once per match.
        sql = (
            "SELECT e.*, bm25(docs, 1.0, 2.0, 1.0) AS score FROM docs CROSS JOIN entries e "
            f"ON e.rowid = docs.rowid WHERE docs MATCH ? {where} ORDER BY score, e.ts DESC LIMIT ?"
        )
        rows = conn.execute(sql, [match, *params, limit]).fetchall()
        if len(rows) < limit:
            total = len(rows)
        else:
            total = conn.execute(
                f"SELECT count(*) FROM docs CROSS JOIN entries e ON e.rowid = docs.rowid WHERE docs MATCH ? {where}",
                [match, *params],
            ).fetchone()[0]
        best = self._best_sentences(conn, [row[0] for row in rows], q.any_term_expression())
        hits = [SearchHit(_indexed(row[1:12]), -row[12], *best[row[0]]) for row in rows]
        suggestions = [] if hits else self._suggest(conn, q)
        return SearchResult(q, hits, total, suggestions)

    @staticmethod
    def _best_sentences(
        conn: sqlite3.Connection, rowids: list[int], any_term: str
    ) -> dict[int, tuple[float | None, str]]:
        """The best matching sentence (start time, snippet) of each hit.

        The hits' sentences are copied into a small temporary FTS5 table and ranked there: one query
        for all hits, and no walk through the whole journal's position lists for common words
        (a phrase like "my sister" costs 6 ms this way against 66 ms over the big table).
        """
        if not rowids:
            return {}
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.hitsegs USING fts5(text, start UNINDEXED, tokenize='{TOKENIZER}')"
        )
        conn.execute("DELETE FROM temp.hitsegs")
        for rowid in rowids:
            conn.execute(
                "INSERT INTO temp.hitsegs(rowid, text, start) SELECT rowid, text, start FROM segs "
                "WHERE rowid BETWEEN ? AND ?",
                (rowid * SEG_SHIFT, rowid * SEG_SHIFT + SEG_SHIFT - 1),
            )
        best: dict[int, tuple[float | None, str]] = {}
        for seg_rowid, start, text in conn.execute(
            f"SELECT rowid, start, highlight(hitsegs, 0, '{HL_OPEN}', '{HL_CLOSE}') FROM temp.hitsegs "
            "WHERE hitsegs MATCH ? ORDER BY bm25(hitsegs)",
            (any_term,),
        ):
            best.setdefault(seg_rowid // SEG_SHIFT, (start, text))
        for rowid in rowids:
            if rowid not in best:  # matched on tags or notes only: show how the entry begins
                first = conn.execute(
                    "SELECT start, text FROM temp.hitsegs WHERE rowid BETWEEN ? AND ? ORDER BY rowid LIMIT 1",
                    (rowid * SEG_SHIFT, rowid * SEG_SHIFT + SEG_SHIFT - 1),
                ).fetchone()
                best[rowid] = first or (None, "")
        conn.execute("DELETE FROM temp.hitsegs")
        conn.commit()  # end the implicit transaction: it would hold a read lock on the index
        return {rowid: (start, make_snippet(text) if text else "") for rowid, (start, text) in best.items()}

    def _suggest(self, conn: sqlite3.Connection, q: Query, limit: int = 3) -> list[str]:
        """Close words that do occur in the journal, for a search that found nothing."""
        from rapidfuzz import fuzz, process

        vocab = {term: n for term, n in conn.execute("SELECT term, doc FROM vocab")}
        if not vocab:
            return []
        stem = _stemmer().stemWord
        found: list[str] = []
        for word in dict.fromkeys(q.words):
            if stem(word) in vocab:
                continue  # the word occurs; it is the combination that found nothing
            for term, _score, _ in process.extract(
                stem(word), list(vocab), scorer=fuzz.ratio, limit=limit, score_cutoff=70
            ):
                surface = self._surface_form(conn, term)
                if surface and surface not in found and surface != word:
                    found.append(surface)
        return found[:limit]

    @staticmethod
    def _surface_form(conn: sqlite3.Connection, term: str) -> str | None:
        """A stemmed index term as the person actually said it ("anxieti" -> "anxiety")."""
        row = conn.execute(
            f"SELECT highlight(docs, 0, '{HL_OPEN}', '{HL_CLOSE}') FROM docs WHERE docs MATCH ? LIMIT 1",
            (f"text : {fts_quote(term)}",),
        ).fetchone()
        if not row:
            return None
        m = re.search(f"{HL_OPEN}(.*?){HL_CLOSE}", row[0], re.S)
        return m.group(1).lower() if m else None

    def list(self, filters: Filters | None = None, limit: int | None = None) -> list[IndexedEntry]:
        """Entries matching the filters, newest first, straight from the index."""

        def run(conn: sqlite3.Connection) -> list[IndexedEntry]:
            where, params = _filter_sql(filters or Filters(), newest_first_limit=bool(limit))
            sql = f"SELECT e.* FROM entries e WHERE 1 {where} ORDER BY e.ts DESC"
            if limit:
                sql += f" LIMIT {int(limit)}"
            return [_indexed(row[1:]) for row in conn.execute(sql, params)]

        return self._read(run)

    def theme_rows(self, since: datetime | None = None) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
        """(theme, "YYYY-MM", entries) for each theme and month, and the number of entries per month."""

        def run(conn: sqlite3.Connection):
            # Whole months from the month of `since`: the counts are per month.
            first = f"{since:%Y-%m}" if since else "0000-00"
            rows = conn.execute(
                "SELECT theme, month, count(*) FROM entry_themes WHERE month >= ? GROUP BY 1, 2", (first,)
            ).fetchall()
            per_month = dict(
                conn.execute(
                    "SELECT substr(created, 1, 7) AS m, count(*) FROM entries WHERE m >= ? GROUP BY 1",
                    (first,),
                ).fetchall()
            )
            return rows, per_month

        return self._read(run)

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


def _indexed(row: Iterable) -> IndexedEntry:
    (eid, _ts, created, kind, mood, tags, themes, duration, status, title, preview) = tuple(row)
    return IndexedEntry(
        id=eid,
        created=datetime.fromisoformat(created),
        kind=kind,
        mood=mood,
        tags=tags.split("\n") if tags else [],
        themes=themes.split("\n") if themes else [],
        duration=duration or 0.0,
        status=status,
        title=title,
        preview=preview or "",
    )


def _filter_sql(filters: Filters, newest_first_limit: bool = False) -> tuple[str, list]:
    """SQL conditions on `entries e` for the filters.

    Tags and themes are a subquery list, which suits scanning every match; with `newest_first_limit`
    (a listing that stops after a few rows) a correlated EXISTS lets SQLite walk entries newest first
    and stop early: 0.1 ms instead of 58 ms for `list --theme X --limit 20` over 50,000 entries.
    """
    where, params = [], []
    if filters.since is not None:
        where.append("e.ts >= ?")
        params.append(filters.since.timestamp())
    if filters.until is not None:
        where.append("e.ts <= ?")
        params.append(filters.until.timestamp())
    if filters.kind:
        where.append("e.kind = ?")
        params.append(filters.kind)
    if filters.mood is not None:
        where.append("e.mood = ?")
        params.append(filters.mood)
    for table, column, values in (
        ("entry_tags", "tag", filters.tags),
        ("entry_themes", "theme", filters.themes),
    ):
        for value in values:
            if newest_first_limit:
                where.append(f"EXISTS (SELECT 1 FROM {table} x WHERE x.rowid = e.rowid AND x.{column} = ?)")
            else:
                where.append(f"e.rowid IN (SELECT rowid FROM {table} WHERE {column} = ?)")
            params.append(value)
    return "".join(f" AND {w}" for w in where), params
