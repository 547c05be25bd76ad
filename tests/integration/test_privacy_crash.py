"""kill -9 during `encrypt`, `decrypt` and saves into an encrypted journal: it always opens, nothing is lost,
and no plaintext is left once encryption has finished."""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.integration.test_crash_safety import committed, kill_writers, start_writer
from tests.integration.test_privacy import scan_home, snapshot
from voicejournal.core.entry import Entry, Segment
from voicejournal.journal import Journal
from voicejournal.speech.audio import sha256_file, write_flac
from voicejournal.store import keyfile, keys, vault
from voicejournal.store.storage import Storage

pytestmark = pytest.mark.integration

PASS = "blue river morning"
WORDS = ["session", "mother", "work", "therapist", "family", "relationship", "boundaries", "week"]


@pytest.fixture(autouse=True)
def passphrase(monkeypatch):
    monkeypatch.setenv("VOICEJOURNAL_PASSPHRASE", PASS)
    keys.forget_keys()
    yield
    keys.forget_keys()


def build_journal(home, months=24, per_month=8, recordings=12, base=datetime(2024, 1, 15, 12, tzinfo=UTC)):
    """Entries spread over many month files, and real FLAC recordings: enough files for kills to land mid-way."""
    journal = Journal(home)
    rng = random.Random(3)
    noise = np.random.default_rng(3)
    for m in range(months):
        for i in range(per_month):
            segments = [
                Segment(k * 4.0, k * 4.0 + 3.5, " ".join(rng.choice(WORDS) for _ in range(10)))
                for k in range(8)
            ]
            entry = Entry(
                id=journal.new_entry_id(),
                created=base + timedelta(days=31 * m + i),
                status="done",
                segments=segments,
                text=" ".join(s.text for s in segments),
            )
            journal.save_entry(entry, new=True)
    for r in range(recordings):
        created = base + timedelta(days=61 * r, hours=3)
        entry_id = journal.new_entry_id()
        rel, dest = journal.audio_destination(entry_id, created)
        write_flac(dest, (noise.normal(0, 0.1, 16000 * 20)).astype(np.float32))
        entry = Entry(id=entry_id, created=created, audio=rel, audio_sha256=sha256_file(dest), duration=20.0)
        journal.save_entry(entry, new=True)
    return journal


def run(*args, check=True):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "voicejournal", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def start(args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "voicejournal", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_after(args, delay):
    proc = start(args)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def in_state(home, state: str) -> bool:
    try:
        return f'"state": "{state}"'.encode() in (home / keyfile.KEY_FILE).read_bytes()
    except FileNotFoundError:
        return False


def kill_during(args, home, state: str, delay: float) -> None:
    """Start a command, wait until its conversion has begun (the key file says `state`), kill it `delay` later.

    Waiting for the state rather than guessing a time keeps the kills inside the conversion however busy
    the machine is (start-up and scrypt come first and take a varying second or so).
    """
    proc = start(args)
    deadline = time.monotonic() + 60
    while not in_state(home, state) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def conversion_seconds(args, home, state: str) -> float:
    """How long the conversion part of a whole run takes here."""
    proc = start(args)
    while not in_state(home, state) and proc.poll() is None:
        time.sleep(0.002)
    began = time.monotonic()
    proc.wait()
    assert proc.returncode == 0
    return time.monotonic() - began


def assert_intact(home, expected):
    """The journal opens, every entry is there unchanged, every recording is whole."""
    keys.forget_keys()
    docs = {d["id"]: d for d in Storage(home).all_entries()}
    assert docs == expected
    for doc in docs.values():
        if doc.get("audio"):
            assert sha256_file(home / doc["audio"], home=home) == doc["audio_sha256"]


def test_kill_9_during_encrypt_and_decrypt(vj_home):
    build_journal(vj_home, months=36, recordings=30)
    original = snapshot(vj_home)
    expected = {d["id"]: d for d in Storage(vj_home).all_entries()}
    encrypting = conversion_seconds(["encrypt"], vj_home, keyfile.ENCRYPTING)
    decrypting = conversion_seconds(["decrypt", "--yes"], vj_home, keyfile.DECRYPTING)
    assert snapshot(vj_home) == original
    rng = random.Random(11)
    landed = {"encrypt": 0, "decrypt": 0}
    for round_ in range(16):
        if round_ % 4 == 3:
            kill_after(["encrypt"], rng.uniform(0.05, 1.0))  # at start-up or while scrypt runs
        else:
            kill_during(["encrypt"], vj_home, keyfile.ENCRYPTING, rng.uniform(0, 0.8 * encrypting))
        key_file = keyfile.load_key_file(vj_home)
        if key_file is not None and key_file.state == keyfile.ENCRYPTING:
            landed["encrypt"] += 1
        assert_intact(vj_home, expected)
        if key_file is not None and key_file.state == keyfile.ENCRYPTED:
            assert vault.plaintext_files(vj_home) == []
        proc = run("encrypt", check=False)  # finishes the interrupted run (or says it is done)
        assert proc.returncode == 0 or "already encrypted" in proc.stderr, proc.stderr
        assert vault.plaintext_files(vj_home) == [] and scan_home(vj_home) == []
        assert not [p for p in vj_home.rglob("*") if p.name.endswith(".shred") or ".tmp-" in p.name]
        assert_intact(vj_home, expected)
        if round_ % 2 == 0:
            kill_during(["decrypt", "--yes"], vj_home, keyfile.DECRYPTING, rng.uniform(0, 0.5 * decrypting))
            key_file = keyfile.load_key_file(vj_home)
            if key_file is not None and key_file.state == keyfile.DECRYPTING:
                landed["decrypt"] += 1
            assert_intact(vj_home, expected)
        run("decrypt", "--yes", check=False)
        assert keyfile.load_key_file(vj_home) is None
        assert snapshot(vj_home) == original, f"round {round_}"
    print(f"kills inside the conversion: {landed}")
    assert landed["encrypt"] >= 6, landed  # the kills really landed inside the conversion
    assert landed["decrypt"] >= 3, landed


def test_kill_9_during_saves_into_an_encrypted_journal(vj_home):
    vj_home.mkdir(parents=True)
    key_file, _ = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED, kdf_n=2**12)
    keyfile.save_key_file(vj_home, key_file)

    def nothing_readable(round_):
        assert vault.plaintext_files(vj_home) == [], f"round {round_}"
        assert scan_home(vj_home) == [], f"round {round_}"

    _, hit = kill_writers(rounds=20, seeded=60, seed=5, after_round=nothing_readable)
    assert hit >= 12


