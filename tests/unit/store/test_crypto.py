"""Encryption at rest: file format, key wrapping, passphrase sources, streams, encrypted storage."""

import os

import pytest

from tests.unit.store.test_storage import make_entry
from voicejournal.errors import JournalCorruptError, PassphraseError, UsageError
from voicejournal.store import files, keyfile, keys, sealing, streams
from voicejournal.store.storage import Storage

PASS = "correct horse battery"
FAST_KDF = 2**12  # the real default (2^17) is chosen by `encrypt`; tests only need the mechanism


@pytest.fixture(autouse=True)
def clean_keys(monkeypatch):
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(keys.NEW_PASSPHRASE_ENV, raising=False)
    keys.forget_keys()
    yield
    keys.forget_keys()


def encrypted_home(home, passphrase=PASS):
    home.mkdir(parents=True, exist_ok=True)
    key_file, key = keyfile.new_key_file(passphrase, state=keyfile.ENCRYPTED, kdf_n=FAST_KDF)
    keyfile.save_key_file(home, key_file)
    keys.forget_keys()
    return key


def test_key_file_holds_no_secret_and_a_wrong_passphrase_is_told_apart(vj_home):
    key = encrypted_home(vj_home)
    raw = (vj_home / keyfile.KEY_FILE).read_bytes()
    assert key not in raw and keyfile.b64(key).encode() not in raw and PASS.encode() not in raw
    with pytest.raises(PassphraseError) as info:
        keys.unlock(vj_home, "not the passphrase")
    assert str(info.value) == "Wrong passphrase: the journal stayed locked. Nothing was changed."
    assert keys.unlock(vj_home, PASS) == key


def test_passphrase_sources_in_order(vj_home, monkeypatch):
    key = encrypted_home(vj_home)
    with pytest.raises(PassphraseError) as info:
        keys.unlock(vj_home)  # no env, no keyring opt-in, no terminal
    assert str(info.value) == (
        "This journal is encrypted and no passphrase was given. Set VOICEJOURNAL_PASSPHRASE, run "
        "voicejournal in a terminal to type it, or keep it in the system keyring with "
        "`voicejournal encrypt --keyring`."
    )
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "wrong wrong wrong")
    with pytest.raises(PassphraseError) as info:
        keys.unlock(vj_home)
    assert str(info.value) == (
        "The passphrase in VOICEJOURNAL_PASSPHRASE does not open this journal. Nothing was changed."
    )
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASS)
    assert keys.unlock(vj_home) == key
    monkeypatch.delenv(keys.PASSPHRASE_ENV)
    assert keys.unlock(vj_home) == key  # cached for this process


def test_keyring_is_used_when_opted_in_and_a_missing_backend_is_harmless(vj_home, monkeypatch):
    key = encrypted_home(vj_home)
    key_file = keyfile.load_key_file(vj_home)
    key_file.keyring = True
    keyfile.save_key_file(vj_home, key_file)
    monkeypatch.setattr(keys, "keyring_get", lambda home: PASS)
    assert keys.unlock(vj_home) == key
    keys.forget_keys()
    # The real keyring library on a machine with no backend: no crash, just the usual clear error.
    monkeypatch.undo()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert keys.keyring_get(vj_home) is None
    with pytest.raises(PassphraseError) as info:
        keys.keyring_set(vj_home, PASS)
    assert str(info.value).startswith("The system keyring is not available here")
    with pytest.raises(PassphraseError):
        keys.unlock(vj_home)


def test_sealed_files_are_bound_to_their_place(vj_home):
    key = encrypted_home(vj_home)
    blob = sealing.seal(key, b"secret words", b"entries/2026-11.json")
    assert b"secret" not in blob and sealing.is_encrypted_blob(blob)
    assert sealing.open_sealed(key, blob, b"entries/2026-11.json") == b"secret words"
    assert sealing.open_sealed(key, blob, b"entries/2026-10.json") is None  # moved: refused
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    assert sealing.open_sealed(key, bytes(tampered), b"entries/2026-11.json") is None
    assert sealing.role_of(vj_home, vj_home / "entries" / "2026-11.json.bak") == b"entries/2026-11.json"


def test_new_passphrase_rules(vj_home):
    with pytest.raises(UsageError) as info:
        keyfile.new_key_file("short")
    assert str(info.value) == (
        "The passphrase is too short: use at least 8 characters (a few words you will remember is best)."
    )


