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
from voicejournal import clock as clk
from voicejournal.core.wording import count, noun
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


def session_day(moment: datetime) -> str:
    """'today', 'yesterday' or 'on Mon 24 Nov'."""
    days = (clk.today() - moment.date()).days
    return {0: "today", 1: "yesterday"}.get(days, f"on {moment:%a %d %b}")


def open_journal(unlock: bool = True):
    from voicejournal.journal import Journal

    journal = Journal()
    if unlock:
        ask_passphrase(
            journal
        )  # before anything is read: the library never prompts, least of all under the lock
    report_recovered(journal)  # --- recording: finish what a crash interrupted (see the end of this file)
    return journal


def ask_passphrase(journal) -> str | None:
    """Unlock an encrypted journal: from its usual sources, else typed on a terminal (never echoed).

    Returns the passphrase, or None when the journal is not encrypted.
    """
    from voicejournal.errors import PassphraseError
    from voicejournal.store import crypto

    key_file = crypto.load_key_file(journal.home)
    if key_file is None:
        return None
    try:
        passphrase, key = crypto.find_passphrase(journal.home, key_file)
    except crypto.NoPassphraseError:
        if not _interactive():
            raise
        import getpass

        for attempt in range(3):
            typed = getpass.getpass(f"Passphrase for the journal in {journal.home}: ")
            key = crypto.try_passphrase(key_file, typed) if typed else None
            if key is not None:
                passphrase = typed
                break
            if attempt < 2:
                click.echo("That passphrase does not open this journal; try again.", err=True)
        else:
            raise PassphraseError(
                "Wrong passphrase: the journal stayed locked. Nothing was changed."
            ) from None
    crypto.remember_key(journal.home, key_file, key)
    return passphrase


def ask_new_passphrase(env: str, what: str) -> str:
    """A new passphrase from `env`, else typed twice on a terminal, else a clear error."""
    from voicejournal.errors import PassphraseError, UsageError
    from voicejournal.store import crypto

    try:
        return _warn_if_weak(crypto.new_passphrase_from_env(env, what))
    except crypto.NoPassphraseError:
        if not _interactive():
            raise
    import getpass

    for _ in range(3):
        first = getpass.getpass(f"Choose {what} (at least {crypto.MIN_PASSPHRASE} characters): ")
        try:
            crypto.check_new_passphrase(first)
        except UsageError as exc:
            click.echo(str(exc), err=True)
            continue
        if getpass.getpass("Type it again: ") == first:
            return _warn_if_weak(first)
        click.echo("The two did not match; try again.", err=True)
    raise PassphraseError("No passphrase was set. Nothing was changed.")


def _warn_if_weak(passphrase: str) -> str:
    """Accept it (the minimum was checked), but say when it is easy to guess offline from a copied journal."""
    from voicejournal.store.crypto import weak_passphrase

    if weak_passphrase(passphrase):
        click.echo(
            "Warning: this passphrase is easy to guess for anyone with a copy of the journal. A few unrelated "
            "words you will remember (12 characters or more) are much safer; `voicejournal passwd` changes it.",
            err=True,
        )
    return passphrase


