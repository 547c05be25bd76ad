"""The command line: parse, call the Journal, print. No logic lives here.

Results go to stdout, status and progress to stderr. Exit 0 on success, 1 on a problem the person can
fix (one clear line, never a traceback), 2 on a usage error (Click's own).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from voicejournal import __version__
from voicejournal.errors import VoiceJournalError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# --- output helpers ----------------------------------------------------------------------------


def out():
    """Console for results (stdout)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def err():
    """Console for status and progress (stderr)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_marked(lines: list[tuple[str, ...]]) -> None:
    """Print result lines whose odd-numbered parts are bold (ids, search matches).

    On a terminal rich renders the bold; into a pipe or file the text goes out plain and fast (rich
    would drop the styling there anyway, and a long listing is 20x quicker without it).
    """
    if not sys.stdout.isatty():
        if lines:
            click.echo("\n".join("".join(parts) for parts in lines))
        return
    from rich.text import Text

    text = Text()  # one Text for all lines: rich renders a long listing several times faster so
    for parts in lines:
        for i, part in enumerate(parts):
            text.append(part, style="bold" if i % 2 else None)
        text.append("\n")
    out().print(text, end="")


def print_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def clock(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def length(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s" if seconds % 60 else f"{seconds // 60} min"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def open_journal():
    from voicejournal.journal import Journal

    return Journal()


def date_option(name: str, end: bool = False, help: str = ""):
    def convert(ctx, param, value):
        if value is None:
            return None
        from voicejournal.dates import parse_date

        return parse_date(value, end=end)

    return click.option(name, callback=convert, metavar="DATE", help=help)


def progress_bar(label: str):
    """A rich progress bar on stderr (quiet when stderr is not a terminal)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err(),
        transient=True,
        disable=not sys.stderr.isatty(),
    )


