"""A month that outgrows PART_BYTES continues in further parts (2026-11.2.json, …), so that one save costs the
same however many entries its month holds (issue 14: `tag` at 50,000 entries)."""

import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from voicejournal.journal import Journal
from voicejournal.store import month_files
from voicejournal.store.backup_guard import LAYOUT
from voicejournal.store.month_files import into_parts
from voicejournal.store.seals import counted

START = datetime(2026, 3, 1, 8, 0)
PART = 6_000  # bytes: a part holds a handful of the entries below


def jrnl_export(path: Path, days: int, per_day: int = 3, start: datetime = START) -> Path:
    entries = [
        {"date": f"{start + timedelta(days=d):%Y-%m-%d}", "time": f"{8 + n:02d}:00", "title": f"Day {d} note {n}.",
         "body": f"Entry {d}-{n}: a long walk with my sister, and what she said about work. " * 4,
         "tags": [], "starred": False}
        for d in range(days) for n in range(per_day)
    ]  # fmt: skip
    path.write_text(json.dumps({"tags": {}, "entries": entries}))
    return path


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(month_files, "PART_BYTES", PART)


def entry_files(home: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted((home / "entries").glob("*.json"))}


def held(home: Path, name: str) -> set[str]:
    return {d["id"] for d in orjson.loads((home / "entries" / name).read_bytes())["entries"].values()}


def test_into_parts_fills_the_room_left_then_whole_parts():
    docs = [{"id": f"e{i}", "text": "x" * 80} for i in range(10)]  # ~100 bytes each with their key
    runs = into_parts(docs, room=250, limit=400)
    assert [len(r) for r in runs] == [2, 3, 3, 2]
    assert into_parts(docs[:2], room=0, limit=400) == [[], docs[:2]]  # no room: a new part from the first
    assert into_parts([{"id": "big", "text": "x" * 1000}], room=400, limit=400) == [
        [{"id": "big", "text": "x" * 1000}]
    ]


def test_a_big_month_is_saved_in_parts_each_within_the_limit(vj_home, tmp_path, small_parts):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=20))  # 60 entries in March
    files = entry_files(vj_home)
    assert len(files) > 3 and set(files) >= {"2026-03.json", "2026-03.2.json", "2026-03.3.json"}
    assert all(size <= PART + 1_000 for size in files.values())  # one entry may top a part up
    ids = [e.id for e in journal.entries()]
    assert len(ids) == len(set(ids)) == 60
    assert set().union(*(held(vj_home, n) for n in files)) == set(ids)  # each entry in exactly one part
    assert sum(len(held(vj_home, n)) for n in files) == 60

    # A new entry goes to the month's last part while it has room, else to a new part.
    last = max(files, key=month_files.part_number)
    Journal(vj_home).import_text(
        "jrnl", jrnl_export(tmp_path / "more.json", days=1, per_day=1, start=START + timedelta(days=25))
    )
    after = entry_files(vj_home)
    grown = [n for n in after if after[n] != files.get(n)]
    assert len(grown) == 1 and month_files.part_number(grown[0]) in (
        month_files.part_number(last),
        month_files.part_number(last) + 1,
    )


def test_tag_edit_and_delete_touch_only_the_part_that_holds_the_entry(vj_home, tmp_path, small_parts):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=20))
    name = "2026-03.2.json"
    target = sorted(held(vj_home, name))[0]
    others = {p.name: p.stat().st_mtime_ns for p in (vj_home / "entries").glob("*.json") if p.name != name}

    fresh = Journal(vj_home)
    assert fresh.tag(target, add=["walks"]).tags == ["walks"]
    fresh.edit_text(target, "Only this part changes, SECRETWORD.")
    assert Journal(vj_home).get(target).text == "Only this part changes, SECRETWORD."
    assert target in held(vj_home, name)
    assert {n: (vj_home / "entries" / n).stat().st_mtime_ns for n in others} == others

    Journal(vj_home).delete(target)
    assert target not in held(vj_home, name)
    assert b"SECRETWORD" not in (vj_home / "entries" / (name + ".bak")).read_bytes()  # its .bak renewed too
    assert len(Journal(vj_home).entries()) == 59