def date_option(name: str, end: bool = False, help: str = ""):
    def convert(ctx, param, value):
        if value is None:
            return None
        from voicejournal.core.dates import parse_date

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
@click.option(
    "--session", "session", metavar="ID", help="Link to this session (see `voicejournal session list`)."
)
def add(files, tags, date, kind, no_transcribe, model, language, partial, session):
    """Import recordings (wav, flac, mp3, m4a/aac, ogg/opus) and transcribe them.

    \b
    Example:
      voicejournal add ~/Downloads/memo.m4a --tag homework
    """
    journal = open_journal()
    status = err()
    report_retention(journal.apply_retention_if_due())
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
                session=session,
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
        what = "no speech detected" if entry.status == "no_speech" else count(len(entry.text.split()), "word")
        status.print(f"Transcribed {entry.id} with {entry.model}: {what}.", markup=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def models(as_json):
    """List the speech models installed, the default, and how to add a bigger one.

    \b
    Example:
      voicejournal models
    """
    from voicejournal.speech.models import list_models

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
        f"Updating the search index ({n:,} {noun(n, 'entry')}; only needed once)…", err=True
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


def _no_unknown_options(words: tuple[str, ...]) -> None:
    """Arguments may start with "-" here (-word, -tag), so Click passes unknown options through:
    `-h` alone still means help, and a mistyped --option is an error rather than a word."""
    ctx = click.get_current_context()
    if tuple(words) == ("-h",):
        click.echo(ctx.get_help())
        ctx.exit(0)
    unknown = next((w for w in words if w.startswith("--")), None)
    if unknown:
        raise click.UsageError(f"No such option: {unknown}", ctx=ctx)


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
    _no_unknown_options(words)
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
        return
    shown = len(result.hits)
    head = f"{count(result.total, 'entry')} · best first"
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
    _no_unknown_options(changes)
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
    from voicejournal.services.editing import EDIT_FOLDER, edit_text

    if journal.encryption_state() != "off":
        click.echo(
            "Your journal is encrypted; while your editor is open the transcript is a readable file in "
            f"{journal.home / EDIT_FOLDER}. It is shredded when you close the editor.",
            err=True,
        )
    changed = edit_text(journal.home, entry.text + "\n")
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


# --- end of search & themes --------------------------------------------------------------------


# --- recording ---------------------------------------------------------------------------------


def report_recovered(journal) -> None:
    """Finish recordings a crash or kill interrupted; say so on stderr (never stops the command)."""
    try:
        recovered = journal.recover()
    except VoiceJournalError as exc:
        click.echo(f"An interrupted recording could not be recovered yet: {exc}", err=True)
        return
    except Exception as exc:  # a bug, but it must never lock the person out of their journal
        if "--debug" in sys.argv:
            raise
        click.echo(
            f"An interrupted recording could not be recovered yet ({type(exc).__name__}: {exc}); it is kept "
            "in audio/incoming. Run `voicejournal --debug list` for details.",
            err=True,
        )
        return
    for entry in recovered:
        click.echo(
            f"Recovered an interrupted recording from {when(entry.created)} as entry {entry.id} "
            "(pending transcription).",
            err=True,
        )
    waiting = journal.waiting_for_space
    if waiting:
        from voicejournal.store.diskspace import HOW_TO_FREE, free_bytes, human_size

        which = (
            "An interrupted recording is"
            if len(waiting) == 1
            else f"{len(waiting)} interrupted recordings are"
        )
        free = free_bytes(waiting[0])
        click.echo(
            f"Note: {which} kept safe in {waiting[0].parent}, waiting for room on the disk to be saved "
            f"({human_size(free or 0)} free). Free some space ({HOW_TO_FREE}); the next command saves it.",
            err=True,
        )


class LiveRecording:
    """The live line on stderr: ● Recording, elapsed, level meter, how to stop; notices on the side."""

    def __init__(self, console, interactive: bool):
        self.console = console
        self.interactive = interactive
        self.warned_silent = False

    def render(self, recorder):
        from rich.text import Text

        from voicejournal.speech.recording import meter_bar

        line = Text()
        line.append("● ", style="bold red")
        line.append("Recording   ")
        line.append(clock(recorder.elapsed), style="bold")
        line.append("   " + meter_bar(recorder.levels) + "   ", style="green")
        line.append("Enter or Ctrl-C to stop", style="dim")
        if recorder.silent:
            line.append(
                "\n  No sound is reaching the microphone. Is it muted? (`voicejournal devices`)",
                style="yellow",
            )
        else:
            line.append("\n  (saved as you speak — nothing is lost if the computer stops)", style="dim")
        return line

    def __call__(self, recorder) -> None:
        import threading

        if self.interactive:
            from rich.live import Live

            def wait_for_enter():
                import select

                # Poll, so the thread ends with the recording and never swallows a later answer.
                try:
                    while not recorder.stopped:
                        if select.select([sys.stdin], [], [], 0.2)[0]:
                            sys.stdin.readline()
                            recorder.stop()
                except (OSError, ValueError):
                    return

            threading.Thread(target=wait_for_enter, daemon=True).start()
            with Live(
                self.render(recorder), console=self.console, refresh_per_second=10, transient=True
            ) as live:
                while not recorder.wait(0.1):
                    live.update(self.render(recorder))
            return
        # No terminal: no keys, no animation; a line now and a notice when something changes.
        self.console.print(
            "● Recording. Stop with Ctrl-C (SIGINT) or SIGTERM; saved as you speak.", markup=False
        )
        while not recorder.wait(0.2):
            if recorder.silent and not self.warned_silent:
                self.warned_silent = True
                self.console.print(
                    "No sound is reaching the microphone (5 s of silence). Is it muted? "
                    "`voicejournal devices` lists the microphones.",
                    markup=False,
                )


@cli.command()
@click.option("--device", "-d", metavar="NAME|INDEX", help="Microphone to use (see `voicejournal devices`).")
@click.option("--tag", "-t", "tags", multiple=True, help="Tag the entry (repeatable).")
@click.option("--mood", type=click.IntRange(1, 5), help="How you feel, 1 (low) to 5 (good).")
@click.option(
    "--kind",
    type=click.Choice(["reflection", "homework", "journal", "question"]),
    default="reflection",
    show_default=True,
    help="What kind of entry this is.",
)
@click.option("--no-transcribe", is_flag=True, help="Only keep the audio; transcribe later.")
@click.option(
    "--max-minutes",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Stop by itself after this many minutes.",
)
@click.option("--prompt", "show_prompt", is_flag=True, help="Show a reflection prompt before recording.")
@click.option("--model", envvar="VOICEJOURNAL_MODEL", help="Speech model name or folder (default tiny.en).")
@click.option("--language", help="Spoken language code, e.g. en (default: detect).")
@click.option(
    "--session", "session_id", metavar="ID",
    help="Link to this session (default: one that ended a few hours ago; see `voicejournal session list`).",
)  # fmt: skip
def record(device, tags, mood, kind, no_transcribe, max_minutes, show_prompt, model, language, session_id):
    """Record a reflection from the microphone; the transcript is ready when you stop.

    Audio is saved to disk as you speak, so nothing is lost if the computer stops.
    Enter or Ctrl-C stops and saves. Without a terminal (scripts), it stops on
    SIGINT/SIGTERM or after --max-minutes.

    \b
    Examples:
      voicejournal record --prompt --tag session
      voicejournal record --device 2 --max-minutes 10
    """
    from rich.markup import escape

    from voicejournal.speech.recording import stop_on_signals

    journal = open_journal()
    status = err()
    report_retention(journal.apply_retention_if_due())  # --- privacy: audio retention, at most once a day
    session, open_homework = journal.before_recording()
    if session_id is not None:
        chosen = journal.session_id(session_id)
        session = next(s for s in journal.sessions() if s.id == chosen)
    if session is not None:
        with_whom = f" with {session.with_name}" if session.with_name else ""
        status.print(
            f"Session{with_whom} {session_day(session.start)} at {session.start:%H:%M} — this reflection will "
            "be linked to it.",
            markup=False,
        )
    for item in open_homework[:3]:
        due = f" (due {item.due:%a %d %b})" if item.due else ""
        status.print(f'Open homework: "{item.text}"{due}', markup=False)
    if show_prompt:
        status.print()
        status.print(f"  [bold]{escape(journal.next_prompt())}[/]")
        status.print()
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    live = LiveRecording(status, interactive)

    def monitor(recorder):
        with stop_on_signals(recorder):
            live(recorder)

    import signal

    # Signals stop the recording (and are ignored while it is being saved), never kill it.
    previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        outcome = journal.record(
            device=device,
            tags=tags,
            mood=mood,
            kind=kind,
            transcribe=not no_transcribe,
            model=model,
            language=language,
            max_minutes=max_minutes,
            monitor=monitor,
            session=session_id,
        )
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    result, entry = outcome.result, outcome.entry
    if entry is None:
        status.print(
            "Nothing was recorded: no sound arrived from the microphone. `voicejournal doctor` checks it.",
            markup=False,
        )
        sys.exit(1)
    if result.stop_reason == "max":
        status.print(
            f"Reached the {max_minutes:g}-minute limit (--max-minutes), so the recording stopped.",
            markup=False,
        )
    elif result.stop_reason == "device":
        status.print(str(result.error), markup=False)
    if result.overflows:
        status.print(
            f"Note: {result.overflows} tiny gaps in the audio (the computer was very busy).", markup=False
        )
    if result.silent_warned and entry.status != "done":
        status.print(
            "The microphone seemed silent for a while. `voicejournal doctor` checks it.", markup=False
        )
    ready = f"Transcript ready ({outcome.saved_after:.1f} s)." if entry.status == "done" else ""
    status.print(f"Stopped at {clock(round(entry.duration))}. {ready}".rstrip(), markup=False)
    if entry.status == "done":
        out().print("\n  " + escape(entry.text) + "\n")
    elif entry.status == "no_speech":
        status.print("No speech was heard in this recording.", markup=False)
    elif result.transcription_error is not None:
        status.print(
            f"Transcription did not work this time ({result.transcription_error}). The audio is "
            f"saved; try again with `voicejournal transcribe {entry.id}`.",
            markup=False,
        )
    else:
        status.print(
            f"Not transcribed yet: `voicejournal transcribe {entry.id}` when you are ready.", markup=False
        )
    if entry.themes:
        status.print("Themes: " + ", ".join(entry.themes), markup=False)
    for item in journal.filed_from(entry.id):
        label = {"Question": "Question filed", "Win": "Small win noted"}.get(type(item).__name__)
        label = label or f"{type(item).__name__} filed"
        status.print(f'{label}: "{item.text}"', markup=False)
    if interactive and mood is None:
        try:
            answer = click.prompt("Mood (1–5, Enter to skip)", default="", show_default=False, err=True)
        except click.exceptions.Abort:  # Ctrl-C or Ctrl-D: skip it, the entry is saved already
            answer = ""
        if answer.strip() in {"1", "2", "3", "4", "5"}:
            entry = journal.set_mood(entry.id, int(answer))
    status.print(
        f"Saved {entry.id}  ·  {length(entry.duration)}  ·  `voicejournal show {entry.id}`", markup=False
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def devices(as_json):
    """List the microphones (input devices); * marks the default.

    \b
    Example:
      voicejournal devices
    """
    from voicejournal.speech.recording import NO_MICROPHONE, input_devices

    found = input_devices()
    if as_json:
        print_json([d.__dict__ for d in found])
        return
    if not found:
        err().print(NO_MICROPHONE, markup=False)
        sys.exit(1)
    console = out()
    for d in found:
        mark = "*" if d.default else " "
        console.print(
            f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}, {d.channels} ch, {d.samplerate:g} Hz)",
            markup=False,
        )
    console.print("\n* = default. Choose another with `voicejournal record --device INDEX`.", markup=False)


