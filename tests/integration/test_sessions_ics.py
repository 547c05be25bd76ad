"""Sessions and calendars through the real CLI: `session export --ics` and `session add --from-ics`."""

import json
import re
import textwrap

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.integration

NOW = "2026-12-01T18:00:00"
TZ = "Europe/Berlin"


@pytest.fixture
def at_now(run_cli):
    def run(*args, **kw):
        kw.setdefault("now", NOW)
        kw.setdefault("tz", TZ)
        return run_cli(*args, **kw)

    return run


def sessions(run, home=None) -> list[tuple[str, str | None, str | None]]:
    env = {"VOICEJOURNAL_HOME": str(home)} if home else None
    docs = json.loads(run("session", "list", "--json", env=env, check=True).stdout)
    return [(d["start"], d.get("with"), d.get("note")) for d in docs]


def ics_file(tmp_path, text: str, name: str = "calendar.ics"):
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).strip().replace("\n", "\r\n").encode() + b"\r\n")
    return path


def test_export_then_import_into_a_fresh_journal_gives_the_same_sessions(at_now, tmp_path):
    at_now("session", "add", "2026-11-26", "14:00", "--with", "Dr. Rivera", check=True)
    at_now(
        "session",
        "add",
        "2026-12-03",
        "9:30",
        "--with",
        "Dr. Rivera",
        "--note",
        "about my father",
        check=True,
    )
    at_now("session", "add", "2026-12-10", "14:00", check=True)
    out = tmp_path / "sessions.ics"
    done = at_now("session", "export", "--ics", "-o", str(out))
    assert (done.returncode, done.stderr) == (
        0,
        f"Wrote 3 sessions to {out}; import it into your calendar app.\n",
    )

    fresh = tmp_path / "fresh"
    imported = at_now("session", "add", "--from-ics", str(out), env={"VOICEJOURNAL_HOME": str(fresh)})
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr.splitlines()[-1] == "sessions.ics: 3 sessions added."
    mine = [(start, who) for start, who, _ in sessions(at_now)]
    theirs = [(start, who) for start, who, _ in sessions(at_now, fresh)]
    assert (
        theirs
        == mine
        == [
            ("2026-11-26T14:00:00+01:00", "Dr. Rivera"),
            ("2026-12-03T09:30:00+01:00", "Dr. Rivera"),
            ("2026-12-10T14:00:00+01:00", None),
        ]
    )
    # Importing again adds nothing; the fresh journal's own export keeps the same UIDs.
    again = at_now("session", "add", "--from-ics", str(out), env={"VOICEJOURNAL_HOME": str(fresh)})
    assert again.stderr == "sessions.ics: 0 sessions added, 3 already in your journal.\n"
    back = at_now("session", "export", "--ics", env={"VOICEJOURNAL_HOME": str(fresh)}, check=True).stdout
    assert uids(back) == uids(out.read_text())
    # …and this journal's own file, imported into it, is recognised too.
    itself = at_now("session", "add", "--from-ics", str(out))
    assert itself.stderr == "sessions.ics: 0 sessions added, 3 already in your journal.\n"
    assert len(sessions(at_now)) == 3


def uids(ics: str) -> list[str]:
    return sorted(str(c["uid"]) for c in Calendar.from_ical(ics).walk() if "uid" in c)


