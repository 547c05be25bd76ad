"""The incoming recording on disk, written as it is captured.

A plain 16-bit PCM WAV written by hand: a 44-byte header and then the samples, appended with ``os.write``
and ``fsync``-ed every second. Its size fields are rewritten at each flush, so even after ``kill -9`` or a
power cut the file is valid up to the last second; `repair_wav` makes it exact. (libsndfile's own writer
only finalises the header on close, and reports a full disk as an AssertionError.) In an encrypted journal
the same samples go into a sealed stream instead (`EncryptedWavWriter`): no plaintext audio reaches the disk.
"""

from __future__ import annotations

import fcntl
import os
import struct
from pathlib import Path
from typing import Any

from voicejournal.errors import AudioDecodeError, DiskFullError
from voicejournal.store.diskspace import disk_full
from voicejournal.store.home import SAMPLE_RATE

HEADER_BYTES = 44


BYTES_PER_FRAME = 2  # 16-bit mono


def wav_header(frames: int, samplerate: int = SAMPLE_RATE) -> bytes:
    """A canonical 44-byte header for 16-bit mono PCM."""
    data = frames * BYTES_PER_FRAME
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, samplerate, samplerate * BYTES_PER_FRAME, BYTES_PER_FRAME, 16)
        + b"data"
        + struct.pack("<I", data)
    )


