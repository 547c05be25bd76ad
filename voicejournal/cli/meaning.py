"""Search by meaning: `search --meaning`, `show ID --related`, `index --rebuild`, and the closest entries
offered when a word search finds nothing."""

from __future__ import annotations

import contextlib

import click

from voicejournal.cli.opening import indexed_journal
from voicejournal.cli.output import labels_text, print_json, print_marked, progress_bar
from voicejournal.core.wording import count, noun, timestamp


@contextlib.contextmanager
def _embedding_progress():
    """A progress function that shows a bar (and says why) when many entries must be read for meaning:
    the first time, or after a restore."""
    shown: list = []

    def step(done: int, total: int) -> None:
        if not shown:
            if total < 20:
                shown.append(None)
                return
            click.echo(f"Reading {total:,} {noun(total, 'entry')} for meaning (only needed once)…", err=True)
            bar = progress_bar("meaning")
            bar.start()
            shown.append((bar, bar.add_task("reading for meaning", total=total)))
        if shown[0] is not None:
            shown[0][0].update(shown[0][1], completed=done, total=total)

    try:
        yield step
    finally:
        if shown and shown[0] is not None:
            shown[0][0].stop()


def meaning_json(hits) -> list[dict]:
    """As `search --json`, with `similarity` (0-1) for the score and the closest `sentence` for the snippet."""
    from types import SimpleNamespace

    from voicejournal.render.json import search_json

    rows = search_json(SimpleNamespace(hits=hits))
    for row in rows:
        row["similarity"], row["sentence"] = row.pop("score"), row.pop("snippet")
    return rows


def print_hits(hits, head: str | None = None) -> None:
    lines = [(head,)] if head else []
    for h in hits:
        labels = labels_text(h.entry.tags, h.entry.themes)
        labels = labels if len(labels) <= 22 else labels[:21] + "…"
        at = timestamp(h.start) if h.start is not None else "text"
        lines.append(
            (f"{h.entry.created:%Y-%m-%d}  ", h.id, f"  {labels:<22}  {at:>5}  {h.score:.2f}  {h.snippet}")
        )
    print_marked(lines)
    first = next((h for h in hits if h.start is not None), None)
    if first is not None:
        click.echo(f"Play a moment: voicejournal play {first.id} --at {timestamp(first.start)}", err=True)


def search_meaning(query: str, limit: int, as_json: bool, **filters) -> None:
    """`search --meaning`: entries ranked by meaning, each with its closest sentence and a similarity."""
    from voicejournal.services import meaning

    meaning.preload_model(query)  # on the other core while the journal opens and its vectors are read
    journal = indexed_journal()
    with _embedding_progress() as progress:
        result = meaning.search_meaning(journal, query, limit=limit, progress=progress, **filters)
    if as_json:
        print_json(meaning_json(result.hits))
        return
    if not result.hits:
        if not journal.list_entries(limit=1):
            click.echo(
                "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`.",
                err=True,
            )
        else:
            click.echo(f"Nothing found for: {query}. Try without some of the filters.", err=True)
        return
    head = f"{count(result.total, 'entry')} · closest in meaning first · similarity 0-1"
    if len(result.hits) < result.total:
        head += f" · showing {len(result.hits)} (--limit)"
    print_hits(result.hits, head)


def offer_closest(journal, query: str, **filters) -> bool:
    """After a word search found nothing: print the closest entries by meaning (False if none were shown)."""
    from voicejournal.services import meaning

    result = meaning.closest(journal, query, limit=3, **filters)
    if result is None or not result.hits:
        if result is None:
            click.echo(f'To find entries by meaning: voicejournal search --meaning "{query}"', err=True)
        return False
    click.echo("Closest by meaning:", err=True)
    print_hits(result.hits)
    return True


def print_related(entry_id: str, limit: int, as_json: bool) -> None:
    """`show ID --related`: the entries closest in meaning to this one."""
    from voicejournal.services import meaning

    journal = indexed_journal()
    with _embedding_progress() as progress:
        hits = meaning.related(journal, entry_id, limit=limit, progress=progress)
    if as_json:
        print_json(meaning_json(hits))
        return
    if not hits:
        click.echo("No other entries to compare this one with yet.", err=True)
        return
    print_hits(hits, f"Closest in meaning to {journal.get(entry_id).id} · similarity 0-1")


@click.command()
@click.option("--rebuild", is_flag=True, help="Throw the index away and build it again from your entries.")
def index(rebuild):
    """Bring the search index and the meaning vectors up to date (both are made from your entries).

    They update themselves as you save; `--rebuild` starts them over (after a model update, or if
    results look wrong). Nothing in your entries changes.

    \b
    Examples:
      voicejournal index
      voicejournal index --rebuild
    """
    from voicejournal.services import meaning

    journal = indexed_journal()
    if rebuild:
        with journal.storage.transaction():
            journal.index.rebuild()
        meaning.forget(journal)
    journal.index.connection()
    with _embedding_progress() as progress:
        n = len(meaning.current(journal, progress=progress).entries)
    click.echo(f"Search index and meaning vectors are up to date ({count(n, 'entry')} with words).", err=True)