def test_kill_9_during_add_of_a_recording_leaves_no_plain_audio(vj_home, speech):
    vj_home.mkdir(parents=True)
    key_file, _ = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED, kdf_n=2**12)
    keyfile.save_key_file(vj_home, key_file)
    wav = speech("My mother and my work and my session with the therapist took all week. " * 6)
    rng = random.Random(9)
    for _ in range(6):
        kill_after(["add", str(wav), "--no-transcribe"], rng.uniform(0.3, 1.5))
        assert vault.plaintext_files(vj_home) == []
        assert scan_home(vj_home) == []
        keys.forget_keys()
        for doc in Storage(vj_home).all_entries():
            run("show", doc["id"])
        run("check")  # every recording present and whole, no orphan left unaccounted


def test_two_processes_adding_into_an_encrypted_journal_lose_nothing(vj_home):
    vj_home.mkdir(parents=True)
    key_file, _ = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED, kdf_n=2**12)
    keyfile.save_key_file(vj_home, key_file)
    writers = [start_writer(seed, 30, mix=False) for seed in (303, 404)]
    added = set()
    for writer in writers:
        out, _ = writer.communicate(timeout=300)
        assert writer.returncode == 0
        present, _, _ = committed(out.splitlines())
        added |= present
    ids = [d["id"] for d in Journal().storage.all_entries()]
    assert len(ids) == 60 and set(ids) == added
    assert vault.plaintext_files(vj_home) == []


def test_kill_9_during_import_into_an_encrypted_journal(vj_home, tmp_path, monkeypatch):
    """A backup merged into an encrypted journal, killed again and again: the journal always opens with
    every entry it had, the finished import adds each backup entry once, and no plaintext stays behind."""
    source = tmp_path / "source"
    build_journal(source, months=6, per_month=8, recordings=6)
    backup = tmp_path / "backup.zip"
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(source))
    run("export", str(backup))
    incoming = len(Storage(source).all_entries())
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(vj_home))
    build_journal(vj_home, months=2, per_month=4, recordings=0, base=datetime(2026, 3, 1, 9, tzinfo=UTC))
    run("encrypt")
    keys.forget_keys()
    before = {d["id"]: d for d in Storage(vj_home).all_entries()}
    rng = random.Random(11)
    for _ in range(8):
        kill_after(["import", str(backup)], rng.uniform(0.4, 2.5))
        keys.forget_keys()
        docs = Storage(vj_home).all_entries()  # opens: no file is torn
        ids = [d["id"] for d in docs]
        assert len(ids) == len(set(ids))
        assert all(before[i] == d for d in docs if (i := d["id"]) in before)
        assert set(before) <= set(ids)
        run("list")  # the next command clears what a killed import left
        assert scan_home(vj_home) == []
    # A kill while the backup was being unpacked leaves its plain files in a scratch folder: the next
    # command removes them, overwritten first.
    scratch = vj_home / ".import-killed" / "journal" / "entries"
    scratch.mkdir(parents=True)
    (scratch / "2024-01.json").write_bytes(b'{"entries": {"1": {"text": "my mother and my therapist"}}}')
    run("list")
    assert not (vj_home / ".import-killed").exists()
    run("import", str(backup))
    keys.forget_keys()
    docs = Storage(vj_home).all_entries()
    assert len(docs) == len(before) + incoming
    assert scan_home(vj_home) == []
