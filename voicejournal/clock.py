"""The one clock voicejournal reads.

Nothing else calls `datetime.now()`: a `Journal` takes a `now` callable (default `clock.now`), and
tests fix the instant with time-machine, so every date-sensitive behaviour runs at chosen moments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

Clock = Callable[[], datetime]


def now() -> datetime:
    """The current local time, timezone-aware."""
    return datetime.now().astimezone()


def today() -> date:
    """Today's local date."""
    return now().date()
