"""What `search` prints: the query as typed, the hits best first, or what to try when nothing matched.

Click-free, so a plain search (cli/quick.py) runs without loading Click; cli/search.py's command and the
quick path both call `run_search` with the same values, and so print the same bytes."""

from __future__ import annotations

from voicejournal.cli.opening import indexed_journal
from voicejournal.cli.output import echo, labels_text, print_json, print_marked
from voicejournal.core.wording import count, timestamp


def query_from_args(words: tuple[str, ...]) -> str:
    """Join the words typed after `search`. A single shell-quoted argument with spaces and no query
    syntax of its own ("my sister") is an exact phrase, the way the person meant it."""
    parts = []
    for w in words:
        if (
            any(c.isspace() for c in w.strip())
            and '"' not in w
            and not any(t.startswith("-") for t in w.split())
        ):
            parts.append(f'"{w}"')
        else:
            parts.append(w)
    return " ".join(parts)


def run_search(
    words: tuple[str, ...],
    since=None,
    until=None,
    tags: tuple[str, ...] = (),
    themes: tuple[str, ...] = (),
    kind: str | None = None,
    mood: int | None = None,
    limit: int | None = None,
    meaning: bool = False,
    as_json: bool = False,
) -> None:
    filters = {"since": since, "until": until, "tags": tags, "themes": themes, "kind": kind, "mood": mood}
    if meaning:
        from voicejournal.cli.meaning import search_meaning

        return search_meaning(" ".join(words), limit or 10, as_json, **filters)
    limit = limit or 20
    journal = indexed_journal()
    query = query_from_args(words)
    result = journal.search(query, limit=limit, **filters)
    if as_json:
        from voicejournal.render.json import search_json  # only for --json

        print_json(search_json(result))
        return
    if not result.hits:
        if not result.suggestions and not journal.list_entries(limit=1):
            echo(
                "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`.",
                err=True,
            )
            return
        message = f"Nothing found for: {query}."
        if result.suggestions:
            message += " Words that do occur: " + ", ".join(result.suggestions) + "."
        elif any((since, until, tags, themes, kind, mood)):
            message += " Try without some of the filters."
        echo(message, err=True)
        from voicejournal.cli.meaning import offer_closest  # a typo's meaning is too far to be offered

        offer_closest(journal, " ".join(words), **filters)
        return
    shown = len(result.hits)
    head = f"{count(result.total, 'entry')} · best first"
    if shown < result.total:
        head += f" · showing {shown} (--limit)"
    lines = [(head,)]
    for h in result.hits:
        labels = labels_text(h.entry.tags, h.entry.themes)
        labels = labels if len(labels) <= 22 else labels[:21] + "…"
        at = timestamp(h.start) if h.start is not None else "text"
        # The id and every **match** are bold: split the snippet on its markers after the id.
        snippet_parts = h.snippet.split("**")
        parts = [f"{h.entry.created:%Y-%m-%d}  ", h.id, f"  {labels:<22}  {at:>5}  " + snippet_parts[0]]
        parts += snippet_parts[1:]
        lines.append(tuple(parts))
    print_marked(lines)
    first = next((h for h in result.hits if h.start is not None), None)
    if first is not None:
        echo(f"Play a moment: voicejournal play {first.id} --at {timestamp(first.start)}", err=True)
