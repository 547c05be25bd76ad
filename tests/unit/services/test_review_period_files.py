"""The review reads only the month files of its period (and the one before), so it stays quick however
many years the journal holds; an entry made in another time zone is still found at the period's edge."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.journal import Journal

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone(timedelta(hours=1)))


def save(journal: Journal, entry_id: str, created: datetime) -> None:
    text = f"Entry {entry_id}: I talked with my sister."
    journal.save_entry(
        Entry(id=entry_id, created=created, status=DONE, segments=[Segment(0, 2, text)], text=text), new=True
    )


def test_review_reads_only_the_months_of_its_period(vj_home, monkeypatch):
    journal = Journal(vj_home, now=lambda: NOW)
    for year in range(2020, 2026):
        save(journal, f"y{year}", datetime(year, 6, 1, 9, tzinfo=NOW.tzinfo))
    # 14 days before NOW began at 18:00 +01:00 on 17 Nov, which was 06:00 on 18 Nov in Auckland (+12:00).
    save(journal, "edge", datetime(2026, 11, 18, 6, 30, tzinfo=timezone(timedelta(hours=12))))
    save(journal, "inpd", NOW - timedelta(days=2))
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or real(path))

    review = journal.review()

    assert [e.id for e in review.entries] == ["edge", "inpd"]
    assert {name for name in read if name[:4].isdigit()} <= {"2026-10.json", "2026-11.json", "2026-12.json"}


def test_entries_of_a_period_read_only_its_months_and_all_of_them_without_one(vj_home, monkeypatch):
    journal = Journal(vj_home, now=lambda: NOW)
    for year in range(2020, 2026):
        save(journal, f"y{year}", datetime(year, 6, 1, 9, tzinfo=NOW.tzinfo))
    save(journal, "edge", datetime(2026, 11, 18, 6, 30, tzinfo=timezone(timedelta(hours=12))))
    save(journal, "late", datetime(2026, 11, 30, 23, 30, tzinfo=timezone(timedelta(hours=-10))))
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or real(path))

    found = journal.entries(
        since=NOW - timedelta(days=14), until=datetime(2026, 12, 1, 9, 0, tzinfo=NOW.tzinfo)
    )

    # 23:30 on 30 Nov at -10:00 was 10:30 on 1 Dec at +01:00: after `until`, so not found.
    assert [e.id for e in found] == ["edge"]
    assert {name for name in read if name[:4].isdigit()} <= {"2026-10.json", "2026-11.json", "2026-12.json"}
    assert [e.id for e in journal.entries(until=datetime(2021, 1, 1, tzinfo=NOW.tzinfo))] == ["y2020"]
    assert [e.id for e in journal.entries()] == [
        "late",
        "edge",
        "y2025",
        "y2024",
        "y2023",
        "y2022",
        "y2021",
        "y2020",
    ]


def test_goal_mentions_read_each_transcript_once_and_nothing_without_goals(vj_home, monkeypatch):
    journal = Journal(vj_home, now=lambda: NOW)
    save(journal, "old", datetime(2024, 3, 1, 9, tzinfo=NOW.tzinfo))  # "I talked with my sister."
    save(journal, "new", datetime(2026, 11, 3, 9, tzinfo=NOW.tzinfo))
    journal.save_entry(
        Entry(id="else", created=NOW - timedelta(days=1), status=DONE, segments=[], text="A quiet walk."),
        new=True,
    )
    assert "text" not in journal.storage.get_entry("old")  # an unedited transcript keeps only its segments
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or real(path))
    assert journal.goal_mentions([]) == {} and not [name for name in read if name[:4].isdigit()]

    sister = journal.planner.add_goal("Talk with my sister")
    walk = journal.planner.add_goal("Walk more", words=["walk"])
    mentions = journal.goal_mentions([sister, walk])

    assert [e.id for e in mentions[sister.id]] == ["old", "new"]  # oldest first
    assert [e.id for e in mentions[walk.id]] == ["else"]


def test_many_entries_by_id_are_read_from_only_their_month_files(vj_home, monkeypatch):
    journal = Journal(vj_home, now=lambda: NOW)
    for n in range(24):
        save(journal, f"nov{n:02d}", datetime(2026, 11, 1 + n, 9, tzinfo=NOW.tzinfo))
        save(journal, f"may{n:02d}", datetime(2025, 5, 1 + n, 9, tzinfo=NOW.tzinfo))
    wanted = [f"nov{n:02d}" for n in reversed(range(24))] + ["gone"]
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or real(path))

    found = journal.entries_by_ids(wanted)

    assert [e.id for e in found] == wanted[:-1]  # in the order asked, an unknown id left out
    assert {name for name in read if name[:4].isdigit()} == {"2026-11.json"}