@cli.command()
@click.argument("entry_id")
@click.option("--at", "at", default="0", metavar="MM:SS", help="Start from this time, e.g. 2:31.")
def play(entry_id, at):
    """Play an entry's recording through the default output (Ctrl-C stops).

    \b
    Examples:
      voicejournal play a3f4
      voicejournal play a3f4 --at 2:13
    """
    from voicejournal.core.dates import parse_offset

    start = parse_offset(at)
    journal = open_journal()

    def started(entry, at_seconds):
        err().print(f"Playing {entry.id} from {clock(at_seconds)} of {clock(entry.duration)}…", markup=False)

    journal.play(entry_id, at=start, on_start=started)


@cli.command()
@click.option("--device", "-d", metavar="NAME|INDEX", help="Check this microphone instead of the default.")
def doctor(device):
    """Check the microphone, the speech model and the data folder; say what to fix.

    \b
    Example:
      voicejournal doctor
    """
    from rich.markup import escape

    from voicejournal.journal import run_checks

    console = out()
    problems = 0
    for check in run_checks(device=device):
        mark = "[red]✗[/]" if not check.ok else "[yellow]![/]" if check.warning else "[green]✓[/]"
        problems += not check.ok
        console.print(f"{mark} {check.what}: {escape(check.detail)}")
    if problems:
        console.print(f"\n{count(problems, 'thing')} to fix (see above).")
        sys.exit(1)
    console.print("\nAll good.")


@cli.group(invoke_without_command=True)
@click.pass_context
def prompts(ctx):
    """The reflection prompts `record --prompt` rotates through; add your own.

    \b
    Examples:
      voicejournal prompts
      voicejournal prompts add "What do I want to say that I did not say?"
      voicejournal prompts remove 3kq
    """
    if ctx.invoked_subcommand is None:
        console = out()
        for p in open_journal().prompts():
            console.print(f"{p['id'] or '   -':>4}  {p['text']}", markup=False)
        console.print("\n- = built in. Yours can be removed by id.", markup=False)


@prompts.command(name="add")
@click.argument("text")
def prompts_add(text):
    """Add a prompt of your own.

    \b
    Example:
      voicejournal prompts add "What do I want to say that I did not say?"
    """
    prompt = open_journal().add_prompt(text)
    err().print(f"Added prompt {prompt['id']}.", markup=False)


@prompts.command(name="remove")
@click.argument("prompt_id")
def prompts_remove(prompt_id):
    """Remove one of your prompts by its id.

    \b
    Example:
      voicejournal prompts remove 3kq
    """
    open_journal().remove_prompt(prompt_id)
    err().print(f"Removed prompt {prompt_id}.", markup=False)


# --- review ------------------------------------------------------------------------------------
# Sessions, goals, homework, questions, wins, the pre-session review, backup export and import.


def _today_label(moment: datetime) -> str:
    from voicejournal.core.wording import clock as clock_of
    from voicejournal.core.wording import day

    return f"{day(moment)}, {clock_of(moment)}"


def _done_text(flag: bool, what: str) -> str:
    return f"[green]✓[/] {what}" if flag else f"○ {what}"


@cli.group()
def session():
    """Your therapy appointments. A recording made within a few hours after one is its reflection.

    \b
    Examples:
      voicejournal session add 2026-12-03 14:00 --with "Dr. Rivera"
      voicejournal session next
    """


