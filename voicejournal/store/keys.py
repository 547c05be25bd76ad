"""Unlocking: the data key from the passphrase (given, $VOICEJOURNAL_PASSPHRASE, or the keyring), cached
in this process only. Nothing here ever prompts: the CLI asks on a terminal before it opens the journal,
so no prompt can wait while the lock is held.
"""

from __future__ import annotations

import os
from pathlib import Path

from voicejournal.errors import PassphraseError, UsageError
from voicejournal.store.keyfile import (
    ROTATING,
    KeyFile,
    b64,
    check_key_file,
    check_new_passphrase,
    derive_key,
    load_key_file,
    unwrap,
)
from voicejournal.store.sealing import open_sealed

PASSPHRASE_ENV = "VOICEJOURNAL_PASSPHRASE"
NEW_PASSPHRASE_ENV = "VOICEJOURNAL_NEW_PASSPHRASE"
KEYRING_SERVICE = "voicejournal"


_KEYS: dict[tuple[str, str], bytes] = {}  # (home, wrapped key) -> data key, this process only
# wrapped key -> the data key it replaces (while the key is rotated), this process only
_PREVIOUS: dict[str, bytes] = {}


def try_passphrase(key_file: KeyFile, passphrase: str) -> bytes | None:
    """The data key if `passphrase` opens this key file, else None (while the key is being rotated, the old
    one is kept in this process too, to open files not yet re-sealed)."""
    kek = derive_key(passphrase, key_file.salt, key_file.kdf)
    data_key = unwrap(kek, key_file.wrapped_key)
    if data_key is not None and key_file.previous_key:
        previous = unwrap(kek, key_file.previous_key)
        if previous is not None:
            _PREVIOUS[b64(key_file.wrapped_key)] = previous
    return data_key


def previous_key(home: Path) -> bytes | None:
    """While the journal's key is being rotated: the old data key (after `unlock`), else None."""
    key_file = load_key_file(home)
    if key_file is None or key_file.state != ROTATING:
        return None
    return _PREVIOUS.get(b64(key_file.wrapped_key))


def open_sealed_file(home: Path, blob: bytes, role: bytes) -> bytes | None:
    """A sealed file of this journal opened with its key (or, mid-rotation, the old one); None if neither."""
    plain = open_sealed(unlock(home), blob, role)
    old = previous_key(home) if plain is None else None
    return open_sealed(old, blob, role) if old is not None else plain


def remember_key(home: Path, key_file: KeyFile, data_key: bytes, previous: bytes | None = None) -> None:
    """Keep the data key (and, mid-rotation, the one it replaces) for this process."""
    _KEYS[(os.path.abspath(home), b64(key_file.wrapped_key))] = data_key
    if previous is not None:
        _PREVIOUS[b64(key_file.wrapped_key)] = previous


def forget_keys() -> None:
    """Drop every cached data key (tests; and after `decrypt`)."""
    _KEYS.clear()
    _PREVIOUS.clear()


def unlock(home: Path, passphrase: str | None = None) -> bytes:
    """The journal's data key: from this process's cache, else from the first passphrase source that has one.

    Sources in order: `passphrase` if given; $VOICEJOURNAL_PASSPHRASE; the system keyring if the person
    opted in. Raises PassphraseError when none opens the journal (NoPassphraseError when none had one).
    """
    home = Path(home)
    key_file = load_key_file(home)
    if key_file is None:
        raise UsageError(f"The journal in {home} is not encrypted.")
    cache_key = (os.path.abspath(home), b64(key_file.wrapped_key))
    # The same wrapped key (a backup of this journal, unpacked) unwraps to the same data key: no second ask.
    known = _KEYS.get(cache_key) or next((k for (_, w), k in _KEYS.items() if w == cache_key[1]), None)
    if known is not None:
        check_key_file(home, key_file, known)  # an HMAC: cheap enough for every use
        _KEYS[cache_key] = known
        return known

    data_key = find_passphrase(home, key_file, passphrase)[1]
    _KEYS[cache_key] = data_key
    return data_key


def find_passphrase(home: Path, key_file: KeyFile, passphrase: str | None = None) -> tuple[str, bytes]:
    """(passphrase, data key) from the first source that has a passphrase opening this journal (whose
    encryption settings are then checked: see `check_key_file`)."""
    found, data_key = _find_passphrase(home, key_file, passphrase)
    check_key_file(home, key_file, data_key)
    return found, data_key


def _find_passphrase(home: Path, key_file: KeyFile, passphrase: str | None) -> tuple[str, bytes]:
    if passphrase is not None:
        data_key = try_passphrase(key_file, passphrase)
        if data_key is None:
            raise PassphraseError("Wrong passphrase: the journal stayed locked. Nothing was changed.")
        return passphrase, data_key
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        data_key = try_passphrase(key_file, env)
        if data_key is None:
            raise PassphraseError(
                f"The passphrase in {PASSPHRASE_ENV} does not open this journal. Nothing was changed."
            )
        return env, data_key
    if key_file.keyring:
        stored = keyring_get(home)
        if stored:
            data_key = try_passphrase(key_file, stored)
            if data_key is not None:
                return stored, data_key
            # A stale keyring entry (changed elsewhere): fall through to asking.
    raise NoPassphraseError(
        "This journal is encrypted and no passphrase was given. Set "
        f"{PASSPHRASE_ENV}, run voicejournal in a terminal to type it, or keep it in the system keyring "
        "with `voicejournal encrypt --keyring`."
    )


def new_passphrase_from_env(env: str = PASSPHRASE_ENV, what: str = "a passphrase") -> str:
    """A new passphrase from `env` (checked), else a clear error: the library never prompts, the CLI does."""
    given = os.environ.get(env)
    if given:
        check_new_passphrase(given)
        return given
    raise NoPassphraseError(
        f"No passphrase was given. Set {env}, or run this command in a terminal to type {what}."
    )


# --- the system keyring (optional; a headless machine has none, and that is fine) ----------------


def _keyring_user(home: Path) -> str:
    return os.path.abspath(home)


def keyring_get(home: Path) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, _keyring_user(home))
    except Exception:  # no backend, no D-Bus, a locked or broken keyring: just ask another way
        return None


def keyring_set(home: Path, passphrase: str) -> None:
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _keyring_user(home), passphrase)
    except Exception as exc:
        raise PassphraseError(
            "The system keyring is not available here, so the passphrase was not saved in it "
            f"({type(exc).__name__}). Use {PASSPHRASE_ENV} or type it when asked."
        ) from None


def keyring_delete(home: Path) -> None:
    try:
        import keyring

        keyring.delete_password(KEYRING_SERVICE, _keyring_user(home))
    except Exception:  # nothing stored, or no keyring: nothing to delete
        pass


class NoPassphraseError(PassphraseError):
    """No passphrase source had one (the CLI may then ask on a terminal)."""
