"""encryption.json: the wrapped data key, the KDF settings, the state, authenticated with the key.

A random 256-bit *data key* encrypts every file with AES-256-GCM. It is stored wrapped (AES-256-GCM again)
by a key derived from the passphrase with scrypt (N=2^17, r=8, p=1, a random 16-byte salt); changing the
passphrase re-wraps it. A wrong passphrase fails the wrapped key's tag, which is how it is told apart (no
other verifier is stored). The file holds nothing secret: KDF settings (bounded when read), salt, wrapped
key, the state (``encrypting``/``decrypting``/``rotating`` while such a run is unfinished, ``encrypted``),
the keyring opt-in, and an HMAC of all that under the data key, checked whenever the key is used. The state
never decides that a write is plain: only `decrypt` writes plaintext (``writing_plaintext``).
"""

from __future__ import annotations

import base64
import contextlib
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from voicejournal import clock
from voicejournal.errors import JournalCorruptError, JournalVersionError, UsageError
from voicejournal.store.home import KEY_FILE
from voicejournal.store.sealing import FORMAT_VERSION, NONCE_SIZE

KEY_SIZE = 32
_WRAP_AAD = b"voicejournal data key v1"
_MAC_LABEL = b"voicejournal encryption.json mac v1"

# OWASP's recommendation for scrypt; about 1 s and 128 MiB here. Stored per journal, so it can grow.
SCRYPT_N = 2**17
# What a key file may ask for: tests use 2^10; above 2^20 (1 GiB with r=8) a guess costs more than a person
# waits for, and a tampered file could otherwise ask for any amount of memory.
KDF_MIN_N = 2**10
KDF_MAX_N = 2**20
KDF_MAX_MEMORY = 2**30
SCRYPT_R = 8
SCRYPT_P = 1

# States in encryption.json.
ENCRYPTING = "encrypting"  # `encrypt` started: new writes are encrypted, old files are being converted
ENCRYPTED = "encrypted"
DECRYPTING = "decrypting"  # `decrypt` started: old files are being converted to plain
ROTATING = "rotating"  # `passwd --rotate-key` started: new writes use the new key, old files are re-sealed


@dataclass
class KeyFile:
    """The non-secret contents of encryption.json."""

    salt: bytes
    wrapped_key: bytes
    state: str = ENCRYPTED
    kdf: dict = field(default_factory=lambda: {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P})
    keyring: bool = False
    created: str = ""
    mac: bytes | None = None  # HMAC of everything above under the data key; None in a journal from before it
    previous_key: bytes | None = None  # while ROTATING: the old data key, wrapped like the new one

    def _fields(self) -> dict:
        rotating = {"previous_wrapped_key": b64(self.previous_key)} if self.previous_key else {}
        return rotating | {
            "format": FORMAT_VERSION,
            "cipher": "AES-256-GCM",
            "kdf": {**self.kdf, "salt": b64(self.salt)},
            "wrapped_key": b64(self.wrapped_key),
            "state": self.state,
            "keyring": self.keyring,
            "created": self.created,
        }

    def expected_mac(self, data_key: bytes) -> bytes:
        """What `mac` must be: the state and KDF settings can then only be changed by someone with the key."""
        import hashlib
        import hmac

        import orjson

        mac_key = hmac.new(data_key, _MAC_LABEL, hashlib.sha256).digest()
        return hmac.new(
            mac_key, orjson.dumps(self._fields(), option=orjson.OPT_SORT_KEYS), hashlib.sha256
        ).digest()

    def to_json(self) -> bytes:
        import orjson

        fields = self._fields()
        if self.mac is not None:
            fields["mac"] = b64(self.mac)
        return orjson.dumps(fields, option=orjson.OPT_INDENT_2)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """The bytes of strict base64 text; ValueError if it is not."""
    return base64.b64decode(text, validate=True)


def key_file_path(home: Path) -> Path:
    return Path(home) / KEY_FILE


_KEYFILE_CACHE: dict[str, tuple[tuple[int, int, int], KeyFile]] = {}


def load_key_file(home: Path) -> KeyFile | None:
    """The journal's encryption.json, or None when the journal is not encrypted (one stat() then)."""
    path = key_file_path(home)
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    stamp = (st.st_mtime_ns, st.st_ino, st.st_size)
    cached = _KEYFILE_CACHE.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    import orjson

    try:
        raw = orjson.loads(path.read_bytes())
        if raw.get("format", 0) > FORMAT_VERSION:
            raise JournalVersionError(
                f"{path} was written by a newer voicejournal. Update voicejournal to open this journal; "
                "nothing was changed."
            )
        kdf = dict(raw["kdf"])
        salt = base64.b64decode(kdf.pop("salt"), validate=True)
        if kdf.get("name") != "scrypt" or raw.get("cipher") != "AES-256-GCM":
            raise JournalVersionError(
                f"{path} names a key setup this voicejournal does not know. Update voicejournal to open "
                "this journal; nothing was changed."
            )
        key_file = KeyFile(
            salt=salt,
            wrapped_key=base64.b64decode(raw["wrapped_key"], validate=True),
            state=raw.get("state", ENCRYPTED),
            kdf=kdf,
            keyring=bool(raw.get("keyring", False)),
            created=raw.get("created", ""),
            mac=base64.b64decode(raw["mac"], validate=True) if "mac" in raw else None,
            previous_key=(
                base64.b64decode(raw["previous_wrapped_key"], validate=True)
                if "previous_wrapped_key" in raw
                else None
            ),
        )
        if key_file.state not in (ENCRYPTING, ENCRYPTED, DECRYPTING, ROTATING):
            raise ValueError(key_file.state)
        _check_kdf(path, kdf)
    except (JournalVersionError, JournalCorruptError):
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise JournalCorruptError(
            f"The encryption settings {path} are damaged, so the journal cannot be opened. They hold no "
            "secret; restore the file from a backup of this folder. Nothing was changed."
        ) from None
    _KEYFILE_CACHE[str(path)] = (stamp, key_file)
    return key_file


