"""The keyring holds the journal's data key (when the person opted in): no key derivation per command.

A test backend in memory stands in for the system keyring; the real one is never touched.
"""

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.unit.store.test_crypto import clean_keys  # noqa: F401  (autouse: no key or passphrase left over)
from voicejournal.errors import PassphraseError
from voicejournal.store import keyfile, keys, vault

PASS = "correct horse battery"
FAST_KDF = 2**12


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


@pytest.fixture
def backend(monkeypatch):
    memory = MemoryKeyring()
    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(keyring, name, getattr(memory, name))
    return memory


@pytest.fixture
def derivations(monkeypatch):
    """How many times a key was derived from a passphrase (scrypt)."""
    calls = []
    real = keys.derive_key
    monkeypatch.setattr(keys, "derive_key", lambda *args: calls.append(1) or real(*args))
    return calls


def stored(backend, home) -> str:
    return backend.items[(keys.KEYRING_SERVICE, str(home))]


def encrypted(home) -> bytes:
    home.mkdir(parents=True, exist_ok=True)
    vault.encrypt_home(home, PASS, use_keyring=True, kdf_n=FAST_KDF)
    keys.forget_keys()  # as a new command starts: nothing known in this process
    return keys.unlock(home, PASS)


def test_the_keyring_keeps_the_key_not_the_passphrase_and_no_kdf_runs(
    vj_home, backend, derivations, monkeypatch
):
    key = encrypted(vj_home)
    assert stored(backend, vj_home) == keys.KEYRING_KEY_PREFIX + keyfile.b64(key)
    assert PASS not in stored(backend, vj_home)
    keys.forget_keys()
    derivations.clear()

    assert keys.unlock(vj_home) == key
    assert derivations == []

    keys.forget_keys()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASS)  # a passphrase given: it is what opens the journal
    assert keys.unlock(vj_home) == key
    assert derivations == [1]


def test_a_passphrase_kept_by_an_older_version_opens_once_then_the_key_replaces_it(
    vj_home, backend, derivations
):
    key = encrypted(vj_home)
    backend.set_password(keys.KEYRING_SERVICE, str(vj_home), PASS)
    keys.forget_keys()
    derivations.clear()

    assert keys.unlock(vj_home) == key
    assert derivations == [1]
    assert stored(backend, vj_home) == keys.KEYRING_KEY_PREFIX + keyfile.b64(key)
    keys.forget_keys()
    assert keys.unlock(vj_home) == key
    assert derivations == [1]


def test_a_key_that_does_not_open_this_journal_is_not_used(vj_home, tmp_path, backend):
    encrypted(vj_home)
    other = tmp_path / "other"
    other_key = encrypted(other)
    backend.set_password(keys.KEYRING_SERVICE, str(vj_home), keys.KEYRING_KEY_PREFIX + keyfile.b64(other_key))
    for broken in (keys.KEYRING_KEY_PREFIX + keyfile.b64(other_key), keys.KEYRING_KEY_PREFIX + "not base64!"):
        backend.set_password(keys.KEYRING_SERVICE, str(vj_home), broken)
        keys.forget_keys()
        with pytest.raises(keys.NoPassphraseError):
            keys.unlock(vj_home)


def test_passwd_keeps_and_rotation_replaces_the_key_in_the_keyring(vj_home, backend, derivations):
    key = encrypted(vj_home)
    assert vault.change_passphrase(vj_home, PASS, "green hills evening") is True
    assert stored(backend, vj_home) == keys.KEYRING_KEY_PREFIX + keyfile.b64(key)
    keys.forget_keys()

    vault.rotate_key(vj_home, new="blue river morning")
    keys.forget_keys()
    derivations.clear()
    new_key = keys.unlock(vj_home)

    assert new_key != key and derivations == []
    assert stored(backend, vj_home) == keys.KEYRING_KEY_PREFIX + keyfile.b64(new_key)  # the old key left it
    vault.set_keyring(vj_home, False)
    assert (keys.KEYRING_SERVICE, str(vj_home)) not in backend.items
    keys.forget_keys()
    with pytest.raises(PassphraseError):
        keys.unlock(vj_home)