def test_the_export_holds_times_names_and_homework_titles_only(at_now, tmp_path):
    at_now(
        "session",
        "add",
        "2026-12-03",
        "14:00",
        "--with",
        "Dr. Rivera",
        "--note",
        "my secret note",
        check=True,
    )
    at_now("write", "I cried about my father today. Homework: write the letter to Dad.", check=True)
    at_now("homework", "add", "Breathing exercise", "--due", "2026-12-05", check=True)
    at_now("homework", "add", "Sleep diary", check=True)  # no due date: not a to-do
    first = at_now("session", "export", "--ics", check=True).stdout
    second = at_now("session", "export", "--ics", check=True).stdout
    assert uids(first) == uids(second)  # stable: importing again updates the same items
    calendar = Calendar.from_ical(first)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Therapy session with Dr. Rivera"
    assert event.decoded("dtstart").isoformat() == "2026-12-03T13:00:00+00:00"
    [todo] = calendar.walk("VTODO")
    assert str(todo["summary"]) == "Breathing exercise"
    assert todo.decoded("due").isoformat() == "2026-12-05"  # an all-day to-do
    for private in ("cried", "father", "secret", "letter", "Sleep diary"):
        assert private not in first
    without = at_now("session", "export", "--ics", "--no-homework", check=True).stdout
    assert "VTODO" not in without and "VEVENT" in without


# Shapes other calendar programs write: a time zone of its own, a floating time, an all-day event, a
# weekly appointment with one week off and one moved, a cancelled event.
FOREIGN = """
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//Google Inc//Google Calendar 70.9054//EN
    BEGIN:VTIMEZONE
    TZID:America/New_York
    BEGIN:STANDARD
    DTSTART:19701101T020000
    RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
    TZOFFSETFROM:-0400
    TZOFFSETTO:-0500
    TZNAME:EST
    END:STANDARD
    BEGIN:DAYLIGHT
    DTSTART:19700308T020000
    RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
    TZOFFSETFROM:-0500
    TZOFFSETTO:-0400
    TZNAME:EDT
    END:DAYLIGHT
    END:VTIMEZONE
    BEGIN:VEVENT
    UID:weekly-therapy@example.com
    DTSTART;TZID=Europe/Berlin:20261104T170000
    DTEND;TZID=Europe/Berlin:20261104T175000
    RRULE:FREQ=WEEKLY;BYDAY=WE
    EXDATE;TZID=Europe/Berlin:20261223T170000
    SUMMARY:Dr. Rivera
    END:VEVENT
    BEGIN:VEVENT
    UID:weekly-therapy@example.com
    RECURRENCE-ID;TZID=Europe/Berlin:20261209T170000
    DTSTART;TZID=Europe/Berlin:20261210T090000
    DTEND;TZID=Europe/Berlin:20261210T095000
    SUMMARY:Dr. Rivera
    END:VEVENT
    BEGIN:VEVENT
    UID:video-call@example.com
    DTSTART;TZID=America/New_York:20261202T080000
    DTEND;TZID=America/New_York:20261202T085000
    SUMMARY:Video session
    END:VEVENT
    BEGIN:VEVENT
    UID:floating@example.com
    DTSTART:20261205T110000
    SUMMARY:Group therapy
    END:VEVENT
    BEGIN:VEVENT
    UID:retreat@example.com
    DTSTART;VALUE=DATE:20261212
    DTEND;VALUE=DATE:20261213
    SUMMARY:Retreat day
    END:VEVENT
    BEGIN:VEVENT
    UID:cancelled@example.com
    DTSTART:20261207T100000Z
    STATUS:CANCELLED
    SUMMARY:Dr. Rivera
    END:VEVENT
    END:VCALENDAR
"""


