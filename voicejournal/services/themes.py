"""The person's own themes, stored in the journal's `themes` table."""

from __future__ import annotations

from collections.abc import Iterable

from voicejournal.core.themes import clean_definition

THEMES_TABLE = "themes"


def user_theme_docs(storage) -> list[dict]:
    """The person's theme definitions: [{"id", "name", "words"}]."""
    return storage.all(THEMES_TABLE)


def define_theme(storage, name: str, words: Iterable[str]) -> dict:
    """Add or replace a theme (by name) and return its stored definition."""
    clean_name, clean_words = clean_definition(name, words)
    with storage.transaction():
        existing = next((d for d in storage.all(THEMES_TABLE) if d.get("name") == clean_name), None)
        if existing:
            doc = {**existing, "words": clean_words}
            storage.update(THEMES_TABLE, existing["id"], doc)
        else:
            doc = {"id": storage.new_id(), "name": clean_name, "words": clean_words}
            storage.insert(THEMES_TABLE, doc)
    return doc
