"""kill -9 during `encrypt`, `decrypt` and saves into an encrypted journal: it always opens, nothing is lost,
and no plaintext is left once encryption has finished.

The kills land at chosen points inside the commands' writes (the command reports it has reached its Nth
fsync/replace, see pause.py, then is killed), spread over a whole run counted beforehand: the same points on
any machine, however busy, and the tests check what must hold after each one.
"""

import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.integration.pause import kill, wait_paused
from tests.integration.test_crash_safety import committed, kill_writers, start_writer
from tests.integration.test_privacy import scan_home, snapshot
from voicejournal.core.entry import Entry, Segment
from voicejournal.journal import Journal
from voicejournal.speech.audio import sha256_file, write_flac
from voicejournal.store import keyfile, keys, vault
from voicejournal.store.idmap import IDS_FILE
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


def run(*args, check=True, env=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    proc = subprocess.run(
        [sys.executable, "-m", "voicejournal", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


PAUSE = ROOT / "tests" / "integration" / "pause.py"


def start(args, pause: str, state: str | None = None, home=None):
    """Start `voicejournal ARGS` with a kill point (pause.py: "N:before", "N:after" or "count"), counting
    only the calls made while the key file says `state` when given."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if home is not None:
        env["VOICEJOURNAL_HOME"] = str(home)
    return subprocess.Popen(
        [sys.executable, str(PAUSE), pause, *([state] if state else []), "--", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(args, point: str, state: str | None = None) -> None:
    """Run a command and kill -9 it at `point`, once it reports it is there."""
    proc = start(args, point, state)
    wait_paused(proc, proc.stderr)
    kill(proc)


def kill_points(args, state: str | None = None, home=None) -> int:
    """How many kill points a whole run of the command has (it really runs, in `home` if given)."""
    proc = start(args, "count", state, home)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return int(next(line for line in err.splitlines() if line.startswith("CALLS ")).split()[1])


def spread(calls: int, n: int) -> list[str]:
    """`n` kill points spread evenly over a run of `calls` points, alternately before and after the call."""
    return [f"{1 + k * (calls - 1) // max(n - 1, 1)}:{'before' if k % 2 == 0 else 'after'}" for k in range(n)]


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
    # Derived: `encrypt` shreds the id map and nothing here remakes it, so every run starts without it
    # (and has the same number of kill points as the counting run).
    (vj_home / IDS_FILE).unlink()
    original = snapshot(vj_home)
    expected = {d["id"]: d for d in Storage(vj_home).all_entries()}
    encrypt_points = spread(kill_points(["encrypt"], keyfile.ENCRYPTING), 12)
    decrypt_points = spread(kill_points(["decrypt", "--yes"], keyfile.DECRYPTING), 8)
    assert snapshot(vj_home) == original
    for round_ in range(16):
        if round_ % 4 == 3:  # at start-up: the first writes, before the conversion begins
            kill_at(["encrypt"], f"{round_ // 4 + 1}:before")
        else:
            kill_at(["encrypt"], encrypt_points.pop(0), keyfile.ENCRYPTING)
            assert keyfile.load_key_file(vj_home).state in (keyfile.ENCRYPTING, keyfile.ENCRYPTED)
        key_file = keyfile.load_key_file(vj_home)
        assert_intact(vj_home, expected)
        if key_file is not None and key_file.state == keyfile.ENCRYPTED:
            assert vault.plaintext_files(vj_home) == []
        proc = run("encrypt", check=False)  # finishes the interrupted run (or says it is done)
        assert proc.returncode == 0 or "already encrypted" in proc.stderr, proc.stderr
        assert vault.plaintext_files(vj_home) == [] and scan_home(vj_home) == []
        assert not [p for p in vj_home.rglob("*") if p.name.endswith(".shred") or ".tmp-" in p.name]
        assert_intact(vj_home, expected)
        if round_ % 2 == 0:
            kill_at(["decrypt", "--yes"], decrypt_points.pop(0), keyfile.DECRYPTING)
            assert (
                keyfile.load_key_file(vj_home) is None
                or keyfile.load_key_file(vj_home).state == keyfile.DECRYPTING
            )
            assert_intact(vj_home, expected)
        run("decrypt", "--yes", check=False)
        assert keyfile.load_key_file(vj_home) is None
        assert snapshot(vj_home) == original, f"round {round_}"


def test_kill_9_during_saves_into_an_encrypted_journal(vj_home):
    vj_home.mkdir(parents=True)
    key_file, data_key = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED, kdf_n=2**12)
    keyfile.save_key_file(vj_home, key_file, data_key)  # as `encrypt` writes it

    def nothing_readable(round_):
        assert vault.plaintext_files(vj_home) == [], f"round {round_}"
        assert scan_home(vj_home) == [], f"round {round_}"

    kill_writers(rounds=20, seeded=60, after_round=nothing_readable)


def test_kill_9_during_add_of_a_recording_leaves_no_plain_audio(vj_home, speech, tmp_path):
    vj_home.mkdir(parents=True)
    key_file, data_key = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED, kdf_n=2**12)
    keyfile.save_key_file(vj_home, key_file, data_key)  # as `encrypt` writes it
    talk = "My mother and my work and my session with the therapist took all week. " * 6
    trial = tmp_path / "trial"  # counted on a journal that already has an entry (a first add does more)
    shutil.copytree(vj_home, trial)
    run("add", str(speech(f"{talk} Trial.")), "--no-transcribe", env={"VOICEJOURNAL_HOME": str(trial)})
    calls = kill_points(["add", str(speech(talk)), "--no-transcribe"], home=trial)
    for round_, point in enumerate(spread(calls, 6)):
        wav = speech(f"{talk} Round {round_}.")  # a new recording each time, never a duplicate
        kill_at(["add", str(wav), "--no-transcribe"], point)
        assert vault.plaintext_files(vj_home) == []
        assert scan_home(vj_home) == []
        keys.forget_keys()
        for doc in Storage(vj_home).all_entries():
            run("show", doc["id"])
        run("check")  # every recording present and whole, no orphan left unaccounted


def test_two_processes_adding_into_an_encrypted_journal_lose_nothing(vj_home):
    vj_home.mkdir(parents=True)
    key_file, data_key = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED, kdf_n=2**12)
    keyfile.save_key_file(vj_home, key_file, data_key)  # as `encrypt` writes it
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
    # Each kill interrupts a whole import (the journal is put back as it was before the next one), so every
    # point of the counted run is reached; the last killed import is left for the final one to finish.
    pristine = tmp_path / "pristine"
    shutil.copytree(vj_home, pristine)
    shutil.copytree(pristine, tmp_path / "trial")
    points = spread(kill_points(["import", str(backup)], home=tmp_path / "trial"), 8)
    for round_, point in enumerate(points):
        if round_:
            shutil.rmtree(vj_home)
            shutil.copytree(pristine, vj_home)
        kill_at(["import", str(backup)], point)
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
