"""Finding one entry reads one line of the id map and one entry of one month file, however long the journal."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from voicejournal.core.entry import TEXT_ONLY, Entry
from voicejournal.errors import JournalCorruptError
from voicejournal.journal import Journal
from voicejournal.store.idmap import find_doc

START = datetime(2023, 1, 1, 20, 0)


def jrnl_export(path: Path, n: int) -> Path:
    entries = [
        {"date": f"{START + timedelta(days=i):%Y-%m-%d}", "time": "20:00", "title": f"Day {i}.",
         "body": f"Entry number {i}: a walk with my sister.", "tags": [], "starred": False}
        for i in range(n)
    ]  # fmt: skip
    path.write_text(json.dumps({"tags": {}, "entries": entries}))
    return path


@pytest.fixture
def reads(monkeypatch):
    """The names of the files read (a spy around Path.read_bytes)."""
    seen: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: seen.append(path.name) or real(path))
    return seen


def test_find_doc_reads_one_entry_out_of_a_month_file():
    docs = {
        "1": {"id": "ab", "text": 'she said {"id":"cd","x":1} twice'},
        "2": {"id": "abc", "themes": {"a": {"n": 1}, "7": {"n": 1}}, "tags": []},
        "3": {"id": "cd", "text": "last one"},
    }
    raw = orjson.dumps({"entries": docs})

    assert find_doc(raw, "ab") == docs["1"]
    assert find_doc(raw, "cd") == docs["3"]  # not the quote in the first entry's text; the last of the table
    assert find_doc(raw, "abc") is None  # a nested `},"7":{` ends the slice early: the caller parses it all
    assert find_doc(raw, "zz") is None
    assert find_doc(raw, 'a"b') is None


def test_show_and_tag_read_the_id_map_and_one_month_file(vj_home, tmp_path, reads):
    Journal(vj_home).import_text("jrnl", jrnl_export(tmp_path / "journal.json", 90))  # three months
    wanted = Journal(vj_home).entries()[-1]
    reads.clear()

    journal = Journal(vj_home)
    assert journal.get(wanted.id).text == wanted.text
    assert journal.tag(wanted.id, add=["walks"]).tags == ["walks"]

    assert {name for name in reads if name.endswith(".json")} <= {"2023-01.json", "journal.json"}
    assert Journal(vj_home).get(wanted.id).tags == ["walks"]


def test_tag_reads_its_month_file_once_and_again_after_any_change(vj_home, tmp_path, reads):
    Journal(vj_home).import_text("jrnl", jrnl_export(tmp_path / "journal.json", 90))  # three months
    first, second = Journal(vj_home).entries()[-2:]  # both in January
    journal = Journal(vj_home)
    reads.clear()

    journal.tag(first.id, add=["walks"])  # looked up, looked up again under the lock, rewritten
    assert reads.count("2023-01.json") == 1
    journal.tag(second.id, add=["walks"])  # the month was rewritten since: its new bytes are read
    assert reads.count("2023-01.json") == 2
    shard = vj_home / "entries" / "2023-01.json"
    shard.write_bytes(shard.read_bytes().replace(b"a walk with my sister", b"a walk with my brother"))
    reads.clear()
    assert "brother" in journal.get(first.id).text  # changed behind its back: read again, never stale
    assert Journal(vj_home).get(second.id).tags == ["walks"]


def test_a_month_file_changed_by_hand_is_the_only_one_read_again(vj_home, tmp_path, reads):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "journal.json", 90))
    shard = vj_home / "entries" / "2023-02.json"
    data = orjson.loads(shard.read_bytes())
    moved = next(iter(data["entries"].values()))
    moved["id"] = "zz99"  # as a restored copy of the month would bring an entry the map never saw
    shard.write_bytes(orjson.dumps(data))
    reads.clear()

    assert Journal(vj_home).get("zz99").text == moved["text"]
    assert {name for name in reads if name.endswith(".json")} == {"2023-02.json", "journal.json"}


def test_an_entry_in_a_damaged_month_file_is_reported_as_damage(vj_home):
    journal = Journal(vj_home)
    entry = Entry(id=journal.new_entry_id(), created=datetime(2026, 11, 2, 9).astimezone(), status=TEXT_ONLY,
                  text="I slept badly.", kind="journal")  # fmt: skip
    journal.save_entry(entry, new=True)
    journal.tag(entry.id, add=["sleep"])  # a second write: the first version is kept as .bak
    shard = vj_home / "entries" / "2026-11.json"
    shard.write_bytes(shard.read_bytes()[:-5])  # cut short: the entry itself is no longer whole

    with pytest.raises(JournalCorruptError) as caught:
        Journal(vj_home).get(entry.id)
    assert str(caught.value) == (
        f"The journal file {shard} is damaged and was left untouched. The last good copy is {shard}.bak; "
        "`voicejournal check --repair` puts it back."
    )


def test_an_empty_incoming_folder_costs_a_command_no_lock_and_no_sound_code(vj_home):
    import subprocess
    import sys

    (vj_home / "audio" / "incoming").mkdir(parents=True)  # as every recording leaves it
    (vj_home / "journal.json").write_bytes(b"")  # damaged: taking the lock would report it
    probe = (
        "import sys; from voicejournal.journal import Journal; "
        "print(Journal().recover(), sorted(m for m in sys.modules if m.startswith('voicejournal.speech')))"
    )
    root = Path(__file__).resolve().parents[3]  # this checkout, first on the path
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout == "[] []\n"


def test_tag_rewrites_the_month_in_place_byte_for_byte_as_tinydb_would(vj_home, tmp_path, monkeypatch):
    from tinydb import Query, TinyDB
    from tinydb.table import Table

    from voicejournal.store.storage import JSONFileStorage

    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "journal.json", 31))  # one month: January
    shard = vj_home / "entries" / "2023-01.json"
    copy = tmp_path / "copy" / "2023-01.json"
    copy.parent.mkdir()
    copy.write_bytes(shard.read_bytes())
    docs = list(orjson.loads(shard.read_bytes())["entries"].values())
    monkeypatch.setattr(Table, "update", lambda *a, **k: pytest.fail("the month was rebuilt through TinyDB"))
    for doc in (docs[0], docs[15], docs[-1]):
        journal.tag(doc["id"], add=['a "quoted" [tag]'])
    monkeypatch.undo()

    with TinyDB(copy, storage=JSONFileStorage) as db:
        for doc in (docs[0], docs[15], docs[-1]):
            changed = journal.get(doc["id"]).to_doc()  # what `tag` stores
            replace = lambda d, c=changed: (d.clear(), d.update(c))  # noqa: E731
            db.table("entries", cache_size=0).update(replace, Query().id == doc["id"])
    assert shard.read_bytes() == copy.read_bytes()


def test_a_damaged_month_file_is_not_rewritten_by_tag(vj_home, tmp_path):
    journal = Journal(vj_home)
    journal.import_text("jrnl", jrnl_export(tmp_path / "journal.json", 3))
    first = journal.entries()[-1]
    journal.tag(first.id, add=["one"])  # the month now has a .bak
    shard = vj_home / "entries" / "2023-01.json"
    damaged = shard.read_bytes()[:-40] + b"\x00" * 40  # the last entry no longer whole; the first one is
    shard.write_bytes(damaged)
    bak = (vj_home / "entries" / "2023-01.json.bak").read_bytes()

    with pytest.raises(JournalCorruptError):
        Journal(vj_home).tag(first.id, add=["two"])
    assert shard.read_bytes() == damaged
    assert (vj_home / "entries" / "2023-01.json.bak").read_bytes() == bak


def test_under_the_lock_the_month_files_are_stated_once_then_only_those_this_process_changed(
    vj_home, tmp_path, monkeypatch
):
    Journal(vj_home).import_text("jrnl", jrnl_export(tmp_path / "journal.json", 90))  # three months
    journal = Journal(vj_home)
    wanted = journal.entries()[-1]
    import os

    listed: list[str] = []
    real = os.listdir
    monkeypatch.setattr(os, "listdir", lambda p=".": listed.append(os.fspath(p)) or real(p))
    entries_dir = os.fspath(journal.storage.entries_dir)

    with journal.storage.transaction():
        before = journal.storage.signature()
        stated = listed.count(entries_dir)
        assert journal.storage.signature() == before
        assert journal.storage.entry_ids()[wanted.id]
        journal.tag(wanted.id, add=["walks"])  # rewrites its month file: that one is stated again
        after = journal.storage.signature()
        assert listed.count(entries_dir) == stated  # the folder itself only once under the lock
        assert after != before
    assert journal.storage.signature() == after  # the lock let go: stated afresh, and the same
    assert listed.count(entries_dir) == stated + 1

    month = journal.storage.shards()[0]
    month.write_bytes(month.read_bytes())  # another program, outside the lock: seen at once
    assert journal.storage.signature() != after