def _check_kdf(path: Path, kdf: dict) -> None:
    """Refuse KDF settings outside what voicejournal ever writes: they are read before anything can check
    them, and a huge N would take all the memory (or hours) before the passphrase is even tried."""
    n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
    sane = (
        all(type(v) is int for v in (n, r, p))
        and KDF_MIN_N <= n <= KDF_MAX_N
        and n & (n - 1) == 0
        and 1 <= r <= 32
        and 1 <= p <= 16
        and 128 * n * r <= KDF_MAX_MEMORY
    )
    if not sane:
        raise JournalCorruptError(
            f"The encryption settings {path} ask for an unusual key setup (scrypt n={n}, r={r}, p={p}), so the "
            "journal was not opened. They hold no secret; restore the file from a backup of this folder. "
            "Nothing was changed."
        )


def save_key_file(home: Path, key_file: KeyFile, data_key: bytes | None = None) -> None:
    """Write encryption.json, authenticated with the data key (without it, in the older unauthenticated form,
    which the first write with the key upgrades)."""
    from voicejournal.store.fs import atomic_write_bytes

    key_file.mac = key_file.expected_mac(data_key) if data_key is not None else None
    atomic_write_bytes(key_file_path(home), key_file.to_json(), keep_backup=False)


def check_key_file(home: Path, key_file: KeyFile, data_key: bytes) -> None:
    """Refuse encryption settings changed by someone without the key (a state or KDF setting edited by hand)."""
    import hmac

    if key_file.mac is not None and not hmac.compare_digest(key_file.mac, key_file.expected_mac(data_key)):
        raise JournalCorruptError(
            f"The encryption settings {key_file_path(home)} were changed outside voicejournal, so the journal "
            "was not opened. Restore that file from a backup of this folder; nothing was changed."
        )


DECRYPTING_HOMES: set[str] = set()  # homes this process is decrypting (`vault.decrypt_home`)


@contextlib.contextmanager
def writing_plaintext(home: Path):
    """Within this block (and only here: `decrypt`), writes into `home` are plain."""
    DECRYPTING_HOMES.add(os.path.abspath(home))
    try:
        yield
    finally:
        DECRYPTING_HOMES.discard(os.path.abspath(home))


def writes_encrypted(home: Path) -> bool:
    """Whether files written now into this journal must be encrypted: whenever it has encryption settings,
    except inside `decrypt` (whatever state encryption.json claims)."""
    return load_key_file(home) is not None and os.path.abspath(home) not in DECRYPTING_HOMES


def _normalize(passphrase: str) -> bytes:
    # The same passphrase typed on two systems may arrive in different Unicode forms.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_key(passphrase: str, salt: bytes, kdf: dict) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=KEY_SIZE, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])).derive(
        _normalize(passphrase)
    )


def _wrap(kek: bytes, data_key: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_SIZE)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, _WRAP_AAD)


def unwrap(kek: bytes, wrapped: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_SIZE], wrapped[NONCE_SIZE:], _WRAP_AAD)
    except (InvalidTag, ValueError):
        return None


def new_key_file(
    passphrase: str,
    state: str = ENCRYPTING,
    kdf_n: int = SCRYPT_N,
    previous: bytes | None = None,
    keyring: bool = False,
    created: str = "",
) -> tuple[KeyFile, bytes]:
    """A fresh random data key wrapped by `passphrase`: (the key file, the data key). With `previous` (a key
    rotation), the old data key is wrapped alongside until every file is re-sealed."""
    check_new_passphrase(passphrase)
    data_key = os.urandom(KEY_SIZE)
    salt = os.urandom(16)
    kdf = {"name": "scrypt", "n": max(kdf_n, KDF_MIN_N), "r": SCRYPT_R, "p": SCRYPT_P}
    kek = derive_key(passphrase, salt, kdf)
    key_file = KeyFile(
        salt=salt,
        wrapped_key=_wrap(kek, data_key),
        state=state,
        kdf=kdf,
        keyring=keyring,
        created=created or clock.now().isoformat(timespec="seconds"),
        previous_key=_wrap(kek, previous) if previous is not None else None,
    )
    return key_file, data_key


def rewrap(key_file: KeyFile, data_key: bytes, new_passphrase: str) -> KeyFile:
    """The same data key wrapped by a new passphrase, with a new salt."""
    check_new_passphrase(new_passphrase)
    salt = os.urandom(16)
    kdf = {"name": "scrypt", "n": max(int(key_file.kdf["n"]), SCRYPT_N), "r": SCRYPT_R, "p": SCRYPT_P}
    return KeyFile(
        salt=salt,
        wrapped_key=_wrap(derive_key(new_passphrase, salt, kdf), data_key),
        state=key_file.state,
        kdf=kdf,
        keyring=key_file.keyring,
        created=key_file.created,
    )


MIN_PASSPHRASE = 8


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UsageError(
            f"The passphrase is too short: use at least {MIN_PASSPHRASE} characters (a few words you will "
            "remember is best)."
        )


def weak_passphrase(passphrase: str) -> bool:
    """Short, or made of very few different characters ("aaaaaaaa", "12121212"): guessed early by any cracker."""
    return len(passphrase) < 12 or len(set(passphrase.lower())) < 6
