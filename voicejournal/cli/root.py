"""The root command group: every command by name (loaded only when used), --version and --debug.

`run` is Click's side of `voicejournal.cli.main`: it parses and runs one command line and turns Click's own
problems (a usage error, Ctrl-C at a prompt) into their message and exit code; main handles the rest.
"""

from __future__ import annotations

import click

from voicejournal import __version__
from voicejournal.cli.lazy import LazyGroup

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name -> (module in voicejournal/cli/, the Click command in it, its one-line help for `--help`).
# tests/unit/cli/test_cli_commands.py checks that each entry matches the command it names.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "add": ("entries", "add", "Import recordings (wav, flac, mp3, m4a/aac, ogg/opus) and transcribe them."),
    "check": (
        "settings",
        "check",
        "Check the journal: every file, every recording (present, playable, unchanged), encryption.",
    ),
    "config": ("settings", "config", "Show and change settings."),
    "decrypt": ("privacy", "decrypt", "Turn encryption off: store the journal as readable files again."),
    "delete": ("entries", "delete", "Delete an entry and its recording (asks first)."),
    "devices": ("system", "devices", "List the microphones (input devices); * marks the default."),
    "doctor": (
        "system",
        "doctor",
        "Check the microphone, the speech model and the data folder; say what to fix.",
    ),
    "edit": (
        "entries",
        "edit",
        "Correct an entry's transcript in your editor ($EDITOR); what was heard is kept too.",
    ),
    "encrypt": (
        "privacy",
        "encrypt",
        "Encrypt the journal with a passphrase: transcripts, recordings, backups, everything.",
    ),
    "export": (
        "backup",
        "export",
        "Back up the whole journal to a zip, or write the transcripts as Markdown.",
    ),
    "goal": ("goals", "goal", "Goals for your therapy; entries that mention one count as progress."),
    "homework": (
        "goals",
        "homework",
        "Homework from your sessions; open items are shown when you record and in the review.",
    ),
    "import": (
        "backup",
        "import_command",
        "Restore a backup made by `voicejournal export` (merging without duplicates), or import a written journal.",
    ),
    "index": (
        "meaning",
        "index",
        "Bring the search index and the meaning vectors up to date (both are made from your entries).",
    ),
    "list": ("entries", "list_", "List entries, newest first."),
    "mood": (
        "entries",
        "mood",
        "Note or correct how you felt in an entry: 1 (low) to 5 (good), or a score out of ten.",
    ),
    "models": (
        "system",
        "models",
        "List the speech models installed, the default, and how to add a bigger one.",
    ),
    "passwd": (
        "privacy",
        "passwd",
        "Change the journal's passphrase (quick: the files are not re-encrypted).",
    ),
    "play": ("record", "play", "Play an entry's recording through the default output (Ctrl-C stops)."),
    "prompts": (
        "record",
        "prompts",
        "The reflection prompts `record --prompt` rotates through; add your own.",
    ),
    "question": (
        "questions",
        "question",
        "Questions to bring to your therapist; unasked ones carry into every review.",
    ),
    "record": (
        "record",
        "record",
        "Record a reflection from the microphone; the transcript is ready when you stop.",
    ),
    "retention": (
        "settings",
        "retention",
        "Delete recordings older than the audio-retention setting (transcripts are kept).",
    ),
    "review": (
        "review",
        "review",
        "Your brief before the next session: questions, homework, goals, themes, mood and wins.",
    ),
    "search": (
        "search",
        "search",
        "Find what you said: ranked, with the sentence and the moment in the recording.",
    ),
    "session": (
        "sessions",
        "session",
        "Your therapy appointments. A recording made within a few hours after one is its reflection.",
    ),
    "show": ("entries", "show", "Show one entry: its transcript with the time of each sentence."),
    "tag": ("entries", "tag", "Add (+tag) and remove (-tag) tags of an entry."),
    "themes": (
        "search",
        "themes",
        "Themes your entries touch, counted per month, and whether each is rising or fading.",
    ),
    "transcribe": (
        "entries",
        "transcribe",
        "Transcribe entries again (e.g. with a bigger model), every pending one, or all of them.",
    ),
    "write": (
        "writing",
        "write",
        "Type a note instead of speaking (in your editor, or piped in); reviewed like a recording.",
    ),
    "win": ("questions", "win", 'Small wins: found in what you say ("I managed to…") or added by hand.'),
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT_SETTINGS)
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


def run(args: list[str]) -> int:
    """Parse and run one command line with Click; its usage errors print here and give their exit code."""
    try:
        code = cli.main(args=args, prog_name="voicejournal", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Stopped.", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0
