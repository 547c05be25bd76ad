"""Crafted backups and tampered entries through the real CLI: refused with one line, nothing changes inside
the home, nothing is written, zeroed or deleted outside it."""

import hashlib
import json
import os
import warnings
import zipfile
from pathlib import Path

import pytest

from voicejournal.store.idmap import IDS_FILE

CREATED = "2020-03-04T10:00:00+01:00"
AUDIO = "audio/2020/03/abcd.flac"
FLAC = b"fLaC" + bytes(range(256)) * 8


def entry_doc(entry_id="abcd", created=CREATED, audio=AUDIO, text="Walked by the river after the session."):
    doc = {"id": entry_id, "created": created, "kind": "reflection", "status": "done",
           "segments": [[0.0, 3.0, text]], "duration": 3.0}  # fmt: skip
    if audio is not None:
        doc["audio"] = audio
    return doc


def compact(data) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()  # as voicejournal writes it (orjson)


def shard(*docs) -> bytes:
    return compact({"entries": {str(i): d for i, d in enumerate(docs, start=1)}})


def journal_json(**tables) -> bytes:
    data = {"meta": {"1": {"schema": 1}}}
    data.update({name: {str(i): d for i, d in enumerate(rows, start=1)} for name, rows in tables.items()})
    return compact(data)


def good_members() -> list[tuple[str | zipfile.ZipInfo, bytes]]:
    return [("journal.json", journal_json()), ("entries/2020-03.json", shard(entry_doc())), (AUDIO, FLAC)]


def craft(path: Path, members, compress=zipfile.ZIP_STORED) -> Path:
    """A zip with a manifest that matches every member, so only the content itself can be refused."""
    files = {}
    with zipfile.ZipFile(path, "w", compression=compress) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that is the point
        for name, data in members:
            key = name.filename if isinstance(name, zipfile.ZipInfo) else name
            files[key] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            zf.writestr(name, data)
        manifest = {"format": "voicejournal-backup", "version": 1, "created": CREATED, "files": files}
        zf.writestr("manifest.json", json.dumps(manifest))
    return path


def replace(members, name, data):
    return [(n, data if n == name else d) for n, d in members]


