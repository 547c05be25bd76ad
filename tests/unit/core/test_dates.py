from datetime import date, time

import pytest

from voicejournal.core.dates import (
    parse_appointment_day,
    parse_date,
    parse_day,
    parse_due,
    parse_offset,
    parse_time_of_day,
    split_appointment,
)
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [("friday", date(2026, 11, 6)), ("monday", date(2026, 11, 9)), ("tomorrow", date(2026, 11, 3)),
     ("2026-12-03", date(2026, 12, 3))],
)  # fmt: skip
def test_a_due_weekday_is_the_coming_one(text, expected):
    assert parse_due(text, today=date(2026, 11, 2)) == expected  # a Monday: "monday" is next week's


@pytest.mark.parametrize(
    ("text", "expected"),
    [("next friday", date(2026, 11, 6)), ("next monday", date(2026, 11, 9)), ("on Monday", date(2026, 11, 9)),
     ("last monday", date(2026, 10, 26))],
)  # fmt: skip
def test_due_phrases(text, expected):
    assert parse_due(text, today=date(2026, 11, 2)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("monday", date(2026, 11, 2)), ("Thursday", date(2026, 11, 5)), ("sunday", date(2026, 11, 8)),
     ("next monday", date(2026, 11, 9)), ("next thursday", date(2026, 11, 5)),
     ("this friday", date(2026, 11, 6)), ("last monday", date(2026, 10, 26)),
     ("yesterday", date(2026, 11, 1)), ("2026-12-03", date(2026, 12, 3))],
)  # fmt: skip
def test_an_appointment_weekday_is_today_or_the_coming_one(text, expected):
    assert parse_appointment_day(text, today=date(2026, 11, 2)) == expected  # a Monday


@pytest.mark.parametrize("text", ["next", "next week monday", "next funday", "monday friday"])
def test_appointment_day_nonsense_is_refused(text):
    with pytest.raises(UsageError):
        parse_appointment_day(text, today=date(2026, 11, 2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:00", time(14)),
        ("9.30", time(9, 30)),
        ("2pm", time(14)),
        ("12 am", time(0)),
        ("2:30 p.m.", time(14, 30)),
    ],
)
def test_time_of_day(text, expected):
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13pm", "noonish", "9:75"])
def test_bad_time_of_day(text):
    with pytest.raises(UsageError) as err:
        parse_time_of_day(text)
    assert str(err.value) == f"Could not understand the time '{text}'. Try 14:00 or 2pm."


@pytest.mark.parametrize(("text", "seconds"), [("2:31", 151), ("1:02:03", 3723), ("95", 95), ("0:00.5", 0.5)])
def test_offset_in_a_recording(text, seconds):
    assert parse_offset(text) == seconds


@pytest.mark.parametrize("text", ["soon", "", "-1:00", "1:2:3:4", "nan"])
def test_bad_offset(text):
    with pytest.raises(UsageError) as err:
        parse_offset(text)
    assert str(err.value) == f"'{text}' is not a time in the recording; write it like 02:13."


@pytest.mark.parametrize(
    "words, expected",
    [
        (["next", "tuesday", "3pm"], ("next tuesday", "3pm")),
        (["next tuesday at 3pm"], ("next tuesday", "3pm")),  # one quoted argument
        (["tomorrow", "at", "14:00"], ("tomorrow", "14:00")),
        (["2026-12-03", "14:00"], ("2026-12-03", "14:00")),
        (["3", "december", "2", "pm"], ("3 december", "2 pm")),
        (["tomorrow", "2:30", "p.m."], ("tomorrow", "2:30 p.m.")),
        (["tomorrow", "14"], ("tomorrow", "14")),  # DATE TIME as two words, as before
        (["2026-12-03", "25:00"], ("2026-12-03", "25:00")),  # the time's own error tells what is wrong
        (["2026-12-03"], None),
        (["next", "tuesday"], None),
        ([], None),
    ],
)
def test_an_appointment_is_split_into_its_day_and_time(words, expected):
    assert split_appointment(words) == expected
