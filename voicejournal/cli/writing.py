"""write: a typed note, for when speaking aloud is not possible."""

from __future__ import annotations

import sys

import click

from voicejournal.cli.opening import open_journal
from voicejournal.cli.options import Whole, date_option
from voicejournal.cli.output import err, report_filed


@click.command()
@click.argument("words", nargs=-1)
@date_option("--date", help="When it happened (default: now), e.g. 'yesterday' or '2026-11-30T19:00'.")
@click.option("--tag", "-t", "tags", multiple=True, help="Tag the entry (repeatable).")
@click.option("--mood", type=Whole(1, 5), help="How you feel, 1 (low) to 5 (good).")
@click.option(
    "--session", "session", metavar="ID", help="Link to this session (see `voicejournal session list`)."
)
def write(words, date, tags, mood, session):
    """Type a note instead of speaking (in your editor, or piped in); reviewed like a recording.

    With no text your editor opens ($EDITOR), or the text is read from standard input when it is piped
    in. The note is themed, searched and read for "Question for my therapist: …", "Homework: …" and
    "Small win: …" like a recording.

    \b
    Examples:
      voicejournal write "Felt heard today. Question for my therapist: why do I freeze at work?"
      echo "Small win: I spoke up in the meeting" | voicejournal write --tag work
      voicejournal write --date yesterday
    """
    from voicejournal.services.writing import write_entry

    journal = open_journal()
    if words:
        text = " ".join(words)
    elif not sys.stdin.isatty():
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")  # never a decoding traceback
    else:
        text = _from_editor(journal)
    entry = write_entry(journal, text, date=date, tags=tags, mood=mood, session=session)
    status = err()
    status.print(f"Saved your note as entry {entry.id} · `voicejournal show {entry.id}`", markup=False)
    if entry.themes:
        status.print("Themes: " + ", ".join(entry.themes), markup=False)
    report_filed(journal, entry)


def _from_editor(journal) -> str:
    from voicejournal.errors import UsageError
    from voicejournal.services.editing import EDIT_FOLDER, edit_text

    if journal.encryption_state() != "off":
        click.echo(
            "Your journal is encrypted; while your editor is open the note is a readable file in "
            f"{journal.home / EDIT_FOLDER}. It is shredded when you close the editor.",
            err=True,
        )
    text = edit_text(journal.home, "", unchanged="nothing was saved")
    if text is None:
        raise UsageError("You closed the editor without saving, so nothing was saved.")
    return text