# --- the group ---------------------------------------------------------------------------------


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="voicejournal")
@click.option("--debug", is_flag=True, help="Show full details (a traceback) when something goes wrong.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """A private voice journal for therapy: record, transcribe on this computer, find and review.

    Everything stays on this machine. Data lives in $VOICEJOURNAL_HOME, or your user data folder.

    \b
    Examples:
      voicejournal record                 record a reflection right after a session
      voicejournal add memo.m4a           import a voice memo from your phone
      voicejournal list --since "last week"
      voicejournal show a3f4
    """
    ctx.obj = {"debug": debug}


# --- entries -----------------------------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--tag", "-t", "tags", multiple=True, help="Tag the entries (repeatable).")
@date_option("--date", help="When it was recorded (default: the file's own date).")
@click.option(
    "--kind",
    type=click.Choice(["reflection", "homework", "journal", "question"]),
    default="reflection",
    show_default=True,
    help="What kind of entry this is.",
)
@click.option("--no-transcribe", is_flag=True, help="Only store the audio; transcribe later.")
@click.option("--model", envvar="VOICEJOURNAL_MODEL", help="Speech model name or folder (default tiny.en).")
@click.option("--language", help="Spoken language code, e.g. en (default: detect).")
@click.option("--partial", is_flag=True, help="Keep what can be read of a damaged or cut-short file.")
def add(files, tags, date, kind, no_transcribe, model, language, partial):
    """Import recordings (wav, flac, mp3, m4a/aac, ogg/opus) and transcribe them.

    \b
    Example:
      voicejournal add ~/Downloads/memo.m4a --tag homework
    """
    journal = open_journal()
    status = err()
    failed = 0
    for path in files:
        with progress_bar("transcribe") as bar:
            task = bar.add_task(f"Transcribing {path.name}", total=None)

            def step(done, total, bar=bar, task=task):
                bar.update(task, completed=done, total=total)

            result = journal.add_files(
                [path],
                tags=tags,
                date=date,
                kind=kind,
                transcribe=not no_transcribe,
                model=model,
                language=language,
                partial=partial,
                progress=step,
            )[0]
        if not result.ok:
            failed += 1
            status.print(str(result.error), markup=False)
            continue
        entry = result.entry
        if entry.status == "no_speech":
            status.print(f"No speech detected in {path.name}; kept it as entry {entry.id}.", markup=False)
        elif entry.status == "pending":
            status.print(
                f"Saved {path.name} as entry {entry.id} (not transcribed yet: "
                "`voicejournal transcribe --pending`).",
                markup=False,
            )
        else:
            status.print(
                f"Added {path.name} as entry {entry.id} · {length(entry.duration)} · "
                f"`voicejournal show {entry.id}`",
                markup=False,
            )
    if failed:
        sys.exit(1)


@cli.command(name="list")
@date_option("--since", help="Only entries on or after this date ('2026-11-01', 'last week').")
@date_option("--until", end=True, help="Only entries on or before this date.")
@click.option("--tag", "-t", "tags", multiple=True, help="Only entries with this tag (repeatable).")
@click.option("--kind", type=click.Choice(["reflection", "homework", "journal", "question"]))
@click.option(
    "--theme",
    "themes",
    multiple=True,
    shell_complete=lambda c, p, i: complete_themes(c, p, i),
    help="Only entries with this theme (repeatable; see `themes`).",
)
@click.option("--mood", type=click.IntRange(1, 5), help="Only entries with this mood (1-5).")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="Show at most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def list_(since, until, tags, kind, themes, mood, limit, as_json):
    """List entries, newest first.

    \b
    Examples:
      voicejournal list --since "3 months ago" --tag family
      voicejournal list --theme sleep --mood 2
    """
    journal = indexed_journal()
    # The listing comes from the search index (fast on a big journal); --json reads the full entries.
    entries = journal.list_entries(
        since=since, until=until, tags=tags, themes=themes, kind=kind, mood=mood, limit=limit
    )
    if as_json:
        print_json([e.to_json() for e in journal.entries_by_ids([e.id for e in entries])])
        return
    if not entries:
        if any((since, until, tags, kind, themes, mood)):
            click.echo("No entries match these filters.", err=True)
            return
        err().print(
            "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`."
        )
        return
    lines = []
    for e in entries:
        labels = ", ".join(e.tags + [t for t in e.themes if t not in e.tags])
        preview = (
            e.text[:70] + ("…" if len(e.text) > 70 else "") if e.text else f"({e.status.replace('_', ' ')})"
        )
        dur = length(e.duration) if e.duration else "text"
        lines.append((f"{when(e.created)}  ", e.id, f"  {dur:>9}  {labels:<24}  {preview}"))
    print_marked(lines)


@cli.command()
@click.argument("entry_id", shell_complete=lambda c, p, i: complete_ids(c, p, i))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def show(entry_id, as_json):
    """Show one entry: its transcript with the time of each sentence.

    \b
    Example:
      voicejournal show a3f4
    """
    from rich.markup import escape

    entry = open_journal().get(entry_id)
    if as_json:
        print_json(entry.to_json())
        return
    console = out()
    facts = [when(entry.created), entry.kind]
    if entry.duration:
        facts.append(length(entry.duration))
    if entry.model:
        facts.append(f"model {entry.model}")
    if entry.mood:
        facts.append(f"mood {entry.mood}/5")
    console.print(f"[bold]{entry.id}[/]  " + "  ·  ".join(facts))
    if entry.tags:
        console.print("Tags: " + escape(", ".join(entry.tags)))
    if entry.themes:
        console.print("Themes: " + escape(", ".join(entry.themes)))
    console.print()
    if entry.status == "pending":
        console.print(f"Not transcribed yet. Run `voicejournal transcribe {entry.id}`.")
    elif entry.status == "no_speech":
        console.print("No speech was detected in this recording.")
    elif entry.edited or not entry.segments:
        console.print(escape(entry.text))
        if entry.edited:
            console.print("\n[dim](edited by you; `--json` shows what was heard originally)[/]")
    else:
        for seg in entry.segments:
            console.print(f"[dim]{clock(seg.start)}[/]  {escape(seg.text)}")


@cli.command()
@click.argument("entry_ids", nargs=-1)
@click.option("--pending", is_flag=True, help="Transcribe every entry still waiting for it.")
@click.option("--model", envvar="VOICEJOURNAL_MODEL", help="Speech model name or folder (e.g. base).")
@click.option("--language", help="Spoken language code, e.g. en (default: detect).")
def transcribe(entry_ids, pending, model, language):
    """Transcribe entries again (e.g. with a bigger model), or every pending one.

    \b
    Examples:
      voicejournal transcribe --pending
      voicejournal transcribe a3f4 --model base
    """
    if not entry_ids and not pending:
        raise click.UsageError("Name entry ids, or use --pending.")
    journal = open_journal()
    with progress_bar("transcribe") as bar:
        tasks = {}

        def step(entry, done, total):
            if entry.id not in tasks:
                tasks[entry.id] = bar.add_task(f"Transcribing {entry.id}", total=total)
            bar.update(tasks[entry.id], completed=done, total=total)

        done = journal.transcribe(entry_ids, pending=pending, model=model, language=language, progress=step)
    status = err()
    if not done:
        status.print("Nothing to transcribe: no entry is waiting.")
    for entry in done:
        what = "no speech detected" if entry.status == "no_speech" else f"{len(entry.text.split())} words"
        status.print(f"Transcribed {entry.id} with {entry.model}: {what}.", markup=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def models(as_json):
    """List the speech models installed, the default, and how to add a bigger one.

    \b
    Example:
      voicejournal models
    """
    from voicejournal.models import list_models

    infos = list_models()
    if as_json:
        print_json(
            [
                {
                    "name": m.name,
                    "path": str(m.path) if m.path else None,
                    "installed": m.installed,
                    "default": m.default,
                    "note": m.note,
                }
                for m in infos
            ]
        )
        return
    console = out()
    for m in infos:
        mark = "*" if m.default else " "
        state = "installed" if m.installed else "not installed"
        console.print(f"{mark} {m.name:<10} {state:<14} {m.note}", markup=False)
    console.print("\n* = default. Choose with --model NAME or VOICEJOURNAL_MODEL.", markup=False)


# --- entry point -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every known problem into one line and exit 1, never a traceback."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="voicejournal", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Stopped.", err=True)
        code = 1
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except VoiceJournalError as exc:
        if debug:
            raise
        click.echo(str(exc), err=True)
        code = 1
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"Something went wrong inside voicejournal ({type(exc).__name__}: {exc}). Nothing already saved "
            "was changed. Run the same command with --debug for details.",
            err=True,
        )
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


# --- search & themes ---------------------------------------------------------------------------
# Owned by the search/themes work (issue 5): search, themes, tag, edit, delete, import of written
# journals, and shell completion of tags, themes and entry ids.

KIND_CHOICES = ["reflection", "homework", "journal", "question"]
# Commands whose arguments may start with "-" (search -word, tag ID -x): no short options there.
DASH_ARGS = {"help_option_names": ["--help"], "ignore_unknown_options": True, "max_content_width": 100}


def indexed_journal():
    """The journal, saying so on stderr when its search index has to be built first (big journals)."""
    journal = open_journal()
    journal.index.on_rebuild = lambda n: click.echo(
        f"Updating the search index ({n:,} entries; only needed once)…", err=True
    )
    return journal


def _complete(fetch):
    """Shell completion from the journal's index; completion must never print an error."""

    def complete(ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        try:
            items = fetch(open_journal())
        except Exception:
            return []
        return [
            CompletionItem(value, help=help_text)
            for value, help_text in items
            if value.startswith(incomplete.lower() if param.name != "entry_id" else incomplete)
        ]

    return complete


complete_ids = _complete(lambda j: j.index.recent_ids())
complete_tags = _complete(lambda j: [(t, None) for t in j.index.tags()])
complete_themes = _complete(lambda j: [(t.name, None) for t in j.theme_definitions()])


def _complete_tag_changes(ctx, param, incomplete):
    """`tag ID +<TAB>` offers every tag, `-<TAB>` the entry's own tags."""
    from click.shell_completion import CompletionItem

    sign, word = (
        (incomplete[:1], incomplete[1:]) if incomplete[:1] in "+-" and incomplete else ("+", incomplete)
    )
    try:
        journal = open_journal()
        if sign == "-" and ctx.params.get("entry_id"):
            tags = journal.get(ctx.params["entry_id"]).tags
        else:
            tags = journal.index.tags()
    except Exception:
        return []
    return [CompletionItem(sign + t) for t in tags if t.startswith(word.lower())]


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


def _mood_option():
    return click.option("--mood", type=click.IntRange(1, 5), help="Only entries with this mood (1-5).")


def _labels(tags, themes) -> str:
    return ", ".join(list(tags) + [t for t in themes if t not in tags])


@cli.command(context_settings=DASH_ARGS)
@click.argument("words", nargs=-1, required=True)
@date_option("--since", help="Only entries on or after this date ('2026-09-01', '3 months ago').")
@date_option("--until", end=True, help="Only entries on or before this date.")
@click.option(
    "--tag", "tags", multiple=True, shell_complete=complete_tags, help="Only entries with this tag."
)
@click.option(
    "--theme", "themes", multiple=True, shell_complete=complete_themes, help="Only entries with this theme."
)
@click.option("--kind", type=click.Choice(KIND_CHOICES), help="Only entries of this kind.")
@_mood_option()
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most this many."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def search(words, since, until, tags, themes, kind, mood, limit, as_json):
    """Find what you said: ranked, with the sentence and the moment in the recording.

    All WORDS must occur; "an exact phrase" in quotes; -word leaves entries out. Case, accents and
    punctuation do not matter, and word forms match (anxious finds anxiety, slept finds sleeping).

    \b
    Examples:
      voicejournal search "my sister" --since "3 months ago"
      voicejournal search sleep -work --theme anxiety
      voicejournal search '"panic attack" train'
    """
    unknown = next((w for w in words if w.startswith("--")), None)
    if unknown:  # options are passed through for -word exclusions; a mistyped --option is not a word
        raise click.UsageError(f"No such option: {unknown}")
    journal = indexed_journal()
    query = _query_from_args(words)
    result = journal.search(
        query, since=since, until=until, tags=tags, themes=themes, kind=kind, mood=mood, limit=limit
    )
    if as_json:
        print_json(
            [
                {
                    "id": h.id,
                    "created": h.entry.created.isoformat(timespec="seconds"),
                    "kind": h.entry.kind,
                    "mood": h.entry.mood,
                    "tags": h.entry.tags,
                    "themes": h.entry.themes,
                    "score": round(h.score, 3),
                    "start": h.start,
                    "at": clock(h.start) if h.start is not None else None,
                    "snippet": h.snippet,
                }
                for h in result.hits
            ]
        )
        return
    if not result.hits:
        message = f"Nothing found for: {query}."
        if result.suggestions:
            message += " Words that do occur: " + ", ".join(result.suggestions) + "."
        elif any((since, until, tags, themes, kind, mood)):
            message += " Try without some of the filters."
        click.echo(message, err=True)
        return
    shown = len(result.hits)
    head = f"{result.total} entr{'y' if result.total == 1 else 'ies'} · best first"
    if shown < result.total:
        head += f" · showing {shown} (--limit)"
    lines = [(head,)]
    for h in result.hits:
        labels = _labels(h.entry.tags, h.entry.themes)
        labels = labels if len(labels) <= 22 else labels[:21] + "…"
        at = clock(h.start) if h.start is not None else "text"
        # The id and every **match** are bold: split the snippet on its markers after the id.
        snippet_parts = h.snippet.split("**")
        parts = [f"{h.entry.created:%Y-%m-%d}  ", h.id, f"  {labels:<22}  {at:>5}  " + snippet_parts[0]]
        parts += snippet_parts[1:]
        lines.append(tuple(parts))
    print_marked(lines)
    first = next((h for h in result.hits if h.start is not None), None)
    if first is not None:
        click.echo(f"Play a moment: voicejournal play {first.id} --at {clock(first.start)}", err=True)


@cli.group(invoke_without_command=True)
@date_option("--since", help="Count from this date (default: the last 6 months).")
@click.option("--months", type=click.IntRange(1, 60), default=6, show_default=True, help="Months to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
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
    with err().status("Re-theming your entries…"):
        doc, changed = journal.define_theme(name, words)
    click.echo(
        f"Theme '{doc['name']}' is now: {', '.join(doc['words'])}. Re-themed {changed} "
        f"entr{'y' if changed == 1 else 'ies'}.",
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
    from voicejournal.errors import UsageError
    from voicejournal.themes import normalize_theme_name

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


class _TagCommand(click.Command):
    """`tag ID -<TAB>` completes the entry's tags to remove, not option names."""

    def shell_complete(self, ctx, incomplete):
        if incomplete.startswith("-") and not incomplete.startswith("--") and ctx.params.get("entry_id"):
            return _complete_tag_changes(ctx, None, incomplete)
        return super().shell_complete(ctx, incomplete)


@cli.command(cls=_TagCommand, context_settings=DASH_ARGS)
@click.argument("entry_id", shell_complete=complete_ids)
@click.argument("changes", nargs=-1, required=True, shell_complete=_complete_tag_changes)
def tag(entry_id, changes):
    """Add (+tag) and remove (-tag) tags of an entry.

    \b
    Example:
      voicejournal tag a3f4 +family +sister -work
    """
    unknown = next((c for c in changes if c.startswith("--")), None)
    if unknown:
        raise click.UsageError(f"No such option: {unknown}")
    add = [c[1:] if c.startswith("+") else c for c in changes if not c.startswith("-")]
    remove = [c[1:] for c in changes if c.startswith("-")]
    entry = open_journal().tag(entry_id, add=add, remove=remove)
    out().print(f"{entry.id}: {', '.join(entry.tags) or 'no tags'}", markup=False)


@cli.command()
@click.argument("entry_id", shell_complete=complete_ids)
def edit(entry_id):
    """Correct an entry's transcript in your editor ($EDITOR); what was heard is kept too.

    \b
    Example:
      EDITOR=nano voicejournal edit a3f4
    """
    journal = open_journal()
    entry = journal.get(entry_id)
    if entry.status == "pending":
        from voicejournal.errors import UsageError

        raise UsageError(
            f"Entry {entry.id} is not transcribed yet, so there is no text to correct. "
            f"Run `voicejournal transcribe {entry.id}` first."
        )
    changed = click.edit(entry.text + "\n", extension=".txt", require_save=True)
    if changed is None or changed.strip() == entry.text.strip():
        click.echo(f"No changes; entry {entry.id} is as it was.", err=True)
        return
    entry = journal.edit_text(entry.id, changed)
    note = " The words first heard are kept (`voicejournal show --json`)." if entry.segments else ""
    click.echo(f"Saved your corrections to {entry.id}.{note}", err=True)


@cli.command()
@click.argument("entry_id", shell_complete=complete_ids)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(entry_id, yes):
    """Delete an entry and its recording (asks first).

    \b
    Example:
      voicejournal delete a3f4
    """
    journal = open_journal()
    entry = journal.get(entry_id)
    if not yes:
        what = f"{when(entry.created)}, " + (length(entry.duration) if entry.duration else "written")
        preview = " ".join(entry.text.split()[:8])
        prompt = f"Delete entry {entry.id} ({what}{': ' + repr(preview + '…') if preview else ''})"
        prompt += " and its recording?" if entry.audio else "?"
        try:
            confirmed = click.confirm(prompt, default=False, err=True)
        except click.Abort:
            confirmed = False
        if not confirmed:
            click.echo("Nothing was deleted. (--yes deletes without asking.)", err=True)
            sys.exit(1)
    journal.delete(entry.id)
    click.echo(f"Deleted entry {entry.id}{' and its recording' if entry.audio else ''}.", err=True)


@cli.command(name="import")
@click.option(
    "--from",
    "source",
    type=click.Choice(["jrnl", "markdown"]),
    required=True,
    help="jrnl: the JSON file of `jrnl --format json`; markdown: a folder with one .md file per entry.",
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--tag", "-t", "tags", multiple=True, help="Also tag every imported entry (repeatable).")
@click.option("--kind", type=click.Choice(KIND_CHOICES), default="journal", show_default=True)
def import_(source, path, tags, kind):
    """Bring a written journal along: its entries are searched, themed and reviewed like spoken ones.

    Importing the same file again adds nothing new.

    \b
    Examples:
      jrnl --format json > journal.json && voicejournal import --from jrnl journal.json
      voicejournal import --from markdown ~/notes/journal/
    """
    report = open_journal().import_text(source, path, kind=kind, tags=tags)
    for problem in report.problems:
        click.echo(problem, err=True)
    n = len(report.added)
    line = f"Imported {n} entr{'y' if n == 1 else 'ies'} from {path.name or path}"
    if report.skipped:
        line += f"; {report.skipped} already imported before"
    click.echo(line + ".", err=True)
    if n:
        click.echo("See them with `voicejournal list --kind journal`.", err=True)


# --- end of search & themes --------------------------------------------------------------------
