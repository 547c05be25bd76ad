"""Sound levels: decibels of a block, the meter bar, and noticing a silent microphone."""

from __future__ import annotations

import math
from typing import Any

FLOOR_DB = -100.0  # the level of digital silence


SILENT_DB = -75.0  # at or below this a microphone is muted or dead (real rooms are noisier)


SILENT_WARN_SECONDS = 5.0


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
