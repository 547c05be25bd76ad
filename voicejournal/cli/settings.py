"""Settings, audio retention, and checking the journal."""

from __future__ import annotations

import sys

import click

from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import ListsByDefault, json_option
from voicejournal.cli.output import (
    err,
    length,
    out,
    print_json,
    when,
)
from voicejournal.core.wording import count
from voicejournal.render.json import check_json


@click.group(cls=ListsByDefault)
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
@json_option()
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


@click.command()
@click.option("--dry-run", "-n", is_flag=True, help="Only list the recordings that would be deleted.")
@json_option()
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


@click.command()
@click.option(
    "--repair",
    is_flag=True,
    help="Also restore damaged files from their last good copy and forget missing recordings.",
)
@json_option()
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
        print_json(check_json(report))
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
