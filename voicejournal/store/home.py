"""Where things live, and the few settings a person can change."""

from __future__ import annotations

import os
from pathlib import Path

APP = "voicejournal"
HOME_ENV = "VOICEJOURNAL_HOME"
MODEL_ENV = "VOICEJOURNAL_MODEL"

SAMPLE_RATE = 16_000  # what Whisper wants; every stored recording is 16 kHz mono FLAC
KEY_FILE = "encryption.json"  # an encrypted journal's settings (store/keyfile.py reads and writes it)
LOCK_FILE = ".lock"  # every write holds it (store/fs.acquire_lock)
VECTORS_FILE = "index.sqlite-vectors"  # the head of the meaning vectors (store/vectors.py)
# An entries file: a month's ("2026-11.json") or, once that month holds more than a part's worth, one of its
# further parts ("2026-11.2.json"; see store/storage.py).
ENTRY_FILE_PATTERN = r"\d{4}-\d{2}(?:\.[2-9]|\.[1-9]\d{1,3})?\.json"


def home_dir() -> Path:
    """The journal's folder: $VOICEJOURNAL_HOME, else the platform's user data dir."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def incoming_dir(home: Path) -> Path:
    """Where a recording streams while it is made (and what a crash leaves is found)."""
    return home / "audio" / "incoming"


def has_incoming(home: Path) -> bool:
    """Is anything in audio/incoming (a recording being made, or one a crash left)?"""
    try:
        with os.scandir(incoming_dir(home)) as found:
            return any(found)
    except (FileNotFoundError, NotADirectoryError):
        return False


def has_key_file(home: Path) -> bool:
    """Is this journal encrypted (or being encrypted or decrypted)? One stat(): a plain journal never loads
    the encryption code (store/keyfile, keys, streams) for reading or writing its files."""
    return os.path.exists(os.path.join(home, KEY_FILE))


def has_vectors(home: Path) -> bool:
    """Does this journal keep meaning vectors? One stat(): a save that finds none never loads their code."""
    return os.path.exists(os.path.join(home, VECTORS_FILE))


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_umask() -> None:
    """Files this process creates are readable by the owner only."""
    os.umask(0o077)
