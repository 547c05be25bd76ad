"""Recording from the microphone: streamed to disk, transcribed while it happens.

The pipeline (all threads end cleanly whatever stops the recording)::

    PortAudio callback -> queue -> writer thread -> audio/incoming/<id>.wav (flushed every second)
                                        |-> level meter, silence watch, Chunker (cuts at pauses)
                                        '-> closed chunks (frame ranges) -> transcriber thread

In an encrypted journal the incoming file is instead a `streams.EncryptedStreamWriter` stream of the
same samples, one sealed record per flush (`EncryptedWavWriter`): no plaintext audio reaches the disk.

Otherwise the incoming file is a plain 16-bit PCM WAV written by hand: a 44-byte header and
then the samples, appended with ``os.write`` and ``fsync``-ed every second. Its size
fields are rewritten at each flush, so even after ``kill -9`` or a power cut the file
is valid up to the last second; `repair_wav` makes it exact. (libsndfile's own writer
only finalises the header on close, and reports a full disk as an AssertionError.)

Chunks are handed to the transcriber as frame ranges and read back from the file, so
the audio is never held whole in memory: at most one chunk (<= 30 s) at a time.

Usable from Python without Click::

    rec = Recorder(Path("x.wav"), transcriber=Transcriber())
    rec.start()
    rec.wait(60)          # or until rec.stop() / a signal / max_seconds / a device error
    result = rec.finish()
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import math
import os
import queue
import signal
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from voicejournal.core.entry import Segment
from voicejournal.errors import AudioDecodeError, DiskFullError, MicrophoneError
from voicejournal.store.diskspace import disk_full, is_disk_full
from voicejournal.store.home import SAMPLE_RATE

BLOCKSIZE = 1600  # 100 ms at 16 kHz: one level value and one queue item per block
FLOOR_DB = -100.0  # the level of digital silence
SILENT_DB = -75.0  # at or below this a microphone is muted or dead (real rooms are noisier)
SILENT_WARN_SECONDS = 5.0
FLUSH_SECONDS = 1.0
STALL_SECONDS = 5.0  # no audio from an open stream for this long: the device is gone
HEADER_BYTES = 44
BYTES_PER_FRAME = 2  # 16-bit mono

NO_MICROPHONE = "No microphone found. Plug one in, or choose one with --device (see `voicejournal devices`)."
NO_PORTAUDIO = (
    "The sound library PortAudio is not installed, so voicejournal cannot use the microphone. "
    "Install it (Debian/Ubuntu: `sudo apt install libportaudio2`; macOS: `brew install portaudio`) "
    "and try again."
)
DEVICE_LOST = (
    "The microphone stopped working during the recording (unplugged or taken by another program?). "
    "Everything recorded until then is saved."
)


# --------------------------------------------------------------------------- levels


def level_db(samples: Any) -> float:
    """RMS level of float samples in dBFS, never below FLOOR_DB."""
    import numpy as np

    if len(samples) == 0:
        return FLOOR_DB
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    if rms <= 0.0:
        return FLOOR_DB
    return max(FLOOR_DB, 20.0 * math.log10(rms))


def meter_bar(levels: list[float], width: int = 14) -> str:
    """A sparkline of recent levels (dBFS) for the live display."""
    bars = "▁▂▃▄▅▆▇█"
    recent = list(levels)[-width:]
    out = []
    for db in recent:
        # -60 dBFS (quiet room) .. 0 dBFS (full scale)
        frac = min(1.0, max(0.0, (db + 60.0) / 60.0))
        out.append(bars[round(frac * (len(bars) - 1))])
    return "".join(out).rjust(width, bars[0])


class SilenceWatch:
    """True once the level has stayed at the floor for `seconds` (a muted or dead microphone)."""

    def __init__(self, seconds: float = SILENT_WARN_SECONDS, threshold_db: float = SILENT_DB):
        self.seconds = seconds
        self.threshold_db = threshold_db
        self.quiet_for = 0.0
        self.silent = False
        self.ever_silent = False

    def feed(self, db: float, block_seconds: float) -> bool:
        if db <= self.threshold_db:
            self.quiet_for += block_seconds
        else:
            self.quiet_for = 0.0
        self.silent = self.quiet_for >= self.seconds - 1e-6
        self.ever_silent = self.ever_silent or self.silent
        return self.silent


# --------------------------------------------------------------------------- chunker


class Chunker:
    """Cuts a stream into chunks for the transcriber, at pauses, from the level signal.

    Feed one level per block; `feed` returns ``(start, end)`` frame ranges of chunks as they
    close. A chunk closes at the middle of the first pause of at least `pause_seconds` once it
    is `min_seconds` long, or at its quietest block near the end when it reaches `max_seconds`
    (Whisper's window is 30 s). What counts as quiet follows the room: `margin_db` above the
    noise floor (the 10th percentile of the last 30 s), but at least -60 dBFS and at most -25.
    """

    def __init__(
        self,
        samplerate: int = SAMPLE_RATE,
        min_seconds: float = 8.0,
        max_seconds: float = 28.0,
        pause_seconds: float = 0.4,
        margin_db: float = 10.0,
    ):
        self.samplerate = samplerate
        self.min_frames = int(min_seconds * samplerate)
        self.max_frames = int(max_seconds * samplerate)
        self.pause_frames = int(pause_seconds * samplerate)
        self.margin_db = margin_db
        self.start = 0  # first frame of the open chunk
        self.pos = 0  # frames seen so far
        self._blocks: list[tuple[int, int, float]] = []  # (start, frames, db) in the open chunk
        self._history: deque[float] = deque(maxlen=300)
        self._quiet_since: int | None = None  # frame where the current quiet run began
        self.loudest_db = FLOOR_DB  # of the open chunk

    def threshold(self) -> float:
        if not self._history:
            return -60.0
        ordered = sorted(self._history)
        floor = ordered[len(ordered) // 10]
        return min(-25.0, max(-60.0, floor + self.margin_db))

    def is_quiet(self, db: float) -> bool:
        return db < self.threshold()

    def feed(self, db: float, frames: int) -> list[tuple[int, int]]:
        quiet = self.is_quiet(db)
        self._history.append(db)
        block_start = self.pos
        self.pos += frames
        self._blocks.append((block_start, frames, db))
        if quiet:
            if self._quiet_since is None:
                self._quiet_since = block_start
        else:
            self._quiet_since = None
            self.loudest_db = max(self.loudest_db, db)
        closed: list[tuple[int, int]] = []
        length = self.pos - self.start
        if (
            length >= self.min_frames
            and self._quiet_since is not None
            and self.pos - self._quiet_since >= self.pause_frames
        ):
            # Cut in the middle of the pause: both chunks keep a little silence around the words.
            cut = self._quiet_since + (self.pos - self._quiet_since) // 2
            closed.append(self._close(max(cut, self.start + 1)))
        elif length >= self.max_frames:
            closed.append(self._close(self._quietest_cut()))
        return closed

    def _quietest_cut(self) -> int:
        """The middle of the quietest block in the last third of the open chunk."""
        last_third = [b for b in self._blocks if b[0] >= self.start + (self.pos - self.start) * 2 // 3]
        best = min(last_third or self._blocks, key=lambda b: b[2])
        return best[0] + best[1] // 2

    def _close(self, cut: int) -> tuple[int, int]:
        chunk = (self.start, cut)
        self.start = cut
        self._blocks = [b for b in self._blocks if b[0] + b[1] > cut]
        self.loudest_db = max((b[2] for b in self._blocks), default=FLOOR_DB)
        if self._quiet_since is not None and self._quiet_since < cut:
            self._quiet_since = cut
        return chunk

    def finish(self) -> tuple[int, int] | None:
        """The open tail chunk, if it holds any audio."""
        if self.pos <= self.start:
            return None
        chunk = (self.start, self.pos)
        self.start = self.pos
        self._blocks = []
        return chunk


# --------------------------------------------------------------------------- WAV on disk


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


def incoming_dir(home: Path) -> Path:
    return home / "audio" / "incoming"


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


def read_frames(path: Path, start: int, end: int) -> Any:
    """Frames [start, end) of a 16-bit mono WAV written by `WavWriter`, as float32."""
    import numpy as np

    with open(path, "rb") as f:
        f.seek(HEADER_BYTES + start * BYTES_PER_FRAME)
        raw = f.read((end - start) * BYTES_PER_FRAME)
    return np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0


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
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dst)
    except Exception as e:
        full = is_disk_full(e, tmp)  # (judged before the partial file goes and frees its space)
        tmp.unlink(missing_ok=True)
        if full:
            raise _kept_for_later(src) from e
        raise


def _kept_for_later(src: Path) -> DiskFullError:
    return disk_full(
        src,
        f"the recording could not be saved as FLAC yet. It is kept safe in {src}",
        "run any voicejournal command to finish saving it",
    )


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
        raise _kept_for_later(src) from e


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
        if _nearly_full(path):  # its end mark did not fit
            raise _kept_for_later(path)
        raise AudioDecodeError(
            f"The recording in {path} was not finished properly. It is kept; the next voicejournal "
            "command saves what it holds."
        )
    data = contents.data
    return data[: len(data) // BYTES_PER_FRAME * BYTES_PER_FRAME]


def _nearly_full(path: Path) -> bool:
    from voicejournal.store.diskspace import NEARLY_FULL_BYTES, free_bytes

    free = free_bytes(path)
    return free is not None and free < NEARLY_FULL_BYTES


def incoming_frames(home: Path, path: Path) -> int:
    """How many frames an incoming recording left by a crash holds (after `recover_incoming`)."""
    if is_sealed_stream(path):
        return len(read_sealed_pcm(home, path, partial=True)) // BYTES_PER_FRAME
    return max(0, path.stat().st_size - HEADER_BYTES) // BYTES_PER_FRAME


# --------------------------------------------------------------------------- devices


def import_sounddevice():
    """`sounddevice`, or a MicrophoneError saying how to install PortAudio."""
    try:
        import sounddevice as sd
    except OSError as e:
        raise MicrophoneError(NO_PORTAUDIO) from e
    return sd


@dataclass
class InputDevice:
    index: int
    name: str
    channels: int
    samplerate: float
    hostapi: str
    default: bool


def input_devices() -> list[InputDevice]:
    """The input devices PortAudio sees, the default one marked."""
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        default_in = sd.default.device[0]
        hostapis = sd.query_hostapis()
    except sd.PortAudioError:
        return []
    out = []
    for dev in devices:
        if dev["max_input_channels"] <= 0:
            continue
        out.append(
            InputDevice(
                index=dev["index"],
                name=dev["name"],
                channels=dev["max_input_channels"],
                samplerate=dev["default_samplerate"],
                hostapi=hostapis[dev["hostapi"]]["name"],
                default=dev["index"] == default_in,
            )
        )
    return out


def resolve_device(device: str | int | None) -> int:
    """The PortAudio index for --device (index, or part of a name), or the default input."""
    inputs = input_devices()
    if device is None or device == "":
        default = next((d for d in inputs if d.default), None)
        if default is None:
            raise MicrophoneError(NO_MICROPHONE)
        return default.index
    if not inputs:
        raise MicrophoneError(NO_MICROPHONE)
    text = str(device).strip()
    if text.isdigit():
        index = int(text)
        if any(d.index == index for d in inputs):
            return index
        raise MicrophoneError(
            f"There is no microphone with number {index}. `voicejournal devices` lists the ones you have."
        )
    exact = [d for d in inputs if d.name.lower() == text.lower()]
    matches = exact or [d for d in inputs if text.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0].index
    if not matches:
        raise MicrophoneError(
            f"No microphone matches '{text}'. `voicejournal devices` lists the ones you have."
        )
    names = ", ".join(f"{d.index} ({d.name})" for d in matches)
    raise MicrophoneError(f"More than one microphone matches '{text}': {names}. Choose one by its number.")


def _open_error(e: Exception) -> MicrophoneError:
    text = " ".join(str(a) for a in getattr(e, "args", ()) if isinstance(a, str)) or str(e)
    low = text.lower()
    if "querying device -1" in low or "no input device" in low:
        return MicrophoneError(NO_MICROPHONE)
    if "unavailable" in low or "busy" in low or "-9985" in low:
        return MicrophoneError(
            "The microphone is busy or was unplugged. Close other programs that record sound "
            "(calls, other recorders) and try again; `voicejournal devices` lists the microphones."
        )
    if "sample rate" in low:
        return MicrophoneError(
            "This microphone cannot record at 16 kHz. Choose another one with --device "
            "(see `voicejournal devices`), or use the system's default device."
        )
    return MicrophoneError(f"Could not open the microphone ({text}). See `voicejournal doctor`.")


# --------------------------------------------------------------------------- recorder


class TranscriberLike(Protocol):
    """What Recorder needs from a transcriber (transcription.Transcriber is one)."""

    def transcribe(self, audio: Any, offset: float = 0.0, initial_prompt: str | None = None) -> Any: ...


@dataclass
class RecordingResult:
    path: Path  # the incoming WAV (complete and valid)
    frames: int
    samplerate: int
    stop_reason: str  # "stopped", "max", "device", "disk_full"
    overflows: int
    silent_warned: bool
    started: float  # time.time() at start
    segments: list[Segment] | None = None  # None when not transcribed (or it failed)
    language: str | None = None
    model: str | None = None
    transcription_error: Exception | None = None
    tail_seconds: float = 0.0  # stop -> transcript ready
    chunks: int = 0
    error: Exception | None = None  # DiskFullError raised by the writer, kept for the caller

    @property
    def duration(self) -> float:
        return self.frames / self.samplerate


@dataclass
class _Status:
    level_db: float = FLOOR_DB
    levels: deque = field(default_factory=lambda: deque(maxlen=64))


class Recorder:
    """Records one reflection to `path` (a new WAV); see the module docstring."""

    def __init__(
        self,
        path: Path,
        device: str | int | None = None,
        transcriber: TranscriberLike | None = None,
        max_seconds: float | None = None,
        samplerate: int = SAMPLE_RATE,
        blocksize: int = BLOCKSIZE,
        chunker: Chunker | None = None,
        on_segments: Callable[[list[Segment]], None] | None = None,
        encrypt_home: Path | None = None,
    ):
        self.path = Path(path)
        self.encrypt_home = encrypt_home  # an encrypted journal: the stream is sealed as it is written
        self.device = device
        self.transcriber = transcriber
        self.max_frames = int(max_seconds * samplerate) if max_seconds else None
        self.samplerate = samplerate
        self.blocksize = blocksize
        self.chunker = chunker or Chunker(samplerate)
        self.on_segments = on_segments
        self.overflows = 0
        self.silence = SilenceWatch()
        self.status = _Status()
        self.stop_reason: str | None = None
        self.error: Exception | None = None
        self.started = 0.0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._chunks: queue.SimpleQueue = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._writer_done = threading.Event()
        self._stream_closed = threading.Event()  # set once no callback can deliver a block any more
        self._stream = None
        self._writer: WavWriter | EncryptedWavWriter | None = None
        self._threads: list[threading.Thread] = []
        self._segments: list[Segment] = []
        self._language: str | None = None
        self._model: str | None = getattr(transcriber, "model_name", None)
        self._transcription_error: Exception | None = None
        self._prompt = ""
        self._chunk_count = 0
        self._last_block = 0.0
        self._stop_time: float | None = None

    # -- state for the UI
    @property
    def frames(self) -> int:
        return self._writer.frames if self._writer else 0

    @property
    def elapsed(self) -> float:
        return self.frames / self.samplerate

    @property
    def level(self) -> float:
        return self.status.level_db

    @property
    def levels(self) -> list[float]:
        return list(self.status.levels)

    @property
    def silent(self) -> bool:
        return self.silence.silent

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    # -- control
    def start(self) -> Recorder:
        sd = import_sounddevice()
        index = resolve_device(self.device)
        if self.encrypt_home is not None:
            self._writer = EncryptedWavWriter(
                self.encrypt_home, self.path, self.samplerate, keep=self.transcriber is not None
            )
        else:
            self._writer = WavWriter(self.path, self.samplerate)
        try:
            self._stream = sd.InputStream(
                samplerate=self.samplerate,
                blocksize=self.blocksize,
                device=index,
                channels=1,
                dtype="float32",
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as e:
            self._close_stream()
            self._writer.close()
            self.path.unlink(missing_ok=True)
            raise _open_error(e) from e
        self.started = time.time()
        self._last_block = time.monotonic()
        self._threads = [threading.Thread(target=self._write_loop, name="vj-writer", daemon=True)]
        if self.transcriber is not None:
            self._threads.append(threading.Thread(target=self._transcribe_loop, name="vj-asr", daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self, reason: str = "stopped") -> None:
        """Ask the recording to stop (safe from signal handlers and any thread)."""
        if not self._stopped.is_set():
            self.stop_reason = self.stop_reason or reason
            self._stop_time = time.monotonic()
            self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until something stops the recording; True if it stopped."""
        return self._stopped.wait(timeout)

    def finish(self, release: bool = True) -> RecordingResult:
        """Stop, write what is left, transcribe the tail; the WAV is complete when this returns.

        With ``release=False`` the file stays locked (so no other process "recovers" it) until
        `release()`: the caller saves it first.
        """
        self.stop()
        self._close_stream()
        self._writer_done.wait()
        for t in self._threads:
            t.join()
        writer = self._writer
        assert writer is not None
        with contextlib.suppress(OSError):
            writer.end()
        if release:
            self.release()
        tail = time.monotonic() - (self._stop_time or time.monotonic())
        transcribed = self.transcriber is not None and self._transcription_error is None
        return RecordingResult(
            path=self.path,
            frames=writer.frames,
            samplerate=self.samplerate,
            stop_reason=self.stop_reason or "stopped",
            overflows=self.overflows,
            silent_warned=self.silence.ever_silent,
            started=self.started,
            segments=list(self._segments) if transcribed else None,
            language=self._language,
            model=self._model,
            transcription_error=self._transcription_error,
            tail_seconds=tail,
            chunks=self._chunk_count,
            error=self.error,
        )

    def release(self) -> None:
        """Close the file and drop its lock."""
        if self._writer is not None:
            with contextlib.suppress(OSError):
                self._writer.close()

    @property
    def stop_time(self) -> float | None:
        """time.monotonic() when the stop was asked for."""
        return self._stop_time

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.finish()

    # -- PortAudio thread: copy and go
    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        self._queue.put(indata[:, 0].copy())

    def _finished(self) -> None:
        if not self._stopped.is_set():
            self.error = MicrophoneError(DEVICE_LOST)
            self.stop("device")

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.stop()
            with contextlib.suppress(Exception):
                stream.close()
        self._stream_closed.set()

    # -- writer thread
    def _write_loop(self) -> None:
        writer = self._writer
        assert writer is not None
        last_flush = time.monotonic()
        block_seconds = self.blocksize / self.samplerate
        full = False
        try:
            while True:
                try:
                    block = self._queue.get(timeout=0.1)
                except queue.Empty:
                    block = None
                now = time.monotonic()
                if block is None:
                    if self._stream_closed.is_set():
                        break  # stream closed and queue drained
                    if not self._stopped.is_set() and now - self._last_block > STALL_SECONDS:
                        self.error = MicrophoneError(DEVICE_LOST)
                        self.stop("device")
                else:
                    self._last_block = now
                    if full:
                        continue
                    if self.max_frames is not None and writer.frames + len(block) >= self.max_frames:
                        block = block[: self.max_frames - writer.frames]
                        full = True
                        self.stop("max")
                    self._take(block, block_seconds)
                if now - last_flush >= FLUSH_SECONDS:
                    writer.flush()
                    last_flush = now
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                self.error = DiskFullError(
                    "The disk is full, so the recording stopped. Everything captured until then is kept; "
                    "free some space before recording again."
                )
            else:
                self.error = e
            self.stop("disk_full" if isinstance(self.error, DiskFullError) else "error")
            # Keep the PortAudio queue from growing while the stream is being closed.
            while not self._stream_closed.is_set():
                with contextlib.suppress(queue.Empty):
                    self._queue.get(timeout=0.1)
        finally:
            with contextlib.suppress(OSError):
                writer.flush()
            tail = self.chunker.finish()
            if tail is not None:
                self._queue_chunk(tail)
            self._chunks.put(None)
            self._writer_done.set()

    def _take(self, block, block_seconds: float) -> None:
        if len(block) == 0:
            return
        db = level_db(block)
        self.status.level_db = db
        self.status.levels.append(db)
        self.silence.feed(db, len(block) / self.samplerate)
        self._writer.write(block)
        for chunk in self.chunker.feed(db, len(block)):
            self._writer.flush()  # the transcriber reads the chunk back from the file
            self._queue_chunk(chunk)

    def _queue_chunk(self, chunk: tuple[int, int]) -> None:
        start, end = chunk
        end = min(end, self._writer.frames)
        if end > start and self.transcriber is not None:
            take = getattr(self._writer, "take", None)  # an encrypted stream: the samples come from memory
            self._chunks.put((start, end, take(start, end) if take else None))

    # -- transcriber thread
    def _transcribe_loop(self) -> None:
        # Load the model now, while the person starts speaking, not when the first chunk closes.
        load = getattr(self.transcriber, "load", None) or getattr(self.transcriber, "_load", None)
        if load is not None:
            try:
                load()
            except Exception as e:
                self._transcription_error = e
        while True:
            item = self._chunks.get()
            if item is None:
                return
            if self._transcription_error is not None:
                continue
            start, end, samples = item
            try:
                if samples is None:
                    samples = read_frames(self.path, start, end)
                if level_db(samples) <= SILENT_DB:
                    continue  # nothing to hear; Whisper would only imagine words
                result = self.transcriber.transcribe(
                    samples, offset=start / self.samplerate, initial_prompt=self._prompt[-400:] or None
                )
            except Exception as e:  # the audio is safe; the entry is saved as pending
                self._transcription_error = e
                continue
            self._chunk_count += 1
            new = list(result.segments)
            self._segments.extend(new)
            self._language = self._language or getattr(result, "language", None)
            self._model = getattr(result, "model", None)
            text = " ".join(s.text.strip() for s in new if s.text.strip())
            if text:
                self._prompt = (self._prompt + " " + text).strip()
            if self.on_segments and new:
                with contextlib.suppress(Exception):
                    self.on_segments(new)


@contextlib.contextmanager
def stop_on_signals(recorder: Recorder, signals: tuple = (signal.SIGINT, signal.SIGTERM)) -> Iterator[None]:
    """While inside, SIGINT/SIGTERM stop the recording (it is then saved) instead of killing us."""
    previous = {}

    def handler(signum, frame):
        recorder.stop("stopped")

    for sig in signals:
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# --------------------------------------------------------------------------- checks and playback


def probe_microphone(device: str | int | None = None, seconds: float = 1.0) -> tuple[str, float]:
    """Open the microphone briefly: (device name, loudest 100 ms level in dBFS). Raises MicrophoneError."""
    import numpy as np

    sd = import_sounddevice()
    index = resolve_device(device)
    name = sd.query_devices(index)["name"]
    blocks: list = []
    try:
        with sd.InputStream(
            samplerate=SAMPLE_RATE,
            blocksize=BLOCKSIZE,
            device=index,
            channels=1,
            dtype="float32",
            callback=lambda indata, frames, t, status: blocks.append(indata[:, 0].copy()),
        ):
            time.sleep(seconds)
    except (sd.PortAudioError, ValueError) as e:
        raise _open_error(e) from e
    if not blocks:
        raise MicrophoneError(
            f"The microphone '{name}' opened but sent no sound at all. Check that it is connected and "
            "not used by another program."
        )
    loudest = max(level_db(np.asarray(b)) for b in blocks)
    return name, loudest


NO_OUTPUT = (
    "No speaker or headphones found to play on. Connect one (or check the system's sound settings) "
    "and try again."
)


def check_output() -> None:
    """Raise PlaybackError unless there is a default output device."""
    from voicejournal.errors import PlaybackError

    sd = import_sounddevice()
    try:
        sd.query_devices(kind="output")
    except (sd.PortAudioError, ValueError) as e:
        raise PlaybackError(NO_OUTPUT) from e


def play_file(path: Path, at: float = 0.0) -> None:
    """Play an audio file through the default output from `at` seconds, block by block."""
    import soundfile as sf

    from voicejournal.errors import PlaybackError

    sd = import_sounddevice()
    check_output()
    with sf.SoundFile(path) as f:
        f.seek(min(f.frames, int(at * f.samplerate)))
        try:
            with sd.OutputStream(samplerate=f.samplerate, channels=1, dtype="float32") as stream:
                for block in f.blocks(blocksize=4096, dtype="float32", always_2d=True):
                    stream.write(block[:, :1].copy())
        except sd.PortAudioError as e:
            if "querying device -1" in str(e):
                raise PlaybackError(NO_OUTPUT) from e
            raise PlaybackError(f"Playback failed ({e}). Check the system's sound output.") from e
