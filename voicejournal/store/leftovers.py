"""What a killed process leaves in a journal home: temp files of a write, and the scratch folder of an import.
Both may hold private words, so they are overwritten before they go, and only while the journal lock is held
(no living writer can own them then)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from voicejournal.errors import JournalBusyError
from voicejournal.store import fs
from voicejournal.store.home import LOCK_FILE

SCRATCH_PREFIX = ".import-"  # an import unpacks a backup here first (see backup.py)


def remove_import_leftovers(home: Path, entries_dir: Path) -> None:
    """A killed import's plain files: removed (overwritten first) by the next command, even one that only
    reads, unless an import running right now owns them (it holds the lock)."""
    try:
        names = os.listdir(home)
    except FileNotFoundError:
        return
    if not any(name.startswith(SCRATCH_PREFIX) for name in names):
        return
    try:
        fd = fs.acquire_lock(home / LOCK_FILE, 0)
    except JournalBusyError:
        return
    try:
        clean_stale_temp_files(home, entries_dir)
    finally:
        os.close(fd)


def clean_stale_temp_files(home: Path, entries_dir: Path) -> None:
    """Temp files left by a killed write (call with the lock held). `fs.shred` leaves data another name still
    links, such as a half-made .bak, to that name."""
    for folder in (home, entries_dir):
        with contextlib.suppress(FileNotFoundError):
            for name in os.listdir(folder):
                if fs.TMP_MARK in name and name.startswith(".") and not fs.owner_alive(name):
                    with contextlib.suppress(OSError):
                        fs.shred(folder / name)
                elif folder == home and name.startswith(SCRATCH_PREFIX) and (folder / name).is_dir():
                    fs.shred_tree(folder / name)  # left by a killed `import` (see backup.py)
