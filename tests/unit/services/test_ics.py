"""Reading calendars (services/ics): recurring rules, missing UIDs, broken events; and typed notes
through the Journal API."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from voicejournal.errors import UsageError
from voicejournal.journal import Journal
from voicejournal.services.ics import IcsImport, import_ics, read_appointments
from voicejournal.services.writing import EMPTY_TEXT, write_entry

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 18, tzinfo=BERLIN)


def calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def read(*events: str) -> tuple[list, IcsImport]:
    report = IcsImport(path=None)
    return read_appointments(calendar(*events), NOW, report, "test.ics"), report


def test_a_rule_with_an_end_and_a_count(local_tz):
    local_tz("Europe/Berlin")
    found, _ = read(
        "UID:a\nDTSTART:20261201T130000Z\nRRULE:FREQ=WEEKLY;UNTIL=20261215T130000Z\nSUMMARY:Therapy session",
        "UID:b\nDTSTART:20261202T080000Z\nRRULE:FREQ=DAILY;COUNT=2\nSUMMARY:Therapy session with Ana",
    )
    assert [(a.key, a.start.isoformat(), a.with_name) for a in found] == [
        ("a/20261201T130000Z", "2026-12-01T14:00:00+01:00", None),
        ("b/20261202T080000Z", "2026-12-02T09:00:00+01:00", "Ana"),
        ("b/20261203T080000Z", "2026-12-03T09:00:00+01:00", "Ana"),
        ("a/20261208T130000Z", "2026-12-08T14:00:00+01:00", None),
        ("a/20261215T130000Z", "2026-12-15T14:00:00+01:00", None),
    ]


def test_an_old_series_gives_only_recent_and_coming_weeks():
    found, _ = read("UID:old\nDTSTART:20200106T100000Z\nRRULE:FREQ=WEEKLY\nSUMMARY:x")
    assert found[0].start >= NOW.replace(month=9)  # not years of past weeks
    assert len(found) == 39  # about 90 days back and six months ahead


def test_an_event_without_uid_gets_the_same_key_every_time():
    first, _ = read("DTSTART:20261203T130000Z\nSUMMARY:Dr. Rivera")
    second, _ = read("DTSTART:20261203T130000Z\nSUMMARY:Dr. Rivera")
    assert first[0].key == second[0].key and first[0].key.startswith("no-uid-")
    assert (first[0].with_name, first[0].note) == (None, "Dr. Rivera")


def test_broken_events_are_left_out_and_named():
    found, report = read(
        "UID:nostart\nSUMMARY:Lost",
        "UID:badrule\nDTSTART:20261203T130000Z\nRRULE:FREQ=WEEKLY;UNTIL=20261231\nSUMMARY:Odd",
        "UID:ok\nDTSTART:20261204T130000Z\nSUMMARY:Fine",
    )
    assert [a.key for a in found] == ["ok"]
    assert report.problems == [
        "an event without a start (Lost)",
        "a repeating event whose rule cannot be read (Odd)",
    ]


def test_import_is_idempotent_through_the_journal_api(tmp_path):
    journal = Journal(tmp_path / "home", now=lambda: NOW)
    path = tmp_path / "c.ics"
    path.write_bytes(calendar("UID:one\nDTSTART;TZID=Europe/Berlin:20261203T140000\nSUMMARY:Therapy session"))
    assert len(import_ics(journal, path).added) == 1
    again = import_ics(journal, path)
    assert (again.added, again.updated, again.unchanged) == ([], [], 1)
    [session] = journal.sessions()
    assert (session.uid, session.start) == ("one", datetime(2026, 12, 3, 14, tzinfo=BERLIN))


def test_a_typed_note_through_the_journal_api(tmp_path):
    journal = Journal(tmp_path / "home", now=lambda: NOW)
    entry = write_entry(journal, "  Small win: I asked for help.  ", tags=["#Work"])
    assert (entry.kind, entry.status, entry.text, entry.tags, entry.source) == (
        "journal",
        "text",
        "Small win: I asked for help.",
        ["work"],
        "typed",
    )
    assert [w.text for w in journal.wins()] == ["I asked for help"]
    with pytest.raises(UsageError) as refused:
        write_entry(journal, " \n ")
    assert str(refused.value) == EMPTY_TEXT
    assert len(journal.entries()) == 1
