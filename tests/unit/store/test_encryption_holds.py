"""Encryption that holds, driven through the CLI: one write path, no prompts, authenticated state, no planted
or rolled-back files (issues #10 and #11)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voicejournal.errors import PassphraseError
from voicejournal.store import files, keyfile, keys, sealing, streams, vault

PASS = "correct horse battery"
WORD = b"marigold"
WITH_PASS = {keys.PASSPHRASE_ENV: PASS}


@pytest.fixture(autouse=True)
def clean_keys(monkeypatch):
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    keys.forget_keys()
    yield
    keys.forget_keys()


def plaintext_files(home: Path, word: bytes = WORD) -> list[str]:
    """Every file under `home` whose bytes hold `word` readably."""
    found = []
    for path in sorted(home.rglob("*")):
        if path.is_file() and word in path.read_bytes().lower():
            found.append(path.relative_to(home).as_posix())
    return found


def write_jrnl(folder: Path, title: str, body: str, date: str = "2026-11-02") -> Path:
    path = folder / f"jrnl-{title.split()[0].lower()}.json"
    entry = {"date": date, "time": "09:00", "title": title, "body": body, "tags": [], "starred": False}
    path.write_text(json.dumps({"tags": {}, "entries": [entry]}))
    return path


def at(home: Path, **env) -> dict:
    return {"VOICEJOURNAL_HOME": str(home), **env}


def add_text(run_cli, home: Path, tmp_path: Path, title: str, body: str, **env) -> str:
    run_cli(
        "import", "--from", "jrnl", str(write_jrnl(tmp_path, title, body)), env=at(home, **env), check=True
    )
    listed = run_cli("list", "--json", env=at(home, **env), check=True)
    return next(e["id"] for e in json.loads(listed.stdout) if title in e["text"])


def encrypt(home: Path) -> None:
    """Encrypt in-process with a cheap KDF (the real default is chosen by `voicejournal encrypt`)."""
    vault.encrypt_home(home, PASS, kdf_n=2**10)
    keys.forget_keys()


def test_plain_backup_restored_into_an_encrypted_journal_stays_encrypted(run_cli, tmp_path):
    plain = tmp_path / "plain"
    add_text(run_cli, plain, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    run_cli("export", str(tmp_path / "b.zip"), env=at(plain), check=True)

    home = tmp_path / "locked"
    encrypt(home)
    done = run_cli("import", str(tmp_path / "b.zip"), env=at(home, **WITH_PASS))
    assert done.returncode == 0, done.stderr
    assert plaintext_files(home) == []
    [entry] = json.loads(run_cli("list", "--json", env=at(home, **WITH_PASS), check=True).stdout)
    assert "marigold" in entry["text"]
    # `encrypt` has nothing left to do, and every later command keeps the home sealed.
    assert run_cli("check", env=at(home, **WITH_PASS)).stdout.strip().endswith("\nNo problems found.")
    for args in (
        ["search", "marigold"],
        ["tag", entry["id"], "+calm"],
        ["check", "--repair"],
        ["retention"],
        ["import", str(tmp_path / "b.zip")],  # a merge now: nothing new
        ["delete", "--yes", entry["id"]],
    ):
        step = run_cli(*args, env=at(home, **WITH_PASS))
        assert step.returncode == 0, (args, step.stderr)
        assert plaintext_files(home) == [], args


def test_encrypted_backup_into_plain_journals(run_cli, tmp_path):
    locked = tmp_path / "locked"
    add_text(run_cli, locked, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(locked)
    run_cli("export", str(tmp_path / "b.zip"), env=at(locked, **WITH_PASS), check=True)
    assert plaintext_files(tmp_path, WORD) == ["jrnl-marigold.json"]  # the backup holds no plain words

    # Restored into an empty home: the home becomes the encrypted journal the backup holds.
    empty = tmp_path / "empty"
    run_cli("import", str(tmp_path / "b.zip"), env=at(empty, **WITH_PASS), check=True)
    assert plaintext_files(empty) == []
    assert keyfile.load_key_file(empty).state == keyfile.ENCRYPTED
    [entry] = json.loads(run_cli("list", "--json", env=at(empty, **WITH_PASS), check=True).stdout)
    assert "marigold" in entry["text"]

    # Merged into a plain journal that has entries: the words arrive readable, as that journal is.
    plain = tmp_path / "plain"
    add_text(run_cli, plain, tmp_path, "Tuesday walk", "A long walk by the river.")
    run_cli("import", str(tmp_path / "b.zip"), env=at(plain, **WITH_PASS), check=True)
    texts = sorted(e["text"] for e in json.loads(run_cli("list", "--json", env=at(plain), check=True).stdout))
    assert len(texts) == 2 and "marigold" in " ".join(texts)
    assert not (plain / keyfile.KEY_FILE).exists()


def test_repair_seals_a_plain_bak_it_puts_back(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    shard = next((vj_home / "entries").glob("*.json"))
    plain_copy = shard.read_bytes()
    encrypt(vj_home)
    # A .bak left from before encryption, and a damaged month file it is the only good copy of.
    shard.with_name(shard.name + ".bak").write_bytes(plain_copy)
    shard.write_bytes(b"\x89VJE\x01Fbroken")
    fixed = run_cli("check", "--repair", env=WITH_PASS)
    assert fixed.returncode == 0, fixed.stderr
    assert sealing.is_encrypted_blob(shard.read_bytes())
    shard.with_name(shard.name + ".bak").unlink()
    assert [p for p in plaintext_files(vj_home) if ".damaged-" not in p] == []
    assert "marigold" in run_cli("list", env=WITH_PASS, check=True).stdout


def test_the_library_never_prompts_even_on_a_terminal(run_cli, tmp_path, vj_home, monkeypatch):
    from voicejournal.journal import Journal

    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)

    def no_prompt(*_args, **_kwargs):
        raise AssertionError("the library asked for a passphrase")

    import getpass

    monkeypatch.setattr(getpass, "getpass", no_prompt)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    with pytest.raises(PassphraseError) as err:
        Journal(vj_home).entries()
    assert str(err.value) == (
        "This journal is encrypted and no passphrase was given. Set VOICEJOURNAL_PASSPHRASE, run voicejournal "
        "in a terminal to type it, or keep it in the system keyring with `voicejournal encrypt --keyring`."
    )
    # The library takes the passphrase (or its key) from its caller; the CLI asks before opening anything.
    keys.unlock(vj_home, PASS)
    [entry] = Journal(vj_home).entries()
    assert "marigold" in entry.text
    locked = run_cli("list")
    assert (locked.returncode, locked.stderr.strip()) == (1, str(err.value))


def test_a_live_writers_temp_file_survives_another_writers_sweep(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    # Another process is saving the search index (no lock: it is saved from the read path) right now.
    writer = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        mid_write = vj_home / f".index.sqlite.tmp-{writer.pid}-abcd"
        mid_write.write_bytes(b"\x89VJE\x01F half of a sealed index")
        add_text(run_cli, vj_home, tmp_path, "Tuesday walk", "A long walk by the river.", **WITH_PASS)
        assert mid_write.read_bytes() == b"\x89VJE\x01F half of a sealed index"
    finally:
        writer.communicate(b"")
    # Its owner is gone (killed before the rename): the next write's sweep removes it.
    first = json.loads(run_cli("list", "--json", env=WITH_PASS, check=True).stdout)[0]["id"]
    run_cli("tag", first, "+walk", env=WITH_PASS, check=True)
    assert not mid_write.exists()


def tamper_state(home: Path, state: str, drop_mac: bool = False) -> None:
    path = home / keyfile.KEY_FILE
    settings = json.loads(path.read_text())
    settings["state"] = state
    if drop_mac:
        settings.pop("mac", None)
    path.write_text(json.dumps(settings))


def test_an_edited_state_is_refused_and_never_turns_encryption_off(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    tamper_state(vj_home, keyfile.DECRYPTING)
    proc = run_cli("import", "--from", "jrnl", str(write_jrnl(tmp_path, "Marigold again", "More marigold.")),
                   env=WITH_PASS)  # fmt: skip
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        f"The encryption settings {vj_home / keyfile.KEY_FILE} were changed outside voicejournal, so the journal "
        "was not opened. Restore that file from a backup of this folder; nothing was changed.",
    )
    assert plaintext_files(vj_home) == []
    # Without its authentication (as a journal from before it): the state still never makes writes plain.
    tamper_state(vj_home, keyfile.DECRYPTING, drop_mac=True)
    run_cli("import", "--from", "jrnl", str(write_jrnl(tmp_path, "Marigold again", "More marigold.")),
            env=WITH_PASS, check=True)  # fmt: skip
    assert plaintext_files(vj_home) == []
    assert len(json.loads(run_cli("list", "--json", env=WITH_PASS, check=True).stdout)) == 2


def test_a_planted_plaintext_month_is_refused_and_never_sealed(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    forged = vj_home / "entries" / "2026-10.json"
    doc = {"id": "zz99", "created": "2026-10-01T09:00:00+00:00", "text": "Forged words.", "kind": "journal"}
    forged.write_text(json.dumps({"entries": {"1": doc}}))
    message = (
        f"{forged} is not encrypted, but this journal is, so voicejournal did not write it and did not open it. "
        "Move it out of the journal folder (or put back the file it replaced); `voicejournal check` lists such "
        "files."
    )
    for args in (["list"], ["import", "--from", "jrnl", str(write_jrnl(tmp_path, "Later", "Later words."))]):
        proc = run_cli(*args, env=WITH_PASS)
        assert (proc.returncode, proc.stderr.strip()) == (1, message), args
    checked = run_cli("check", "--repair", env=WITH_PASS)
    assert checked.returncode == 1 and message in checked.stdout + checked.stderr
    assert forged.read_bytes().startswith(b"{")  # left as it is: not sealed into the journal
    forged.unlink()
    assert "marigold" in run_cli("list", env=WITH_PASS, check=True).stdout


def test_a_rolled_back_or_deleted_month_is_noticed(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    gone = add_text(run_cli, vj_home, tmp_path, "Tuesday walk", "A long walk by the river.", **WITH_PASS)
    shard = vj_home / "entries" / "2026-11.json"
    older = shard.read_bytes()  # an older sealed copy (delete also renews the .bak, so keep one by hand)
    run_cli("delete", "--yes", gone, env=WITH_PASS, check=True)
    shard.write_bytes(older)  # the deleted entry would come back
    message = (
        f"{shard} is an older copy than the one voicejournal last saved (put back from a .bak or a backup?), "
        "so it was not opened. Put the newer file back, or bring old entries back with "
        "`voicejournal import BACKUP.zip`."
    )
    proc = run_cli("list", env=WITH_PASS)
    assert (proc.returncode, proc.stderr.strip()) == (1, message)
    checked = run_cli("check", env=WITH_PASS)
    assert checked.returncode == 1 and message in checked.stdout + checked.stderr

    shard.unlink()
    checked = run_cli("check", env=WITH_PASS)
    assert checked.returncode == 1
    assert (
        "entries/2026-11.json is missing: this encrypted journal saved it last, so it was removed outside "
        "voicejournal. Put it back from a backup of this folder." in checked.stdout + checked.stderr
    )


def test_a_cut_short_stream_is_refused_unless_recovery_asks(vj_home):
    encrypt(vj_home)
    keys.unlock(vj_home, PASS)
    path = vj_home / "audio" / "incoming.vjs"
    path.parent.mkdir(exist_ok=True)
    with streams.EncryptedStreamWriter(vj_home, path) as writer:
        for block in (b"first words ", b"second words ", b"last words"):
            writer.write(block)
            writer.flush()
    whole = path.read_bytes()
    assert files.read_bytes(vj_home, path) == b"first words second words last words"
    record = 4 + sealing.NONCE_SIZE + sealing.TAG_SIZE  # + the data: prefix, nonce, ciphertext and tag
    cut = whole[: 6 + 16 + record + 12 + record + 13]  # the first two records whole, the last one gone
    path.write_bytes(cut)
    with pytest.raises(sealing.DamagedFileError) as err:
        files.read_bytes(vj_home, path)
    assert str(err.value) == (
        f"{path} was cut short while it was being written, so it was not opened. "
        "`voicejournal check` shows what can be recovered."
    )
    recovered = streams.read_stream(vj_home, path)  # recovery asks for what was flushed
    assert (recovered.data, recovered.complete, recovered.dropped_bytes) == (
        b"first words second words ",
        False,
        0,
    )
    path.write_bytes(whole + b"appended")
    with pytest.raises(sealing.DamagedFileError):
        files.read_bytes(vj_home, path)


@pytest.mark.parametrize(("setting", "value"), [("n", 2**40), ("n", 3000), ("r", 10**6), ("p", "1")])
def test_kdf_settings_are_bounded_before_any_work(run_cli, tmp_path, vj_home, setting, value):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    path = vj_home / keyfile.KEY_FILE
    settings = json.loads(path.read_text())
    settings["kdf"][setting] = value
    path.write_text(json.dumps(settings))
    kdf = {**settings["kdf"]}
    proc = run_cli("list", env=WITH_PASS)
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        f"The encryption settings {path} ask for an unusual key setup (scrypt n={kdf['n']}, r={kdf['r']}, "
        f"p={kdf['p']}), so the journal was not opened. They hold no secret; restore the file from a backup of "
        "this folder. Nothing was changed.",
    )


def test_a_weak_passphrase_is_accepted_with_a_warning(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    proc = run_cli("encrypt", env={keys.PASSPHRASE_ENV: "abcdefgh"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == (
        "Warning: this passphrase is easy to guess for anyone with a copy of the journal. A few unrelated words "
        "you will remember (12 characters or more) are much safer; `voicejournal passwd` changes it."
    )
    assert plaintext_files(vj_home) == []


def test_rotate_key_makes_old_settings_and_passphrase_useless_for_new_entries(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    old_settings = (vj_home / keyfile.KEY_FILE).read_bytes()  # as inside every old backup
    new = {keys.PASSPHRASE_ENV: PASS, keys.NEW_PASSPHRASE_ENV: "green hills evening"}
    proc = run_cli("passwd", "--rotate-key", env=new)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == (
        "The passphrase and the key were changed: 2 files re-encrypted. Old copies of the encryption settings and "
        "the old passphrase open nothing written from now on."
    )
    with_new = {keys.PASSPHRASE_ENV: "green hills evening"}
    add_text(run_cli, vj_home, tmp_path, "Tuesday walk", "A long walk by the river.", **with_new)
    assert len(json.loads(run_cli("list", "--json", env=with_new, check=True).stdout)) == 2
    assert plaintext_files(vj_home) == [] and plaintext_files(vj_home, b"river") == []
    assert run_cli("check", env=with_new).returncode == 0

    (vj_home / keyfile.KEY_FILE).write_bytes(old_settings)
    stolen = run_cli("list", env=WITH_PASS)
    assert stolen.returncode == 1 and "river" not in stolen.stdout
    assert "is damaged" in stolen.stderr


def test_an_interrupted_rotation_still_opens_and_resumes(run_cli, tmp_path, vj_home, monkeypatch):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    add_text(run_cli, vj_home, tmp_path, "October", "An october morning.")  # another month: another file
    encrypt(vj_home)
    real = vault.reseal_file
    done = []

    def killed_after_one(home, path, old_key, key):
        if done:
            raise sealing.DamagedFileError("killed")
        done.append(path)
        return real(home, path, old_key, key)

    monkeypatch.setattr(vault, "reseal_file", killed_after_one)
    report = vault.rotate_key(vj_home, PASS, "green hills evening")
    assert report.converted and report.failed
    keys.forget_keys()
    with_new = {keys.PASSPHRASE_ENV: "green hills evening"}
    assert len(json.loads(run_cli("list", "--json", env=with_new, check=True).stdout)) == 2  # both keys open
    checked = run_cli("check", env=with_new)
    assert (
        "Changing the journal's key was interrupted. Run `voicejournal passwd --rotate-key` to finish it."
        in (checked.stdout + checked.stderr)
    )
    run_cli("passwd", "--rotate-key", env=with_new, check=True)
    assert keyfile.load_key_file(vj_home).state == keyfile.ENCRYPTED
    assert keyfile.load_key_file(vj_home).previous_key is None
    assert len(json.loads(run_cli("list", "--json", env=with_new, check=True).stdout)) == 2


def test_a_journal_encrypted_by_the_previous_format_opens_and_is_upgraded(run_cli, tmp_path, vj_home):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    key_file, key = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED, kdf_n=2**10)
    for path in [vj_home / "journal.json", *sorted((vj_home / "entries").glob("*.json"))]:
        nonce = os.urandom(sealing.NONCE_SIZE)
        aad = sealing.FILE_HEADER_V1 + sealing.role_of(vj_home, path)
        path.write_bytes(sealing.FILE_HEADER_V1 + nonce + AESGCM(key).encrypt(nonce, path.read_bytes(), aad))
    for leftover in (vj_home / "index.sqlite", *vj_home.rglob("*.bak")):
        leftover.unlink(missing_ok=True)
    settings = json.loads(key_file.to_json())
    settings["format"] = 1
    (vj_home / keyfile.KEY_FILE).write_text(json.dumps(settings))  # no mac, no sealed list: as written before
    assert plaintext_files(vj_home) == []

    assert "marigold" in run_cli("list", env=WITH_PASS, check=True).stdout
    add_text(run_cli, vj_home, tmp_path, "Tuesday walk", "A long walk by the river.", **WITH_PASS)
    upgraded = json.loads((vj_home / keyfile.KEY_FILE).read_text())
    assert upgraded["format"] == sealing.FORMAT_VERSION and upgraded["mac"]
    assert (vj_home / "sealed.json").exists()
    assert len(json.loads(run_cli("list", "--json", env=WITH_PASS, check=True).stdout)) == 2
    assert run_cli("check", env=WITH_PASS).returncode == 0


def test_an_encrypted_backup_with_another_passphrase_asks_for_its_own(run_cli, tmp_path, vj_home):
    from voicejournal.journal import Journal

    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    run_cli("export", str(tmp_path / "b.zip"), env=WITH_PASS, check=True)
    assert (
        run_cli("import", str(tmp_path / "b.zip"), env=WITH_PASS).returncode == 0
    )  # same key: no second ask
    with_new = {keys.PASSPHRASE_ENV: "green hills evening"}
    run_cli("passwd", env={**WITH_PASS, keys.NEW_PASSPHRASE_ENV: "green hills evening"}, check=True)
    first = json.loads(run_cli("list", "--json", env=with_new, check=True).stdout)[0]["id"]
    run_cli("delete", "--yes", first, env=with_new, check=True)
    add_text(run_cli, vj_home, tmp_path, "Tuesday walk", "A long walk by the river.", **with_new)
    proc = run_cli("import", str(tmp_path / "b.zip"), env=with_new)
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        "That passphrase does not open the backup b.zip. Nothing was changed.",
    )
    keys.unlock(vj_home, "green hills evening")
    report = Journal(vj_home).import_backup(tmp_path / "b.zip", PASS)
    assert report.entries_added == 1
    assert plaintext_files(vj_home) == []


def test_a_removed_sealed_list_is_noticed(run_cli, tmp_path, vj_home):
    add_text(run_cli, vj_home, tmp_path, "Marigold lighthouse", "I felt marigold calm today.")
    encrypt(vj_home)
    add_text(run_cli, vj_home, tmp_path, "Tuesday walk", "A long walk by the river.", **WITH_PASS)
    add_text(run_cli, vj_home, tmp_path, "Wednesday", "Rain all day.", **WITH_PASS)
    (vj_home / "sealed.json").unlink()
    message = (
        f"{vj_home / 'entries' / '2026-11.json'} was saved by voicejournal before, but the list of this journal's "
        f"sealed files ({vj_home / 'sealed.json'}) does not name it (removed, or put back from an older copy?), so "
        "it was not opened. Put that list back from a backup of this folder."
    )
    proc = run_cli("import", "--from", "jrnl", str(write_jrnl(tmp_path, "Thursday", "Sun.")), env=WITH_PASS)
    assert (proc.returncode, proc.stderr.strip()) == (1, message)
    checked = run_cli("check", env=WITH_PASS)
    assert checked.returncode == 1 and message in checked.stdout + checked.stderr
