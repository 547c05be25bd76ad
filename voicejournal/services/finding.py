"""Search and themes over the derived index."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from voicejournal.core.text import clean_tags
from voicejournal.errors import (
    UsageError,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (3 ms of a fresh `search`)
if TYPE_CHECKING:
    from voicejournal.core.entry import Entry


def user_themes(journal) -> list[dict]:
    from voicejournal.services.themes import user_theme_docs

    if journal.user_theme_cache is None:
        journal.user_theme_cache = user_theme_docs(journal.storage)
    return journal.user_theme_cache


def detect_entry_themes(journal, entry: Entry) -> None:
    """Set the entry's themes from its (edited, if so) text, title and notes."""
    from voicejournal.core.themes import detect_themes

    text = "\n".join(p for p in (entry.title, entry.text, entry.notes) if p)
    entry.themes = detect_themes(text, journal.user_themes())


def search(journal, query: str, limit: int = 20, **filters):
    """Ranked full-text search; returns a `search.SearchResult` (hits best first).

    Filters (as for `list_entries`): since, until (datetimes), tags, themes (names), kind, mood.
    """
    return journal.index.search(query, _filters(journal, **filters), limit=limit)


def list_entries(journal, limit: int | None = None, **filters):
    """Entries matching the filters, newest first, from the index (`search.IndexedEntry`, fast)."""
    return journal.index.list(_filters(journal, **filters), limit=limit)


def _filters(
    journal,
    since: datetime | None = None,
    until: datetime | None = None,
    tags: Iterable[str] = (),
    themes: Iterable[str] = (),
    kind: str | None = None,
    mood: int | None = None,
):
    from voicejournal.core.query import Filters

    return Filters(since, until, tuple(clean_tags(tags)), _known_themes(journal, themes), kind, mood)


def _known_themes(journal, names: Iterable[str]) -> tuple[str, ...]:
    names = list(names)
    if not names:
        return ()
    from voicejournal.core.themes import normalize_theme_name, theme_set

    known = {t.name for t in theme_set(journal.user_themes())}
    wanted = []
    for name in names:
        clean = normalize_theme_name(name)
        if clean not in known:
            listed = ", ".join(sorted(known))
            raise UsageError(f"There is no theme '{name}'. Themes: {listed}.")
        wanted.append(clean)
    return tuple(wanted)


def theme_overview(journal, since: datetime | None = None, months: int = 6):
    """Themes with entries per month and rising/fading, over `months` months or since a date.

    Returns (list of `themes.ThemeTrend`, the months shown as "YYYY-MM").
    """
    from voicejournal.core.themes import month_range, theme_trends

    now = journal.now()
    if since is None:
        start_index = now.year * 12 + now.month - 1 - (months - 1)
        since = datetime(start_index // 12, start_index % 12 + 1, 1).astimezone()
    rows, per_month = journal.index.theme_rows(since)
    shown = month_range(f"{since:%Y-%m}", f"{max(since, now):%Y-%m}")
    return theme_trends(rows, per_month, shown), shown


def theme_definitions(journal) -> list:
    """Every theme (built-in and the person's own), as `themes.Theme`."""
    from voicejournal.core.themes import theme_set

    return theme_set(journal.user_themes())


def define_theme(journal, name: str, words: Iterable[str]) -> tuple[dict, int]:
    """Add or change a theme and re-theme every entry; returns (definition, entries changed)."""
    from voicejournal.services.themes import define_theme

    with journal.storage.transaction():
        doc = define_theme(journal.storage, name, words)
        journal.user_theme_cache = None
        changed = journal.retheme(only=doc["name"])
    return doc, changed


def retheme(journal, only: str | None = None) -> int:
    """Detect the themes of every entry again (or just theme `only`); returns how many changed."""
    from voicejournal.core.entry import Entry
    from voicejournal.core.themes import detect_themes
    from voicejournal.services.entries import save_entries

    changed = 0
    with journal.storage.transaction():
        updated = []
        for doc in journal.storage.all_entries():
            entry = Entry.from_doc(doc)
            before = dict(entry.themes)
            if only is None:
                journal.detect_entry_themes(entry)
            else:
                text = "\n".join(p for p in (entry.title, entry.text, entry.notes) if p)
                found = detect_themes(text, journal.user_themes(), only=[only]).get(only)
                entry.themes.pop(only, None)
                if found:
                    entry.themes[only] = found
            if entry.themes != before:
                updated.append(entry)
                changed += 1
        save_entries(journal, updated)
    return changed
