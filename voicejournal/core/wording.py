"""Words for people: days, clock times, lengths, offsets and counts, written one way everywhere."""

from __future__ import annotations

from datetime import date, datetime

from voicejournal import clock as clk


def day(dt: datetime | date) -> str:
    """'Mon 24 Nov' (with the year when it is not this year's)."""
    today = clk.today()
    text = f"{dt:%a} {dt.day} {dt:%b}"
    return text if dt.year == today.year else f"{text} {dt.year}"


def clock(dt: datetime) -> str:
    """'14:05'."""
    return f"{dt:%H:%M}"


def offset_text(seconds: float | None) -> str:
    """A moment in a recording: '2:13', or '1:02:13' past the hour."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def length_text(seconds: float) -> str:
    """How long a recording is: '9 s', '6 min', '1 h 05 min' ('written' for a typed entry)."""
    if seconds <= 0:
        return "written"
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 entry', '2 entries', '0 entries'."""
    return f"{n} {word if n == 1 else many or word + 's'}"
