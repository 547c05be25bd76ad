"""Changes to an encrypted journal's search index that are not folded into it yet.

An encrypted journal's index is one sealed file, decrypted whole into memory to be used (`files.load_sqlite`).
Sealing and writing it again after every save meant hundreds of MB per `tag` at 50,000 entries. A save
records the entries it changed in a small sealed file beside it instead, `index.sqlite-pending`: the stamp
(size, modification time, inode) of the index file it follows, the journal's signature after the change, and
the changed entries as stored. Opening the index applies them in memory. After `FOLD_AT` entries, and for a
deletion (whose words must leave the file), the index is saved whole again with a new, empty pending file.

Like the index it is derived data, saved without fsync (its seal tells a file a power cut kept from the disk):
a pending file that cannot be read, or that follows another version of the index file, is ignored, and the
index is then stale and rebuilt as always.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from voicejournal.core.record import Factory, Record
from voicejournal.errors import VoiceJournalError
from voicejournal.store import files, fs, sealing

PENDING_SUFFIX = "-pending"
FOLD_AT = 100  # entries: applying them costs each opening of the index about as much as reading them


class Pending(Record):
    """The changes not folded into the index yet (a Record: `search` loads this module, and a dataclass
    costs more to define than everything here to run)."""

    base: str  # the stamp of the index file these changes follow
    signature: str  # the journal's signature once they are applied
    docs: dict[str, dict] = Factory(dict)  # entry id -> the entry as stored


def pending_path(index_path: Path) -> Path:
    return index_path.with_name(index_path.name + PENDING_SUFFIX)


def stamp(path: Path) -> str | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def load(home: Path, index_path: Path) -> Pending | None:
    """The changes pending for the index file as it is now; None if there are none that apply to it."""
    import orjson

    try:
        data = orjson.loads(files.read_bytes(home, pending_path(index_path)))
        pending = Pending(data["base"], data["signature"], data["docs"])
    except (OSError, ValueError, KeyError, TypeError, VoiceJournalError, sealing.DamagedFileError):
        return None
    if not isinstance(pending.docs, dict) or pending.base != stamp(index_path):
        return None
    return pending


def save(home: Path, index_path: Path, pending: Pending) -> None:
    import orjson

    data = orjson.dumps({"base": pending.base, "signature": pending.signature, "docs": pending.docs})
    files.write_derived(home, pending_path(index_path), data)


def start(home: Path, index_path: Path, signature: str) -> None:
    """An empty pending file for the index file just saved (so the next save need not open the index)."""
    base = stamp(index_path)
    if base is not None:
        with contextlib.suppress(OSError, VoiceJournalError):
            save(home, index_path, Pending(base, signature))


def remove(index_path: Path) -> None:
    fs.shred(pending_path(index_path))
