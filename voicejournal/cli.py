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
@click.option("--limit", "-n", type=click.IntRange(min=1), help="Show at most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def list_(since, until, tags, kind, limit, as_json):
    """List entries, newest first.

    \b
    Example:
      voicejournal list --since "3 months ago" --tag family
    """
    entries = open_journal().entries(since=since, until=until, tags=tags, kind=kind)
    if limit:
        entries = entries[:limit]
    if as_json:
        print_json([e.to_json() for e in entries])
        return
    if not entries:
        err().print(
            "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`."
        )
        return
    console = out()
    for e in entries:
        labels = ", ".join(e.tags + [t for t in e.themes if t not in e.tags])
        preview = (
            e.text[:70] + ("…" if len(e.text) > 70 else "") if e.text else f"({e.status.replace('_', ' ')})"
        )
        dur = length(e.duration) if e.duration else "text"
        console.print(f"{when(e.created)}  [bold]{e.id}[/]  {dur:>9}  {labels:<24}  {preview}", markup=True)


@cli.command()
@click.argument("entry_id")
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
