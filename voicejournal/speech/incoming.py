"""Recordings in audio/incoming: finding ones a crash left, and turning them into the journal's FLAC."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from voicejournal.errors import DiskFullError
from voicejournal.speech.wav import (
    BYTES_PER_FRAME,
    HEADER_BYTES,
    is_sealed_stream,
    kept_for_later,
    read_sealed_pcm,
    repair_wav,
)
from voicejournal.store import fs
from voicejournal.store.diskspace import is_disk_full
from voicejournal.store.home import SAMPLE_RATE, incoming_dir


def is_locked(path: Path) -> bool:
    """True if a live recorder holds `path` (the lock dies with its process, even on kill -9)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def recover_incoming(home: Path) -> list[Path]:
    """Repair the recordings a crash or kill left in audio/incoming; returns them, oldest first.

    Files a running recorder still holds are left alone. Nothing is deleted here: the caller
    turns each returned file into an entry (or reports it) and removes it afterwards.
    """
    folder = incoming_dir(home)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.wav"):
        if not path.is_file() or is_locked(path):
            continue
        if not is_sealed_stream(path):  # (an encrypted stream needs no repair: its records are checked)
            before = path.stat()
            repair_wav(path)
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # when it was last written: its date
        found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime)


def wav_to_flac(src: Path, dst: Path, partial: bool = False) -> None:
    """Convert a recording to 16 kHz mono FLAC block by block (never whole in memory), atomically.

    An encrypted incoming stream is decrypted and encoded in memory; `partial` (recovery only) accepts
    one cut short by a crash.
    """
    import soundfile as sf

    from voicejournal.store import files, keyfile

    dst.parent.mkdir(parents=True, exist_ok=True)
    home = files.find_home(dst)
    # (a sealed stream in a journal decrypted since is decoded the same way, then written plain)
    if home is not None and (keyfile.writes_encrypted(home) or is_sealed_stream(src)):
        _wav_to_encrypted_flac(src, dst, home, partial)
        return
    tmp = dst.with_name(dst.name + ".part")
    try:
        with (
            sf.SoundFile(src) as r,
            sf.SoundFile(tmp, "w", samplerate=r.samplerate, channels=1, format="FLAC", subtype="PCM_16") as w,
        ):
            for block in r.blocks(blocksize=16000 * 30, dtype="int16", always_2d=True):
                w.write(block[:, 0])
        fs.replace_synced(tmp, dst)
    except Exception as e:
        full = is_disk_full(e, tmp)  # (judged before the partial file goes and frees its space)
        tmp.unlink(missing_ok=True)
        if full:
            raise kept_for_later(src) from e
        raise


def _wav_to_encrypted_flac(src: Path, dst: Path, home: Path, partial: bool = False) -> None:
    """In an encrypted journal the FLAC is encoded in memory (about 0.5 MB a minute) and only its
    encrypted form is written (see crypto.py; `files.write_bytes` writes it plain if the journal is not)."""
    import io

    import numpy as np
    import soundfile as sf

    from voicejournal.store import files

    buffer = io.BytesIO()
    if is_sealed_stream(src):
        samples = np.frombuffer(read_sealed_pcm(home, src, partial), dtype="<i2")
        sf.write(buffer, samples, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    else:
        with (
            sf.SoundFile(src) as r,
            sf.SoundFile(
                buffer, "w", samplerate=r.samplerate, channels=1, format="FLAC", subtype="PCM_16"
            ) as w,
        ):
            for block in r.blocks(blocksize=16000 * 30, dtype="int16", always_2d=True):
                w.write(block[:, 0])
    try:
        files.write_bytes(home, dst, buffer.getvalue())
    except DiskFullError as e:
        raise kept_for_later(src) from e


def incoming_frames(home: Path, path: Path) -> int:
    """How many frames an incoming recording left by a crash holds (after `recover_incoming`)."""
    if is_sealed_stream(path):
        return len(read_sealed_pcm(home, path, partial=True)) // BYTES_PER_FRAME
    return max(0, path.stat().st_size - HEADER_BYTES) // BYTES_PER_FRAME
