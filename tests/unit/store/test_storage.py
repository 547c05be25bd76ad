import os
import stat
import subprocess
from datetime import UTC, datetime

import orjson
import pytest

from voicejournal.core.entry import Entry, Segment
from voicejournal.errors import JournalCorruptError, JournalVersionError
from voicejournal.store.storage import Storage


def make_entry(storage, created="2026-11-24T14:00:00+00:00", text="hello"):
    entry = Entry(
        id=storage.new_id(),
        created=datetime.fromisoformat(created),
        status="done",
        segments=[Segment(0.0, 1.5, text)],
        text=text,
    )
    storage.add_entry(entry.to_doc())
    return entry


def test_roundtrip_and_compact_form(vj_home):
    storage = Storage(vj_home)
    entry = make_entry(storage, text="We talked about my mother.")
    raw = (vj_home / "entries" / "2026-11.json").read_bytes()
    assert raw.count(b"We talked about my mother.") == 1  # text is not stored twice
    again = Entry.from_doc(storage.get_entry(entry.id))
    assert again.text == "We talked about my mother."
    assert again.created == entry.created
    assert again.segments == entry.segments


def test_files_and_folders_are_private(vj_home):
    storage = Storage(vj_home)
    make_entry(storage)
    for path in [vj_home, vj_home / "entries"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for path in [vj_home / "journal.json", vj_home / "entries" / "2026-11.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_update_moves_entry_between_months(vj_home):
    storage = Storage(vj_home)
    entry = make_entry(storage)
    entry.created = datetime(2025, 1, 2, tzinfo=UTC)
    storage.update_entry(entry.id, entry.to_doc())
    assert storage.get_entry(entry.id)["created"].startswith("2025-01-02")
    assert [d["id"] for d in storage.all_entries()] == [entry.id]


def test_remove_and_small_tables(vj_home):
    storage = Storage(vj_home)
    entry = make_entry(storage)
    storage.remove_entry(entry.id)
    assert storage.get_entry(entry.id) is None
    storage.insert("goals", {"id": "g1", "text": "Sleep before midnight"})
    storage.update("goals", "g1", {"id": "g1", "text": "Sleep before 23:30"})
    assert storage.get("goals", "g1")["text"] == "Sleep before 23:30"
    storage.remove("goals", "g1")
    assert storage.all("goals") == []


def test_corrupt_file_is_never_overwritten(vj_home):
    storage = Storage(vj_home)
    make_entry(storage)
    make_entry(storage)  # the second write leaves a .bak of the first
    shard = vj_home / "entries" / "2026-11.json"
    shard.write_bytes(b'{"entries": {"1": {"id": "ab')
    fresh = Storage(vj_home)
    with pytest.raises(JournalCorruptError) as info:
        make_entry(fresh)
    assert str(info.value) == (
        f"The journal file {shard} is damaged and was left untouched. The last good copy is "
        f"{shard}.bak; `voicejournal check --repair` puts it back."
    )
    assert shard.read_bytes() == b'{"entries": {"1": {"id": "ab'
    assert orjson.loads((vj_home / "entries" / "2026-11.json.bak").read_bytes())


def test_newer_schema_is_refused(vj_home):
    Storage(vj_home).all("goals")
    (vj_home / "journal.json").write_bytes(orjson.dumps({"meta": {"1": {"schema": 99}}}))
    with pytest.raises(JournalVersionError) as info:
        Storage(vj_home).all_entries()
    assert str(info.value) == (
        "This journal was written by a newer voicejournal (format 99; this one reads up to 1). "
        "Update voicejournal to open it; nothing was changed."
    )


def test_stale_temp_files_are_cleaned(vj_home):
    storage = Storage(vj_home)
    make_entry(storage)
    gone = subprocess.Popen(["true"])  # a writer that was killed: its temp file is stale
    gone.wait()
    stale = vj_home / "entries" / f".2026-11.json.tmp-{gone.pid}-abcd"
    stale.write_bytes(b"half a write")
    make_entry(Storage(vj_home))
    assert not stale.exists()


def test_ids_are_unique_and_short(vj_home):
    storage = Storage(vj_home)
    ids = {make_entry(storage).id for _ in range(30)}
    assert len(ids) == 30
    assert all(len(i) == 4 and not i.isdigit() for i in ids)


def test_signature_changes_on_write(vj_home):
    storage = Storage(vj_home)
    make_entry(storage)
    before = storage.signature()
    make_entry(storage)
    assert storage.signature() != before


def test_find_entries_by_field(vj_home):
    storage = Storage(vj_home)
    entry = make_entry(storage)
    doc = storage.get_entry(entry.id)
    doc["source_key"] = "sha256:abc"
    storage.update_entry(entry.id, doc)
    assert [d["id"] for d in storage.find_entries("source_key", "sha256:abc")] == [entry.id]
    assert storage.find_entries("source_key", "sha256:zzz") == []


def test_temp_file_left_by_disk_error_is_removed(vj_home, monkeypatch):
    storage = Storage(vj_home)
    make_entry(storage)
    real_write = os.write

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    from voicejournal.errors import DiskFullError

    with pytest.raises(DiskFullError):
        make_entry(storage)
    monkeypatch.setattr(os, "write", real_write)
    assert not [p for p in (vj_home / "entries").iterdir() if ".tmp-" in p.name]
    assert len(storage.all_entries()) == 1


def test_a_held_lock_gives_a_clear_busy_error(vj_home, monkeypatch):
    import fcntl

    from voicejournal.errors import JournalBusyError
    from voicejournal.store import storage as storage_module

    storage = Storage(vj_home)
    make_entry(storage)
    monkeypatch.setattr(storage_module, "LOCK_TIMEOUT", 0.2)
    holder = os.open(vj_home / ".lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(JournalBusyError) as info:
            make_entry(Storage(vj_home))
        assert str(info.value) == (
            "Another voicejournal is still saving and did not finish within 0 seconds. Try again in a moment."
        )
    finally:
        os.close(holder)
    make_entry(storage)  # released: works again
    assert len(storage.all_entries()) == 2


def test_threads_are_excluded_from_each_other(vj_home):
    import threading

    storage = Storage(vj_home)
    errors = []

    def add_many():
        try:
            for _ in range(15):
                make_entry(storage)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_many) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(storage.all_entries()) == 45


def test_update_entries_rewrites_each_month_once(vj_home, monkeypatch):
    storage = Storage(vj_home)
    nov = [make_entry(storage, created=f"2026-11-{d:02d}T10:00:00+00:00") for d in range(1, 6)]
    octo = [make_entry(storage, created=f"2026-10-{d:02d}T10:00:00+00:00") for d in range(1, 4)]
    moved = octo[0]
    moved.created = datetime(2025, 5, 1, tzinfo=UTC)  # its date changed: it moves month
    docs = []
    for entry in nov + octo:
        entry.tags = ["batch"]
        docs.append(entry.to_doc())
    from voicejournal.store import files

    writes = []
    real = files.write_bytes
    monkeypatch.setattr(files, "write_bytes", lambda h, p, *a, **k: (writes.append(p), real(h, p, *a, **k)))
    storage.update_entries(docs)
    stored = {d["id"]: d for d in storage.all_entries()}
    assert len(stored) == 8 and all(d["tags"] == ["batch"] for d in stored.values())
    assert stored[moved.id]["created"].startswith("2025-05-01")
    assert writes.count(vj_home / "entries" / "2026-11.json") == 1
