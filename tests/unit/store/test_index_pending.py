"""An encrypted journal's index is not sealed again whole on every save: the changed entries wait in a small
sealed file beside it (store/index_pending.py), applied whenever the index is opened."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from voicejournal.journal import Journal
from voicejournal.store import files, index_pending, keys, vault
from voicejournal.store.index import INDEX_FILE

PASS = "correct horse battery"
START = datetime(2023, 1, 1, 20, 0)


@pytest.fixture
def home(vj_home, tmp_path, monkeypatch):
    """An encrypted journal of 30 entries whose index exists."""
    export = tmp_path / "journal.json"
    entries = [
        {"date": f"{START + timedelta(days=i):%Y-%m-%d}", "time": "20:00", "title": f"Day {i}.",
         "body": f"Entry number {i}: a walk with my sister.", "tags": [], "starred": False}
        for i in range(30)
    ]  # fmt: skip
    export.write_text(json.dumps({"tags": {}, "entries": entries}))
    Journal(vj_home).import_text("jrnl", export)
    vault.encrypt_home(vj_home, PASS, kdf_n=2**10)
    keys.forget_keys()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASS)
    Journal(vj_home).search("sister")  # the sealed index, and its (empty) pending file
    yield vj_home
    keys.forget_keys()


def ids_tagged(home: Path, tag: str) -> set[str]:
    return {e.id for e in Journal(home).list_entries(limit=None, tags=[tag])}


def test_a_tag_seals_only_the_small_pending_file_and_every_reader_sees_it(home, writes):
    first, second = Journal(home).entries()[:2]
    index = home / INDEX_FILE
    sealed_index = index.read_bytes()

    Journal(home).tag(first.id, add=["walks"])
    Journal(home).tag(second.id, add=["walks"])

    assert writes[INDEX_FILE] == 0 and index.read_bytes() == sealed_index
    assert b"walks" not in (home / f"{INDEX_FILE}-pending").read_bytes()  # sealed like the index
    fresh = Journal(home)
    assert ids_tagged(home, "walks") == {first.id, second.id}
    assert fresh.search("sister", tags=["walks"]).total == 2 and not fresh.index.rebuilt


def test_enough_pending_entries_are_folded_into_the_index(home, monkeypatch):
    monkeypatch.setattr(index_pending, "FOLD_AT", 3)
    entries = Journal(home).entries()
    index = home / INDEX_FILE
    sealed_index = index.read_bytes()

    for entry in entries[:3]:
        Journal(home).tag(entry.id, add=["walks"])
    assert index.read_bytes() == sealed_index
    Journal(home).tag(entries[3].id, add=["walks"])  # a fourth: the index is sealed whole again

    assert index.read_bytes() != sealed_index
    assert index_pending.load(home, index).docs == {}
    assert ids_tagged(home, "walks") == {e.id for e in entries[:4]}
    assert not Journal(home).index.rebuilt


def test_a_deleted_entry_leaves_the_pending_file_and_the_index(home):
    entry = Journal(home).entries()[0]
    Journal(home).tag(entry.id, add=["walks"])
    assert entry.id in index_pending.load(home, home / INDEX_FILE).docs

    Journal(home).delete(entry.id)

    assert index_pending.load(home, home / INDEX_FILE).docs == {}
    assert entry.id not in {h.id for h in Journal(home).search("sister", limit=100).hits}


def test_pending_changes_made_for_another_index_file_are_ignored(home):
    entry = Journal(home).entries()[0]
    Journal(home).tag(entry.id, add=["walks"])
    pending = files.read_bytes(home, home / f"{INDEX_FILE}-pending")
    Journal(home).index.rebuild()  # a new index file (as `check --repair` or a stale index would make)
    files.write_bytes(home, home / f"{INDEX_FILE}-pending", pending)  # the old changes put back

    assert index_pending.load(home, home / INDEX_FILE) is None
    assert ids_tagged(home, "walks") == {entry.id}  # the rebuilt index has the tag from the journal itself
