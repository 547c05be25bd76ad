"""Years of entries: bulk imports write each month file once, and the id map finds one entry in one file."""

import json
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from voicejournal.core.entry import TEXT_ONLY, Entry
from voicejournal.journal import Journal
from voicejournal.store import files
from voicejournal.store.idmap import IDS_FILE

START = datetime(2023, 1, 1, 20, 0)


def jrnl_export(path, n, start=0):
    entries = [
        {
            "date": f"{START + timedelta(days=i):%Y-%m-%d}",
            "time": "20:00",
            "title": f"Day {i}.",
            "body": f"Entry number {i}: I talked with my sister about work and felt anxious.",
            "tags": ["@family"],
            "starred": False,
        }
        for i in range(start, start + n)
    ]
    path.write_text(json.dumps({"tags": {}, "entries": entries}))
    return path


def saved_map(home: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The id map as saved: (entry id -> month file, month file -> the stamp it had)."""
    head, *lines = (home / IDS_FILE).read_bytes().split(b"\n")
    assert head == b"voicejournal id map 3 %08x" % zlib.crc32(b"\n" + b"\n".join(lines))
    ids, stamps = {}, {}
    for line in lines:
        name, stamp, listed = line.decode().split(" ", 2)
        stamps[name] = stamp
        ids.update(dict.fromkeys(orjson.loads(listed), name))
    return ids, stamps


def month_stamps(home: Path) -> dict[str, str]:
    return {
        p.name: f"{p.stat().st_size}:{p.stat().st_mtime_ns}:{p.stat().st_ino}"
        for p in (home / "entries").glob("????-??.json")
    }


def test_a_big_import_writes_each_month_file_once_and_keeps_the_index_current(vj_home, tmp_path, writes):
    journal = Journal(vj_home)
    journal.search("sister")  # an index exists before the import: it must follow, not be rebuilt
    export = jrnl_export(tmp_path / "journal.json", 400)  # 400 days: 14 months

    report = journal.import_text("jrnl", export)

    assert len(report.added) == 400 and report.skipped == 0
    months = {f"{START + timedelta(days=i):%Y-%m}.json" for i in range(400)}
    assert {name: writes[name] for name in months} == dict.fromkeys(months, 1)
    assert len({e.id for e in report.added}) == 400
    fresh = Journal(vj_home)
    assert len(fresh.search("sister", limit=1000).hits) == 400
    assert not fresh.index.rebuilt
    again = fresh.import_text("jrnl", export)
    assert len(again.added) == 0 and again.skipped == 400


def test_an_import_stopped_halfway_finishes_when_run_again_without_duplicates(vj_home, tmp_path, monkeypatch):
    export = jrnl_export(tmp_path / "journal.json", 120)
    real = files.write_bytes
    written = []

    def dies_on_the_third_month(home, path, data, keep_backup=False):
        if path.parent.name == "entries":
            written.append(path.name)
            if len(written) == 3:
                raise KeyboardInterrupt  # as a kill would stop it, between two month files
        return real(home, path, data, keep_backup=keep_backup)

    monkeypatch.setattr(files, "write_bytes", dies_on_the_third_month)
    with pytest.raises(KeyboardInterrupt):
        Journal(vj_home).import_text("jrnl", export)
    monkeypatch.setattr(files, "write_bytes", real)
    kept = Journal(vj_home).entries()
    assert 0 < len(kept) < 120  # the first months are saved, whole

    report = Journal(vj_home).import_text("jrnl", export)

    assert report.skipped == len(kept) and len(report.added) == 120 - len(kept)
    entries = Journal(vj_home).entries()
    assert len(entries) == 120 and len({e.source_key for e in entries}) == 120
    assert len(Journal(vj_home).search("sister", limit=500).hits) == 120


def test_finding_an_entry_reads_the_id_map_and_one_month_file(vj_home, tmp_path, monkeypatch):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "journal.json", 200))
    wanted = journal.entries()[-1]  # the oldest: its month is read last by a scan
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read.append(path.name) or real(path))

    fresh = Journal(vj_home)
    assert fresh.get(wanted.id).text == wanted.text
    new_id = fresh.new_entry_id()

    assert IDS_FILE in read
    assert {n for n in read if n.endswith(".json")} == {"2023-01.json", "journal.json"}
    assert new_id not in {e.id for e in journal.entries()}


def test_the_id_map_is_made_again_when_missing_damaged_or_stale(vj_home, tmp_path):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "journal.json", 40))
    first = journal.entries()[-1]
    ids_file = vj_home / IDS_FILE
    assert set(saved_map(vj_home)[0]) == {e.id for e in journal.entries()}

    ids_file.unlink()
    assert Journal(vj_home).get(first.id).id == first.id
    ids_file.write_bytes(b"\x00 not json")
    assert Journal(vj_home).get(first.id).id == first.id

    # A month file changed behind voicejournal's back (restored by hand): the map follows it.
    shard = vj_home / "entries" / "2023-01.json"
    data = orjson.loads(shard.read_bytes())
    doc = next(iter(data["entries"].values()))
    doc["id"] = "zz99"
    shard.write_bytes(orjson.dumps(data))
    fresh = Journal(vj_home)
    assert fresh.get("zz99").text == doc["text"]
    assert "zz99" in saved_map(vj_home)[0]


def test_an_id_map_whose_bytes_do_not_add_up_is_made_again(vj_home, tmp_path):
    # It is saved without fsync: after a power cut its bytes may not be the ones written.
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "journal.json", 40))
    first = journal.entries()[-1]
    ids_file = vj_home / IDS_FILE
    ids_file.write_bytes(
        ids_file.read_bytes().replace(orjson.dumps(first.id), b'"' + b"z" * len(first.id) + b'"')
    )

    assert Journal(vj_home).get(first.id).id == first.id
    assert set(saved_map(vj_home)[0]) == {e.id for e in journal.entries()}


def test_tag_move_and_delete_keep_the_id_map_current(vj_home):
    journal = Journal(vj_home)
    entry = Entry(id=journal.new_entry_id(), created=datetime(2026, 11, 2, 9).astimezone(), status=TEXT_ONLY,
                  text="I slept badly.", kind="journal")  # fmt: skip
    journal.save_entry(entry, new=True)
    journal.tag(entry.id, add=["sleep"])
    moved = journal.get(entry.id)
    moved.created = datetime(2026, 10, 30, 9).astimezone()
    journal.save_entry(moved)
    ids, stamps = saved_map(vj_home)
    assert ids == {entry.id: "2026-10.json"}
    assert stamps == month_stamps(vj_home)  # current: no month file is read again to find an entry
    journal.delete(entry.id)
    assert saved_map(vj_home) == ({}, month_stamps(vj_home))


def test_a_big_import_files_spoken_markers_once_each(vj_home, tmp_path):
    export = jrnl_export(tmp_path / "journal.json", 60)
    data = json.loads(export.read_text())
    for item in data["entries"]:
        item["body"] += " Question for my therapist: why do I always apologise?"
    export.write_text(json.dumps(data))
    journal = Journal(vj_home)

    report = journal.import_text("jrnl", export)
    journal.import_text("jrnl", export)

    questions = journal.planner.records("questions")
    assert sorted(q.entry for q in questions) == sorted(e.id for e in report.added)
    assert {q.text for q in questions} == {"Why do I always apologise?"}


def test_merging_a_big_backup_writes_each_month_file_once(vj_home, tmp_path, writes):
    source = Journal(tmp_path / "source")
    source.import_text("jrnl", jrnl_export(tmp_path / "a.json", 300))
    backup = source.export_backup(tmp_path / "b.zip").path
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "b.json", 50, start=1000))  # a journal of its own
    writes.clear()

    report = journal.import_backup(backup)

    assert (report.entries_added, report.entries_skipped) == (300, 0)
    months = {f"{START + timedelta(days=i):%Y-%m}.json" for i in range(300)}
    assert {name: writes[name] for name in months} == dict.fromkeys(months, 1)
    assert len({e.id for e in journal.entries()}) == 350
    again = journal.import_backup(backup)
    assert (again.entries_added, again.entries_skipped) == (0, 300)