@session.command(name="add")
@click.argument("day", metavar="DATE")
@click.argument("at", metavar="TIME")
@click.option("--with", "with_name", metavar="NAME", help="Who the session is with.")
@click.option("--note", help="A note about it.")
def session_add(day, at, with_name, note):
    """Add a session on DATE (2026-12-03, tomorrow) at TIME (14:00, 2pm).

    \b
    Example:
      voicejournal session add 2026-12-03 14:00 --with "Dr. Rivera"
    """
    s = open_journal().add_session(day, at, with_name, note)
    who = f" with {s.with_name}" if s.with_name else ""
    err().print(f"Added the session on {_today_label(s.start)}{who} ({s.id}).", markup=False)


@session.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def session_list(as_json):
    """List sessions, oldest first; upcoming ones are marked.

    \b
    Example:
      voicejournal session list
    """
    from rich.markup import escape

    sessions = open_journal().sessions()
    if as_json:
        print_json([s.to_doc() for s in sessions])
        return
    if not sessions:
        err().print(
            "No sessions yet. Add one with `voicejournal session add 2026-12-03 14:00`.", markup=False
        )
        return
    now = clk.now()
    console = out()
    for s in sessions:
        upcoming = "[bold]next[/] " if s.start > now else "     "
        who = f"  with {escape(s.with_name)}" if s.with_name else ""
        note = f"  [dim]{escape(s.note)}[/]" if s.note else ""
        console.print(f"{upcoming}{when(s.start)}  [bold]{s.id}[/]{who}{note}")


@session.command(name="next")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def session_next(as_json):
    """Show the next session.

    \b
    Example:
      voicejournal session next
    """
    s = open_journal().next_session()
    if as_json:
        print_json(s.to_doc() if s else None)
        return
    if s is None:
        err().print(
            "No upcoming session. Add one with `voicejournal session add 2026-12-03 14:00`.", markup=False
        )
        return
    days = (s.start.date() - clk.today()).days
    soon = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    who = f" with {s.with_name}" if s.with_name else ""
    out().print(f"Next session: {_today_label(s.start)}{who} ({soon})", markup=False)


@cli.group()
def goal():
    """Goals for your therapy; entries that mention one count as progress.

    \b
    Examples:
      voicejournal goal add "Sleep before midnight"
      voicejournal goal note g4k2 "three nights in a row"
    """


@goal.command(name="add")
@click.argument("text")
@click.option("--words", help="Words that show you talk about it, comma-separated (default: from the goal).")
def goal_add(text, words):
    """Add a goal.

    \b
    Example:
      voicejournal goal add "Sleep before midnight" --words "sleep,slept,bed"
    """

    word_list = [w.strip() for w in (words or "").split(",") if w.strip()]
    g = open_journal().planner.add_goal(text, clk.now(), word_list)
    err().print(f"Added goal {g.id}: {g.text}", markup=False)


@goal.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include goals marked done.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def goal_list(show_all, as_json):
    """List goals with how often your entries mention them.

    \b
    Example:
      voicejournal goal list
    """
    from rich.markup import escape

    from voicejournal.core.wording import day

    journal = open_journal()
    goals = journal.goals(include_done=show_all)
    mentions = journal.goal_mentions(goals)
    if as_json:
        print_json([{**g.to_doc(), "mentions": [e.id for e in mentions[g.id]]} for g in goals])
        return
    if not goals:
        err().print(
            'No goals yet. Add one with `voicejournal goal add "Sleep before midnight"`.', markup=False
        )
        return
    console = out()
    for g in goals:
        hits = mentions[g.id]
        facts = [f"mentioned {len(hits)}×" + (f", last {day(hits[-1].created)}" if hits else "")]
        if g.notes:
            facts.append(count(len(g.notes), "note"))
        if g.done:
            facts.append(f"done {day(g.done)}")
        console.print(
            f"{_done_text(bool(g.done), f'[bold]{g.id}[/]')}  {escape(g.text)}  [dim]{'  ·  '.join(facts)}[/]"
        )
        for note in g.notes:
            console.print(f"        [dim]{day(note.created)}:[/] {escape(note.text)}")


@goal.command(name="note")
@click.argument("goal_id", metavar="ID")
@click.argument("text")
def goal_note(goal_id, text):
    """Add a dated note to a goal (how it is going).

    \b
    Example:
      voicejournal goal note g4k2 "managed it three nights in a row"
    """

    g = open_journal().planner.note_goal(goal_id, text, clk.now())
    err().print(f"Noted on goal {g.id} ({g.text}).", markup=False)


@goal.command(name="done")
@click.argument("goal_id", metavar="ID")
def goal_done(goal_id):
    """Mark a goal as reached.

    \b
    Example:
      voicejournal goal done g4k2
    """

    g = open_journal().planner.finish_goal(goal_id, clk.now())
    err().print(f"Well done — goal {g.id} ({g.text}) is marked as reached.", markup=False)


@cli.group()
def homework():
    """Homework from your sessions; open items are shown when you record and in the review.

    \b
    Examples:
      voicejournal homework add "Breathing exercise every evening" --due friday
      voicejournal homework done h7x2 --note "5 of 7 nights, hardest on Sunday"
    """


def _due_option(ctx, param, value):
    from voicejournal.core.dates import parse_due

    return None if value is None else parse_due(value)


@homework.command(name="add")
@click.argument("text")
@click.option("--due", callback=_due_option, metavar="DATE", help="When it is due (2026-12-03, friday).")
def homework_add(text, due):
    """Add homework.

    \b
    Example:
      voicejournal homework add "Write the letter to Dad" --due 2026-12-03
    """

    h = open_journal().planner.add_homework(text, clk.now(), due)
    due_text = f" (due {h.due:%a %d %b})" if h.due else ""
    err().print(f"Added homework {h.id}: {h.text}{due_text}", markup=False)


@homework.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include homework already done.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def homework_list(show_all, as_json):
    """List open homework (and, with --all, what is done and how it went).

    \b
    Example:
      voicejournal homework list --all
    """
    from rich.markup import escape

    from voicejournal.core.wording import day
    from voicejournal.render.sections import due_text

    items = open_journal().homework(include_done=show_all)
    if as_json:
        print_json([h.to_doc() for h in items])
        return
    if not items:
        err().print(
            "No open homework." + ("" if show_all else " `--all` also shows what is done."), markup=False
        )
        return
    today = clk.today()
    console = out()
    for h in items:
        extra = f"done {day(h.done)}" if h.done else due_text(h, today)
        note = f' — "{escape(h.note)}"' if h.note else ""
        console.print(
            f"{_done_text(bool(h.done), f'[bold]{h.id}[/]')}  {escape(h.text)}{note}  [dim]{extra}[/]"
        )