def test_a_calendar_from_another_program(at_now, tmp_path):
    path = ics_file(tmp_path, FOREIGN)
    done = at_now("session", "add", "--from-ics", str(path))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[-2:] == [
        "calendar.ics: 32 sessions added.",
        "Left out 1 all-day event: a session needs a time; add it with `voicejournal session add DATE TIME`.",
    ]
    found = sessions(at_now)
    weekly = [start for start, _, note in found if note == "Dr. Rivera"]
    # Wednesdays at 17:00 Berlin time from 90 days back (the series starts on 4 Nov) to six months ahead,
    # without 23 Dec, and 9 Dec moved to Thursday morning.
    assert weekly[:7] == [
        "2026-11-04T17:00:00+01:00",
        "2026-11-11T17:00:00+01:00",
        "2026-11-18T17:00:00+01:00",
        "2026-11-25T17:00:00+01:00",
        "2026-12-02T17:00:00+01:00",
        "2026-12-10T09:00:00+01:00",
        "2026-12-16T17:00:00+01:00",
    ]
    assert weekly[7] == "2026-12-30T17:00:00+01:00"
    assert weekly[-1] == "2027-06-02T17:00:00+02:00"  # summer time: still 17:00 in Berlin
    assert len(weekly) == 30
    others = [(start, note) for start, _, note in found if note != "Dr. Rivera"]
    assert others == [
        ("2026-12-02T14:00:00+01:00", "Video session"),  # 8:00 in New York
        ("2026-12-05T11:00:00+01:00", "Group therapy"),  # a floating time is local time
    ]
    # The review names the next appointment, whichever calendar it came from.
    review = at_now("review", check=True).stdout
    assert "Next session: Wed 2 Dec, 14:00 (tomorrow)" in review
    # Importing again adds nothing; a moved appointment is updated, not duplicated.
    again = at_now("session", "add", "--from-ics", str(path))
    assert again.stderr.splitlines()[0] == "calendar.ics: 0 sessions added, 32 already in your journal."
    moved = ics_file(tmp_path, FOREIGN.replace("20261202T080000", "20261202T093000"), "moved.ics")
    update = at_now("session", "add", "--from-ics", str(moved))
    assert update.stderr.splitlines()[0] == f"Updated the session {update_id(at_now)}: now Wed 2 Dec, 15:30."
    assert (
        update.stderr.splitlines()[1] == "moved.ics: 0 sessions added, 1 updated, 31 already in your journal."
    )
    assert len(sessions(at_now)) == 32


def update_id(run) -> str:
    docs = json.loads(run("session", "list", "--json", check=True).stdout)
    return next(d["id"] for d in docs if d.get("note") == "Video session")


def test_match_takes_only_some_events_and_a_session_typed_before_is_kept(at_now, tmp_path):
    at_now("session", "add", "2026-12-02", "14:00", "--with", "Dr. Rivera", check=True)
    path = ics_file(tmp_path, FOREIGN)
    done = at_now("session", "add", "--from-ics", str(path), "--match", "video")
    assert done.stderr.splitlines()[0] == "calendar.ics: 0 sessions added, 1 already in your journal."
    assert sessions(at_now) == [("2026-12-02T14:00:00+01:00", "Dr. Rivera", None)]


def test_bad_calendar_files_and_options(at_now, tmp_path):
    junk = tmp_path / "notes.ics"
    junk.write_text("this is not a calendar")
    done = at_now("session", "add", "--from-ics", str(junk))
    assert (done.returncode, done.stderr) == (
        1,
        "notes.ics is not a calendar file voicejournal can read; export an .ics file from your calendar app "
        "and import that.\n",
    )
    missing = at_now("session", "add", "--from-ics", str(tmp_path / "nope.ics"))
    assert (missing.returncode, missing.stderr) == (1, f"{tmp_path / 'nope.ics'} does not exist.\n")
    both = at_now("session", "add", "2026-12-03", "14:00", "--from-ics", str(junk))
    assert (both.returncode, both.stderr) == (
        1,
        "--from-ics takes the sessions from the file; leave out DATE, TIME, --with and --note.\n",
    )
    neither = at_now("session", "add")
    assert (neither.returncode, neither.stderr) == (
        1,
        "Give the DATE and TIME of the session (`voicejournal session add 2026-12-03 14:00`), or a calendar "
        "file with --from-ics FILE.\n",
    )
    folder = at_now("session", "export", "--ics", "-o", str(tmp_path))
    assert folder.returncode == 1
    assert re.fullmatch(r".* is a folder; give a file name in it, e.g. .*sessions\.ics\.\n", folder.stderr)
    assert sessions(at_now) == []
