"""The search index's queries: ranked matches with their best sentence, suggestions, filters as SQL."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

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
)
from voicejournal.store.index_layout import SEG_SHIFT, TOKENIZER


@lru_cache(maxsize=1)
def stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("porter")  # the same algorithm as SQLite's porter tokenizer


def search(conn: sqlite3.Connection, q: Query, filters: Filters, limit: int) -> SearchResult:
    where, params = filter_sql(filters)
    match = q.match_expression()
    rows = None if where else _best_unfiltered(conn, match, limit)
    if rows is None:
        # CROSS JOIN keeps the FTS table as the outer loop, so bm25() is computed once per match.
        sql = (
            "SELECT e.*, bm25(docs, 1.0, 2.0, 1.0) AS score FROM docs CROSS JOIN entries e "
            f"ON e.rowid = docs.rowid WHERE docs MATCH ? {where} ORDER BY score, e.ts DESC LIMIT ?"
        )
        rows = conn.execute(sql, [match, *params, limit]).fetchall()
    if len(rows) < limit:
        total = len(rows)
    elif not where:  # every indexed text has its entry: no need to look each one up to count them
        total = conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [match]).fetchone()[0]
    else:
        total = conn.execute(
            f"SELECT count(*) FROM docs CROSS JOIN entries e ON e.rowid = docs.rowid WHERE docs MATCH ? {where}",
            [match, *params],
        ).fetchone()[0]
    best = best_sentences(conn, [row[0] for row in rows], q.any_term_expression())
    hits = [SearchHit(indexed(row[1:12]), -row[12], *best[row[0]]) for row in rows]
    suggestions = [] if hits else suggest(conn, q)
    return SearchResult(q, hits, total, suggestions)


def _best_unfiltered(conn: sqlite3.Connection, match: str, limit: int) -> list[tuple] | None:
    """The `limit` best matches as the joined query ranks them (score, then newest), with the entries looked
    up for those few rows only: a common word matches most of the journal, and fetching every matching
    entry to sort by score and time cost as much as the ranking itself. None when ties in score reach past
    the rows fetched (the caller then ranks with the join)."""
    want = limit * 2 + 10
    scored = conn.execute(
        "SELECT rowid, bm25(docs, 1.0, 2.0, 1.0) AS score FROM docs WHERE docs MATCH ? ORDER BY score LIMIT ?",
        (match, want),
    ).fetchall()
    if len(scored) == want and scored[-1][1] == scored[min(limit, want) - 1][1]:
        return None
    scores = dict(scored)
    marks = ",".join("?" * len(scores))
    rows = conn.execute(f"SELECT e.* FROM entries e WHERE e.rowid IN ({marks})", list(scores)).fetchall()
    rows = [(*row, scores[row[0]]) for row in rows]
    rows.sort(key=lambda row: (row[-1], -row[2]))  # row[2] is e.ts
    return rows[:limit]


def best_sentences(
    conn: sqlite3.Connection, rowids: list[int], any_term: str
) -> dict[int, tuple[float | None, str]]:
    """The best matching sentence (start time, snippet) of each hit.

    The hits' sentences are copied into a small temporary FTS5 table and ranked there: one query
    for all hits, and no walk through the whole journal's position lists for common words
    (a phrase like "my sister" costs 6 ms this way against 66 ms over the big table).
    """
    if not rowids:
        return {}
    # Dropped, not emptied: deleting FTS5 rows tokenizes every sentence again (as long as inserting them).
    # Dropped before it is made rather than after use: a fresh process (every command) skips that step,
    # and the table lives in memory only (temp_store = MEMORY), gone with the connection.
    conn.execute("DROP TABLE IF EXISTS temp.hitsegs")
    conn.execute(
        f"CREATE VIRTUAL TABLE temp.hitsegs USING fts5(text, start UNINDEXED, tokenize='{TOKENIZER}')"
    )
    ranges = ",".join("(?, ?, ?)" for _ in rowids)
    bounds = [n for rowid in rowids for n in (rowid, rowid * SEG_SHIFT, rowid * SEG_SHIFT + SEG_SHIFT - 1)]
    conn.execute(  # one statement for all hits: each hit's text looked up once, its `segs` a rowid range
        "INSERT INTO temp.hitsegs(rowid, text, start) "
        "SELECT s.rowid, coalesce(s.text, substr(d.text, s.at + 1, s.len)), s.start "
        f"FROM (VALUES {ranges}) AS r CROSS JOIN docs AS d CROSS JOIN segs AS s "
        "WHERE d.rowid = r.column1 AND s.rowid BETWEEN r.column2 AND r.column3",
        bounds,
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
    conn.commit()  # end the implicit transaction: it would hold a read lock on the index
    return {rowid: (start, make_snippet(text) if text else "") for rowid, (start, text) in best.items()}


def suggest(conn: sqlite3.Connection, q: Query, limit: int = 3) -> list[str]:
    """Close words that do occur in the journal, for a search that found nothing."""
    from rapidfuzz import fuzz, process

    vocab = {term: n for term, n in conn.execute("SELECT term, doc FROM vocab")}
    if not vocab:
        return []
    stem = stemmer().stemWord
    found: list[str] = []
    for word in dict.fromkeys(q.words):
        if stem(word) in vocab:
            continue  # the word occurs; it is the combination that found nothing
        for term, _score, _ in process.extract(
            stem(word), list(vocab), scorer=fuzz.ratio, limit=limit, score_cutoff=70
        ):
            surface = surface_form(conn, term)
            if surface and surface not in found and surface != word:
                found.append(surface)
    return found[:limit]


def surface_form(conn: sqlite3.Connection, term: str) -> str | None:
    """A stemmed index term as the person actually said it ("anxieti" -> "anxiety")."""
    row = conn.execute(
        f"SELECT highlight(docs, 0, '{HL_OPEN}', '{HL_CLOSE}') FROM docs WHERE docs MATCH ? LIMIT 1",
        (f"text : {fts_quote(term)}",),
    ).fetchone()
    if not row:
        return None
    m = re.search(f"{HL_OPEN}(.*?){HL_CLOSE}", row[0], re.S)
    return m.group(1).lower() if m else None


def indexed(row: Iterable) -> IndexedEntry:
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


def filter_sql(filters: Filters, newest_first_limit: bool = False) -> tuple[str, list]:
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


def list_entries(conn: sqlite3.Connection, filters: Filters, limit: int | None) -> list[IndexedEntry]:
    """Entries matching the filters, newest first."""
    where, params = filter_sql(filters or Filters(), newest_first_limit=bool(limit))
    sql = f"SELECT e.* FROM entries e WHERE 1 {where} ORDER BY e.ts DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [indexed(row[1:]) for row in conn.execute(sql, params)]


def theme_rows(conn: sqlite3.Connection, since: datetime | None):
    """(theme, month, entries) rows and entries per month, from the month of `since` on."""
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
