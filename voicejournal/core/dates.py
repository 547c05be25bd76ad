"""Lenient parsing of the dates and times people type, in one place.

Days ('2026-11-02', 'yesterday', 'last monday', '3 months ago'), due days ('friday' is the coming one),
appointment days ('monday' is the coming one, or today), clock times ('14:00', '2pm') and moments in a recording ('2:31', '1:02:03').
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from voicejournal import clock
from voicejournal.errors import UsageError

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_UNITS = {"day": 1, "week": 7, "fortnight": 14}
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_AGO = re.compile(r"^(\w+)\s+(day|week|fortnight|month|year)s?\s+ago$")
_LAST = re.compile(r"^(?:last|past)\s+(?:(\w+)\s+)?(day|week|fortnight|month|year)s?$")


def _bad(text: str) -> UsageError:
    return UsageError(
        f"Could not understand the date '{text}'. Try 2026-11-02, 'yesterday' or '3 weeks ago'."
    )


def _months_back(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("date value out of range")
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _count(word: str, text: str) -> int:
    if word.isdigit():
        return int(word)
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    raise _bad(text)


def parse_day(text: str, today: date | None = None) -> date:
    """The calendar day a phrase names."""
    try:
        return _parse_day(text, today)
    except OverflowError:  # '99999 years ago': before the first day a calendar can hold
        raise _bad(text) from None


def _parse_day(text: str, today: date | None = None) -> date:
    raw = text
    text = " ".join(text.strip().lower().split())
    today = today or clock.today()
    if not text:
        raise _bad(raw)
    if text in ("today", "now"):
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    if text == "tomorrow":
        return today + timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for fmt in ("%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if m := _AGO.match(text):
        n, unit = _count(m.group(1), raw), m.group(2)
        if unit == "month":
            return _months_back(today, n)
        if unit == "year":
            return _months_back(today, 12 * n)
        return today - timedelta(days=n * _UNITS[unit])
    if m := _LAST.match(text):
        n = _count(m.group(1), raw) if m.group(1) else 1
        unit = m.group(2)
        if unit == "month":
            return _months_back(today, n)
        if unit == "year":
            return _months_back(today, 12 * n)
        return today - timedelta(days=n * _UNITS[unit])
    words = text.split()
    if len(words) in (1, 2) and words[-1] in _WEEKDAYS:
        if len(words) == 2 and words[0] not in ("last", "this", "on"):
            raise _bad(raw)
        target = _WEEKDAYS.index(words[-1])
        back = (today.weekday() - target) % 7
        if words[0] == "last" and back == 0:
            back = 7
        return today - timedelta(days=back)
    raise _bad(raw)


def parse_date(text: str, end: bool = False, today: date | None = None) -> datetime:
    """A timezone-aware local datetime: the start of the named day, or its end with `end=True`.

    A full ISO timestamp ('2026-11-02T14:00', with or without offset) is kept as given.
    """
    stripped = text.strip()
    if "T" in stripped or (len(stripped) > 10 and ":" in stripped):
        try:
            moment = datetime.fromisoformat(stripped)
        except ValueError:
            raise _bad(text) from None
    else:
        day = parse_day(stripped, today)
        moment = datetime.combine(day, time.max if end else time.min)
    if moment.tzinfo:
        return moment
    try:
        return moment.astimezone()
    except (OverflowError, ValueError):  # the first or last day a calendar can hold
        raise _bad(text) from None


def _coming(text: str, today: date, include_today: bool) -> date | None:
    """'friday' / 'next friday' / 'on friday' as a day ahead; None for any other phrase.

    'next friday' is never today; a bare weekday is today only with `include_today`.
    """
    words = " ".join(text.strip().lower().split()).split()
    if not words or words[-1] not in _WEEKDAYS or len(words) > 2:
        return None
    if len(words) == 2 and words[0] not in ("next", "on", "this"):
        return None
    ahead = (_WEEKDAYS.index(words[-1]) - today.weekday()) % 7
    if ahead == 0 and (words[0] == "next" or not include_today):
        ahead = 7
    return today + timedelta(days=ahead)


def parse_due(text: str, today: date | None = None) -> date:
    """When homework is due: like `parse_day`, except that a weekday ('friday', 'next friday') is the
    coming one, never today."""
    today = today or clock.today()
    return _coming(text, today, include_today=False) or parse_day(text, today)


def parse_appointment_day(text: str, today: date | None = None) -> date:
    """The day of an appointment: like `parse_day`, except that a weekday ('monday', 'next monday') is
    the coming one. A bare weekday that is today means today; 'last monday' stays in the past."""
    today = today or clock.today()
    return _coming(text, today, include_today=True) or parse_day(text, today)


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.I)


def parse_time_of_day(text: str) -> time:
    """'14:00', '9.30', '2pm', '2:30 pm' -> a time of day."""
    match = _CLOCK.match(text.strip())
    if match:
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
        if half and not 1 <= hour <= 12:
            match = None
        elif half.startswith("p") and hour != 12:
            hour += 12
        elif half.startswith("a") and hour == 12:
            hour = 0
        if match and hour < 24 and minute < 60:
            return time(hour, minute)
    raise UsageError(f"Could not understand the time '{text}'. Try 14:00 or 2pm.")


# A time at the end of what was typed: '14:00', '9.30', '2pm', '2 pm', 'at 14:00' (a bare '3' is not one).
_ENDING_TIME = re.compile(
    r"^(?P<day>\S.*?)(?:\s+at)?\s+(?P<time>\d{1,2}(?:[:.h]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?|\s*(?:am|pm|a\.m\.|p\.m\.)))$",
    re.I,
)


def split_appointment(words: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
    """What was typed for an appointment, as (day, time of day): 'next tuesday 3pm', 'tomorrow at 14:00',
    '2026-12-03 14:00', or any DAY TIME pair; None when no time can be told apart."""
    match = _ENDING_TIME.match(" ".join(" ".join(words).split()))
    if match:
        return match.group("day"), match.group("time")
    # DAY TIME as two words, with no time of the shapes above: the time's own error says what is wrong
    if len(words) == 2 and words[1][:1].isdigit():
        return words[0], words[1]
    return None


def parse_offset(text: str) -> float:
    """A moment in a recording: '2:31', '1:02:03' or '95' -> seconds."""
    try:
        parts = [float(p) for p in text.strip().split(":")]
    except ValueError:
        parts = []
    if not parts or len(parts) > 3 or any(p < 0 or p != p for p in parts):
        raise UsageError(f"'{text}' is not a time in the recording; write it like 02:13.")
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds
