"""The checks on every field that becomes a file name, and the backup limits, through the Journal API."""

import hashlib
import json
import zipfile

import pytest

from voicejournal.core.entry import Entry
from voicejournal.core.validate import (
    entry_problem,
    inside_home,
    is_audio_path,
    is_entry_id,
    parse_created,
    record_problem,
)
from voicejournal.errors import JournalCorruptError
from voicejournal.journal import Journal
from voicejournal.store import backup_guard, fs
from voicejournal.store.backup import BackupError
from voicejournal.store.storage import Storage


def test_entry_ids_use_the_id_alphabet(vj_home):
    storage = Storage(vj_home)
    assert all(is_entry_id(storage.new_id()) for _ in range(50))
    for bad in ("", "ABCD", "hello", "a/b", "../x", "a.b", "x" * 33, None, 12, ["abcd"]):
        assert not is_entry_id(bad), bad


def test_created_parses_as_a_date_and_backups_need_its_offset():
    assert parse_created("2026-11-24T10:00:00+01:00", aware=True).utcoffset().seconds == 3600
    assert parse_created("2026-11-24T10:00:00", aware=True) is None
    assert parse_created("2026-11-24T10:00:00") is not None  # a hand-written time: local time
    for bad in ("../../z", "2026-13-01T00:00:00+00:00", "20261124T100000+0100", "2026-11-24/..", "", None, 5):
        assert parse_created(bad) is None, bad


def test_audio_is_exactly_its_own_place():
    assert is_audio_path("audio/2026/11/abcd.flac", "abcd")
    for bad in ("audio/2026/11/efgh.flac", "audio/2026/13/abcd.flac", "audio/2026/11/abcd.wav",
                "../../victim.txt", "/etc/passwd", "audio/2026/11/../abcd.flac", "audio//2026/11/abcd.flac",
                "audio/2026/11/abcd.flac/", "audio/incoming/abcd.flac", None):  # fmt: skip
        assert not is_audio_path(bad, "abcd"), bad


def test_problems_are_named():
    doc = {"id": "abcd", "created": "2026-11-24T10:00:00+01:00", "audio": "audio/2026/11/abcd.flac"}
    assert entry_problem(doc) is None
    assert entry_problem({**doc, "audio": "../x"}) == "entry abcd names an unsafe recording path: ../x"
    assert entry_problem({**doc, "created": "../../z"}) == "entry abcd has an invalid date: ../../z"
    assert entry_problem({**doc, "id": "a\nb"}) == "an entry has an invalid id: a b"
    assert entry_problem({**doc, "id": "hello"}) == "an entry has an invalid id: hello"
    assert entry_problem({**doc, "id": "hello", "audio": "audio/2026/11/hello.flac"}, strict=False) is None
    assert record_problem("goals", {"id": "g1", "entry": "abcd"}) is None
    assert record_problem("settings", {"id": "audio-retention"}) is None
    assert record_problem("goals", {"id": "../g"}) == "a goals item has an invalid id: ../g"
    assert record_problem("goals", {"id": "g1", "entry": "/x"}) == "a goals item names an invalid entry: /x"


def test_inside_home_refuses_escapes_and_links(tmp_path):
    home = tmp_path / "home"
    (home / "audio" / "2026").mkdir(parents=True)
    assert inside_home(home, "audio/2026/11/abcd.flac") == home / "audio/2026/11/abcd.flac"
    for bad in ("../x", "/etc/passwd", "audio/../../x", "", "audio\\..\\x", "audio/./x"):
        assert inside_home(home, bad) is None, bad
    (tmp_path / "elsewhere").mkdir()
    (home / "audio" / "2027").symlink_to(tmp_path / "elsewhere")
    assert inside_home(home, "audio/2027/01/abcd.flac") is None
    (home / "audio" / "2026" / "abcd.flac").symlink_to(home / "journal.json")  # even a link inside the home
    assert inside_home(home, "audio/2026/abcd.flac") is None


def test_an_entry_read_from_storage_with_an_outside_recording_is_damaged():
    doc = {"id": "abcd", "created": "2026-11-24T10:00:00+01:00", "audio": "../../victim.txt"}
    with pytest.raises(JournalCorruptError) as err:
        Entry.from_doc(doc)
    assert str(err.value) == "The journal holds a damaged entry (abcd); `voicejournal check` shows where."


# --- backups: limits and the scratch folder --------------------------------------------------------


def make_backup(path, members):
    files = {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in members}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
        zf.writestr(
            "manifest.json", json.dumps({"format": "voicejournal-backup", "version": 1, "files": files})
        )
    return path


ENTRY = {"id": "abcd", "created": "2026-11-24T10:00:00+01:00", "status": "done", "text": "Hello there.",
         "audio": "audio/2026/11/abcd.flac"}  # fmt: skip
MEMBERS = [
    ("entries/2026-11.json", json.dumps({"entries": {"1": ENTRY}}, separators=(",", ":")).encode()),
    ("audio/2026/11/abcd.flac", b"fLaC" + bytes(range(256)) * 4),
]


def test_a_backup_bigger_than_the_cap_is_refused_before_unpacking(vj_home, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_guard, "MAX_TOTAL", 1000)
    journal = Journal(vj_home)
    with pytest.raises(BackupError) as err:
        journal.import_backup(make_backup(tmp_path / "big.zip", MEMBERS))
    assert str(err.value) == (
        "big.zip is not a usable voicejournal backup (it would unpack to more than 0 GB); nothing was changed."
    )
    assert journal.storage.all_entries() == []


def test_a_backup_needing_more_than_the_free_space_is_refused(vj_home, tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10 << 30, 10 << 30, 50 << 20))
    journal = Journal(vj_home)
    with pytest.raises(BackupError) as err:
        journal.import_backup(make_backup(tmp_path / "b.zip", MEMBERS))
    assert str(err.value) == (
        "b.zip needs 64 MB of free disk space to import and only 50 MB are free; free some space and try "
        "again. Nothing was changed."
    )
    assert journal.storage.all_entries() == []


@pytest.mark.parametrize("good", [True, False])
def test_the_scratch_folder_is_overwritten_after_success_and_failure(vj_home, tmp_path, monkeypatch, good):
    shredded = []
    real = fs.shred
    monkeypatch.setattr(fs, "shred", lambda path: (shredded.append(path.name), real(path)))
    members = (
        MEMBERS if good else [(MEMBERS[0][0], MEMBERS[0][1].replace(b"abcd.flac", b"zzzz.flac")), MEMBERS[1]]
    )
    journal = Journal(vj_home)
    if good:
        assert journal.import_backup(make_backup(tmp_path / "b.zip", members)).entries_added == 1
    else:
        with pytest.raises(BackupError):
            journal.import_backup(make_backup(tmp_path / "b.zip", members))
    assert {"2026-11.json", "abcd.flac"} <= set(shredded)
    assert not [p for p in vj_home.iterdir() if p.name.startswith(".import-")]


def test_backups_hold_only_the_journal_layout(vj_home, tmp_path):
    journal = Journal(vj_home)
    journal.import_backup(make_backup(tmp_path / "b.zip", MEMBERS))
    (vj_home / "notes.txt").write_text("not the journal's")
    (vj_home / "entries" / "scratch.json").write_text("{}")
    journal.export_backup(tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        names = sorted(zf.namelist())
    assert names == ["audio/2026/11/abcd.flac", "entries/2026-11.json", "journal.json", "manifest.json"]
    Journal(tmp_path / "fresh").import_backup(tmp_path / "out.zip")  # and it imports again
