"""Merging a backup of years: its filed questions and wins are compared by key and added with one write of
journal.json, whatever their number; merging again adds nothing."""

import json
from datetime import datetime, timedelta

from voicejournal.journal import Journal


def jrnl_export(path, n, start=0):
    first = datetime(2023, 1, 1)
    entries = [
        {
            "date": f"{first + timedelta(days=i):%Y-%m-%d}",
            "time": "20:00",
            "title": f"Day {i}.",
            "body": f"Question for my therapist: why do I put off calling my father, day {i}?",
            "tags": [],
            "starred": False,
        }
        for i in range(start, start + n)
    ]
    path.write_text(json.dumps({"tags": {}, "entries": entries}))
    return path


def test_a_backup_with_hundreds_of_filed_questions_merges_them_in_one_write(vj_home, tmp_path, writes):
    source = Journal(tmp_path / "source")
    source.import_text("jrnl", jrnl_export(tmp_path / "a.json", 300))
    source.planner.add_goal("Call my father once a week", datetime(2023, 2, 1, 9).astimezone())
    backup = source.export_backup(tmp_path / "b.zip").path
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "b.json", 20, start=1000))  # a journal of its own
    writes.clear()

    report = journal.import_backup(backup)

    assert (report.entries_added, report.records_added) == (300, 301)
    assert writes["journal.json"] == 1
    asked = [q.text for q in journal.questions()]
    assert len(asked) == len(set(asked)) == 320
    ids = {e.id for e in journal.entries()}
    assert all(q.entry in ids for q in journal.questions())
    again = journal.import_backup(backup)
    assert (again.entries_added, again.records_added, again.records_skipped) == (0, 0, 301)
