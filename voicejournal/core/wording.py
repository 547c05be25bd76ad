"""Words for people: days, clock times, lengths, offsets and counts ('1 entry', '2 entries'), written
one way everywhere: every printed count goes through `count`."""

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


def timestamp(seconds: float) -> str:
    """A moment in a recording as the CLI shows it: '02:13', or '1:02:13' past the hour."""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def length_text(seconds: float) -> str:
    """How long a recording is: '9 s', '6 min', '1 h 05 min' ('written' for a typed entry)."""
    if seconds <= 0:
        return "written"
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


# Nouns whose plural is not the word and an "s".
_IRREGULAR = {"entry": "entries"}


def noun(n: int, one: str, many: str | None = None) -> str:
    """The noun that goes with n: 'entry' for 1, 'entries' for 0 and 2."""
    if n == 1:
        return one
    if many:
        return many
    head, _, last = one.rpartition(" ")  # "journal file" -> "journal files", "homework item" -> "… items"
    plural = _IRREGULAR.get(last, last + "s")
    return f"{head} {plural}" if head else plural


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 entry', '2 entries', '0 recordings': the number and its noun."""
    return f"{n} {noun(n, one, many)}"
