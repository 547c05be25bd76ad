"""Turning a whole journal folder encrypted or plain, safely even if the process is killed at any moment.

`encrypt_home` first writes encryption.json in the state `encrypting`: from then on every new write is
encrypted, and every read tells encrypted from plain files by their header, so the journal opens whatever
mix a kill leaves. Then each file is converted on its own:

1. its plaintext is hard-linked to `.<name>.shred` (a handle on the old data that survives the replace),
2. the encrypted version replaces the file atomically (temp file, fsync, rename, fsync of the folder),
3. the old data is overwritten with zeros, fsynced and unlinked (`fs.shred`).

A `.shred` left by a kill is finished on the next run: if it still shares its data with the file (the kill
came before step 2) it is only unlinked, otherwise it is overwritten first. Derived files (the search
index) and temp files left by killed writes are shredded, not converted: they are rebuilt when needed.
When every file is done the state becomes `encrypted`. Running `encrypt` again after a kill finishes the
job. `decrypt_home` is the mirror image (state `decrypting`, then encryption.json is removed last).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from voicejournal.errors import PassphraseError, UsageError, VoiceJournalError
from voicejournal.store import files, fs, keyfile, keys, sealing, seals
from voicejournal.store.fs import atomic_write_bytes, fsync_dir
from voicejournal.store.storage import LOCK_FILE, Storage

ProgressFn = Callable[[int, int], None]
SHRED_SUFFIX = ".shred"
DERIVED_PREFIXES = ("index.sqlite",)  # the search index and its -wal/-shm/-journal files
PUBLIC_DIRS = ("models",)  # speech models installed into the home: public files, never encrypted
# A recording in progress streams here and its recorder holds the file open; once it stops (or, after a
# crash, at the next command) it is saved as an encrypted FLAC and the incoming file is shredded.
INCOMING = ("audio", "incoming")
_AUDIO_SUFFIXES = (".flac", ".wav", ".ogg", ".opus", ".mp3", ".m4a", ".vjs")


@dataclass
class ConversionReport:
    converted: list[Path] = field(default_factory=list)  # files encrypted (or decrypted)
    shredded: list[Path] = field(default_factory=list)  # derived or temp files overwritten and removed
    failed: list[tuple[Path, str]] = field(default_factory=list)
    resumed: bool = False

    @property
    def recordings(self) -> int:
        return sum(1 for p in self.converted if p.suffix in _AUDIO_SUFFIXES)


def _is_temp(name: str) -> bool:
    return name.startswith(".") and ".tmp-" in name


def _is_derived(name: str) -> bool:
    return name.startswith(DERIVED_PREFIXES)


def journal_files(home: Path) -> tuple[list[Path], list[Path]]:
    """(leftover `.shred` files, every other file of the journal that may hold private words)."""
    leftovers, files = [], []
    for folder, dirs, names in os.walk(home):
        if Path(folder) == Path(home):
            dirs[:] = [d for d in dirs if d not in PUBLIC_DIRS]
        if Path(folder) == Path(home, INCOMING[0]):
            dirs[:] = [d for d in dirs if d != INCOMING[1]]
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            if Path(folder) == Path(home) and name in (keyfile.KEY_FILE, LOCK_FILE, seals.SEALS_FILE):
                continue
            (leftovers if name.endswith(SHRED_SUFFIX) and name.startswith(".") else files).append(path)
    return leftovers, files


def plaintext_files(home: Path) -> list[Path]:
    """Files of an encrypted journal that are still readable as they are (should be none)."""
    leftovers, files = journal_files(home)
    found = list(leftovers)
    for path in files:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head and not sealing.is_encrypted_blob(head):
            found.append(path)
    return found


def encrypt_file(home: Path, path: Path, key: bytes) -> bool:
    data = path.read_bytes()
    if sealing.is_encrypted_blob(data):
        return False
    sealed = sealing.seal(key, data, sealing.role_of(home, path))
    keep = path.with_name(f".{path.name}{SHRED_SUFFIX}")
    keep.unlink(missing_ok=True)
    os.link(path, keep)
    atomic_write_bytes(path, sealed, keep_backup=False)
    fs.shred(keep)
    return True


def _decrypt_file(home: Path, path: Path) -> bool:
    data = path.read_bytes()
    if not sealing.is_encrypted_blob(data):
        return False
    atomic_write_bytes(path, files.decrypt_from(home, path, data), keep_backup=False)
    return True


def convert_all(home: Path, convert: Callable[[Path], bool], progress: ProgressFn | None) -> ConversionReport:
    report = ConversionReport()
    leftovers, files = journal_files(home)
    for keep in leftovers:
        fs.shred(keep)  # overwrites only if it no longer shares its data with the journal file
        report.shredded.append(keep)
    for done, path in enumerate(files, 1):
        try:
            if _is_temp(path.name) or _is_derived(path.name):
                fs.shred(path)
                report.shredded.append(path)
            elif convert(path):
                report.converted.append(path)
        except VoiceJournalError as exc:
            report.failed.append((path, str(exc)))
        except OSError as exc:
            report.failed.append((path, exc.strerror or str(exc)))
        if progress:
            progress(done, len(files))
    return report


def encrypt_home(
    home: Path,
    passphrase: str | None = None,
    use_keyring: bool | None = None,
    kdf_n: int = keyfile.SCRYPT_N,
    progress: ProgressFn | None = None,
) -> ConversionReport:
    """Encrypt every file of the journal in `home` (or finish an interrupted run)."""
    home = Path(home)
    storage = Storage(home)
    _refuse_if_encrypted(home)  # before the lock: opening an encrypted journal would ask for the passphrase
    with storage.transaction():
        _refuse_if_encrypted(home)
        key_file = keyfile.load_key_file(home)
        resumed = key_file is not None
        if key_file is None:
            fs.shred(home / seals.SEALS_FILE)  # a list left by an earlier `decrypt` would count wrongly
            passphrase = passphrase if passphrase is not None else keys.new_passphrase_from_env()
            key_file, key = keyfile.new_key_file(passphrase, state=keyfile.ENCRYPTING, kdf_n=kdf_n)
            if use_keyring:
                keys.keyring_set_key(home, key)  # fails before anything changed if there is no keyring
                key_file.keyring = True
            keyfile.save_key_file(home, key_file, key)  # from here on every write is encrypted
        else:
            key = keys.find_passphrase(home, key_file, passphrase)[1]
            if key_file.state != keyfile.ENCRYPTING:
                key_file.state = keyfile.ENCRYPTING
                keyfile.save_key_file(home, key_file, key)
            if use_keyring is not None:
                _set_keyring(home, key_file, key, use_keyring)
        keys.remember_key(home, key_file, key)
        report = convert_all(home, lambda path: encrypt_file(home, path, key), progress)
        report.resumed = resumed
        if not report.failed:
            key_file.state = keyfile.ENCRYPTED
            keyfile.save_key_file(home, key_file, key)
        return report


def _refuse_if_encrypted(home: Path) -> None:
    key_file = keyfile.load_key_file(home)
    if key_file is not None and key_file.state == keyfile.ENCRYPTED:
        raise UsageError(
            "This journal is already encrypted. `voicejournal passwd` changes its passphrase; "
            "`voicejournal decrypt` turns encryption off."
        )


def decrypt_home(
    home: Path, passphrase: str | None = None, progress: ProgressFn | None = None
) -> ConversionReport:
    """Turn an encrypted journal back into plain files, then remove its encryption settings."""
    home = Path(home)
    storage = Storage(home)
    with storage.transaction():
        key_file = keyfile.load_key_file(home)
        if key_file is None:
            raise UsageError("This journal is not encrypted; nothing was changed.")
        key = keys.find_passphrase(home, key_file, passphrase)[1]
        keys.remember_key(home, key_file, key)
        if key_file.state != keyfile.DECRYPTING:
            key_file.state = keyfile.DECRYPTING
            keyfile.save_key_file(home, key_file, key)
        with keyfile.writing_plaintext(home):  # the only place plaintext is ever written into the journal
            report = convert_all(home, lambda path: _decrypt_file(home, path), progress)
        if not report.failed:
            if key_file.keyring:
                keys.keyring_delete(home)
            fs.shred(home / seals.SEALS_FILE)
            keyfile.key_file_path(home).unlink()
            fsync_dir(home)
            keys.forget_keys()
        return report


def change_passphrase(
    home: Path, old: str | None = None, new: str | None = None, use_keyring: bool | None = None
) -> bool:
    """Wrap the journal's data key with a new passphrase (no file is re-encrypted).

    `use_keyring` True/False starts/stops keeping it in the system keyring; None keeps the current choice.
    Returns whether the keyring now holds the new passphrase.
    """
    home = Path(home)
    with Storage(home).transaction():
        key_file = keyfile.load_key_file(home)
        if key_file is None:
            raise UsageError("This journal is not encrypted; `voicejournal encrypt` turns encryption on.")
        key = keys.find_passphrase(home, key_file, old)[1]
        if new is None:
            new = keys.new_passphrase_from_env(keys.NEW_PASSPHRASE_ENV, "a new passphrase")
        new_file = keyfile.rewrap(key_file, key, new)
        new_file.keyring = key_file.keyring if use_keyring is None else use_keyring
        if new_file.keyring:
            keys.keyring_set_key(home, key)  # first: if there is no keyring, nothing has changed yet
        keyfile.save_key_file(home, new_file, key)
        keys.remember_key(home, new_file, key)
        if key_file.keyring and not new_file.keyring:
            keys.keyring_delete(home)
        return new_file.keyring


def set_keyring(home: Path, enabled: bool, passphrase: str | None = None) -> None:
    """Keep (or stop keeping) the data key of an encrypted journal in the system keyring."""
    home = Path(home)
    with Storage(home).transaction():
        key_file = keyfile.load_key_file(home)
        if key_file is None:
            raise UsageError("This journal is not encrypted; `voicejournal encrypt --keyring` encrypts it.")
        key = keys.find_passphrase(home, key_file, passphrase)[1]
        _set_keyring(home, key_file, key, enabled)


def _set_keyring(home: Path, key_file: keyfile.KeyFile, key: bytes, enabled: bool) -> None:
    if enabled:
        keys.keyring_set_key(home, key, keys.previous_key(home))
    else:
        keys.keyring_delete(home)
    key_file.keyring = enabled
    keyfile.save_key_file(home, key_file, key)


def rotate_key(
    home: Path,
    old: str | None = None,
    new: str | None = None,
    use_keyring: bool | None = None,
    progress: ProgressFn | None = None,
) -> ConversionReport:
    """Re-encrypt the whole journal with a new random data key wrapped by a new passphrase (or finish an
    interrupted run, which the new passphrase opens).

    Unlike `change_passphrase`, an old encryption.json (in every old backup) and the old passphrase then open
    nothing written from here on. Resumable: until every file is re-sealed, the old key is kept in
    encryption.json wrapped by the new passphrase, and reads fall back to it.
    """
    home = Path(home)
    if keyfile.load_key_file(home) is not None:
        keys.unlock(home, old)  # taking the lock reads journal.json
    with Storage(home).transaction():
        key_file = keyfile.load_key_file(home)
        if key_file is None:
            raise UsageError("This journal is not encrypted; `voicejournal encrypt` turns encryption on.")
        resumed = key_file.state == keyfile.ROTATING
        if resumed:
            passphrase, key = keys.find_passphrase(home, key_file, old)
            keys.remember_key(home, key_file, key)
            old_key = keys.previous_key(home)
        else:
            if key_file.state != keyfile.ENCRYPTED:
                raise UsageError(
                    "Encrypting or decrypting this journal was interrupted; finish that first (run the same "
                    "command again), then rotate the key."
                )
            old_key = keys.find_passphrase(home, key_file, old)[1]
            passphrase = new if new is not None else keys.new_passphrase_from_env(keys.NEW_PASSPHRASE_ENV)
            key_file, key = keyfile.new_key_file(
                passphrase,
                state=keyfile.ROTATING,
                kdf_n=max(int(key_file.kdf["n"]), keyfile.SCRYPT_N),
                previous=old_key,
                keyring=key_file.keyring,
                created=key_file.created,
            )
            if use_keyring is not None:
                key_file.keyring = use_keyring
            if key_file.keyring:
                keys.keyring_set_key(home, key, old_key)  # first: with no keyring nothing has changed yet
            keyfile.save_key_file(home, key_file, key)  # from here on every write uses the new key
            keys.remember_key(
                home, key_file, key, previous=old_key
            )  # the old key opens what is not re-sealed yet
        if old_key is None:
            raise UsageError(
                f"{keyfile.key_file_path(home)} lost the old key mid-rotation; restore it from a backup."
            )
        report = convert_all(home, lambda path: reseal_file(home, path, old_key, key), progress)
        if (home / seals.SEALS_FILE).exists():
            reseal_file(home, home / seals.SEALS_FILE, old_key, key)
        report.resumed = resumed
        if not report.failed:
            key_file.state = keyfile.ENCRYPTED
            key_file.previous_key = None
            keyfile.save_key_file(home, key_file, key)
            if key_file.keyring:  # the old key leaves the keyring with the last file it opened
                with contextlib.suppress(PassphraseError):
                    keys.keyring_set_key(home, key)
        if use_keyring is False:
            keys.keyring_delete(home)
        return report


def reseal_file(home: Path, path: Path, old_key: bytes, key: bytes) -> bool:
    """Seal a file again with the new key (its counter stays: the sealed list still holds)."""
    blob = path.read_bytes()
    if not sealing.is_encrypted_blob(blob):
        return False  # a plain file in an encrypted journal: reported by `check`, never sealed here
    if blob[: len(sealing.STREAM_HEADER)] == sealing.STREAM_HEADER:
        raise UsageError(
            "a recording is still being saved here; run `voicejournal record` to recover it first"
        )
    role = sealing.role_of(home, path)
    if sealing.open_sealed(key, blob, role) is not None:
        return False  # done by an earlier, interrupted run
    plain = sealing.open_sealed(old_key, blob, role)
    if plain is None:
        raise sealing.DamagedFileError(
            f"{path} is damaged: its encryption check failed, so it was left untouched."
        )
    atomic_write_bytes(
        path, sealing.seal(key, plain, role, sealing.sealed_counter(blob) or 0), keep_backup=False
    )
    return True
