"""Editing a transcript in the person's own editor without leaving it anywhere readable.

`click.edit` writes the text to /tmp/editor-*.txt, only unlinks it afterwards, and hands the editor the
whole environment, passphrase included. Here the text lives in a private (0700) folder inside the journal
home, everything in that folder (the editor's swap and backup files too) is shredded when the editor
closes, and the editor never sees VOICEJOURNAL_PASSPHRASE.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from voicejournal.errors import VoiceJournalError
from voicejournal.store import fs

EDIT_FOLDER = ".editing"  # a dot folder: backups leave it out
# Secrets voicejournal reads from the environment: an editor (or its plugins) has no use for them.
SECRET_VARIABLES = ("VOICEJOURNAL_PASSPHRASE", "VOICEJOURNAL_NEW_PASSPHRASE")


def editor_command() -> str:
    """$VISUAL, $EDITOR, or the first usual editor installed."""
    for name in ("VISUAL", "EDITOR"):
        if os.environ.get(name, "").strip():
            return os.environ[name]
    for candidate in ("sensible-editor", "editor", "nano", "vim", "vi"):
        if shutil.which(candidate):
            return candidate
    raise VoiceJournalError("No text editor found. Set EDITOR to the one you use, e.g. EDITOR=nano.")


def edit_text(home: Path, text: str, unchanged: str = "nothing was changed") -> str | None:
    """The text after the person edited it, or None if they closed the editor without saving.

    `unchanged` ends the message when the editor fails ("nothing was changed", "nothing was saved")."""
    command = editor_command()
    parent = Path(home) / EDIT_FOLDER
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(parent, 0o700)
    shred_leftovers(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=parent))  # 0700, one per edit
    path = folder / "transcript.txt"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        before = path.stat().st_mtime_ns
        env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
        try:
            finished = subprocess.run([*shlex.split(command), str(path)], env=env)
        except (OSError, ValueError):
            raise VoiceJournalError(
                f"Could not start the editor '{command}'. Set EDITOR to the one you use, e.g. EDITOR=nano."
            ) from None
        if finished.returncode != 0:
            raise VoiceJournalError(
                f"The editor '{command}' stopped with an error (exit {finished.returncode}); {unchanged}."
            )
        if not path.exists() or path.stat().st_mtime_ns == before:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    finally:
        fs.shred_tree(folder)


def shred_leftovers(parent: Path) -> None:
    """Shred what an edit that was killed left behind (its process is gone); running edits are kept."""
    for folder in parent.iterdir():
        pid = folder.name.split("-", 1)[0]
        if folder.is_dir() and not folder.is_symlink() and not (pid.isdigit() and fs.process_alive(int(pid))):
            fs.shred_tree(folder)
