"""Backups and Markdown: export and import of the whole journal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def export_backup(journal, path: Path):
    """The whole journal and its audio in one verified zip."""
    from voicejournal.store.backup import write_backup
    from voicejournal.store.paths import output_file, writing

    path = output_file(Path(path), example="backup.zip")
    with writing(path):
        return write_backup(journal.storage, path, journal.now())


def import_backup(journal, path: Path, passphrase: str | None = None):
    """Restore a backup into an empty journal, or merge it in without duplicates (`passphrase`: an
    encrypted backup's, when this journal's does not open it)."""
    from voicejournal.store.backup import read_backup
    from voicejournal.store.paths import input_path

    path = input_path(Path(path), "a backup .zip made by `voicejournal export`")
    return read_backup(journal.storage, path, passphrase)


def export_markdown(journal, destination: Path, since: datetime | None = None) -> list[Path]:
    """Transcripts as Markdown: one file (a path ending .md) or one file per entry in a folder."""
    from voicejournal.render.export import entry_file_markdown, entry_filename, journal_markdown
    from voicejournal.store.fs import atomic_write_bytes
    from voicejournal.store.paths import not_a_folder, output_file, output_folder, writing

    destination = Path(destination)
    entries = sorted(journal.entries(since=since), key=lambda e: e.created)
    if destination.suffix.lower() in (".md", ".markdown"):
        output_file(destination, example="all-entries.md")
        with writing(destination):
            atomic_write_bytes(destination, journal_markdown(entries).encode(), keep_backup=False)
        return [destination]
    output_folder(destination, hint="give a folder, or a file name ending in .md")
    written = []
    with writing(destination):
        destination.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        target = not_a_folder(destination / entry_filename(entry))
        with writing(target):
            atomic_write_bytes(target, entry_file_markdown(entry).encode(), keep_backup=False)
        written.append(target)
    return written


def restore_backup(journal, path: Path) -> Path:
    """Put a damaged journal file's last good copy (.bak) back; the damaged file is kept aside.

    Returns where the damaged file was kept.
    """
    from voicejournal.services.integrity import restore_backup

    return restore_backup(journal, Path(path))
