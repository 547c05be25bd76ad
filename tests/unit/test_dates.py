from datetime import date

import pytest

from voicejournal.dates import parse_date, parse_day
from voicejournal.errors import UsageError

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-02", date(2026, 11, 2)),
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 24)),
        ("last monday", date(2026, 11, 23)),
        ("last wednesday", date(2026, 11, 18)),
        ("friday", date(2026, 11, 20)),
        ("3 months ago", date(2026, 8, 25)),
        ("two weeks ago", date(2026, 11, 11)),
        ("a year ago", date(2025, 11, 25)),
        ("last week", date(2026, 11, 18)),
        ("last month", date(2026, 10, 25)),
        ("2 Nov 2026", date(2026, 11, 2)),
    ],
)
def test_parse_day(text, expected):
    assert parse_day(text, today=TODAY) == expected


def test_month_arithmetic_clamps_to_month_end():
    assert parse_day("1 month ago", today=date(2026, 3, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["", "soon", "2026-13-01", "banana ago", "last blursday"])
def test_nonsense_is_a_clear_error(text):
    with pytest.raises(UsageError) as info:
        parse_date(text)
    assert str(info.value) == (
        f"Could not understand the date '{text}'. Try 2026-11-02, 'yesterday' or '3 weeks ago'."
    )


def test_end_of_day_and_aware():
    start = parse_date("2026-11-02")
    end = parse_date("2026-11-02", end=True)
    assert start.tzinfo is not None and end.tzinfo is not None
    assert (end - start).total_seconds() > 86_000
