"""Backups through the Journal API: checksums, damage, merging with clashing ids."""

import hashlib
import json
import re
import zipfile
from datetime import timedelta

import pytest

from tests.month import NOW
from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.errors import VoiceJournalError
from voicejournal.journal import Journal
from voicejournal.store.backup import BackupError


def add_entry(journal, text, days_ago=1, entry_id=None, audio_bytes=None):
    created = (NOW - timedelta(days=days_ago)).replace(microsecond=0)
    entry = Entry(id=entry_id or journal.new_entry_id(), created=created, status=DONE,
                  segments=[Segment(0, 3, text)], text=text)  # fmt: skip
    if audio_bytes is not None:
        rel, dest = journal.audio_destination(entry.id, created)
        dest.write_bytes(audio_bytes)
        entry.audio, entry.audio_sha256 = rel, hashlib.sha256(audio_bytes).hexdigest()
    journal.save_entry(entry, new=True)
    return entry


@pytest.fixture
def journal(vj_home):
    j = Journal(vj_home)
    add_entry(
        j, "Question for my therapist: can we talk about work?", audio_bytes=b"fLaC" + bytes(range(256)) * 40
    )
    add_entry(j, "I managed to go running twice.", days_ago=2)
    j.planner.add_goal("Run twice a week", NOW)
    return j


def rewrite(backup, target, change):
    """Copy a backup, letting `change(name, data)` alter members (zip CRCs stay valid)."""
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, change(name, src.read(name)))
    return target


def test_export_then_import_into_an_empty_home(journal, tmp_path):
    report = journal.export_backup(tmp_path / "b.zip")
    assert (report.entries, report.audio_files) == (2, 1)
    fresh = Journal(tmp_path / "fresh")
    result = fresh.import_backup(tmp_path / "b.zip")
    assert result.restored and result.entries_added == 2
    assert sorted(fresh.storage.all_entries(), key=lambda d: d["id"]) == sorted(
        journal.storage.all_entries(), key=lambda d: d["id"]
    )
    [audio] = (tmp_path / "fresh" / "audio").rglob("*.flac")
    [original] = (journal.home / "audio").rglob("*.flac")
    assert audio.read_bytes() == original.read_bytes()
    assert [q.text for q in fresh.questions()] == ["Can we talk about work?"]


def test_a_changed_file_fails_its_checksum(journal, tmp_path):
    backup = journal.export_backup(tmp_path / "b.zip").path
    bad = rewrite(backup, tmp_path / "bad.zip",
                  lambda name, data: data.replace(b"work", b"play") if name.startswith("entries/") else data)  # fmt: skip
    fresh = Journal(tmp_path / "fresh")
    with pytest.raises(BackupError) as err:
        fresh.import_backup(bad)
    assert re.fullmatch(
        r"bad\.zip is not a usable voicejournal backup \(entries/\d{4}-\d\d\.json does not match its checksum\); "
        r"nothing was changed\.",
        str(err.value),
    )
    assert fresh.storage.all_entries() == []


def test_newer_and_unsafe_backups_are_refused(journal, tmp_path):
    backup = journal.export_backup(tmp_path / "b.zip").path

    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["version"] = 99
        return json.dumps(manifest).encode()

    with pytest.raises(BackupError) as err:
        journal.import_backup(rewrite(backup, tmp_path / "newer.zip", newer))
    assert str(err.value) == (
        "newer.zip was made by a newer voicejournal; update voicejournal to import it. Nothing was changed."
    )
    sneaky = tmp_path / "sneaky.zip"
    with zipfile.ZipFile(sneaky, "w") as zf:
        zf.writestr("../evil.txt", b"x")
        files = {"../evil.txt": {"sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
                                 "size": 1}}  # fmt: skip
        zf.writestr(
            "manifest.json", json.dumps({"format": "voicejournal-backup", "version": 1, "files": files})
        )
    with pytest.raises(BackupError) as err:
        journal.import_backup(sneaky)
    assert str(err.value) == (
        "sneaky.zip is not a usable voicejournal backup (it holds an unsafe path: ../evil.txt); nothing was changed."
    )
    assert not (tmp_path / "evil.txt").exists()


def test_export_errors(journal, tmp_path):
    with pytest.raises(VoiceJournalError) as err:
        journal.export_backup(tmp_path / "missing" / "b.zip")
    assert (
        str(err.value)
        == f"The folder {tmp_path / 'missing'} does not exist; create it first or choose another place."
    )
    assert not list(tmp_path.glob(".b.zip*"))


def test_merge_gives_a_clashing_id_a_new_one(journal, tmp_path):
    backup = journal.export_backup(tmp_path / "b.zip").path
    other = Journal(tmp_path / "other")
    taken = next(d["id"] for d in journal.storage.all_entries() if d.get("audio"))
    add_entry(other, "Something else entirely.", days_ago=5, entry_id=taken)
    report = other.import_backup(backup)
    assert (report.entries_added, report.entries_skipped, list(report.renamed)) == (2, 0, [taken])
    texts = sorted(e.text for e in other.entries())
    assert texts == sorted(["Something else entirely."] + [e.text for e in journal.entries()])
    moved = other.get(report.renamed[taken])
    assert moved.audio.endswith(f"/{moved.id}.flac")  # the recording follows its new id
    assert (other.home / moved.audio).read_bytes() == (journal.home / journal.get(taken).audio).read_bytes()
    [q] = [q for q in other.questions() if q.entry == moved.id]  # and so does what it filed
    again = other.import_backup(backup)
    assert again.entries_added == 0 and again.records_added == 0


def test_two_silent_recordings_of_the_same_second_stay_two(vj_home, tmp_path):
    journal = Journal(vj_home)
    for noise in (b"one", b"two"):
        add_entry(journal, "", audio_bytes=b"fLaC" + noise)
    journal.export_backup(tmp_path / "b.zip")
    other = Journal(tmp_path / "other")
    other.planner.add_win("already something here", NOW)
    assert other.import_backup(tmp_path / "b.zip").entries_added == 2
