"""Finding things: search and themes."""

from __future__ import annotations

from datetime import datetime

import click

from voicejournal.cli.opening import (
    indexed_journal,
    open_journal,
)
from voicejournal.cli.options import (
    DASH_ARGS,
    Whole,
    complete_themes,
    date_option,
    filter_options,
    json_option,
    no_unknown_options,
)
from voicejournal.cli.output import (
    labels_text,
    out,
    print_json,
    print_marked,
    progress_bar,
)
from voicejournal.core.wording import count, timestamp


def _query_from_args(words: tuple[str, ...]) -> str:
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


@click.command(context_settings=DASH_ARGS)
@click.argument("words", nargs=-1, required=True)
@filter_options(short=False)
@click.option("--limit", type=Whole(min=1), help="Show at most this many (default 20; 10 with --meaning).")
@click.option("--meaning", is_flag=True, help="Rank entries by what they mean, not the words they use.")
@json_option()
def search(words, since, until, tags, themes, kind, mood, limit, meaning, as_json):
    """Find what you said: ranked, with the sentence and the moment in the recording.

    All WORDS must occur; "an exact phrase" in quotes; -word leaves entries out. Case, accents and
    punctuation do not matter, and word forms match (anxious finds anxiety, slept finds sleeping).
    With --meaning, entries are ranked by closeness in meaning instead (on this machine, offline).

    \b
    Examples:
      voicejournal search "my sister" --since "3 months ago"
      voicejournal search sleep -work --theme anxiety
      voicejournal search '"panic attack" train'
      voicejournal search --meaning "times I felt like giving up"
    """
    no_unknown_options(words)
    filters = {"since": since, "until": until, "tags": tags, "themes": themes, "kind": kind, "mood": mood}
    if meaning:
        from voicejournal.cli.meaning import search_meaning

        return search_meaning(" ".join(words), limit or 10, as_json, **filters)
    limit = limit or 20
    journal = indexed_journal()
    query = _query_from_args(words)
    result = journal.search(
        query, since=since, until=until, tags=tags, themes=themes, kind=kind, mood=mood, limit=limit
    )
    if as_json:
        from voicejournal.render.json import search_json  # only for --json

        print_json(search_json(result))
        return
    if not result.hits:
        if not result.suggestions and not journal.list_entries(limit=1):
            click.echo(
                "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`.",
                err=True,
            )
            return
        message = f"Nothing found for: {query}."
        if result.suggestions:
            message += " Words that do occur: " + ", ".join(result.suggestions) + "."
        elif any((since, until, tags, themes, kind, mood)):
            message += " Try without some of the filters."
        click.echo(message, err=True)
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
        click.echo(f"Play a moment: voicejournal play {first.id} --at {timestamp(first.start)}", err=True)


@click.group(invoke_without_command=True)
@date_option("--since", help="Count from this date (default: the last 6 months).")
@click.option("--months", type=Whole(1, 60), default=6, show_default=True, help="Months to show.")
@json_option()
@click.pass_context
def themes(ctx, since, months, as_json):
    """Themes your entries touch, counted per month, and whether each is rising or fading.

    Every entry is themed automatically from a readable list of words per theme (`voicejournal themes
    words` shows them). Add your own with `themes define`.

    \b
    Examples:
      voicejournal themes
      voicejournal themes --since 2026-01-01
      voicejournal themes define cats cat kitten "the vet"
    """
    if ctx.invoked_subcommand is not None:
        return
    trends, shown = indexed_journal().theme_overview(since=since, months=months)
    if as_json:
        print_json(
            [{"theme": t.name, "total": t.total, "trend": t.trend, "months": t.months} for t in trends]
        )
        return
    if not trends:
        click.echo(
            "No themes yet in this period. Themes appear as entries are transcribed or imported.", err=True
        )
        return
    console = out()
    months_shown = shown[-12:]
    first, last = datetime.strptime(months_shown[0], "%Y-%m"), datetime.strptime(shown[-1], "%Y-%m")
    note = " (the last 12; --json has all)" if len(shown) > 12 else ""
    console.print(f"Entries per theme and month, {first:%b %Y} – {last:%b %Y}{note}", markup=False)
    width = max(len(t.name) for t in trends)
    labels = " ".join(f"{datetime.strptime(m, '%Y-%m'):%b}" for m in months_shown)
    console.print(f"{'':<{width}}  {labels}  total", markup=False, style="dim")
    words = {"rising": "↑ rising", "fading": "↓ fading", "new": "↑ new", "steady": "= steady"}
    for t in trends:
        counts = " ".join(f"{t.months[m] or '·':>3}" for m in months_shown)
        console.print(f"{t.name:<{width}}  {counts}  {t.total:>5}  {words[t.trend]}", markup=False)


@themes.command(name="define")
@click.argument("name", shell_complete=complete_themes)
@click.argument("words", nargs=-1, required=True)
def themes_define(name, words):
    """Add a theme of your own (or change one), then re-theme every entry.

    Each WORD matches with its simple forms (cat: cats); quote phrases.

    \b
    Example:
      voicejournal themes define cats cat kitten "the vet"
    """
    journal = open_journal()
    with progress_bar("themes") as bar:
        bar.add_task("Re-theming your entries…", total=None)
        doc, changed = journal.define_theme(name, words)
    click.echo(
        f"Theme '{doc['name']}' is now: {', '.join(doc['words'])}. Re-themed {count(changed, 'entry')}.",
        err=True,
    )


@themes.command(name="words")
@click.argument("name", required=False, shell_complete=complete_themes)
def themes_words(name):
    """Show the words and phrases behind each theme (or one theme).

    \b
    Example:
      voicejournal themes words sleep
    """
    from voicejournal.core.themes import normalize_theme_name
    from voicejournal.errors import UsageError

    definitions = open_journal().theme_definitions()
    if name:
        wanted = normalize_theme_name(name)
        definitions = [t for t in definitions if t.name == wanted]
        if not definitions:
            raise UsageError(f"There is no theme '{name}'. `voicejournal themes words` lists them all.")
    console = out()
    for t in definitions:
        own = "" if t.builtin else "  (yours)"
        console.print(f"{t.name}{own}: {', '.join(t.words + t.exact)}", markup=False)
        if t.not_in:
            console.print(f"    not counted in: {', '.join(t.not_in)}", markup=False)
