"""Sealed streams: recordings written as append-only records, each sealed on its own, so a kill loses at
most the block not yet flushed."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from voicejournal.store.keys import unlock
from voicejournal.store.sealing import NONCE_SIZE, STREAM_HEADER, TAG_SIZE, DamagedFileError, role_of

# --- streams: append-only, each flushed block its own sealed record -----------------------------
#
# File: STREAM_HEADER (6 bytes) | stream id (16 random bytes) | records…
# Record: prefix (4 bytes, big-endian: bit 31 = last record, bits 0-30 = length of what follows)
#         | nonce (12) | ciphertext+tag. Associated data: header | stream id | role | record number | prefix,
# so records cannot be reordered, dropped from the middle, or moved to another stream unnoticed.

_LAST = 0x8000_0000
_STREAM_ID = 16
_MAX_RECORD = 0x7FFF_FFFF


def _record_aad(head: bytes, role: bytes, index: int, prefix: bytes) -> bytes:
    return head + role + struct.pack(">Q", index) + prefix


class EncryptedStreamWriter:
    """Append-only encrypted file for data arriving over time (a recording).

    `write()` buffers; `flush()` seals what is buffered as one record, appends it and fsyncs, so a kill
    loses at most what was written since the last flush. `close()` flushes and marks the end, which lets a
    reader tell a finished stream from one cut short. Use as a context manager.
    """

    def __init__(self, home: Path, path: Path, fsync: bool = True):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.path = Path(path)
        self._aead = AESGCM(unlock(home))
        self._role = role_of(home, self.path)
        import secrets

        self._head = STREAM_HEADER + secrets.token_bytes(_STREAM_ID)
        self._index = 0
        self._buffer = bytearray()
        self._fsync = fsync
        self._closed = False
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._write_all(self._head)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        if self._fsync:
            os.fsync(self._fd)

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("write to a closed EncryptedStreamWriter")
        self._buffer += data

    def _seal_record(self, data: bytes, last: bool) -> None:
        size = NONCE_SIZE + len(data) + TAG_SIZE
        if size > _MAX_RECORD:
            raise ValueError("record too large; flush more often")
        prefix = struct.pack(">I", size | (_LAST if last else 0))
        nonce = os.urandom(NONCE_SIZE)
        sealed = self._aead.encrypt(nonce, data, _record_aad(self._head, self._role, self._index, prefix))
        self._write_all(prefix + nonce + sealed)
        self._index += 1

    def flush(self) -> None:
        """Seal and append what was written since the last flush (nothing happens if that is nothing)."""
        if self._buffer:
            data, self._buffer = bytes(self._buffer), bytearray()
            self._seal_record(data, last=False)

    def close(self) -> None:
        if self._closed:
            return
        try:
            data, self._buffer = bytes(self._buffer), bytearray()
            self._seal_record(data, last=True)
        finally:
            self._closed = True
            os.close(self._fd)

    def __enter__(self) -> EncryptedStreamWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class StreamContents:
    """What could be read back from an encrypted stream."""

    data: bytes
    records: int
    complete: bool  # the writer closed it (False after a crash: the data is every record flushed before)
    dropped_bytes: int  # bytes after the last good record: a torn or damaged tail


def iter_stream(home: Path, path: Path, blob: bytes | None = None):
    """Yield the plaintext of each complete record in order; returns a StreamContents-like summary."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path = Path(path)
    if blob is None:
        blob = path.read_bytes()
    head_size = len(STREAM_HEADER) + _STREAM_ID
    if blob[: len(STREAM_HEADER)] != STREAM_HEADER:
        raise DamagedFileError(f"{path} is not a voicejournal encrypted stream.")
    head = blob[:head_size]
    if len(head) < head_size:
        return StreamContents(b"", 0, False, len(blob))
    aead = AESGCM(unlock(home))
    role = role_of(home, path)
    pos, index, complete = head_size, 0, False
    while pos + 4 <= len(blob):
        prefix = blob[pos : pos + 4]
        (word,) = struct.unpack(">I", prefix)
        size = word & _MAX_RECORD
        body = blob[pos + 4 : pos + 4 + size]
        if size < NONCE_SIZE + TAG_SIZE or len(body) < size:
            break
        try:
            plain = aead.decrypt(body[:NONCE_SIZE], body[NONCE_SIZE:], _record_aad(head, role, index, prefix))
        except InvalidTag:
            break
        yield plain
        pos += 4 + size
        index += 1
        if word & _LAST:
            complete = True
            break
    return StreamContents(b"", index, complete, len(blob) - pos)


def read_stream(home: Path, path: Path, blob: bytes | None = None) -> StreamContents:
    """Every complete record of an encrypted stream, joined; recovers all that was flushed before a crash."""
    chunks: list[bytes] = []
    gen = iter_stream(home, path, blob)
    while True:
        try:
            chunks.append(next(gen))
        except StopIteration as stop:
            summary: StreamContents = stop.value
            break
    summary.data = b"".join(chunks)
    return summary
