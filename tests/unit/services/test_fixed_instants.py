"""Date-sensitive behaviour at fixed instants: the last minute of a month and of a year, half an hour into a
day, and both daylight-saving changes (Europe/Berlin: clocks back on 25 Oct 2026, forward on 29 Mar 2026).

Each test sets the local time zone (TZ + tzset) and stops the clock at the instant (time-machine, which is
what `voicejournal.clock` reads), then drives the CLI in this process or the `Journal` API; nothing reads the
real date. `record` at these instants is in tests/integration/test_record.py.
"""

import json
import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import soundfile as sf

from tests.in_process import invoke
from voicejournal.core.dates import parse_date
from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.journal import Journal

BERLIN = "Europe/Berlin"


@pytest.fixture
def at(local_tz, time_machine):
    """`at("2026-12-31T23:59", "Europe/Berlin")`: this process's zone is `tz` and its clock stands at that
    local time; returns the instant (aware)."""

    def go(when: str, tz: str = "UTC") -> datetime:
        local_tz(tz)
        moment = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(tz))
        time_machine.move_to(moment, tick=False)
        return moment

    return go


def local(when: str, tz: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(tz))


def save(journal: Journal, entry_id: str, created: datetime, text: str = "A note.") -> None:
    journal.save_entry(
        Entry(id=entry_id, created=created, status=DONE, segments=[Segment(0, 2, text)], text=text), new=True
    )


# --- the month file an entry lands in ---------------------------------------------------------------


@pytest.mark.parametrize(
    "tz, made, month",
    [
        ("UTC", "2026-11-30T23:59:30", "2026-11"),
        ("UTC", "2026-12-31T23:59:30", "2026-12"),
        ("UTC", "2027-01-01T00:30:00", "2027-01"),
        # local time decides, not UTC: already December in UTC, still November here (and the reverse)
        ("America/Los_Angeles", "2026-11-30T23:59:30", "2026-11"),
        ("Pacific/Auckland", "2026-12-01T00:30:00", "2026-12"),
        (BERLIN, "2026-12-31T23:59:30", "2026-12"),
        (BERLIN, "2026-10-25T02:30:00", "2026-10"),  # the hour that happens twice
        (BERLIN, "2026-03-29T03:30:00", "2026-03"),  # just after the hour that is skipped
    ],
)
def test_a_recording_is_filed_in_the_local_month_it_was_made(vj_home, tmp_path, at, tz, made, month):
    now = at(made, tz)
    wav = tmp_path / "memo.wav"
    sf.write(wav, np.full(8000, 0.1, dtype=np.float32), 16000)
    os.utime(wav, (now.timestamp(), now.timestamp()))  # `add` dates a file by when it was recorded
    entry = Journal(vj_home).add_file(wav, transcribe=False)
    # (compared as instants and offsets: an hour that happens twice never compares equal across zones)
    assert (entry.created.timestamp(), entry.created.utcoffset()) == (now.timestamp(), now.utcoffset())
    assert [p.name for p in (vj_home / "entries").glob("*.json")] == [f"{month}.json"]
    assert entry.audio == f"audio/{month[:4]}/{month[5:]}/{entry.id}.flac"
    assert Journal(vj_home).get(entry.id).created.isoformat() == now.isoformat()


# --- relative dates: `list --since yesterday` -------------------------------------------------------


@pytest.mark.parametrize(
    "tz, now, yesterday",
    [
        ("UTC", "2026-12-01T00:30", "2026-11-30"),
        ("UTC", "2026-12-31T23:59", "2026-12-30"),
        (BERLIN, "2027-01-01T00:30", "2026-12-31"),
        (BERLIN, "2026-10-26T00:30", "2026-10-25"),  # yesterday had 25 hours
        (BERLIN, "2026-03-30T00:30", "2026-03-29"),  # yesterday had 23 hours
    ],
)
def test_list_since_and_until_yesterday(vj_home, at, tz, now, yesterday):
    moment = at(now, tz)
    journal = Journal(vj_home)
    day = date.fromisoformat(yesterday)
    save(journal, "befo", local(f"{day - timedelta(days=1)}T23:59:59", tz))
    save(journal, "morn", local(f"{day}T00:00:00", tz))
    save(journal, "nite", local(f"{day}T23:59:59", tz))
    save(journal, "tday", moment - timedelta(minutes=1))

    def listed(*args):
        code, stdout, stderr = invoke("list", "--json", *args)
        assert code == 0, stderr
        return sorted(e["id"] for e in json.loads(stdout))

    assert listed("--since", "yesterday") == ["morn", "nite", "tday"]
    assert listed("--since", "yesterday", "--until", "yesterday") == ["morn", "nite"]
    assert listed("--until", "2 days ago") == ["befo"]
    assert listed("--since", "today") == ["tday"]


@pytest.mark.parametrize(
    "now, hours",
    [("2026-10-26T00:30", 25), ("2026-03-30T00:30", 23), ("2026-12-01T00:30", 24)],
)
def test_yesterday_spans_the_day_as_the_clock_showed_it(at, now, hours):
    at(now, BERLIN)
    start, end = parse_date("yesterday"), parse_date("yesterday", end=True)
    assert (start.hour, start.minute, end.hour, end.minute) == (0, 0, 23, 59)
    assert round((end - start).total_seconds() / 3600) == hours


