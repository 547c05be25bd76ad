"""Encryption, settings and audio retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from voicejournal.core.entry import Entry
from voicejournal.errors import (
    UsageError,
)


def encryption_state(journal) -> str:
    """'off', 'encrypted', or 'encrypting'/'decrypting' when such a run was interrupted."""
    from voicejournal.store import keyfile

    key_file = keyfile.load_key_file(journal.home)
    return "off" if key_file is None else key_file.state


def encrypt(journal, passphrase: str | None = None, use_keyring: bool | None = None, progress=None):
    """Encrypt every file of this journal (or finish an interrupted run); see vault.py."""
    from voicejournal.store import vault

    return vault.encrypt_home(journal.home, passphrase, use_keyring=use_keyring, progress=progress)


def decrypt(journal, passphrase: str | None = None, progress=None):
    """Turn this encrypted journal back into plain files."""
    from voicejournal.store import vault

    return vault.decrypt_home(journal.home, passphrase, progress=progress)


def change_passphrase(
    journal, old: str | None = None, new: str | None = None, use_keyring: bool | None = None
) -> bool:
    """Re-wrap the data key with a new passphrase; True if the keyring holds the new one."""
    from voicejournal.store import vault

    return vault.change_passphrase(journal.home, old, new, use_keyring)


def rotate_key(
    journal, old: str | None = None, new: str | None = None, use_keyring: bool | None = None, progress=None
):
    """Re-encrypt everything with a new data key and passphrase (or finish an interrupted run)."""
    from voicejournal.store import vault

    return vault.rotate_key(journal.home, old, new, use_keyring=use_keyring, progress=progress)


def passphrase(journal) -> str:
    """The passphrase of this encrypted journal, from its usual sources (checked; never asked: the CLI asks)."""
    from voicejournal.store import keyfile, keys

    key_file = keyfile.load_key_file(journal.home)
    if key_file is None:
        raise UsageError("This journal is not encrypted; nothing was changed.")
    passphrase, key = keys.find_passphrase(journal.home, key_file)
    keys.remember_key(journal.home, key_file, key)
    return passphrase


def set_keyring(journal, enabled: bool, passphrase: str | None = None) -> None:
    from voicejournal.store import vault

    vault.set_keyring(journal.home, enabled, passphrase)


def settings(journal) -> dict[str, str]:
    """Every setting a person can change, with its current value."""
    from voicejournal.core.settings import SETTINGS

    stored = {d["id"]: d.get("value") for d in journal.storage.all("settings") if "id" in d}
    return {name: stored.get(name) or s.default for name, s in sorted(SETTINGS.items())}


def get_setting(journal, name: str) -> str:
    from voicejournal.core.settings import setting_name

    return journal.settings()[setting_name(name)]


def set_setting(journal, name: str, value: str) -> str:
    """Store a setting (validated and normalized: ' 90 days' -> '90d'); returns the stored value."""
    from voicejournal.core.settings import normalize_setting, setting_name

    key = setting_name(name)
    stored = normalize_setting(key, value)
    with journal.storage.transaction():
        if journal.storage.get("settings", key) is None:
            journal.storage.insert("settings", {"id": key, "value": stored})
        else:
            journal.storage.update("settings", key, {"id": key, "value": stored})
    return stored


def retention(journal):
    from voicejournal.core.settings import AUDIO_RETENTION, parse_retention

    return parse_retention(journal.settings()[AUDIO_RETENTION])


def apply_retention(journal, dry_run: bool = False, now: datetime | None = None) -> list[Entry]:
    """Delete recordings older than the audio-retention setting; the entries keep their text.

    Returns the entries whose recordings went (or would go, with `dry_run`).
    """
    from voicejournal.core.settings import AUDIO_RETENTION
    from voicejournal.store import fs

    policy = journal.retention()
    if policy.days is None:
        return []
    now = now or journal.now()
    cutoff = now - timedelta(days=policy.days)
    with journal.storage.transaction():
        due = [e for e in journal.entries(until=cutoff) if e.audio and e.created < cutoff]
        if dry_run:
            return due
        for entry in due:
            # The file first: a kill in between leaves an entry whose recording is already gone,
            # which the next run finishes, never an orphaned recording.
            path = journal.audio_path(entry)
            if path is not None:
                fs.shred(path)
            entry.audio = None
            entry.audio_removed = now.date().isoformat()
            journal.save_entry(entry)
        journal.storage.update(
            "settings",
            AUDIO_RETENTION,
            {"id": AUDIO_RETENTION, "value": policy.text, "applied": now.date().isoformat()},
        )
    return due


def apply_retention_if_due(journal) -> list[Entry]:
    """Apply audio retention at most once a day (cheap when it is off or already done today)."""
    from voicejournal.core.settings import AUDIO_RETENTION

    doc = journal.storage.get("settings", AUDIO_RETENTION)
    if not doc or doc.get("value", "off") == "off":
        return []
    if doc.get("applied") == journal.now().date().isoformat():
        return []
    return journal.apply_retention()


def check(journal, repair: bool = False, progress=None):
    """Verify journal files, recordings and encryption; fix what is safe (see integrity.py)."""
    from voicejournal.services.integrity import check_journal

    return check_journal(journal, repair=repair, progress=progress)
