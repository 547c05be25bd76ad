"""The search index's layout: its tables, and what both its writer (index_rows) and its queries
(index_queries) must agree on. Constants only, so that a save (`tag`) loads neither the query code nor a
search the row writer."""

SEG_SHIFT = 4096  # segments per entry addressable in `segs` (longer recordings share the last slot)
TOKENIZER = "porter unicode61 remove_diacritics 2"

SCHEMA = f"""
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
CREATE TABLE segs(rowid INTEGER PRIMARY KEY, start REAL, at INTEGER, len INTEGER, text TEXT);
CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row');
"""
