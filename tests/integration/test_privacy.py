"""Encryption at rest through the real CLI: every command works, nothing readable is left, errors are clear."""

import hashlib
import json
import os

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

PASS = "blue river morning"
ENV = {"VOICEJOURNAL_PASSPHRASE": PASS}
SPEECH = "Today in my session we talked about my mother and my work. I want to ask my therapist about it."
# Words of the transcripts that must never be found in the home folder of an encrypted journal.
SECRET_WORDS = [b"mother", b"therapist", b"session", b"relationship"]
PLAIN_AUDIO_MARKS = [b"fLaC", b"RIFF", b"OggS"]


def scan_home(home):
    """Every file under the home (hidden ones too) that holds a transcript word or plain audio."""
    found = []
    for path in sorted(home.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            data = raw.lower()
            # Words anywhere (case-insensitive); plain audio by its signature at the start of the file
            # (a 4-byte mark anywhere would turn up in random ciphertext now and then).
            hits = [w for w in SECRET_WORDS if w in data] + [
                m for m in PLAIN_AUDIO_MARKS if raw.startswith(m)
            ]
            if hits:
                found.append((path.relative_to(home).as_posix(), hits))
    return found


def snapshot(home):
    """Every journal file and its digest; derived ones (the index, the id map) are shredded and remade."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != ".lock" and not p.name.startswith("index.sqlite")
    }


def entries(run_cli, env=ENV):
    return json.loads(run_cli("list", "--json", env=env, check=True).stdout)


def test_every_command_works_encrypted_and_leaves_no_words_on_disk(run_cli, speech, vj_home):
    run_cli("add", str(speech(SPEECH)), "--date", "2026-10-02", "--tag", "family", check=True)
    before = entries(run_cli, env={})
    assert scan_home(vj_home)  # the test can see words when they are there

    files = len(
        [name for name in snapshot(vj_home) if not name.startswith("index.sqlite")]
    )  # derived: shredded
    proc = run_cli("encrypt", env=ENV, check=True)
    assert proc.stderr.splitlines()[0] == (
        f"Encrypted the journal in {vj_home}: {files} files, 1 recording among them. Nothing readable was left "
        "behind."
    )
    assert scan_home(vj_home) == []
    assert entries(run_cli) == before

    steps = [
        ("add", str(speech("My relationship with work is better this week.")), "--date", "2026-11-20"),
        ("add", str(speech("My mother called after the session.")), "--no-transcribe"),
        ("transcribe", "--pending"),
        ("list",),
        ("show", before[0]["id"]),
        ("list", "--tag", "family", "--json"),
        ("search", "mother"),
        ("add", str(speech("We talked about my therapist and my mother again.")), "--date", "2026-11-21"),
        ("search", "therapist", "--json"),
        ("themes",),
        ("review", "--since", "2026-01-01"),
        ("config", "set", "audio-retention", "1y"),
        ("retention", "--dry-run"),
        ("check",),
    ]
    for step in steps:
        proc = run_cli(*step, env=ENV)
        assert proc.returncode == 0, (step, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert scan_home(vj_home) == [], step
    shown = run_cli("show", before[0]["id"], env=ENV, check=True).stdout.lower()
    assert "mother" in shown and "00:00" in shown
    hits = json.loads(run_cli("search", "mother", "--json", env=ENV, check=True).stdout)
    assert len(hits) >= 2  # the encrypted index finds what was said, kept current as entries are added
    assert (vj_home / "index.sqlite").exists() and scan_home(vj_home) == []
    texts = [e["text"].lower() for e in entries(run_cli)]
    assert len(texts) == 4 and all(texts)
    assert any("relationship" in t or "work" in t for t in texts)
    for entry in entries(run_cli):  # recordings' checksums are of the FLAC, whatever its encryption
        assert len(entry["audio_sha256"]) == 64


def test_passphrase_errors_are_one_clear_line_and_change_nothing(run_cli, speech, vj_home):
    run_cli("add", str(speech("About my work.")), "--no-transcribe", check=True)
    run_cli("encrypt", env=ENV, check=True)
    state = snapshot(vj_home)
    cases = {
        (): "This journal is encrypted and no passphrase was given. Set VOICEJOURNAL_PASSPHRASE, run "
        "voicejournal in a terminal to type it, or keep it in the system keyring with "
        "`voicejournal encrypt --keyring`.",
        ("wrong passphrase",): "The passphrase in VOICEJOURNAL_PASSPHRASE does not open this journal. "
        "Nothing was changed.",
    }
    for given, message in cases.items():
        env = {"VOICEJOURNAL_PASSPHRASE": given[0]} if given else {"VOICEJOURNAL_PASSPHRASE": ""}
        for command in (["list"], ["add", str(speech("Another one."))], ["check"]):
            proc = run_cli(*command, env=env)
            assert (proc.returncode, proc.stderr.strip()) == (1, message), command
    assert snapshot(vj_home) == state
    proc = run_cli("encrypt", env=ENV)
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "This journal is already encrypted. `voicejournal passwd` changes its passphrase; "
        "`voicejournal decrypt` turns encryption off.",
    )
    assert snapshot(vj_home) == state


def test_not_encrypted_errors(run_cli):
    for command, message in [
        (("decrypt", "--yes"), "This journal is not encrypted; nothing was changed."),
        (("passwd",), "This journal is not encrypted; `voicejournal encrypt` turns encryption on."),
    ]:
        proc = run_cli(*command, env=ENV)
        assert (proc.returncode, proc.stderr.strip()) == (1, message)
    proc = run_cli("encrypt", env={"VOICEJOURNAL_PASSPHRASE": "short"})
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "The passphrase is too short: use at least 8 characters (a few words you will remember is best).",
    )
    proc = run_cli("encrypt", env={"VOICEJOURNAL_PASSPHRASE": ""})
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "No passphrase was given. Set VOICEJOURNAL_PASSPHRASE, or run this command in a terminal to type "
        "a passphrase.",
    )


def test_passwd_rewraps_the_key_without_touching_the_files(run_cli, speech, vj_home):
    run_cli("add", str(speech("About my mother.")), "--no-transcribe", check=True)
    run_cli("encrypt", env=ENV, check=True)
    files = {k: v for k, v in snapshot(vj_home).items() if k != "encryption.json"}
    proc = run_cli("passwd", env={**ENV, "VOICEJOURNAL_NEW_PASSPHRASE": "green hills evening"})
    assert (proc.returncode, proc.stderr.strip()) == (0, "The passphrase was changed.")
    assert {k: v for k, v in snapshot(vj_home).items() if k != "encryption.json"} == files
    assert run_cli("list", env=ENV).returncode == 1
    assert len(entries(run_cli, env={"VOICEJOURNAL_PASSPHRASE": "green hills evening"})) == 1
    proc = run_cli("passwd", env={"VOICEJOURNAL_PASSPHRASE": "green hills evening"})
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "No passphrase was given. Set VOICEJOURNAL_NEW_PASSPHRASE, or run this command in a terminal to "
        "type a new passphrase.",
    )


def test_encrypt_then_decrypt_gives_back_every_file_byte_for_byte(run_cli, speech, vj_home):
    run_cli("add", str(speech("About my mother.")), "--date", "2026-10-01", check=True)
    run_cli("add", str(speech("About my work.")), "--date", "2026-11-01", "--no-transcribe", check=True)
    run_cli("config", "set", "audio-retention", "off", check=True)
    original = snapshot(vj_home)
    run_cli("encrypt", env=ENV, check=True)
    encrypted = snapshot(vj_home)
    assert set(encrypted) == set(original) | {"encryption.json"}
    assert all(encrypted[name] != digest for name, digest in original.items())
    proc = run_cli("decrypt", env=ENV)  # not a terminal: it will not ask, and will not go ahead either
    assert proc.returncode == 2 and proc.stderr.strip().endswith(
        "Decrypting makes the journal readable by anyone with access to this folder; add --yes to confirm."
    )
    assert snapshot(vj_home) == encrypted
    proc = run_cli("decrypt", "--yes", env=ENV, check=True)
    assert (
        proc.stderr.strip()
        == f"Decrypted the journal in {vj_home}: {len(original)} files are readable again."
    )
    assert snapshot(vj_home) == original


KEYRING_BACKEND = """
import json, os
from keyring.backend import KeyringBackend

class FileKeyring(KeyringBackend):
    priority = 1
    def _load(self):
        try:
            with open(os.environ["TEST_KEYRING_FILE"]) as fh:
                return json.load(fh)
        except FileNotFoundError:
            return {}
    def get_password(self, service, user):
        return self._load().get(service + "|" + user)
    def set_password(self, service, user, password):
        data = self._load(); data[service + "|" + user] = password
        with open(os.environ["TEST_KEYRING_FILE"], "w") as fh:
            json.dump(data, fh)
    def delete_password(self, service, user):
        data = self._load(); data.pop(service + "|" + user, None)
        with open(os.environ["TEST_KEYRING_FILE"], "w") as fh:
            json.dump(data, fh)
"""


def test_keyring_opt_in_and_a_machine_without_one(run_cli, speech, vj_home, tmp_path):
    run_cli("add", str(speech("About my work.")), "--no-transcribe", check=True)
    state = snapshot(vj_home)
    no_keyring = {**ENV, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = run_cli("encrypt", "--keyring", env=no_keyring)
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "The system keyring is not available here, so the journal's key was not saved in it (NoKeyringError). "
        "Use VOICEJOURNAL_PASSPHRASE or type it when asked.",
    )
    assert snapshot(vj_home) == state  # nothing was changed

    (tmp_path / "fake_keyring.py").write_text(KEYRING_BACKEND)
    store = tmp_path / "keyring.json"
    fake = {
        "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}",
        "PYTHON_KEYRING_BACKEND": "fake_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(store),
    }
    run_cli("encrypt", "--keyring", env={**fake, **ENV}, check=True)
    kept = store.read_text()
    assert "voicejournal data key v1:" in kept and PASS not in kept  # the key, never the passphrase
    assert len(entries(run_cli, env={**fake, "VOICEJOURNAL_PASSPHRASE": ""})) == 1  # asked nobody
    # No keyring backend at all on this machine: the usual clear error, no crash.
    proc = run_cli("list", env={**no_keyring, "VOICEJOURNAL_PASSPHRASE": ""})
    assert proc.returncode == 1 and proc.stderr.startswith("This journal is encrypted and no passphrase")
    proc = run_cli("passwd", env={**fake, "VOICEJOURNAL_NEW_PASSPHRASE": "green hills evening"}, check=True)
    assert proc.stderr.splitlines() == [
        "The passphrase was changed.",
        "The system keyring keeps the journal's key.",
    ]
    assert store.read_text() == kept  # the same key: only its wrapping changed
    assert len(entries(run_cli, env={**fake, "VOICEJOURNAL_PASSPHRASE": ""})) == 1
    proc = run_cli("encrypt", "--no-keyring", env={**fake, "VOICEJOURNAL_PASSPHRASE": ""}, check=True)
    assert (
        proc.stderr
        == "The journal's key is no longer kept in the system keyring; you will be asked for the passphrase.\n"
    )
    assert "voicejournal data key" not in store.read_text()
    assert run_cli("list", env={**fake, "VOICEJOURNAL_PASSPHRASE": ""}).returncode == 1
    proc = run_cli("encrypt", env={**fake, "VOICEJOURNAL_PASSPHRASE": ""})
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "This journal is already encrypted. `voicejournal passwd` changes its passphrase; "
        "`voicejournal decrypt` turns encryption off.",
    )


def test_backups_of_an_encrypted_journal_stay_encrypted_and_merge_anywhere(run_cli, speech, tmp_path):
    from voicejournal.store import vault

    homes = {name: tmp_path / name for name in ("a", "plain", "other")}

    def at(name, *args, check=True):
        return run_cli(*args, env={**ENV, "VOICEJOURNAL_HOME": str(homes[name])}, check=check)

    at("a", "add", str(speech("My mother called after the session.")), "--no-transcribe")
    at("a", "encrypt")
    backup = tmp_path / "a.zip"
    at("a", "export", str(backup))
    assert b"mother" not in backup.read_bytes().lower() and b"fLaC" not in backup.read_bytes()
    at("plain", "add", str(speech("Work was better this week.")), "--no-transcribe")
    at("other", "add", str(speech("Family dinner on sunday.")), "--no-transcribe")
    at("other", "encrypt")  # same passphrase, but its own random key
    for name in ("plain", "other"):
        proc = at(name, "import", str(backup), check=False)
        assert proc.returncode == 0, proc.stderr
        assert len(json.loads(at(name, "list", "--json").stdout)) == 2
        assert at(name, "check").stdout.endswith("No problems found.\n")  # the recording opens here
        at(name, "transcribe", "--pending")
    assert vault.plaintext_files(homes["other"]) == [] and scan_home(homes["other"]) == []