@homework.command(name="done")
@click.argument("homework_id", metavar="ID")
@click.option("--note", help="How it went.")
def homework_done(homework_id, note):
    """Mark homework as done, with a note on how it went.

    \b
    Example:
      voicejournal homework done h7x2 --note "did it 5 of 7 nights"
    """

    h = open_journal().planner.finish_homework(homework_id, clk.now(), note)
    err().print(f"Marked homework {h.id} as done: {h.text}", markup=False)


@cli.group()
def question():
    """Questions to bring to your therapist; unasked ones carry into every review.

    \b
    Examples:
      voicejournal question add "Can we talk about the job interview?"
      voicejournal question asked q2m9
    """


@question.command(name="add")
@click.argument("text")
def question_add(text):
    """Add a question for your next session.

    \b
    Example:
      voicejournal question add "Can we meet every two weeks?"
    """

    q = open_journal().planner.add_question(text, clk.now())
    err().print(f"Added question {q.id}: {q.text}", markup=False)


@question.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include questions already asked.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def question_list(show_all, as_json):
    """List questions not asked yet, oldest first, with where each came from.

    \b
    Example:
      voicejournal question list
    """
    from rich.markup import escape

    from voicejournal.core.wording import day, offset_text

    items = open_journal().questions(include_asked=show_all)
    if as_json:
        print_json([q.to_doc() for q in items])
        return
    if not items:
        err().print('No open questions. Add one with `voicejournal question add "…"`.', markup=False)
        return
    console = out()
    for q in items:
        source = (
            f"said in {q.entry} at {offset_text(q.offset)}"
            if q.entry and q.offset is not None
            else (f"from entry {q.entry}" if q.entry else "added")
        )
        asked = f", asked {day(q.asked)}" if q.asked else ""
        console.print(
            f"{_done_text(bool(q.asked), f'[bold]{q.id}[/]')}  {escape(q.text)}  "
            f"[dim]{day(q.created)}, {source}{asked}[/]"
        )


@question.command(name="asked")
@click.argument("question_ids", metavar="ID…", nargs=-1, required=True)
def question_asked(question_ids):
    """Mark questions as asked, so they stop carrying forward.

    \b
    Example:
      voicejournal question asked q2m9 q7b1
    """

    planner = open_journal().planner
    for question_id in question_ids:
        q = planner.mark_asked(question_id, clk.now())
        err().print(f"Marked as asked: {q.text}", markup=False)


@cli.group()
def win():
    """Small wins: found in what you say ("I managed to…") or added by hand.

    \b
    Example:
      voicejournal win add "Went to the gym twice"
    """


@win.command(name="add")
@click.argument("text")
def win_add(text):
    """Add a small win.

    \b
    Example:
      voicejournal win add "Said no to the extra project"
    """

    w = open_journal().planner.add_win(text, clk.now())
    err().print(f"Added a win ({w.id}): {w.text}", markup=False)


