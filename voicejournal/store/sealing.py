"""The encrypted file format: `HEADER | counter | nonce | ciphertext+tag`, bound to the file's place.

The header starts with ``\x89VJE`` (no JSON, FLAC or other audio file starts like that, so every read can
tell an encrypted file from a plain one). The header, the counter and the file's place in the journal (its
path relative to the home, without ``.bak``) are the associated data: swapping two encrypted files is
detected, and the counter lets seals.py refuse an older copy put back in place. Format 1 (no counter) is
still read.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from voicejournal.errors import JournalCorruptError, JournalVersionError

MAGIC = b"\x89VJE"
# 2: sealed files carry a save counter (see seals.py) and encryption.json is authenticated. Files of format 1
# (no counter) are still read; every write makes format 2.
FORMAT_VERSION = 2
FILE_HEADER = MAGIC + bytes([FORMAT_VERSION]) + b"F"
FILE_HEADER_V1 = MAGIC + bytes([1]) + b"F"
STREAM_HEADER = MAGIC + bytes([1]) + b"S"
COUNTER_SIZE = 8
NONCE_SIZE = 12
TAG_SIZE = 16


def is_encrypted_blob(data: bytes) -> bool:
    """Whether these bytes are one of our encrypted files (or streams)."""
    return data[:4] == MAGIC


def role_of(home: Path, path: Path) -> bytes:
    """A file's place in the journal, bound to its ciphertext: 'entries/2026-11.json' (also for its .bak)."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(home)).as_posix()
    except ValueError:
        rel = Path(path).name
    if rel.endswith(".bak"):
        rel = rel[:-4]
    return rel.encode("utf-8")


def seal(data_key: bytes, data: bytes, role: bytes, counter: int = 0) -> bytes:
    """`data` sealed for its place `role`; `counter` counts the saves of that file (0: not counted)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_SIZE)
    count = struct.pack(">Q", counter)
    return FILE_HEADER + count + nonce + AESGCM(data_key).encrypt(nonce, data, FILE_HEADER + count + role)


def sealed_counter(blob: bytes) -> int | None:
    """The save counter written into a sealed file (None for a format-1 file, which has none)."""
    if blob[: len(FILE_HEADER)] != FILE_HEADER or len(blob) < len(FILE_HEADER) + COUNTER_SIZE:
        return None
    return struct.unpack(">Q", blob[len(FILE_HEADER) : len(FILE_HEADER) + COUNTER_SIZE])[0]


def open_sealed(data_key: bytes, blob: bytes, role: bytes) -> bytes | None:
    """The plaintext, or None if the blob is damaged, was moved, or belongs to another key."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = blob[: len(FILE_HEADER)]
    if header == FILE_HEADER:
        header = blob[: len(FILE_HEADER) + COUNTER_SIZE]  # the counter is authenticated with the header
    elif header != FILE_HEADER_V1:
        return None
    body = memoryview(blob)[len(header) :]  # views, not copies: a search index is tens of MB
    if len(body) < NONCE_SIZE + TAG_SIZE:
        return None
    try:
        return AESGCM(data_key).decrypt(body[:NONCE_SIZE], body[NONCE_SIZE:], header + role)
    except InvalidTag:
        return None


class DamagedFileError(JournalCorruptError):
    """An encrypted file whose authentication failed."""


def check_version(path: Path, blob: bytes) -> None:
    if len(blob) > 4 and blob[4] > FORMAT_VERSION:
        raise JournalVersionError(
            f"{path} was encrypted by a newer voicejournal. Update voicejournal to open it; nothing was changed."
        )


class UnsealedFileError(JournalCorruptError):
    """A plain file inside an encrypted journal: voicejournal did not write it."""
