"""The one path by which a journal file is written or read: sealed when the journal is encrypted.

`write_bytes` seals (when the journal is encrypted), writes atomically (store/fs.py) and notes the save in
the sealed list (seals.py); `read_bytes` opens, refusing plain, cut-short or rolled-back files once the
journal is encrypted. The search index uses `save_sqlite`/`load_sqlite` (kept in memory, never plain on disk).
Nothing here imports `cryptography` at module level: an unencrypted journal never pays for it.
"""

from __future__ import annotations

import os
from pathlib import Path

from voicejournal.store import fs
from voicejournal.store.home import KEY_FILE, has_key_file
from voicejournal.store.sealing import (
    STREAM_HEADER,
    DamagedFileError,
    UnsealedFileError,
    check_version,
    is_encrypted_blob,
    role_of,
    seal,
)

# The encryption code (store/keyfile, keys, streams, seals) is imported only by a journal that has a key
# file: a plain journal's commands never load it.


def encrypt_for(home: Path, path: Path, data: bytes) -> bytes:
    """`data` as it must be written to `path`: sealed when the journal is encrypted, else unchanged."""
    if not has_key_file(home):
        return data
    from voicejournal.store.keyfile import load_key_file, save_key_file, writes_encrypted
    from voicejournal.store.keys import unlock

    if not writes_encrypted(home):
        return data
    data_key = unlock(home)
    key_file = load_key_file(home)
    if key_file.mac is None:  # a journal from before authenticated settings: upgraded on its first write
        save_key_file(home, key_file, data_key)
    from voicejournal.store import seals

    role = role_of(home, path)
    return seal(data_key, data, role, seals.next_counter(home, role))


def decrypt_from(home: Path, path: Path, blob: bytes) -> bytes:
    """The plaintext of bytes read from `path`.

    Plain bytes are returned as they are in a plain journal, or while `encrypt`/`decrypt` is converting one;
    in an encrypted journal they are refused (UnsealedFileError), as is an older copy of a file (seals.py).
    """
    if not is_encrypted_blob(blob):
        if not has_key_file(home):
            return blob
        from voicejournal.store.keyfile import DECRYPTING_HOMES, ENCRYPTED, ROTATING, load_key_file

        key_file = load_key_file(home)
        if (
            key_file is not None
            and key_file.state in (ENCRYPTED, ROTATING)
            and os.path.abspath(home) not in DECRYPTING_HOMES
        ):
            raise UnsealedFileError(
                f"{path} is not encrypted, but this journal is, so voicejournal did not write it and did not "
                "open it. Move it out of the journal folder (or put back the file it replaced); "
                "`voicejournal check` lists such files."
            )
        return blob
    check_version(path, blob)
    from voicejournal.store.keyfile import load_key_file
    from voicejournal.store.keys import open_sealed_file

    if blob[: len(STREAM_HEADER)] == STREAM_HEADER:
        from voicejournal.store.streams import read_stream

        stream = read_stream(home, path, blob)
        if not stream.complete or stream.dropped_bytes:
            # A reader that wants what a crash left of a stream asks for it (`read_stream`); an ordinary
            # read must not take a cut-short or extended stream for the whole.
            raise DamagedFileError(
                f"{path} was cut short while it was being written, so it was not opened. "
                "`voicejournal check` shows what can be recovered."
            )
        return stream.data
    if load_key_file(home) is None:
        raise DamagedFileError(
            f"{path} is encrypted, but the journal's encryption settings ({KEY_FILE}) are missing, so it "
            "cannot be opened. Restore that file from a backup of this folder; nothing was changed."
        )
    role = role_of(home, path)
    plain = open_sealed_file(home, blob, role)
    if plain is None:
        raise DamagedFileError(
            f"{path} is damaged: its encryption check failed, so it was left untouched. "
            "`voicejournal check` shows what can be restored."
        )
    from voicejournal.store import seals

    seals.check(home, path, role, blob)
    return plain


def read_bytes(home: Path, path: Path) -> bytes:
    """Read a journal file, decrypting it in memory if it is encrypted."""
    path = Path(path)
    return decrypt_from(home, path, path.read_bytes())


def write_bytes(home: Path, path: Path, data: bytes, keep_backup: bool = False) -> None:
    """Atomically write a journal file, encrypted if the journal is (plaintext never touches the disk)."""
    _write(home, path, data, keep_backup=keep_backup, sync=True)


def write_derived(home: Path, path: Path, data: bytes) -> None:
    """Write a derived journal file (made again from the journal when missing, damaged or stale) as
    `write_bytes` does, without fsync: its reader must tell a file a power cut left unwritten (a checksum,
    or the seal of an encrypted journal) and make it again."""
    _write(home, path, data, keep_backup=False, sync=False)


def _write(home: Path, path: Path, data: bytes, keep_backup: bool, sync: bool) -> None:
    path = Path(path)
    blob = encrypt_for(home, path, data)
    fs.atomic_write_bytes(path, blob, keep_backup=keep_backup, sync=sync)
    if is_encrypted_blob(blob):
        from voicejournal.store import seals  # here: a plain journal never loads it

        seals.note_saved(home, role_of(home, path), blob)


def find_home(path: Path, levels: int = 6) -> Path | None:
    """The encrypted journal home holding `path`, found by its encryption.json (None if there is none)."""
    folder = Path(os.path.abspath(path)).parent
    for _ in range(levels):
        if has_key_file(folder):
            return folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


def load_sqlite(home: Path, path: Path):
    """An in-memory SQLite connection holding the database stored (encrypted) at `path`, or None if absent.

    For a derived database (the search index) in an encrypted journal: it is decrypted into memory and
    never written to disk in plain form. Raises DamagedFileError if it cannot be opened (then rebuild it).
    """
    import sqlite3

    try:
        data = read_bytes(home, path)
    except FileNotFoundError:
        return None
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA temp_store = MEMORY")
    try:
        conn.deserialize(data)
    except sqlite3.DatabaseError:
        conn.close()
        raise DamagedFileError(f"{path} is damaged.") from None
    return conn


def save_sqlite(home: Path, path: Path, conn) -> None:
    """Write an in-memory SQLite database to `path` atomically, encrypted if the journal is."""
    write_bytes(home, path, conn.serialize())
