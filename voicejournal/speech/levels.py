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


# Gain before the model. Whisper and its VAD hear a quiet voice worse than a loud one, and some microphones
# (and phones held far away) record speech 30-40 dB below a normal level. So a quiet recording is raised
# until its speech sits at SPEECH_TARGET_DB, by at most MAX_GAIN_DB, and never above a -1 dBFS peak.
# Only sound with pauses is raised: speech rises well above its own pauses, while steady noise or room tone
# does not (SPEECH_OVER_FLOOR_DB), and raising those would only give Whisper something to imagine words in.
SPEECH_TARGET_DB = -20.0
MAX_GAIN_DB = 40.0
SPEECH_OVER_FLOOR_DB = 15.0
QUIET_DB = -45.0  # speech below this (before the gain) is too quiet to trust: the person is warned


def block_levels(samples: Any, block: int = 1600) -> list[float]:
    """The level (dBFS) of each 100 ms block."""
    return [
        level_db(samples[i : i + block]) for i in range(0, len(samples), block) if len(samples[i : i + block])
    ]


def speech_level(levels: list[float]) -> tuple[float, float]:
    """(speech, floor) in dBFS from block levels: their 90th and 10th percentiles."""
    heard = sorted(levels)
    if not heard:
        return FLOOR_DB, FLOOR_DB
    return heard[min(len(heard) - 1, len(heard) * 9 // 10)], heard[len(heard) // 10]


def speech_gain_db(levels: list[float], peak_db: float) -> float:
    """How many dB to raise audio with these block levels and this peak before the model (0 = as it is)."""
    speech, floor = speech_level(levels)
    if speech <= SILENT_DB or speech - floor < SPEECH_OVER_FLOOR_DB:
        return 0.0
    return max(0.0, min(SPEECH_TARGET_DB - speech, MAX_GAIN_DB, -1.0 - peak_db))


def normalise(samples: Any, levels: list[float] | None = None) -> Any:
    """The samples raised by `speech_gain_db` (the same array when no gain is needed); judged from `levels`
    (those of the whole recording so far, say) or else from the samples' own."""
    import numpy as np

    if len(samples) == 0:
        return samples
    peak = float(np.max(np.abs(samples)))
    peak_db = 20.0 * math.log10(peak) if peak > 0 else FLOOR_DB
    gain = speech_gain_db(block_levels(samples) if levels is None else levels, peak_db)
    if gain <= 0.0:
        return samples
    return (samples * np.float32(10 ** (gain / 20.0))).astype(np.float32)


def too_quiet(levels: list[float]) -> float | None:
    """The speech level when it is too low to trust (but not silence), else None."""
    speech, _ = speech_level([db for db in levels if db > SILENT_DB])
    return speech if SILENT_DB < speech < QUIET_DB else None


def quiet_warning(speech_db: float, what: str = "The recording") -> str:
    """The one line shown when speech was too quiet to trust."""
    return (
        f"{what} is very quiet (speech at {speech_db:.0f} dBFS), so its transcript may miss words: next time "
        "speak closer to the microphone or turn its input volume up."
    )
