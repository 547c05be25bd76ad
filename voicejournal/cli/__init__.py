"""The command line: parse, call the Journal, print. No logic lives here.

One module per command family (entries, record, search, review, …); `root` holds the root group and the
registry of commands, and this module `main`, which turns every known problem into one line. Results go to
stdout, status and progress to stderr. Exit 0 on success, 1 on a problem the person can fix (one clear line,
never a traceback), 2 on a usage error (Click's own). To add a command: write it in the module of its family
(or a new one) and list it in COMMANDS in root.py.

A plain `search` (words, and the usual filters), `show ID` and `tag ID +a -b` run without loading Click at
all (`quick`): Click's import is half of what such a fresh process costs. Anything else, and any command
line the quick reader is not sure of, goes through Click.
"""

from __future__ import annotations

import sys

from voicejournal.errors import VoiceJournalError


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every known problem into one line and exit 1, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    from voicejournal.cli.output import echo

    try:
        from voicejournal.cli.quick import quick_command

        command = quick_command(args)
        if command is not None:
            command()
            code = 0
        else:
            from voicejournal.cli.root import run

            code = run(args)
    except VoiceJournalError as exc:
        if debug:
            raise
        echo(" ".join(str(exc).split()), err=True)  # one line, whatever was typed into it
        code = 1
    except KeyboardInterrupt:
        echo("Stopped.", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:
        if debug:
            raise
        echo(
            f"Something went wrong inside voicejournal ({type(exc).__name__}: {exc}). Nothing already saved "
            "was changed. Run the same command with --debug for details.",
            err=True,
        )
        code = 1
    sys.exit(code)
