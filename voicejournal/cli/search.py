"""Finding things: search and themes."""

from __future__ import annotations

from datetime import datetime

import click

from voicejournal.cli.found import run_search
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
    out,
    print_json,
    progress_bar,
)
from voicejournal.core.wording import count


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
    run_search(words, since, until, tags, themes, kind, mood, limit, meaning, as_json)


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
