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

    journal = Journal()
    report_recovered(journal)  # --- recording: finish what a crash interrupted (see the end of this file)
    return journal


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


# --- recording ---------------------------------------------------------------------------------


def report_recovered(journal) -> None:
    """Finish recordings a crash or kill interrupted; say so on stderr (never stops the command)."""
    try:
        recovered = journal.recover()
    except VoiceJournalError as exc:
        click.echo(f"An interrupted recording could not be recovered yet: {exc}", err=True)
        return
    for entry in recovered:
        click.echo(
            f"Recovered an interrupted recording from {when(entry.created)} as entry {entry.id} "
            "(pending transcription).",
            err=True,
        )


def parse_clock(text: str) -> float:
    """'2:31', '1:02:03' or '95' -> seconds."""
    try:
        parts = [float(p) for p in text.strip().split(":")]
    except ValueError:
        parts = []
    if not parts or len(parts) > 3 or any(p < 0 for p in parts):
        raise click.BadParameter(f"'{text}' is not a time; use MM:SS, e.g. 2:31.")
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


class LiveRecording:
    """The live line on stderr: ● Recording, elapsed, level meter, how to stop; notices on the side."""

    def __init__(self, console, interactive: bool):
        self.console = console
        self.interactive = interactive
        self.warned_silent = False

    def render(self, recorder):
        from rich.text import Text

        from voicejournal.recording import meter_bar

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
                try:
                    sys.stdin.readline()
                except (OSError, ValueError):
                    return
                recorder.stop()

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
def record(device, tags, mood, kind, no_transcribe, max_minutes, show_prompt, model, language):
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

    from voicejournal.recording import stop_on_signals

    journal = open_journal()
    status = err()
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
    from voicejournal.recording import NO_MICROPHONE, input_devices

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
    start = parse_clock(at)
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
        console.print(f"\n{problems} thing{'s' if problems > 1 else ''} to fix (see above).")
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
    """Add a prompt of your own."""
    prompt = open_journal().add_prompt(text)
    err().print(f"Added prompt {prompt['id']}.", markup=False)


@prompts.command(name="remove")
@click.argument("prompt_id")
def prompts_remove(prompt_id):
    """Remove one of your prompts by its id."""
    open_journal().remove_prompt(prompt_id)
    err().print(f"Removed prompt {prompt_id}.", markup=False)
