"""Recording from the microphone: streamed to disk, transcribed while it happens.

The pipeline (all threads end cleanly whatever stops the recording)::

    PortAudio callback -> queue -> writer thread -> 16 kHz (resample.py) -> audio/incoming/<id>.wav
                                        |-> level meter, silence watch, Chunker (cuts at pauses)
                                        '-> closed chunks (frame ranges) -> transcriber thread

The microphone is opened at its own rate (44.1 or 48 kHz, `devices.native_rate`) and converted here, since a
sound server asked for 16 kHz converts with a filter that costs words; the file is 16 kHz, flushed every second.

Chunks go to the transcriber as frame ranges read back from the file (or, encrypted, kept in memory until
taken), so the audio is never held whole: at most one chunk (<= 30 s). Usable from Python without Click::

    rec = Recorder(Path("x.wav"), transcriber=Transcriber())
    rec.start()
    rec.wait(60)          # or until rec.stop() / a signal / max_seconds / a device error
    result = rec.finish()
"""

from __future__ import annotations

import contextlib
import errno
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from voicejournal.core.entry import Segment
from voicejournal.errors import DiskFullError, MicrophoneError
from voicejournal.speech.chunker import Chunker
from voicejournal.speech.devices import BLOCKSIZE, DEVICE_LOST, open_input, resolve_device
from voicejournal.speech.levels import FLOOR_DB, SilenceWatch, level_db, too_quiet
from voicejournal.speech.live import LiveTranscription
from voicejournal.speech.resample import Resampler
from voicejournal.speech.wav import EncryptedWavWriter, WavWriter
from voicejournal.store.home import SAMPLE_RATE

FLUSH_SECONDS = 1.0
STALL_SECONDS = 5.0  # no audio from an open stream for this long: the device is gone


class TranscriberLike(Protocol):
    """What Recorder needs from a transcriber (transcription.Transcriber is one)."""

    def transcribe(
        self, audio: Any, offset: float = 0.0, initial_prompt: str | None = None, **options: Any
    ) -> Any: ...


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
    final_pass: float = 0.0  # seconds of audio heard again together at stop
    quiet_db: float | None = None  # the speech level when it was too low to trust (levels.too_quiet)
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
        capture_rate: int | None = None,
    ):
        self.path = Path(path)
        self.encrypt_home = encrypt_home  # an encrypted journal: the stream is sealed as it is written
        self.device = device
        self.transcriber = transcriber
        self.max_frames = int(max_seconds * samplerate) if max_seconds else None
        self.samplerate = samplerate  # of the file and the transcriber
        self.capture_rate = capture_rate  # of the microphone; None: its own (set by start)
        self._resampler = Resampler(samplerate, samplerate)  # until start: blocks pass through
        self.blocksize = blocksize
        self.chunker = chunker or Chunker(samplerate)
        self.overflows = 0
        self.silence = SilenceWatch()
        self.status = _Status()
        self.stop_reason: str | None = None
        self.error: Exception | None = None
        self.started = 0.0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._writer_done = threading.Event()
        self._stream_closed = threading.Event()  # set once no callback can deliver a block any more
        self._stream = None
        self._writer: WavWriter | EncryptedWavWriter | None = None
        self._threads: list[threading.Thread] = []
        self._levels: list[float] = []  # one per block, for the speech level (30 min: 18,000 floats)
        self._live = LiveTranscription(transcriber, self.path, samplerate, on_segments)
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
        index = resolve_device(self.device)
        if self.encrypt_home is not None:
            self._writer = EncryptedWavWriter(
                self.encrypt_home, self.path, self.samplerate, keep=self.transcriber is not None
            )
        else:
            self._writer = WavWriter(self.path, self.samplerate)
        try:
            self._stream, self.capture_rate = open_input(
                index, self.capture_rate, self.blocksize / self.samplerate, self._callback, self._finished
            )
        except MicrophoneError:
            self._close_stream()
            self._writer.close()
            self.path.unlink(missing_ok=True)
            raise
        self._resampler = Resampler(self.capture_rate, self.samplerate)
        self.started = time.time()
        self._last_block = time.monotonic()
        self._threads = [threading.Thread(target=self._write_loop, name="vj-writer", daemon=True)]
        if self.transcriber is not None:
            self._threads.append(threading.Thread(target=self._live.run, name="vj-asr", daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self, reason: str = "stopped") -> None:
        """Ask the recording to stop (safe from signal handlers and any thread)."""
        if not self._stopped.is_set():
            self.stop_reason = self.stop_reason or reason
            self._stop_time = time.monotonic()
            self._live.stop(self._stop_time)  # no chunk is heard again in a window now: the person waits
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
        transcribed = self.transcriber is not None and self._live.error is None
        live = self._live.transcript
        return RecordingResult(
            path=self.path,
            frames=writer.frames,
            samplerate=self.samplerate,
            stop_reason=self.stop_reason or "stopped",
            overflows=self.overflows,
            silent_warned=self.silence.ever_silent,
            started=self.started,
            segments=list(live.segments) if transcribed else None,
            language=live.language,
            model=live.model,
            transcription_error=self._live.error,
            tail_seconds=tail,
            chunks=live.chunks,
            final_pass=live.final_pass,
            quiet_db=too_quiet(self._levels),
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
                    if self._stream_closed.is_set():  # stream closed and queue drained
                        block = self._resampler.flush()  # the last few ms the filter held back
                        if len(block) and not full:
                            self._take(block[: self._room(writer)], block_seconds)
                        break
                    if not self._stopped.is_set() and now - self._last_block > STALL_SECONDS:
                        self.error = MicrophoneError(DEVICE_LOST)
                        self.stop("device")
                else:
                    self._last_block = now
                    if full:
                        continue
                    block = self._resampler.process(block)
                    if len(block) >= self._room(writer):
                        block = block[: self._room(writer)]
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
                self._queue_chunk(tail, last=True)
            self._live.close()
            self._writer_done.set()

    def _room(self, writer: WavWriter | EncryptedWavWriter) -> int:
        """Frames the file may still take before max_seconds (a very large number without one)."""
        return self.max_frames - writer.frames if self.max_frames is not None else 1 << 62

    def _take(self, block, block_seconds: float) -> None:
        if len(block) == 0:
            return
        db = level_db(block)
        self._levels.append(db)
        self.status.level_db = db
        self.status.levels.append(db)
        self.silence.feed(db, len(block) / self.samplerate)
        self._writer.write(block)
        for chunk in self.chunker.feed(db, len(block)):
            self._writer.flush()  # the transcriber reads the chunk back from the file
            self._queue_chunk(chunk)

    def _queue_chunk(self, chunk: tuple[int, int], last: bool = False) -> None:
        start, end = chunk
        end = min(end, self._writer.frames)
        if end > start and self.transcriber is not None:
            take = getattr(self._writer, "take", None)  # an encrypted stream: the samples come from memory
            self._live.put(start, end, take(start, end) if take else None, last)


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