def test_stream_recovers_every_flushed_record_after_a_crash(vj_home):
    encrypted_home(vj_home)
    keys.unlock(vj_home, PASS)
    path = vj_home / "incoming.vjs"
    writer = streams.EncryptedStreamWriter(vj_home, path)
    blocks = [os.urandom(3200) for _ in range(5)]
    for block in blocks:
        writer.write(block)
        writer.flush()
    writer.write(b"never flushed")
    # A kill -9 now: the file holds 5 records; a torn sixth is simulated by appending half a record.
    os.close(writer._fd)
    with open(path, "ab") as fh:
        fh.write(b"\x00\x00\x10\x00" + os.urandom(100))
    got = streams.read_stream(vj_home, path)
    assert got.data == b"".join(blocks) and got.records == 5 and not got.complete and got.dropped_bytes == 104
    assert not any(block[:64] in path.read_bytes() for block in blocks)

    closed = vj_home / "done.vjs"
    with streams.EncryptedStreamWriter(vj_home, closed) as w:
        w.write(b"a" * 10)
        w.flush()
        w.write(b"b" * 10)
    got = streams.read_stream(vj_home, closed)
    assert got.data == b"a" * 10 + b"b" * 10 and got.complete and got.dropped_bytes == 0
    assert files.read_bytes(vj_home, closed) == got.data


def test_storage_in_an_encrypted_home_writes_only_ciphertext(vj_home):
    encrypted_home(vj_home)
    keys.unlock(vj_home, PASS)
    storage = Storage(vj_home)
    first = make_entry(storage, text="We talked about my mother.")
    second = make_entry(storage, text="Work was hard.")
    storage.insert("goals", {"id": "g1", "text": "Sleep before midnight"})
    for path in vj_home.rglob("*"):
        if path.is_file() and path.name != keyfile.KEY_FILE and path.name != ".lock":
            data = path.read_bytes()
            assert sealing.is_encrypted_blob(data), path
            assert b"mother" not in data and b"midnight" not in data
    assert storage.get_entry(first.id)["segments"][0][2] == "We talked about my mother."
    assert {d["id"] for d in storage.all_entries()} == {first.id, second.id}
    assert storage.find_entries("id", second.id)
    assert storage.get("goals", "g1")["text"] == "Sleep before midnight"


def test_damaged_encrypted_file_is_a_clear_error_and_untouched(vj_home):
    encrypted_home(vj_home)
    keys.unlock(vj_home, PASS)
    storage = Storage(vj_home)
    make_entry(storage, text="one")
    make_entry(storage, text="two")
    shard = vj_home / "entries" / "2026-11.json"
    data = bytearray(shard.read_bytes())
    data[40] ^= 0xFF
    shard.write_bytes(bytes(data))
    with pytest.raises(JournalCorruptError) as info:
        Storage(vj_home).all_entries()
    assert str(info.value) == (
        f"The journal file {shard} is damaged and was left untouched. The last good copy is {shard}.bak; "
        "`voicejournal check --repair` puts it back."
    )
    assert shard.read_bytes() == bytes(data)


def test_encrypted_audio_roundtrip_in_memory(vj_home):
    import numpy as np

    from voicejournal.speech.audio import load_audio, sha256_file, write_flac

    encrypted_home(vj_home)
    keys.unlock(vj_home, PASS)
    samples = (np.sin(np.arange(16000 * 2) / 10) * 0.3).astype(np.float32)
    dest = vj_home / "audio" / "2026" / "11" / "abcd.flac"
    write_flac(dest, samples)
    raw = dest.read_bytes()
    assert sealing.is_encrypted_blob(raw) and b"fLaC" not in raw
    back = load_audio(dest)
    assert len(back) == len(samples) and np.abs(back - samples).max() < 1e-3
    digest = sha256_file(dest)
    assert digest == sha256_file(dest, home=vj_home) and len(digest) == 64
    assert sorted(p.name for p in dest.parent.iterdir()) == ["abcd.flac"]  # no temp file left


def test_sqlite_index_lives_encrypted_on_disk_and_in_memory_only(vj_home):
    import sqlite3

    encrypted_home(vj_home)
    keys.unlock(vj_home, PASS)
    path = vj_home / "index.sqlite"
    assert files.load_sqlite(vj_home, path) is None
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(body)")
    conn.execute("INSERT INTO docs VALUES ('we talked about my mother')")
    conn.commit()
    files.save_sqlite(vj_home, path, conn)
    assert sealing.is_encrypted_blob(path.read_bytes()) and b"mother" not in path.read_bytes()
    again = files.load_sqlite(vj_home, path)
    assert again.execute("SELECT body FROM docs WHERE docs MATCH 'mother'").fetchone() == (
        "we talked about my mother",
    )
    path.write_bytes(sealing.FILE_HEADER + b"\0" * 40)
    with pytest.raises(JournalCorruptError):
        files.load_sqlite(vj_home, path)
