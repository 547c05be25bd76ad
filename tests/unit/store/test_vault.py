"""Converting a journal folder: what is encrypted, what is left alone, and leftovers of a killed run."""

import os
import subprocess

import pytest

from voicejournal.store import files, keyfile, keys, sealing, vault
from voicejournal.store.storage import Storage

PASS = "correct horse battery"


@pytest.fixture(autouse=True)
def clean_keys(monkeypatch):
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    keys.forget_keys()
    yield
    keys.forget_keys()


def test_models_and_lock_are_left_alone_derived_and_temp_files_are_shredded(vj_home):
    Storage(vj_home).insert("goals", {"id": "g1", "text": "Sleep before midnight"})
    model = vj_home / "models" / "tiny.en" / "model.bin"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"weights")
    (vj_home / "index.sqlite").write_bytes(b"SQLite format 3\x00 midnight")
    gone = subprocess.Popen(["true"])  # a writer that was killed: its temp file is stale
    gone.wait()
    stale = vj_home / f".journal.json.tmp-{gone.pid}-abcd"
    stale.write_bytes(b"midnight")
    report = vault.encrypt_home(vj_home, PASS, kdf_n=2**10)
    assert model.read_bytes() == b"weights"
    # (the temp file is shredded by storage itself, as the lock is taken: no writer can own it then)
    assert not (vj_home / "index.sqlite").exists() and not stale.exists()
    assert [p.name for p in report.shredded] == ["index.sqlite"]
    assert vault.plaintext_files(vj_home) == []
    assert keyfile.load_key_file(vj_home).state == keyfile.ENCRYPTED


def test_shred_leftovers_of_a_killed_run(vj_home):
    journal = vj_home / "journal.json"
    Storage(vj_home).insert("goals", {"id": "g1", "text": "Sleep before midnight"})
    # Killed after linking the plaintext aside but before the replace: the link shares the file's data,
    # so it must only be unlinked (overwriting it would wipe the journal).
    keep = vj_home / ".journal.json.shred"
    os.link(journal, keep)
    before = journal.read_bytes()
    vault.encrypt_home(vj_home, PASS, kdf_n=2**10)
    assert not keep.exists()
    assert files.read_bytes(vj_home, journal) == before
    # Killed after the replace: the link is the only name of the old plaintext: overwritten, then removed.
    old = vj_home / ".entries.json.shred"
    old.write_bytes(b"midnight " * 100)
    data_before = os.stat(old)
    fd = os.open(old, os.O_RDONLY)
    try:
        vault.convert_all(vj_home, lambda p: False, None)
        assert not old.exists()
        assert os.pread(fd, 9, 0) == bytes(9)  # the data itself was zeroed before the unlink
    finally:
        os.close(fd)
    assert data_before.st_size == 900


def test_decrypt_refuses_to_finish_when_a_file_cannot_be_opened(vj_home):
    Storage(vj_home).insert("goals", {"id": "g1", "text": "Sleep before midnight"})
    vault.encrypt_home(vj_home, PASS, kdf_n=2**10)
    damaged = vj_home / "journal.json.bak"
    damaged.write_bytes(sealing.FILE_HEADER + os.urandom(60))
    report = vault.decrypt_home(vj_home, PASS)
    assert [p.name for p, _ in report.failed] == ["journal.json.bak"]
    # The key stays, so nothing becomes unreadable; the state says a decryption is unfinished.
    assert keyfile.load_key_file(vj_home).state == keyfile.DECRYPTING
    assert Storage(vj_home).get("goals", "g1")["text"] == "Sleep before midnight"