def link(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o120777 << 16
    return info, target.encode()


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file and link under `folder`, byte for byte."""
    found: dict[str, bytes | str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if name == IDS_FILE:
                continue  # derived (which month holds which id), made again by any read
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                found[rel] = path.read_bytes()
            else:
                found[rel] = "dir"
    return found


CASES = {
    "audio outside the home": (
        lambda: replace(good_members(), "entries/2020-03.json", shard(entry_doc(audio="../../victim.txt"))),
        "entry abcd names an unsafe recording path: ../../victim.txt",
    ),
    "audio of another entry": (
        lambda: replace(
            good_members(), "entries/2020-03.json", shard(entry_doc(audio="audio/2020/03/zzzz.flac"))
        ),
        "entry abcd names an unsafe recording path: audio/2020/03/zzzz.flac",
    ),
    "date that is a path": (
        lambda: replace(
            good_members(), "entries/2020-03.json", shard(entry_doc(created="../../z", audio=None))
        ),
        "entry abcd has an invalid date: ../../z",
    ),
    "id that is a path": (
        lambda: replace(
            good_members(), "entries/2020-03.json", shard(entry_doc(entry_id="../../x", audio=None))
        ),
        "an entry has an invalid id: ../../x",
    ),
    "goal id that is a path": (
        lambda: replace(
            good_members(), "journal.json", journal_json(goals=[{"id": "../g", "text": "Sleep more"}])
        ),
        "a goals item has an invalid id: ../g",
    ),
    "absolute member": (
        lambda: [*good_members(), ("/tmp/evil.pth", b"import os")],
        "it holds an unsafe path: /tmp/evil.pth",
    ),
    "dot-dot member": (
        lambda: [*good_members(), ("audio/../../evil.pth", b"import os")],
        "it holds an unsafe path: audio/../../evil.pth",
    ),
    "symlink member": (
        lambda: [*good_members()[:2], link(AUDIO, "/etc/passwd")],
        f"it holds a link: {AUDIO}",
    ),
    "duplicate member": (
        lambda: [*good_members(), ("entries/2020-03.json", shard(entry_doc(audio="../../victim.txt")))],
        "it holds entries/2020-03.json twice",
    ),
    "member outside the layout": (
        lambda: [*good_members(), ("lib/python3.11/site-packages/evil.pth", b"import os")],
        "it holds a file voicejournal does not write: lib/python3.11/site-packages/evil.pth",
    ),
}


@pytest.fixture(params=["restore", "merge"])
def target_home(request, run_cli, vj_home):
    """An empty journal (import restores) or one with something in it (import merges)."""
    if request.param == "restore":
        run_cli("list", check=True)
    else:
        run_cli("question", "add", "Something only here", check=True)
    return vj_home


def assert_refused(run_cli, home: Path, backup: Path, why: str) -> None:
    outside = home.parent.parent
    before, around = snapshot(home), sorted(os.listdir(outside))
    around_home = sorted(os.listdir(home.parent))
    proc = run_cli("import", str(backup))
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1,
        "",
        f"{backup.name} is not a usable voicejournal backup ({why}); nothing was changed.\n",
    )
    assert snapshot(home) == before
    assert sorted(os.listdir(outside)) == around and sorted(os.listdir(home.parent)) == around_home


def test_a_crafted_backup_that_is_sound_imports(run_cli, target_home, tmp_path):
    """The base every hostile case below changes in one place is itself accepted."""
    backup = craft(tmp_path / "good.zip", good_members())
    run_cli("import", str(backup), check=True)
    listed = json.loads(run_cli("list", "--json", check=True).stdout)
    assert [e["text"] for e in listed if e["id"] == "abcd"] == ["Walked by the river after the session."]
    assert (target_home / AUDIO).read_bytes() == FLAC


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_crafted_backup_is_refused_whole(run_cli, target_home, tmp_path, case):
    members, why = CASES[case]
    backup = craft(tmp_path / "crafted.zip", members())
    assert_refused(run_cli, target_home, backup, why)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(run_cli, target_home, tmp_path):
    bomb = replace(good_members(), AUDIO, bytes(30 << 20))  # 30 MB of zeros: a 30 kB zip
    backup = craft(tmp_path / "bomb.zip", bomb, compress=zipfile.ZIP_DEFLATED)
    assert backup.stat().st_size < 100_000
    assert_refused(run_cli, target_home, backup, f"{AUDIO} would unpack to far more than its size in the zip")


def test_a_home_folder_that_links_outside_is_not_written_through(run_cli, target_home, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (target_home / "audio").symlink_to(elsewhere, target_is_directory=True)
    backup = craft(tmp_path / "good.zip", good_members())
    assert_refused(run_cli, target_home, backup, f"{AUDIO} would be written outside the journal")
    assert list(elsewhere.iterdir()) == []


# --- entries tampered with inside the journal -------------------------------------------------------


@pytest.fixture
def victim(vj_home):
    path = vj_home.parent / "victim.txt"
    path.write_bytes(b"someone else's file")
    return path


def tamper(home: Path, audio: str) -> None:
    """An entry written into the journal by hand (or by an old import) whose recording path is `audio`."""
    (home / "entries").mkdir(parents=True, exist_ok=True)
    (home / "entries" / "2020-03.json").write_bytes(shard(entry_doc(audio=audio)))


DAMAGED = "The journal holds a damaged entry (abcd); `voicejournal check` shows where.\n"
LINKED = (
    f"Entry abcd points at a recording outside the journal ({AUDIO}); it was left alone. Remove the entry from "
    "its journal file by hand, or restore a good backup.\n"
)


@pytest.mark.parametrize("command", [("delete", "abcd", "--yes"), ("retention",)])
def test_an_entry_whose_recording_path_leaves_the_home_touches_nothing(run_cli, vj_home, victim, command):
    run_cli("config", "set", "audio-retention", "90d", check=True)
    tamper(vj_home, "../victim.txt")
    before = snapshot(vj_home)
    proc = run_cli(*command)
    assert (proc.returncode, proc.stderr) == (1, DAMAGED)
    assert victim.read_bytes() == b"someone else's file"
    assert snapshot(vj_home) == before


@pytest.mark.parametrize("command", [("delete", "abcd", "--yes"), ("retention",)])
def test_a_recording_that_is_a_link_outside_is_never_zeroed(run_cli, vj_home, victim, command):
    run_cli("config", "set", "audio-retention", "90d", check=True)
    tamper(vj_home, AUDIO)
    (vj_home / AUDIO).parent.mkdir(parents=True)
    (vj_home / AUDIO).symlink_to(victim)
    before = snapshot(vj_home)
    proc = run_cli(*command)
    assert (proc.returncode, proc.stderr) == (1, LINKED)
    assert victim.read_bytes() == b"someone else's file"
    assert snapshot(vj_home) == before


# --- delete leaves nothing behind -------------------------------------------------------------------


@pytest.mark.parametrize("index", ["fresh", "stale"])
def test_delete_leaves_no_words_and_no_sound_in_the_home(run_cli, vj_home, index):
    from datetime import datetime, timedelta

    from voicejournal.core.entry import DONE, Entry, Segment
    from voicejournal.journal import Journal

    journal = Journal(vj_home, now=lambda: datetime(2026, 11, 24, 10, 0).astimezone())
    created = journal.now() - timedelta(days=1)
    secret = "Quixotrell kept me awake all night."
    doomed = Entry(id="abcd", created=created, status=DONE, segments=[Segment(0, 3, secret)], text=secret)
    doomed.audio, dest = journal.audio_destination("abcd", created)
    dest.write_bytes(FLAC)
    journal.save_entry(doomed, new=True)
    kept = "I slept well after the walk."
    journal.save_entry(Entry(id="efgh", created=created, status=DONE, segments=[Segment(0, 3, kept)],
                             text=kept), new=True)  # fmt: skip
    run_cli("search", "quixotrell", check=True)  # builds the index, with the word in it
    if index == "stale":
        shard = vj_home / "entries" / f"{created:%Y-%m}.json"
        os.utime(shard, ns=(shard.stat().st_atime_ns, shard.stat().st_mtime_ns + 10**9))
    handle = os.open(dest, os.O_RDONLY)  # sees the recording's bytes even after its name is gone
    try:
        run_cli("delete", "abcd", "--yes", check=True)
        assert os.pread(handle, len(FLAC), 0) == bytes(len(FLAC))  # overwritten before it was removed
    finally:
        os.close(handle)
    assert not dest.exists()
    for rel, data in snapshot(vj_home).items():
        if isinstance(data, bytes):
            assert b"quixot" not in data.lower(), rel
    found = run_cli("search", "slept", check=True).stdout
    assert "efgh" in found
