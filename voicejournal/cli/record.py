"""Recording, playing back, and the reflection prompts."""

from __future__ import annotations

import sys

import click

from voicejournal.cli.live import LiveRecording
from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import Amount, Whole, kind_option, model_options
from voicejournal.cli.output import (
    err,
    length,
    out,
    report_filed,
    report_retention,
    session_day,
)
from voicejournal.core.wording import timestamp


@click.command()
@click.option("--device", "-d", metavar="NAME|INDEX", help="Microphone to use (see `voicejournal devices`).")
@click.option("--tag", "-t", "tags", multiple=True, help="Tag the entry (repeatable).")
@click.option("--mood", type=Whole(1, 5), help="How you feel, 1 (low) to 5 (good).")
@kind_option("What kind of entry this is.", default="reflection")
@click.option("--no-transcribe", is_flag=True, help="Only keep the audio; transcribe later.")
@click.option(
    "--max-minutes",
    type=Amount(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Stop by itself after this many minutes.",
)
@click.option("--prompt", "show_prompt", is_flag=True, help="Show a reflection prompt before recording.")
@model_options()
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
    journal = open_journal()
    status = err()
    report_retention(journal.apply_retention_if_due())  # --- privacy: audio retention, at most once a day
    _greet(journal, status, session_id, show_prompt)
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    outcome = _record_until_stopped(
        journal,
        LiveRecording(status, interactive),
        device=device,
        tags=tags,
        mood=mood,
        kind=kind,
        transcribe=not no_transcribe,
        model=model,
        language=language,
        max_minutes=max_minutes,
        session=session_id,
    )
    entry = _report(journal, status, outcome, max_minutes)
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
    from voicejournal.services.capture import embed_saved

    embed_saved(journal)  # after the transcript is shown: the person does not wait for it


def _greet(journal, status, session_id: str | None, show_prompt: bool) -> None:
    """Before recording: the session it will be linked to, open homework, and a prompt if asked for."""
    from rich.markup import escape

    session, open_homework = journal.before_recording(session=session_id)
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


def _record_until_stopped(journal, live: LiveRecording, **options):
    """Record with the live line; Ctrl-C and SIGTERM stop the recording (and wait while it is saved)."""
    import signal

    from voicejournal.speech.recorder import stop_on_signals

    def monitor(recorder):
        with stop_on_signals(recorder):
            live(recorder)

    # Signals stop the recording (and are ignored while it is being saved), never kill it.
    previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return journal.record(monitor=monitor, **options)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _report(journal, status, outcome, max_minutes: float):
    """After recording: how it ended, the transcript, themes and what was filed by voice."""
    from rich.markup import escape

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
    status.print(f"Stopped at {timestamp(round(entry.duration))}. {ready}".rstrip(), markup=False)
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
    if result.quiet_db is not None:
        from voicejournal.speech.levels import quiet_warning

        status.print(quiet_warning(result.quiet_db), markup=False)
    if entry.themes:
        status.print("Themes: " + ", ".join(entry.themes), markup=False)
    report_filed(journal, entry)
    return entry


@click.command()
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
        err().print(
            f"Playing {entry.id} from {timestamp(at_seconds)} of {timestamp(entry.duration)}…", markup=False
        )

    journal.play(entry_id, at=start, on_start=started)


@click.group(invoke_without_command=True)
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
