"""Recording into an encrypted journal: the incoming file is the only readable copy, and only while the
recording runs (or, after a kill -9, until the next command recovers it): then it is saved as an encrypted
FLAC and the incoming file is overwritten and removed."""

import json
import signal

import pytest

from tests.integration.test_privacy import scan_home
from tests.integration.test_record import SPEECH, SR, at_least, heard, recorder, wait_for_audio  # noqa: F401
from voicejournal import vault

pytestmark = [pytest.mark.integration, pytest.mark.mic]

ENV = {"VOICEJOURNAL_PASSPHRASE": "blue river morning"}


@pytest.fixture
def encrypted(run_cli, vj_home):
    run_cli("encrypt", env=ENV, check=True)
    return vj_home


def test_record_into_an_encrypted_journal(encrypted, recorder, speech, virtual_mic, run_cli):  # noqa: F811
    start, finish = recorder
    wav = speech(SPEECH)
    proc = start("--tag", "family", env=ENV)
    wait_for_audio(encrypted, proc, at_least(0.1))
    virtual_mic(wav)
    wait_for_audio(encrypted, proc, heard(wav))
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
    wait_for_audio(encrypted, proc, at_least(0.1))
    virtual_mic(wav)
    safe = wait_for_audio(encrypted, proc, heard(wav))  # the speech is on disk: now kill
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
