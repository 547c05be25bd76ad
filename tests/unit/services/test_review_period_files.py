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