# --- "today", "tomorrow": the next session and homework ------------------------------------------------


@pytest.mark.parametrize(
    "now, session, expected",
    [
        ("2026-12-31T23:59", ("tomorrow", "00:30"), "Next session: Fri 1 Jan 2027, 00:30 with Dr. Rivera (tomorrow)"),
        ("2027-01-01T00:30", ("today", "14:00"), "Next session: Fri 1 Jan, 14:00 with Dr. Rivera (today)"),
        ("2026-11-30T23:59", ("2026-12-02", "09:00"), "Next session: Wed 2 Dec, 09:00 with Dr. Rivera (in 2 days)"),
        ("2026-10-24T23:59", ("tomorrow", "23:00"), "Next session: Sun 25 Oct, 23:00 with Dr. Rivera (tomorrow)"),
        ("2026-10-25T23:30", ("tomorrow", "00:10"), "Next session: Mon 26 Oct, 00:10 with Dr. Rivera (tomorrow)"),
        ("2026-03-29T00:30", ("2026-03-29", "14:00"), "Next session: Sun 29 Mar, 14:00 with Dr. Rivera (today)"),
    ],
)  # fmt: skip
def test_session_next_says_today_tomorrow_or_in_days(vj_home, at, now, session, expected):
    at(now, BERLIN)
    code, _, stderr = invoke("session", "add", *session, "--with", "Dr. Rivera")
    assert code == 0, stderr
    code, stdout, _ = invoke("session", "next")
    assert code == 0
    assert stdout == expected + "\n"


@pytest.mark.parametrize(
    "now, due, added, listed",
    [
        ("2026-12-31T23:59", "tomorrow", "(due Fri 01 Jan)", "due Fri"),
        ("2026-12-31T23:59", "today", "(due Thu 31 Dec)", "due today"),
        (
            "2027-01-01T00:30",
            "friday",
            "(due Fri 08 Jan)",
            "due Fri 8 Jan",
        ),  # a due day is ahead: next week's
        ("2027-01-01T00:30", "yesterday", "(due Thu 31 Dec)", "was due Thu 31 Dec 2026"),
        ("2026-10-25T23:30", "tomorrow", "(due Mon 26 Oct)", "due Mon"),
        ("2026-03-29T00:30", "today", "(due Sun 29 Mar)", "due today"),
    ],
)
def test_homework_due_today_or_tomorrow(vj_home, at, now, due, added, listed):
    at(now, BERLIN)
    code, _, stderr = invoke("homework", "add", "Write the letter", "--due", due)
    assert code == 0 and stderr.rstrip().endswith(f"Write the letter {added}"), stderr
    code, stdout, _ = invoke("homework", "list")
    assert code == 0 and stdout.rstrip().endswith(f"Write the letter  {listed}"), stdout


# --- the review's period ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now, session, header",
    [
        # across the end of the year: the session's day now needs its year
        ("2027-01-01T00:30", "2026-12-24T14:00", "Since your session on Thu 24 Dec 2026 (8 days): 2 reflections"),
        ("2026-12-31T23:59", "2026-12-24T14:00", "Since your session on Thu 24 Dec (7 days): 2 reflections"),
        # across the DST changes: calendar days, as people count them
        ("2026-10-27T10:00", "2026-10-20T14:00", "Since your session on Tue 20 Oct (7 days): 2 reflections"),
        ("2026-04-01T10:00", "2026-03-25T14:00", "Since your session on Wed 25 Mar (7 days): 2 reflections"),
    ],
)  # fmt: skip
def test_review_period_at_fixed_instants(vj_home, at, now, session, header):
    moment = at(now, BERLIN)
    start = local(session, BERLIN)
    journal = Journal(vj_home, now=lambda: moment)
    journal.add_session(start.date().isoformat(), f"{start:%H:%M}", "Dr. Rivera")
    save(journal, "bfor", start - timedelta(minutes=1), "Before the session.")
    save(journal, "aftr", start + timedelta(minutes=1), "Right after the session.")
    save(journal, "last", moment - timedelta(minutes=1), "Just now.")
    save(journal, "futr", moment + timedelta(minutes=1), "Not yet.")  # after the review's instant
    review = journal.review()
    assert review.since_session.start == start
    assert [e.id for e in review.entries] == ["aftr", "last"]
    code, stdout, _ = invoke("review")  # the brief the CLI prints at this instant
    assert code == 0 and stdout.splitlines()[0].startswith(header)


def test_without_a_session_the_last_14_days_end_now(vj_home, at):
    moment = at("2026-10-26T00:30", BERLIN)  # 14 days back crosses the change to winter time
    journal = Journal(vj_home, now=lambda: moment)
    save(journal, "in14", moment - timedelta(days=13, hours=23))
    save(journal, "old1", moment - timedelta(days=14, hours=1))
    review = journal.review()
    assert review.default_period and review.days == 14
    assert [e.id for e in review.entries] == ["in14"]