@win.command(name="list")
@date_option("--since", help="Only wins on or after this date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def win_list(since, as_json):
    """List small wins, newest first.

    \b
    Example:
      voicejournal win list --since "last month"
    """
    from rich.markup import escape

    from voicejournal.core.wording import day

    items = sorted(open_journal().wins(since=since), key=lambda w: w.created, reverse=True)
    if as_json:
        print_json([w.to_doc() for w in items])
        return
    if not items:
        err().print('No wins noted yet. Add one with `voicejournal win add "…"`.', markup=False)
        return
    console = out()
    for w in items:
        console.print(f"★ [bold]{w.id}[/]  {escape(w.text)}  [dim]{day(w.created)}[/]")


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _pick_interactively(candidates: list[tuple[str, str]]) -> list[str]:
    console = err()
    console.print("What would you like to share? Nothing else from your journal goes on the page.\n")
    for number, (_, label) in enumerate(candidates, 1):
        console.print(f"  {number:>2}. {label}", markup=False, soft_wrap=False, overflow="ellipsis")
    answer = click.prompt("\nNumbers to include (e.g. 1 3 4), Enter for none", default="", show_default=False,
                          err=True)  # fmt: skip
    chosen = []
    for part in answer.replace(",", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= len(candidates):
            raise click.BadParameter(f"'{part}' is not one of the numbers shown.")
        chosen.append(candidates[int(part) - 1][0])
    return chosen


@cli.command()
@date_option("--since", help="Review since this date instead of since the last session.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default=None,
    help="text (default in a terminal), markdown, or html (one printable file with charts).",
)  # fmt: skip
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file.")
@click.option(
    "--share", is_flag=True, help="Write a page with only the items you pick, to give your therapist."
)
@click.option("--pick", "picks", multiple=True, metavar="ITEM",
              help="With --share: question:ID, entry:ID, quote:ID@MM:SS, homework:ID, goal:ID, win:ID or mood.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the review's items as JSON for scripts.")
def review(since, fmt, output, share, picks, as_json):
    """Your brief before the next session: questions, homework, goals, themes, mood and wins.

    Covers everything since your last session (or --since).

    \b
    Examples:
      voicejournal review
      voicejournal review --format html -o brief.html
      voicejournal review --share --pick question:q2m9 --pick quote:a3f4@02:13 -o for-dr-rivera.html
    """

    journal = open_journal()
    if picks and not share:
        raise click.UsageError("--pick only works with --share.")
    if share:
        from voicejournal.core.share import share_candidates
        from voicejournal.render.html import render_share_html
        from voicejournal.render.markdown import render_share_markdown

        now = clk.now()
        if not picks:
            if not _interactive():
                raise VoiceJournalError(
                    "Nothing picked to share. Add --pick question:ID (or entry:ID, quote:ID@MM:SS…); "
                    "`voicejournal question list` shows ids."
                )
            candidates = share_candidates(journal.review(since=since, now=now))
            if not candidates:
                raise VoiceJournalError("There is nothing to share since your last session yet.")
            picks = _pick_interactively(candidates)
            if not picks:
                err().print("Nothing picked; no page written.")
                return
        page = journal.share(list(picks), since=since, now=now)
        text = render_share_markdown(page) if fmt == "markdown" else render_share_html(page)
        suffix = ".md" if fmt == "markdown" else ".html"
        target = output or Path(f"share-{now:%Y-%m-%d}{suffix}")
        _write_output(target, text)
        counts = [
            (len(page.questions), "question"), (len(page.homework), "homework item"), (len(page.goals), "goal"),
            (len(page.wins), "win"), (len(page.quotes), "quote"), (len(page.entries), "entry"),
            (1 if page.mood else 0, "mood chart"),
        ]  # fmt: skip
        items = ", ".join(count(n, what) for n, what in counts if n)
        err().print(f"Wrote {target} with only what you picked: {items}.", markup=False)
        return
    brief = journal.review(since=since)
    if as_json:
        print_json(_review_json(brief))
        return
    fmt = fmt or ("html" if output and output.suffix.lower() in (".html", ".htm") else None)
    fmt = fmt or ("markdown" if output and output.suffix.lower() in (".md", ".markdown") else "text")
    if fmt == "html":
        from voicejournal.render.html import render_html

        text = render_html(brief)
    elif fmt == "markdown":
        from voicejournal.render.markdown import render_markdown

        text = render_markdown(brief)
    elif output or not sys.stdout.isatty():
        from voicejournal.render.text import render_plain

        text = render_plain(brief)
    else:
        from rich.console import Console

        from voicejournal.render.text import render_text

        Console(highlight=False).print(render_text(brief))  # wrapped lines keep their indent
        return
    if output:
        _write_output(output, text)
        err().print(f"Wrote the review to {output}.", markup=False)
    else:
        click.echo(text, nl=False)


def _write_output(path: Path, text: str) -> None:
    from voicejournal.store.paths import output_file, writing
    from voicejournal.store.storage import atomic_write_bytes

    output_file(path, example=f"brief{path.suffix or '.html'}")
    with writing(path):
        atomic_write_bytes(path, text.encode("utf-8"), keep_backup=False)


def _review_json(brief) -> dict:
    def iso(moment):
        return moment.isoformat(timespec="seconds") if moment else None

    return {
        "start": iso(brief.start),
        "end": iso(brief.end),
        "since_session": brief.since_session.to_doc() if brief.since_session else None,
        "next_session": brief.next_session.to_doc() if brief.next_session else None,
        "entries": [
            {
                "id": e.id,
                "created": iso(e.created),
                "duration": e.duration,
                "mood": e.mood,
                "themes": e.themes,
                "session": e.session.id if e.session else None,
                "quotes": [{"text": q.text, "offset": q.offset} for q in e.quotes],
            }
            for e in brief.entries
        ],  # fmt: skip
        "entry_count": brief.entry_count,
        "questions": [{**q.question.to_doc(), "carried": q.carried} for q in brief.questions],
        "homework": [{**h.homework.to_doc(), "carried": h.carried} for h in brief.homework],
        "goals": [
            {
                **g.goal.to_doc(),
                "mentions": g.mentions,
                "mentions_before": g.mentions_before,
                "latest": g.latest.text if g.latest else None,
            }
            for g in brief.goals
        ],  # fmt: skip
        "themes": [{"theme": t.name, "now": t.now, "before": t.before} for t in brief.themes],
        "mood": {
            "values": [p.value for p in brief.mood.points],
            "average": brief.mood.average,
            "previous_average": brief.mood.previous_average,
        },
        "wins": [w.to_doc() for w in brief.wins],
    }


@cli.command()
@click.argument("destination", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["backup", "markdown"]), default="backup", show_default=True,
    help="backup: a zip of everything (journal and audio); markdown: the transcripts, readable anywhere.",
)  # fmt: skip
@date_option("--since", help="With --format markdown: only entries on or after this date.")
def export(destination, fmt, since):
    """Back up the whole journal to a zip, or write the transcripts as Markdown.

    \b
    Examples:
      voicejournal export backup.zip
      voicejournal export --format markdown transcripts/
      voicejournal export --format markdown all-entries.md
    """
    journal = open_journal()
    if fmt == "markdown":
        written = journal.export_markdown(destination, since=since)
        where = written[0] if len(written) == 1 and destination.suffix else destination
        err().print(f"Wrote {count(len(written), 'Markdown file')} to {where}.", markup=False)
        if journal.encryption_state() != "off":
            err().print(
                f"Your journal is encrypted, but these Markdown files are not: anyone who can open {where} can "
                "read them. Delete them when you no longer need them, or keep them on an encrypted disk.",
                markup=False,
            )
        return
    report = journal.export_backup(destination)
    mb = report.size / 1_000_000
    err().print(
        f"Backed up {count(report.entries, 'entry')} and {count(report.audio_files, 'recording')} to {report.path} "
        f"({mb:.1f} MB); every file checked against its checksum.",
        markup=False,
    )


# `import` dispatches: a .zip is a backup (this section); --from jrnl|markdown goes to the text importers
# (Journal.import_text, from the search & themes work). Defined last, this command is the one Click uses.
@cli.command(name="import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--from", "from_", type=click.Choice(["jrnl", "markdown"]),
    help="jrnl: the JSON file of `jrnl --format json`; markdown: a folder with one .md file per entry.",
)  # fmt: skip
@click.option("--tag", "-t", "tags", multiple=True, help="With --from: also tag every imported entry.")
@click.option(
    "--kind", type=click.Choice(["reflection", "homework", "journal", "question"]), default="journal",
    show_default=True, help="With --from: the kind of the imported entries.",
)  # fmt: skip
def import_command(source, from_, tags, kind):
    """Restore a backup made by `voicejournal export` (merging without duplicates), or import a written journal.

    \b
    Examples:
      voicejournal import backup.zip
      jrnl --format json > journal.json && voicejournal import --from jrnl journal.json
      voicejournal import --from markdown ~/notes/journal/
    """
    if from_ is None and source.suffix.lower() != ".zip" and not source.is_dir():
        raise click.UsageError(
            "Give a backup .zip made by `voicejournal export`, or say what the file is with --from."
        )
    if from_ is not None:
        _import_text(source, from_, tags, kind)
        return
    journal = open_journal()
    from voicejournal.store.backup import BackupLockedError

    try:
        report = journal.import_backup(source)
    except BackupLockedError:
        if not _interactive():
            raise
        import getpass

        report = journal.import_backup(source, getpass.getpass(f"Passphrase of the backup {source.name}: "))
    if report.restored:
        err().print(
            f"Restored {count(report.entries_added, 'entry')} and {count(report.audio_added, 'recording')} "
            f"from {source}.",
            markup=False,
        )
        return
    parts = [f"added {count(report.entries_added, 'entry')} and {count(report.records_added, 'other item')}"]
    skipped = report.entries_skipped + report.records_skipped
    if skipped:
        parts.append(f"skipped {skipped} already here")
    if report.renamed:
        parts.append(f"gave {count(len(report.renamed), 'entry')} new ids to avoid a clash")
    err().print(f"Merged {source}: " + "; ".join(parts) + ".", markup=False)


def _import_text(path: Path, source: str, tags, kind) -> None:
    journal = open_journal()
    if not hasattr(journal, "import_text"):  # the text importers are not merged into this build yet
        raise VoiceJournalError(f"Importing from {source} is not available in this version yet.")
    report = journal.import_text(source, path, kind=kind, tags=tags)
    for problem in report.problems:
        click.echo(problem, err=True)
    n = len(report.added)
    line = f"Imported {count(n, 'entry')} from {path.name or path}"
    if report.skipped:
        line += f"; {report.skipped} already imported before"
    click.echo(line + ".", err=True)
    if n:
        click.echo("See them with `voicejournal list --kind journal`.", err=True)


# --- privacy ---------------------------------------------------------------------------------
# Encryption at rest, audio retention, settings, and `check`. The logic lives in Journal (journal.py),
# vault.py, crypto.py, retention.py and integrity.py.


def _conversion_bar(label: str):
    bar = progress_bar(label)
    task = None

    def step(done, total):
        nonlocal task
        if task is None:
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total)

    return bar, step


