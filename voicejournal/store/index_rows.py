"""The search index's rows: its schema, and one entry written into it or taken out of it (store/index.py)."""

from __future__ import annotations

import sqlite3

from voicejournal.core.entry import Entry
from voicejournal.core.sentences import sentences_with_times
from voicejournal.store.index_layout import SEG_SHIFT


def entry_rows(entry: Entry) -> tuple[tuple, tuple, list[tuple[float | None, str]]]:
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


def insert_entry(conn: sqlite3.Connection, rowid: int, entry: Entry) -> None:
    meta, doc, pieces = entry_rows(entry)
    conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (rowid, *meta))
    conn.execute("INSERT INTO docs(rowid, text, tags, notes) VALUES (?, ?, ?, ?)", (rowid, *doc))
    base = rowid * SEG_SHIFT
    if len(pieces) > SEG_SHIFT:
        tail_start = pieces[SEG_SHIFT - 1][0]
        pieces = pieces[: SEG_SHIFT - 1] + [(tail_start, " ".join(p for _, p in pieces[SEG_SHIFT - 1 :]))]
    conn.executemany(
        "INSERT INTO segs(rowid, start, at, len, text) VALUES (?, ?, ?, ?, ?)",
        [(base + i, start, *where) for i, (start, where) in enumerate(seg_rows(doc[0], pieces))],
    )
    conn.executemany("INSERT INTO entry_tags VALUES (?, ?)", [(rowid, t) for t in set(entry.tags)])
    month = f"{entry.created:%Y-%m}"  # the month as the entry itself has it (its own time zone)
    conn.executemany("INSERT INTO entry_themes VALUES (?, ?, ?)", [(rowid, t, month) for t in entry.themes])


def seg_rows(body: str, pieces: list[tuple[float | None, str]]) -> list[tuple[float | None, tuple]]:
    """Each piece as (start, (at, len, None)) when it is the text's own characters at `at` (the index then
    keeps its words once, in `docs`: a sentence is read back as a slice of it), else (start, (None, None, text))."""
    rows, cursor = [], 0
    for start, text in pieces:
        at = body.find(text, cursor) if text else -1
        if at < 0:
            rows.append((start, (None, None, text)))
            continue
        rows.append((start, (at, len(text), None)))
        cursor = at + len(text)
    return rows


def delete_entry(conn: sqlite3.Connection, entry_id: str) -> int | None:
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


def upsert_entry(conn: sqlite3.Connection, entry: Entry) -> None:
    rowid = delete_entry(conn, entry.id)
    if rowid is None:
        rowid = (conn.execute("SELECT max(rowid) FROM entries").fetchone()[0] or 0) + 1
    insert_entry(conn, rowid, entry)