def _find_data_chunk(head: bytes) -> tuple[int, int, int] | None:
    """(offset of the data bytes, channels, bytes per frame) of a RIFF/WAVE PCM header, or None."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    channels, frame_bytes = 1, BYTES_PER_FRAME
    while pos + 8 <= len(head):
        chunk_id = head[pos : pos + 4]
        size = struct.unpack("<I", head[pos + 4 : pos + 8])[0]
        if chunk_id == b"fmt " and pos + 8 + 16 <= len(head):
            channels, _, _, block_align = struct.unpack("<HIIH", head[pos + 10 : pos + 22])
            frame_bytes = max(1, block_align)
        if chunk_id == b"data":
            return pos + 8, channels, frame_bytes
        pos += 8 + size + (size & 1)
    return None


def repair_wav(path: Path, samplerate: int = SAMPLE_RATE) -> int:
    """Make a WAV left by a crash valid: size fields match the data, cut to whole frames.

    A file too short or too damaged to have a header gets a fresh 16 kHz mono 16-bit header
    (what voicejournal writes) in front of whatever bytes follow it. Returns the frame count.
    """
    size = path.stat().st_size
    with open(path, "r+b") as f:
        head = f.read(4096)
        found = _find_data_chunk(head)
        if found is None:
            # No usable header: keep every byte after where ours would end.
            data = head[HEADER_BYTES:] + f.read() if len(head) > HEADER_BYTES else b""
            frames = len(data) // BYTES_PER_FRAME
            f.seek(0)
            f.write(wav_header(frames, samplerate))
            f.write(data[: frames * BYTES_PER_FRAME])
            f.truncate()
            f.flush()
            os.fsync(f.fileno())
            return frames
        offset, _, frame_bytes = found
        frames = max(0, size - offset) // frame_bytes
        end = offset + frames * frame_bytes
        f.truncate(end)
        f.seek(4)
        f.write(struct.pack("<I", end - 8))
        f.seek(offset - 4)
        f.write(struct.pack("<I", frames * frame_bytes))
        f.flush()
        os.fsync(f.fileno())
    return frames


def read_frames(path: Path, start: int, end: int) -> Any:
    """Frames [start, end) of a 16-bit mono WAV written by `WavWriter`, as float32."""
    import numpy as np

    with open(path, "rb") as f:
        f.seek(HEADER_BYTES + start * BYTES_PER_FRAME)
        raw = f.read((end - start) * BYTES_PER_FRAME)
    return np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0


class WavWriter:
    """Appends 16-bit mono samples to a WAV whose header is kept right at every flush."""

    def __init__(self, path: Path, samplerate: int = SAMPLE_RATE):
        self.path = path
        self.samplerate = samplerate
        self.frames = 0
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        # Held for the whole recording so `recover_incoming` in another process leaves it alone.
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(self.fd, wav_header(0, samplerate))
        self._synced = 0

    def write(self, samples: Any) -> None:
        import numpy as np

        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        view = memoryview(pcm)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]
        self.frames += len(samples)

    def flush(self) -> None:
        """Header sizes updated, data on disk: a kill now loses nothing written so far."""
        if self._synced == self.frames:
            return
        os.pwrite(self.fd, wav_header(self.frames, self.samplerate), 0)
        os.fsync(self.fd)
        self._synced = self.frames

    def end(self) -> None:
        """The recording is over: everything on disk (the file stays open and locked until `close`)."""
        self.flush()

    def close(self) -> None:
        if self.fd < 0:
            return
        try:
            self.flush()
        finally:
            os.close(self.fd)
            self.fd = -1


class EncryptedWavWriter:
    """WavWriter for an encrypted journal: the 16-bit samples go through `streams.EncryptedStreamWriter`,
    one sealed record per flush (about a second), so no plaintext sample or header ever reaches the disk.

    The file cannot be read back cheaply, so with `keep` the samples not yet handed to the transcriber
    stay in memory (at most one chunk, <= 30 s, unless the transcriber falls behind) and `take` hands
    them out.
    """

    def __init__(self, home: Path, path: Path, samplerate: int = SAMPLE_RATE, keep: bool = True):
        from voicejournal.store import streams

        self.path = path
        self.samplerate = samplerate
        self.frames = 0
        self._synced = 0
        self._keep = keep
        self._kept = bytearray()  # samples from frame `_kept_from` on
        self._kept_from = 0
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._stream = streams.EncryptedStreamWriter(home, path)
        # Held for the whole recording so `recover_incoming` in another process leaves it alone.
        self._lock_fd = os.open(path, os.O_RDONLY)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def write(self, samples: Any) -> None:
        import numpy as np

        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        self._stream.write(pcm)
        if self._keep:
            self._kept += pcm
        self.frames += len(samples)

    def take(self, start: int, end: int) -> Any:
        """Frames [start, end) as float32; what comes before `end` is forgotten (chunks come in order)."""
        import numpy as np

        lo = max(0, start - self._kept_from) * BYTES_PER_FRAME
        hi = max(0, end - self._kept_from) * BYTES_PER_FRAME
        raw = bytes(self._kept[lo:hi])
        del self._kept[:hi]
        self._kept_from = max(self._kept_from, end)
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0

    def flush(self) -> None:
        """Seal what came since the last flush: a kill now loses nothing written so far."""
        if self._synced == self.frames:
            return
        self._stream.flush()
        self._synced = self.frames

    def end(self) -> None:
        """Seal the rest and mark the stream finished (so only recovery accepts a stream without the mark)."""
        self._stream.close()
        self._synced = self.frames

    def close(self) -> None:
        if self._lock_fd < 0:
            return
        try:
            self._stream.close()
        finally:
            os.close(self._lock_fd)
            self._lock_fd = -1


def is_sealed_stream(path: Path) -> bool:
    """Whether an incoming recording is an encrypted stream (from an encrypted journal) rather than a WAV."""
    from voicejournal.store import sealing

    try:
        with open(path, "rb") as fh:
            return fh.read(len(sealing.STREAM_HEADER)) == sealing.STREAM_HEADER
    except OSError:
        return False


def read_sealed_pcm(home: Path, path: Path, partial: bool = False) -> bytes:
    """The 16-bit mono samples of an encrypted incoming recording, decrypted in memory.

    Only recovery passes `partial`: then a stream cut short by a crash yields every record sealed before
    it. Otherwise a stream without its end mark is refused.
    """
    from voicejournal.store import streams

    contents = streams.read_stream(home, path)
    if not contents.complete and not partial:
        if nearly_full(path):  # its end mark did not fit
            raise kept_for_later(path)
        raise AudioDecodeError(
            f"The recording in {path} was not finished properly. It is kept; the next voicejournal "
            "command saves what it holds."
        )
    data = contents.data
    return data[: len(data) // BYTES_PER_FRAME * BYTES_PER_FRAME]


def kept_for_later(src: Path) -> DiskFullError:
    return disk_full(
        src,
        f"the recording could not be saved as FLAC yet. It is kept safe in {src}",
        "run any voicejournal command to finish saving it",
    )


def nearly_full(path: Path) -> bool:
    from voicejournal.store.diskspace import NEARLY_FULL_BYTES, free_bytes

    free = free_bytes(path)
    return free is not None and free < NEARLY_FULL_BYTES
