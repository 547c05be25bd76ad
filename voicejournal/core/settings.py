"""Audio retention and the person's settings: parsing and describing values (pure logic)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicejournal.errors import UsageError

AUDIO_RETENTION = "audio-retention"
_OFF = {"off", "never", "none", "forever", "keep"}
_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}
_UNIT_NAMES = {"d": "day", "w": "week", "m": "month", "y": "year"}
_VALUE = re.compile(r"^(\d{1,6})\s*(d|days?|w|weeks?|m|months?|y|years?)$")
MAX_DAYS = 100 * 365


@dataclass(frozen=True)
class Retention:
    """How long recordings are kept: `days` None means for ever."""

    text: str  # normalized: '90d', '6m', 'off'
    days: int | None

    def describe(self) -> str:
        if self.days is None:
            return "recordings are kept for ever"
        count, unit = int(self.text[:-1]), _UNIT_NAMES[self.text[-1]]
        from voicejournal.core.wording import count as counted

        return f"recordings older than {counted(count, unit)} are deleted (transcripts are kept)"


OFF = Retention("off", None)


def parse_retention(text: str) -> Retention:
    """'90d', '12 weeks', '6m', '1y', 'off' -> Retention; UsageError for anything else."""
    value = " ".join(str(text).split()).lower()
    if value in _OFF:
        return OFF
    match = _VALUE.match(value)
    if not match:
        raise UsageError(
            f"Could not understand the retention '{text}'. Try 90d, 12w, 6m, 1y, or off to keep recordings."
        )
    count, unit = int(match.group(1)), match.group(2)[0]
    days = count * _UNITS[unit]
    if count < 1:
        raise UsageError("The retention must be at least 1 day (or off to keep recordings).")
    if days > MAX_DAYS:
        raise UsageError("The retention can be at most 100 years (or off to keep recordings for ever).")
    return Retention(f"{count}{unit}", days)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS = {
    AUDIO_RETENTION: Setting(
        AUDIO_RETENTION,
        "off",
        "delete recordings older than this (e.g. 90d, 12w, 6m, 1y; off keeps them); transcripts stay",
    ),
}

_PARSERS = {AUDIO_RETENTION: lambda value: parse_retention(value).text}


def setting_name(name: str) -> str:
    """The canonical name of a setting (raises UsageError for an unknown one)."""
    key = name.strip().lower()
    if key not in SETTINGS:
        raise UsageError(f"Unknown setting '{name}'. Settings: {', '.join(sorted(SETTINGS))}.")
    return key


def normalize_setting(name: str, value: str) -> str:
    """The stored form of a setting's value (raises UsageError for an unknown name or a bad value)."""
    return _PARSERS[setting_name(name)](value)
