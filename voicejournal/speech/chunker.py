"""Cutting a live recording at pauses into chunks the transcriber can take while recording goes on."""

from __future__ import annotations

from collections import deque

from voicejournal.speech.levels import FLOOR_DB
from voicejournal.store.home import SAMPLE_RATE


class Chunker:
    """Cuts a stream into chunks for the transcriber, at pauses, from the level signal.

    Feed one level per block; `feed` returns ``(start, end)`` frame ranges of chunks as they
    close. A chunk closes at the middle of the first pause of at least `pause_seconds` once it
    is `min_seconds` long, or at its quietest block near the end when it reaches `max_seconds`
    (Whisper's window is 30 s). What counts as quiet follows the room: `margin_db` above the
    noise floor (the 10th percentile of the last 30 s), but at least -80 dBFS (a quiet microphone in a
    quiet room: its speech may sit at -60) and at most -25.
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
        return min(-25.0, max(-80.0, floor + self.margin_db))

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