def test_an_entry_whose_date_moves_leaves_its_part_for_the_new_month(vj_home, tmp_path, small_parts):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=20))
    target = sorted(held(vj_home, "2026-03.3.json"))[0]
    entry = journal.get(target)
    entry.created = entry.created.replace(month=5)
    journal.save_entry(entry)
    assert target not in set().union(
        *(held(vj_home, n) for n in entry_files(vj_home) if n.startswith("2026-03"))
    )
    assert held(vj_home, "2026-05.json") == {target}
    assert Journal(vj_home).get(target).created.month == 5


def test_review_search_and_check_see_every_part(vj_home, tmp_path, small_parts):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=20))
    found = journal.search("sister", limit=100)
    assert found.total == 60
    review = journal.review(since=datetime(2026, 3, 1).astimezone(), now=datetime(2026, 3, 25).astimezone())
    assert review.entry_count == 60  # from every part (it shows a selection)
    report = journal.check()
    assert report.problems == [] and report.entries == 60 and report.files == len(entry_files(vj_home)) + 1


def test_a_backup_holds_and_restores_the_parts(vj_home, tmp_path, small_parts):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=20))
    backup = journal.export_backup(tmp_path / "b.zip").path
    with zipfile.ZipFile(backup) as zf:
        assert "entries/2026-03.2.json" in zf.namelist()
    fresh = Journal(tmp_path / "restored")
    assert fresh.import_backup(backup).entries_added == 60
    assert entry_files(tmp_path / "restored") == entry_files(vj_home)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("entries/2026-11.json", True), ("entries/2026-11.2.json", True), ("entries/2026-11.17.json", True),
     ("entries/2026-11.1.json", False), ("entries/2026-11.02.json", False), ("entries/2026-11.x.json", False),
     ("entries/2026-11.2.json.bak", False), ("entries/../2026-11.2.json", False)],
)  # fmt: skip
def test_only_real_part_names_pass_the_backup_guard_and_are_counted_when_sealed(name, allowed):
    assert bool(LAYOUT.match(name)) is allowed
    assert counted(name.encode()) is allowed


def test_an_encrypted_journal_keeps_its_parts_sealed_and_counted(vj_home, tmp_path, small_parts, monkeypatch):
    from voicejournal.store import keys, seals, vault

    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    keys.forget_keys()
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=20))
    target = sorted(held(vj_home, "2026-03.2.json"))[0]
    vault.encrypt_home(vj_home, "correct horse battery", kdf_n=2**10)
    try:
        assert vault.plaintext_files(vj_home) == []
        rolled_back = (vj_home / "entries" / "2026-03.2.json").read_bytes()  # sealed as it is now
        fresh = Journal(vj_home)
        assert fresh.tag(target, add=["walks"]).tags == ["walks"]
        assert "entries/2026-03.2.json" in seals.load(vj_home)  # its saves are counted like a month's
        assert Journal(vj_home).get(target).tags == ["walks"]
        (vj_home / "entries" / "2026-03.2.json").write_bytes(rolled_back)  # an older copy put back
        with pytest.raises(seals.RolledBackError):
            Journal(vj_home).get(target)
    finally:
        keys.forget_keys()


def test_a_part_made_or_removed_under_the_lock_is_in_the_stats_at_once(vj_home, tmp_path, small_parts):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=2))
    storage = journal.storage
    with storage.transaction():
        before = set(storage.shard_stats())
        journal.import_text(
            "jrnl", jrnl_export(tmp_path / "more.json", days=20, start=START + timedelta(days=2))
        )
        made = set(storage.shard_stats()) - before
        assert made and made == set(entry_files(vj_home)) - before
        from voicejournal.store import fs

        gone = sorted(made)[0]
        fs.shred(vj_home / "entries" / gone)
        assert gone not in storage.shard_stats()
        assert list(storage.shard_stats()) == sorted(storage.shard_stats(), reverse=True)


def test_entries_come_a_month_at_a_time_with_its_parts_together_oldest_first(vj_home, tmp_path, small_parts):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "j.json", days=45))  # March and April, in parts
    assert len([n for n in entry_files(vj_home) if n.startswith("2026-03")]) > 2
    months = list(journal.storage.entries_by_month())
    assert [{d["created"][:7] for d in docs} for docs in months] == [{"2026-03"}, {"2026-04"}]
    assert sorted(d["id"] for docs in months for d in docs) == sorted(journal.storage.entry_ids())
    journal.index.drop()  # rebuilt from those months: every entry found, rowids in time order
    assert journal.search("sister", limit=200).total == 135
    rows = journal.index.connection().execute("SELECT created FROM entries ORDER BY rowid").fetchall()
    assert rows == sorted(rows)
