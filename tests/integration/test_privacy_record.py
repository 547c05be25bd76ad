"""Recording into an encrypted journal: the incoming recording is sealed as it is written (one record a
second) and so is its sidecar (tags, mood); nothing readable reaches the disk, even after a kill -9. Once
it stops (or at the next command after a kill) it is saved as an encrypted FLAC and the incoming files
are overwritten and removed."""

import json
import signal

import pytest

from tests.integration.test_privacy import scan_home
from tests.integration.test_record import SPEECH, SR, at_least, heard, recorder, wait_for_audio  # noqa: F401
from voicejournal.store import sealing, vault

pytestmark = [pytest.mark.integration, pytest.mark.mic]

PASS = "blue river morning"
ENV = {"VOICEJOURNAL_PASSPHRASE": PASS}


@pytest.fixture
def encrypted(run_cli, vj_home):
    run_cli("encrypt", env=ENV, check=True)
    return vj_home


def test_record_into_an_encrypted_journal(encrypted, recorder, speech, virtual_mic, run_cli):  # noqa: F811
    start, finish = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "family", env=ENV)
    wait_for_audio(encrypted, proc, at_least(0.1), PASS)
    virtual_mic(wav)
    wait_for_audio(encrypted, proc, heard(wav), PASS)
    code, _, err = finish(proc)
    assert code == 0, err
    assert vault.plaintext_files(encrypted) == [] and scan_home(encrypted) == []
    assert not list((encrypted / "audio" / "incoming").glob("*.wav"))
    [entry] = json.loads(run_cli("list", "--json", env=ENV, check=True).stdout)
    assert "mother" in entry["text"].lower() or "session" in entry["text"].lower()
    assert run_cli("check", env=ENV, check=True).stdout.endswith("No problems found.\n")


def test_kill_9_while_recording_into_an_encrypted_journal(encrypted, recorder, speech, virtual_mic, run_cli):  # noqa: F811
    start, _ = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "after-crash", env=ENV)
    wait_for_audio(encrypted, proc, at_least(0.1), PASS)
    virtual_mic(wav)
    safe = wait_for_audio(encrypted, proc, heard(wav), PASS)  # the speech is on disk: now kill
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    listed = run_cli("list", "--json", env=ENV)  # the next command recovers it
    assert listed.returncode == 0 and listed.stderr.startswith("Recovered an interrupted recording")
    assert vault.plaintext_files(encrypted) == [] and scan_home(encrypted) == []
    assert not list((encrypted / "audio" / "incoming").iterdir())
    [entry] = json.loads(listed.stdout)
    assert entry["duration"] >= round(len(safe) / SR, 2)  # everything flushed before the kill is recovered
    run_cli("transcribe", "--pending", env=ENV, check=True)
    text = json.loads(run_cli("show", entry["id"], "--json", env=ENV, check=True).stdout)["text"].lower()
    assert "mother" in text or "therapist" in text
    assert run_cli("check", env=ENV, check=True).stdout.endswith("No problems found.\n")


def test_kill_9_leaves_no_plaintext_before_recovery(encrypted, recorder, speech, virtual_mic, run_cli):  # noqa: F811
    start, _ = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "zebra-umbrella", "--mood", "2", env=ENV)
    wait_for_audio(encrypted, proc, at_least(0.1), PASS)
    virtual_mic(wav)
    safe = wait_for_audio(encrypted, proc, heard(wav), PASS)  # the speech is sealed on disk: now kill
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    incoming = encrypted / "audio" / "incoming"
    [stream] = incoming.glob("*.wav")
    [sidecar] = incoming.glob("*.json")
    assert stream.read_bytes().startswith(sealing.STREAM_HEADER)
    assert sealing.is_encrypted_blob(sidecar.read_bytes())
    leaks = []
    for path in sorted(encrypted.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            if raw.startswith(b"RIFF") or raw[8:12] == b"WAVE" or b"zebra-umbrella" in raw.lower():
                leaks.append(path)
    assert leaks == [] and scan_home(encrypted) == []
    listed = run_cli("list", "--json", env=ENV)  # the next command recovers it from the sealed stream
    assert listed.returncode == 0 and listed.stderr.startswith("Recovered an interrupted recording")
    [entry] = json.loads(listed.stdout)
    assert (entry["tags"], entry["mood"]) == (["zebra-umbrella"], 2)
    assert entry["duration"] >= round(len(safe) / SR, 2)  # everything sealed before the kill is recovered
    assert not list(incoming.iterdir())
    assert vault.plaintext_files(encrypted) == [] and scan_home(encrypted) == []