def _report_failures(report, verb: str) -> None:
    status = err()
    for path, why in report.failed:
        status.print(f"{path}: {why}", markup=False)
    if report.failed:
        status.print(
            f"{count(len(report.failed), 'file')} could not be {verb}; the journal opens either way. Fix them and run "
            "the same command again to finish.",
            markup=False,
        )
        sys.exit(1)


@cli.command()
@click.option(
    "--keyring/--no-keyring",
    "use_keyring",
    default=None,
    help="Keep the passphrase in the system keyring, so this computer does not ask for it (default: ask).",
)
def encrypt(use_keyring):
    """Encrypt the journal with a passphrase: transcripts, recordings, backups, everything.

    The old readable files are overwritten and removed. Give the passphrase when asked (it is never shown),
    or in VOICEJOURNAL_PASSPHRASE for scripts. If `encrypt` is interrupted, run it again to finish; the
    journal opens either way. Without the passphrase nothing can be read, not even by you.

    \b
    Examples:
      voicejournal encrypt
      voicejournal encrypt --keyring      ask once, then keep it in the system keyring
    """
    journal = open_journal(unlock=False)
    status = err()
    if journal.encryption_state() == "encrypted" and use_keyring is not None:
        journal.set_keyring(use_keyring, ask_passphrase(journal))
        status.print(
            "The passphrase is now kept in the system keyring."
            if use_keyring
            else "The passphrase is no longer kept in the system keyring; you will be asked for it.",
            markup=False,
        )
        return
    # Passphrases are asked for before the progress bar takes the terminal.
    state = journal.encryption_state()
    if state == "off":
        from voicejournal.store.crypto import PASSPHRASE_ENV

        passphrase = ask_new_passphrase(PASSPHRASE_ENV, "a passphrase")
    elif state == "encrypted":
        passphrase = None  # nothing to ask: encrypt says it is encrypted already
    else:  # finishing an interrupted run
        passphrase = ask_passphrase(journal)
    bar, step = _conversion_bar("Encrypting")
    with bar:
        report = journal.encrypt(passphrase, use_keyring=use_keyring, progress=step)
    _report_failures(report, "encrypted")
    verb = "Finished encrypting" if report.resumed else "Encrypted"
    status.print(
        f"{verb} the journal in {journal.home}: {count(len(report.converted), 'file')}, "
        f"{count(report.recordings, 'recording')} among them. Nothing readable was left behind.",
        markup=False,
    )
    if use_keyring:
        status.print("The passphrase is kept in the system keyring.", markup=False)
    status.print(
        "Keep your passphrase safe: without it nothing in this journal can be read, not even by you.",
        markup=False,
    )


@cli.command()
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def decrypt(yes):
    """Turn encryption off: store the journal as readable files again.

    \b
    Example:
      voicejournal decrypt
    """
    journal = open_journal(unlock=False)
    if journal.encryption_state() == "off":
        from voicejournal.errors import UsageError

        raise UsageError("This journal is not encrypted; nothing was changed.")
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError(
                "Decrypting makes the journal readable by anyone with access to this folder; add --yes to confirm."
            )
        click.confirm(
            "Anyone who can read this folder will be able to read your journal. Decrypt it?",
            abort=True,
            err=True,
        )
    passphrase = ask_passphrase(journal)  # asked (if it must be) before the progress bar takes the terminal
    bar, step = _conversion_bar("Decrypting")
    with bar:
        report = journal.decrypt(passphrase, progress=step)
    _report_failures(report, "decrypted")
    err().print(
        f"Decrypted the journal in {journal.home}: {count(len(report.converted), 'file')} "
        f"{'is' if len(report.converted) == 1 else 'are'} readable again.",
        markup=False,
    )


