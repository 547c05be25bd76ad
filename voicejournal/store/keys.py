"""Unlocking: the data key from the passphrase (given or $VOICEJOURNAL_PASSPHRASE) or from the system
keyring, cached in this process only. Nothing here ever prompts: the CLI asks on a terminal before it opens
the journal, so no prompt can wait while the lock is held.

The keyring (only when the person opted in) holds the journal's unwrapped data key, not the passphrase, so
a command that finds it there runs no key derivation (scrypt, about half a second): the key is checked
with the HMAC of encryption.json instead, which only the right key reproduces. The trade-off (README,
"Encryption"): whoever can read this account's keyring opens this journal and its backups until
`voicejournal passwd --rotate-key`, but never learns the passphrase, which may open other things too. A
passphrase kept there by an older voicejournal still works, and is replaced by the key it opens.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from voicejournal.errors import PassphraseError, UsageError
from voicejournal.store.keyfile import (
    ROTATING,
    KeyFile,
    b64,
    b64decode,
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
KEYRING_KEY_PREFIX = "voicejournal data key v1:"  # what the keyring holds: this, then the key (base64)


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


def find_passphrase(home: Path, key_file: KeyFile, passphrase: str | None = None) -> tuple[str | None, bytes]:
    """(passphrase, data key) from the first source that opens this journal, whose encryption settings are
    then checked (see `check_key_file`); the passphrase is None when the keyring gave the key itself."""
    found, data_key = _find_passphrase(home, key_file, passphrase)
    check_key_file(home, key_file, data_key)
    return found, data_key


def _find_passphrase(home: Path, key_file: KeyFile, passphrase: str | None) -> tuple[str | None, bytes]:
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
        found = _from_keyring(home, key_file)
        if found is not None:
            return found
        # Nothing there, or a stale entry (changed elsewhere): fall through to asking.
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


def keyring_set_key(home: Path, data_key: bytes, previous: bytes | None = None) -> None:
    """Keep the journal's data key in the system keyring (mid-rotation, the key it replaces as well)."""
    keyring_set(home, KEYRING_KEY_PREFIX + b64(data_key) + (f":{b64(previous)}" if previous else ""))


def _from_keyring(home: Path, key_file: KeyFile) -> tuple[str | None, bytes] | None:
    """(None, the data key) kept in the keyring, if it is this journal's; else None."""
    stored = keyring_get(home)
    if not stored:
        return None
    if not stored.startswith(KEYRING_KEY_PREFIX):  # a passphrase, kept by an older voicejournal
        data_key = try_passphrase(key_file, stored)
        if data_key is None:
            return None
        if key_file.mac is not None:  # from now on the key, and no key derivation per command
            with contextlib.suppress(PassphraseError):
                keyring_set_key(home, data_key, _PREVIOUS.get(b64(key_file.wrapped_key)))
        return stored, data_key
    try:
        found = [b64decode(part) for part in stored[len(KEYRING_KEY_PREFIX) :].split(":")]
    except ValueError:
        return None
    import hmac  # here: a plain journal's commands never load it

    data_key, previous = found[0], found[1] if len(found) > 1 else None
    if key_file.mac is None or not hmac.compare_digest(key_file.mac, key_file.expected_mac(data_key)):
        return None  # another journal's key, or this one's before `passwd --rotate-key`
    if key_file.previous_key:
        if previous is None:
            return None  # mid-rotation the old key is needed too: ask for the passphrase
        _PREVIOUS[b64(key_file.wrapped_key)] = previous
    return None, data_key


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
            "The system keyring is not available here, so the journal's key was not saved in it "
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
