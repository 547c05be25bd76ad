"""Audio files: decode anything a phone records, store 16 kHz mono FLAC, checksum.

In an encrypted journal the stored FLAC is sealed (see crypto.py): it is encoded and decoded in memory,
and no plaintext copy of a recording is ever written to disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path

from voicejournal.errors import AudioDecodeError, DiskFullError, VoiceJournalError
from voicejournal.store import files, fs, keyfile, sealing
from voicejournal.store.diskspace import is_disk_full
from voicejournal.store.home import SAMPLE_RATE

SUPPORTED = "wav, flac, mp3, m4a, aac, ogg, opus"
# A file whose container promises this much more than can be decoded is treated as cut short.
_TRUNCATION_SLACK_S = 1.0


def _not_audio(path: Path) -> AudioDecodeError:
    return AudioDecodeError(f"{path.name} is not an audio file voicejournal can read ({SUPPORTED}).")


def _wav_promised_seconds(source) -> float | None:
    """How long a WAV's header says its audio is (FFmpeg guesses from the file size, hiding truncation)."""
    import struct

    with contextlib.nullcontext(source) if hasattr(source, "read") else open(source, "rb") as fh:
        fh.seek(0)
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        byte_rate = None
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                return None
            kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if kind == b"fmt ":
                fmt = fh.read(size + (size & 1))
                if len(fmt) >= 12:
                    byte_rate = struct.unpack("<I", fmt[8:12])[0]
            elif kind == b"data":
                unknown = size in (0, 0xFFFFFFFF, 0x7FFFFFFF, 0x7FFFF000)  # streaming writers' placeholders
                return None if unknown or not byte_rate else size / byte_rate
            else:
                fh.seek(size + (size & 1), 1)


def _decrypted(path: Path, home: Path | None) -> io.BytesIO:
    """An encrypted recording's FLAC, decrypted into memory."""
    try:
        return io.BytesIO(files.read_bytes(home or files.find_home(path) or path.parent, path))
    except sealing.DamagedFileError:
        raise AudioDecodeError(
            f"{path.name} is damaged: its encryption check failed, so it cannot be played or transcribed."
        ) from None


def load_audio(path: Path, partial: bool = False, home: Path | None = None):
    """Decode `path` to float32 mono samples at 16 kHz (a numpy array).

    An encrypted recording is decrypted and decoded in memory (`home` is its journal; found if not given).
    Raises AudioDecodeError for a missing, unreadable, empty or cut-short file (unless `partial`).
    """
    import av
    import numpy as np
    from faster_whisper.audio import decode_audio

    path = Path(path)
    if not path.exists():
        raise AudioDecodeError(f"{path} does not exist.")
    if path.is_dir():
        raise AudioDecodeError(f"{path} is a folder, not an audio file.")
    if path.stat().st_size == 0:
        raise AudioDecodeError(f"{path.name} is empty (0 bytes): there is no audio in it.")
    try:
        with open(path, "rb") as fh:
            encrypted = sealing.is_encrypted_blob(fh.read(4))
        source = _decrypted(path, home) if encrypted else str(path)
        with av.open(source, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise _not_audio(path)
            stream = container.streams.audio[0]
            promised = None
            if stream.duration is not None and stream.time_base is not None:
                promised = float(stream.duration * stream.time_base)
            elif container.duration:
                promised = container.duration / 1_000_000
            if container.format.name == "wav":
                promised = _wav_promised_seconds(source) or promised
        if encrypted:
            source.seek(0)
        samples = decode_audio(source, sampling_rate=SAMPLE_RATE)
    except AudioDecodeError:
        raise
    except PermissionError:
        raise AudioDecodeError(f"{path.name} cannot be read: permission denied.") from None
    except (av.error.FFmpegError, ValueError, OSError, IndexError):
        raise _not_audio(path) from None
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    decoded = len(samples) / SAMPLE_RATE
    if len(samples) == 0:
        raise AudioDecodeError(f"{path.name} holds no audio that can be played (it may be damaged).")
    if promised and decoded + _TRUNCATION_SLACK_S < promised and not partial:
        raise AudioDecodeError(
            f"{path.name} looks cut short: it should last {promised:.0f} s but only {decoded:.0f} s can be "
            "read. Add --partial to keep what can be read."
        )
    return samples


def write_flac(path: Path, samples, home: Path | None = None) -> None:
    """Write 16 kHz mono FLAC atomically (temp file + rename), owner-readable only.

    Inside an encrypted journal (`home`, found from `path` if not given) the FLAC is encoded in memory
    and only its encrypted form is written.
    """
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    home = home or files.find_home(path)
    if home is not None and keyfile.writes_encrypted(home):
        buffer = io.BytesIO()
        try:
            sf.write(buffer, samples, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
        except sf.LibsndfileError as exc:
            raise VoiceJournalError(f"Could not save {path.name}: {exc}.") from exc
        files.write_bytes(home, path, buffer.getvalue())
        return
    tmp = fs.temp_name(path)
    try:
        with sf.SoundFile(
            str(tmp), "w", samplerate=SAMPLE_RATE, channels=1, format="FLAC", subtype="PCM_16"
        ) as out:
            out.write(samples)
        os.chmod(tmp, 0o600)
        fs.replace_synced(tmp, path)
    except (OSError, sf.LibsndfileError) as exc:
        full = is_disk_full(exc, tmp)  # (judged before the partial file goes and frees its space)
        tmp.unlink(missing_ok=True)
        if full:
            raise DiskFullError(
                "The disk is full, so the recording could not be saved. Free some space "
                "and try again; nothing saved before was touched."
            ) from exc
        raise VoiceJournalError(
            f"Could not save {path.name}: {getattr(exc, 'strerror', None) or exc}."
        ) from exc


def sha256_file(path: Path, home: Path | None = None) -> str:
    """SHA-256 of a file's content; of the plaintext for an encrypted recording (so it survives encrypt/decrypt)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        first = fh.read(1 << 20)
        if sealing.is_encrypted_blob(first):
            return hashlib.sha256(bytes(_decrypted(Path(path), home).getbuffer())).hexdigest()
        digest.update(first)
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