@cli.command()
@click.option(
    "--keyring/--no-keyring",
    "use_keyring",
    default=None,
    help="Also keep (or stop keeping) the new passphrase in the system keyring.",
)
@click.option(
    "--rotate-key",
    is_flag=True,
    help="Also re-encrypt everything with a new key: old copies of the settings and passphrase open nothing new.",
)
def passwd(use_keyring, rotate_key):
    """Change the journal's passphrase (quick: the files are not re-encrypted).

    The current passphrase comes from VOICEJOURNAL_PASSPHRASE, the keyring or a prompt; the new one from
    VOICEJOURNAL_NEW_PASSPHRASE or a prompt (typed twice). With --rotate-key every file is re-encrypted with
    a new key (use it when the old passphrase may be known to someone); if interrupted, run it again.

    \b
    Examples:
      voicejournal passwd
      voicejournal passwd --rotate-key
    """
    from voicejournal.store.crypto import NEW_PASSPHRASE_ENV

    journal = open_journal(unlock=False)
    state = journal.encryption_state()
    if state == "off":
        from voicejournal.errors import UsageError

        raise UsageError("This journal is not encrypted; `voicejournal encrypt` turns encryption on.")
    old = ask_passphrase(journal)
    status = err()
    if rotate_key or state == "rotating":
        new = None if state == "rotating" else ask_new_passphrase(NEW_PASSPHRASE_ENV, "a new passphrase")
        bar, step = _conversion_bar("Re-encrypting")
        with bar:
            report = journal.rotate_key(old, new, use_keyring=use_keyring, progress=step)
        _report_failures(report, "re-encrypted")
        status.print(
            f"The passphrase and the key were changed: {len(report.converted)} files re-encrypted. Old copies of "
            "the encryption settings and the old passphrase open nothing written from now on.",
            markup=False,
        )
        return
    new = ask_new_passphrase(NEW_PASSPHRASE_ENV, "a new passphrase")
    in_keyring = journal.change_passphrase(old, new, use_keyring=use_keyring)
    status.print("The passphrase was changed.", markup=False)
    if in_keyring:
        status.print("The system keyring holds the new passphrase.", markup=False)


@cli.group()
def config():
    """Show and change settings.

    \b
    Settings:
      audio-retention   delete recordings older than this (90d, 12w, 6m, 1y, or off); transcripts stay

    \b
    Examples:
      voicejournal config set audio-retention 90d
      voicejournal config list
    """


@config.command(name="set")
@click.argument("name")
@click.argument("value")
def config_set(name, value):
    """Change a setting.

    \b
    Example:
      voicejournal config set audio-retention 6m
    """
    journal = open_journal()
    stored = journal.set_setting(name, value)
    message = f"{name.strip().lower()} = {stored}"
    if name.strip().lower() == "audio-retention":
        message += f": {journal.retention().describe()}."
        if stored != "off":
            message += (
                " `voicejournal retention --dry-run` shows what goes; it runs when you next add or record."
            )
    err().print(message, markup=False)


@config.command(name="get")
@click.argument("name")
def config_get(name):
    """Print one setting's value.

    \b
    Example:
      voicejournal config get audio-retention
    """
    click.echo(open_journal().get_setting(name))


@config.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def config_list(as_json):
    """List every setting and its value.

    \b
    Example:
      voicejournal config list
    """
    values = open_journal().settings()
    if as_json:
        print_json(values)
        return
    for name, value in values.items():
        click.echo(f"{name} = {value}")


def report_retention(removed) -> None:
    if removed:
        err().print(
            f"Deleted {count(len(removed), 'recording')} older than your audio-retention setting; their transcripts "
            "are kept.",
            markup=False,
        )


@cli.command()
@click.option("--dry-run", "-n", is_flag=True, help="Only list the recordings that would be deleted.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def retention(dry_run, as_json):
    """Delete recordings older than the audio-retention setting (transcripts are kept).

    It also runs by itself, at most once a day, when you add or record.

    \b
    Examples:
      voicejournal config set audio-retention 90d
      voicejournal retention --dry-run
    """
    journal = open_journal()
    policy = journal.retention()
    if policy.days is None:
        err().print(
            "Audio retention is off: recordings are kept. Turn it on with "
            "`voicejournal config set audio-retention 90d`.",
            markup=False,
        )
        if as_json:
            print_json([])
        return
    due = journal.apply_retention(dry_run=dry_run)
    if as_json:
        print_json(
            [{"id": e.id, "created": e.created.isoformat(timespec="seconds"), "audio": e.audio} for e in due]
        )
    elif due:
        console = out()
        for e in due:
            console.print(f"{when(e.created)}  {e.id}  {length(e.duration)}", markup=False)
    if not due:
        err().print(f"No recording is older than the limit ({policy.text}); nothing to delete.", markup=False)
    elif dry_run:
        err().print(
            f"{count(len(due), 'recording')} would be deleted (their transcripts stay). Run `voicejournal retention` "
            "to delete them.",
            markup=False,
        )
    else:
        err().print(f"Deleted {count(len(due), 'recording')}; their transcripts are kept.", markup=False)


@cli.command()
@click.option(
    "--repair",
    is_flag=True,
    help="Also restore damaged files from their last good copy and forget missing recordings.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def check(repair, as_json):
    """Check the journal: every file, every recording (present, playable, unchanged), encryption.

    Recordings no entry points at are saved as new pending entries. With --repair, damaged journal files
    are restored from their last good copy (the damaged file is kept aside). Exit 1 if problems remain.

    \b
    Examples:
      voicejournal check
      voicejournal check --repair
    """
    journal = open_journal()
    report = journal.check(repair=repair)
    if as_json:
        print_json(
            {
                "files": report.files,
                "entries": report.entries,
                "recordings": report.recordings,
                "fixed": [f.message for f in report.fixes],
                "problems": [f.message for f in report.problems],
            }
        )
    else:
        console = out()
        console.print(
            f"Checked {count(report.files, 'journal file')}, {count(report.entries, 'entry')}, "
            f"{count(report.recordings, 'recording')}.",
            markup=False,
        )
        for finding in report.fixes:
            console.print(f"fixed:   {finding.message}", markup=False)
        for finding in report.problems:
            console.print(f"problem: {finding.message}", markup=False)
        if not report.problems:
            console.print("No problems found." if not report.fixes else "No problems remain.", markup=False)
        else:
            console.print(
                f"{count(len(report.problems), 'problem')} remain{'s' if len(report.problems) == 1 else ''}.",
                markup=False,
            )
    if report.problems:
        sys.exit(1)
