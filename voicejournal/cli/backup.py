"""Backups and Markdown: export and import."""

from __future__ import annotations

from pathlib import Path

import click

from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import (
    date_option,
    kind_option,
)
from voicejournal.cli.output import (
    err,
    interactive,
    progress_bar,
)
from voicejournal.core.wording import count
from voicejournal.errors import VoiceJournalError


@click.command()
@click.argument("destination", type=click.Path(path_type=Path), required=False)
@click.option(
    "--output", "-o", "output", type=click.Path(path_type=Path), metavar="PATH",
    help="Where to write it (the same as giving DESTINATION; as in `review -o`).",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["backup", "markdown"]), default="backup", show_default=True,
    help="backup: a zip of everything (journal and audio); markdown: the transcripts, readable anywhere.",
)  # fmt: skip
@date_option("--since", help="With --format markdown: only entries on or after this date.")
def export(destination, output, fmt, since):
    """Back up the whole journal to a zip, or write the transcripts as Markdown.

    \b
    Examples:
      voicejournal export backup.zip
      voicejournal export --format markdown transcripts/
      voicejournal export --format markdown all-entries.md
    """
    if destination and output and destination != output:
        raise click.UsageError("Give one destination: DESTINATION or --output, not both.")
    destination = destination or output
    if destination is None:
        raise click.UsageError("Where should it go? For example: voicejournal export backup.zip")
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
@click.command(name="import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--from", "from_", type=click.Choice(["jrnl", "markdown"]),
    help="jrnl: the JSON file of `jrnl --format json`; markdown: a folder with one .md file per entry.",
)  # fmt: skip
@click.option("--tag", "-t", "tags", multiple=True, help="With --from: also tag every imported entry.")
@kind_option("With --from: the kind of the imported entries.", default="journal")
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
        report = _import_backup(journal, source)
    except BackupLockedError:
        if not interactive():
            raise
        import getpass

        report = _import_backup(journal, source, getpass.getpass(f"Passphrase of the backup {source.name}: "))
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


def _import_backup(journal, source: Path, passphrase: str | None = None):
    with progress_bar("import") as bar:  # the passphrase is asked for with no bar on the terminal
        bar.add_task(f"Merging {source.name}", total=None)
        return (
            journal.import_backup(source, passphrase)
            if passphrase is not None
            else journal.import_backup(source)
        )


def _import_text(path: Path, source: str, tags, kind) -> None:
    journal = open_journal()
    if not hasattr(journal, "import_text"):  # the text importers are not merged into this build yet
        raise VoiceJournalError(f"Importing from {source} is not available in this version yet.")
    with progress_bar("import") as bar:
        task = bar.add_task(f"importing {path.name or path}", total=None)
        report = journal.import_text(
            source,
            path,
            kind=kind,
            tags=tags,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for problem in report.problems:
        click.echo(problem, err=True)
    n = len(report.added)
    line = f"Imported {count(n, 'entry')} from {path.name or path}"
    if report.skipped:
        line += f"; {report.skipped} already imported before"
    click.echo(line + ".", err=True)
    if n:
        click.echo("See them with `voicejournal list --kind journal`.", err=True)
