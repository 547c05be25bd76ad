"""Encryption at rest, opt-in: the key, the file format, and where the passphrase comes from.

How it fits together:

- A random 256-bit *data key* encrypts every file of the journal with AES-256-GCM, one random 96-bit
  nonce per file. The data key is stored in ``<home>/encryption.json`` wrapped (AES-256-GCM again) by a
  key derived from the passphrase with scrypt (N=2^17, r=8, p=1, a random 16-byte salt). Changing the
  passphrase re-wraps the data key; no file is re-encrypted (``passwd --rotate-key`` makes a new data key and
  re-seals every file, see vault.py). A wrong passphrase fails the wrapped key's authentication tag, which
  is how it is told apart from a right one (no other verifier is stored).
- ``encryption.json`` holds nothing secret: the KDF parameters (bounded when read), the salt, the wrapped
  key, the state (``encrypting``/``decrypting``/``rotating`` while such a run is unfinished, ``encrypted``),
  whether the person keeps the passphrase in the system keyring, and an HMAC of all that under the data key,
  checked whenever the key is used. The state never decides that a write is plain: only `decrypt` writes
  plaintext (``writing_plaintext``). A file from before the HMAC is upgraded on its first write.
- An encrypted file is ``HEADER | counter | nonce | ciphertext+tag`` (format 1, still read, had no counter).
  The header starts with ``\\x89VJE`` (no JSON, FLAC or other audio file starts like that, so every read can
  tell an encrypted file from a plain one, which keeps a half-encrypted journal readable; once the journal
  is fully encrypted a plain file is refused). The header, the counter and the file's place in the journal
  (its path relative to the home, without ``.bak``) are the associated data: swapping two encrypted files is
  detected, and the counter lets seals.py refuse an older copy put back in place.
- The passphrase comes from the caller (the CLI asks on a terminal before it opens the journal), then
  ``VOICEJOURNAL_PASSPHRASE`` (scripts, like restic and borg), then the system keyring if the person opted
  in, else a clear error: nothing here ever prompts, so no prompt can wait while the lock is held. The
  unwrapped data key is cached in this process only; nothing derived from it is ever written.
- Recordings stream into an append-only file of length-prefixed records, each sealed on its own
  (``EncryptedStreamWriter``), so a kill loses at most the block not yet flushed.

Nothing here imports `cryptography` at module level: an unencrypted journal never pays for it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from voicejournal import clock
from voicejournal.errors import JournalCorruptError, JournalVersionError, PassphraseError, UsageError

KEY_FILE = "encryption.json"
PASSPHRASE_ENV = "VOICEJOURNAL_PASSPHRASE"
NEW_PASSPHRASE_ENV = "VOICEJOURNAL_NEW_PASSPHRASE"
KEYRING_SERVICE = "voicejournal"
MIN_PASSPHRASE = 8

MAGIC = b"\x89VJE"
# 2: sealed files carry a save counter (see seals.py) and encryption.json is authenticated. Files of format 1
# (no counter) are still read; every write makes format 2.
FORMAT_VERSION = 2
FILE_HEADER = MAGIC + bytes([FORMAT_VERSION]) + b"F"
FILE_HEADER_V1 = MAGIC + bytes([1]) + b"F"
STREAM_HEADER = MAGIC + bytes([1]) + b"S"
COUNTER_SIZE = 8
NONCE_SIZE = 12
TAG_SIZE = 16
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

_KEYS: dict[tuple[str, str], bytes] = {}  # (home, wrapped key) -> data key, this process only
# wrapped key -> the data key it replaces (while the key is rotated), this process only
_PREVIOUS: dict[str, bytes] = {}


def is_encrypted_blob(data: bytes) -> bool:
    """Whether these bytes are one of our encrypted files (or streams)."""
    return data[:4] == MAGIC


# --- the key file ------------------------------------------------------------------------------


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
        rotating = {"previous_wrapped_key": _b64(self.previous_key)} if self.previous_key else {}
        return rotating | {
            "format": FORMAT_VERSION,
            "cipher": "AES-256-GCM",
            "kdf": {**self.kdf, "salt": _b64(self.salt)},
            "wrapped_key": _b64(self.wrapped_key),
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
            fields["mac"] = _b64(self.mac)
        return orjson.dumps(fields, option=orjson.OPT_INDENT_2)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


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
    from voicejournal.store.storage import atomic_write_bytes

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


_DECRYPTING: set[str] = set()  # homes this process is decrypting (`vault.decrypt_home`)


@contextlib.contextmanager
def writing_plaintext(home: Path):
    """Within this block (and only here: `decrypt`), writes into `home` are plain."""
    _DECRYPTING.add(os.path.abspath(home))
    try:
        yield
    finally:
        _DECRYPTING.discard(os.path.abspath(home))


def writes_encrypted(home: Path) -> bool:
    """Whether files written now into this journal must be encrypted: whenever it has encryption settings,
    except inside `decrypt` (whatever state encryption.json claims)."""
    return load_key_file(home) is not None and os.path.abspath(home) not in _DECRYPTING


# --- keys --------------------------------------------------------------------------------------


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


def _unwrap(kek: bytes, wrapped: bytes) -> bytes | None:
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
    data_key = secrets.token_bytes(KEY_SIZE)
    salt = secrets.token_bytes(16)
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
    salt = secrets.token_bytes(16)
    kdf = {"name": "scrypt", "n": max(int(key_file.kdf["n"]), SCRYPT_N), "r": SCRYPT_R, "p": SCRYPT_P}
    return KeyFile(
        salt=salt,
        wrapped_key=_wrap(derive_key(new_passphrase, salt, kdf), data_key),
        state=key_file.state,
        kdf=kdf,
        keyring=key_file.keyring,
        created=key_file.created,
    )


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UsageError(
            f"The passphrase is too short: use at least {MIN_PASSPHRASE} characters (a few words you will "
            "remember is best)."
        )


def weak_passphrase(passphrase: str) -> bool:
    """Short, or made of very few different characters ("aaaaaaaa", "12121212"): guessed early by any cracker."""
    return len(passphrase) < 12 or len(set(passphrase.lower())) < 6


def try_passphrase(key_file: KeyFile, passphrase: str) -> bytes | None:
    """The data key if `passphrase` opens this key file, else None (while the key is being rotated, the old
    one is kept in this process too, to open files not yet re-sealed)."""
    kek = derive_key(passphrase, key_file.salt, key_file.kdf)
    data_key = _unwrap(kek, key_file.wrapped_key)
    if data_key is not None and key_file.previous_key:
        previous = _unwrap(kek, key_file.previous_key)
        if previous is not None:
            _PREVIOUS[_b64(key_file.wrapped_key)] = previous
    return data_key


def previous_key(home: Path) -> bytes | None:
    """While the journal's key is being rotated: the old data key (after `unlock`), else None."""
    key_file = load_key_file(home)
    if key_file is None or key_file.state != ROTATING:
        return None
    return _PREVIOUS.get(_b64(key_file.wrapped_key))


def open_sealed_file(home: Path, blob: bytes, role: bytes) -> bytes | None:
    """A sealed file of this journal opened with its key (or, mid-rotation, the old one); None if neither."""
    plain = open_sealed(unlock(home), blob, role)
    old = previous_key(home) if plain is None else None
    return open_sealed(old, blob, role) if old is not None else plain


def remember_key(home: Path, key_file: KeyFile, data_key: bytes, previous: bytes | None = None) -> None:
    """Keep the data key (and, mid-rotation, the one it replaces) for this process."""
    _KEYS[(os.path.abspath(home), _b64(key_file.wrapped_key))] = data_key
    if previous is not None:
        _PREVIOUS[_b64(key_file.wrapped_key)] = previous


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
    cache_key = (os.path.abspath(home), _b64(key_file.wrapped_key))
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


# --- whole files -------------------------------------------------------------------------------


def role_of(home: Path, path: Path) -> bytes:
    """A file's place in the journal, bound to its ciphertext: 'entries/2026-11.json' (also for its .bak)."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(home)).as_posix()
    except ValueError:
        rel = Path(path).name
    if rel.endswith(".bak"):
        rel = rel[:-4]
    return rel.encode("utf-8")


def seal(data_key: bytes, data: bytes, role: bytes, counter: int = 0) -> bytes:
    """`data` sealed for its place `role`; `counter` counts the saves of that file (0: not counted)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_SIZE)
    count = struct.pack(">Q", counter)
    return FILE_HEADER + count + nonce + AESGCM(data_key).encrypt(nonce, data, FILE_HEADER + count + role)


def sealed_counter(blob: bytes) -> int | None:
    """The save counter written into a sealed file (None for a format-1 file, which has none)."""
    if blob[: len(FILE_HEADER)] != FILE_HEADER or len(blob) < len(FILE_HEADER) + COUNTER_SIZE:
        return None
    return struct.unpack(">Q", blob[len(FILE_HEADER) : len(FILE_HEADER) + COUNTER_SIZE])[0]


def open_sealed(data_key: bytes, blob: bytes, role: bytes) -> bytes | None:
    """The plaintext, or None if the blob is damaged, was moved, or belongs to another key."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = blob[: len(FILE_HEADER)]
    if header == FILE_HEADER:
        header = blob[: len(FILE_HEADER) + COUNTER_SIZE]  # the counter is authenticated with the header
    elif header != FILE_HEADER_V1:
        return None
    body = blob[len(header) :]
    if len(body) < NONCE_SIZE + TAG_SIZE:
        return None
    try:
        return AESGCM(data_key).decrypt(body[:NONCE_SIZE], body[NONCE_SIZE:], header + role)
    except InvalidTag:
        return None


class NoPassphraseError(PassphraseError):
    """No passphrase source had one (the CLI may then ask on a terminal)."""


class DamagedFileError(JournalCorruptError):
    """An encrypted file whose authentication failed."""


def _check_version(path: Path, blob: bytes) -> None:
    if len(blob) > 4 and blob[4] > FORMAT_VERSION:
        raise JournalVersionError(
            f"{path} was encrypted by a newer voicejournal. Update voicejournal to open it; nothing was changed."
        )


def encrypt_for(home: Path, path: Path, data: bytes) -> bytes:
    """`data` as it must be written to `path`: sealed when the journal is encrypted, else unchanged."""
    if not writes_encrypted(home):
        return data
    data_key = unlock(home)
    key_file = load_key_file(home)
    if key_file.mac is None:  # a journal from before authenticated settings: upgraded on its first write
        save_key_file(home, key_file, data_key)
    from voicejournal.store import seals

    role = role_of(home, path)
    return seal(data_key, data, role, seals.next_counter(home, role))


class UnsealedFileError(JournalCorruptError):
    """A plain file inside an encrypted journal: voicejournal did not write it."""


def decrypt_from(home: Path, path: Path, blob: bytes) -> bytes:
    """The plaintext of bytes read from `path`.

    Plain bytes are returned as they are in a plain journal, or while `encrypt`/`decrypt` is converting one;
    in an encrypted journal they are refused (UnsealedFileError), as is an older copy of a file (seals.py).
    """
    if not is_encrypted_blob(blob):
        key_file = load_key_file(home)
        if (
            key_file is not None
            and key_file.state in (ENCRYPTED, ROTATING)
            and os.path.abspath(home) not in _DECRYPTING
        ):
            raise UnsealedFileError(
                f"{path} is not encrypted, but this journal is, so voicejournal did not write it and did not "
                "open it. Move it out of the journal folder (or put back the file it replaced); "
                "`voicejournal check` lists such files."
            )
        return blob
    _check_version(path, blob)
    if blob[: len(STREAM_HEADER)] == STREAM_HEADER:
        stream = read_stream(home, path, blob)
        if not stream.complete or stream.dropped_bytes:
            # A reader that wants what a crash left of a stream asks for it (`read_stream`); an ordinary
            # read must not take a cut-short or extended stream for the whole.
            raise DamagedFileError(
                f"{path} was cut short while it was being written, so it was not opened. "
                "`voicejournal check` shows what can be recovered."
            )
        return stream.data
    if load_key_file(home) is None:
        raise DamagedFileError(
            f"{path} is encrypted, but the journal's encryption settings ({KEY_FILE}) are missing, so it "
            "cannot be opened. Restore that file from a backup of this folder; nothing was changed."
        )
    role = role_of(home, path)
    plain = open_sealed_file(home, blob, role)
    if plain is None:
        raise DamagedFileError(
            f"{path} is damaged: its encryption check failed, so it was left untouched. "
            "`voicejournal check` shows what can be restored."
        )
    from voicejournal.store import seals

    seals.check(home, path, role, blob)
    return plain


def read_bytes(home: Path, path: Path) -> bytes:
    """Read a journal file, decrypting it in memory if it is encrypted."""
    path = Path(path)
    return decrypt_from(home, path, path.read_bytes())


def write_bytes(home: Path, path: Path, data: bytes, keep_backup: bool = False) -> None:
    """Atomically write a journal file, encrypted if the journal is (plaintext never touches the disk)."""
    from voicejournal.store.storage import atomic_write_bytes

    atomic_write_bytes(Path(path), encrypt_for(home, Path(path), data), keep_backup=keep_backup)


def find_home(path: Path, levels: int = 6) -> Path | None:
    """The encrypted journal home holding `path`, found by its encryption.json (None if there is none)."""
    folder = Path(os.path.abspath(path)).parent
    for _ in range(levels):
        if (folder / KEY_FILE).exists():
            return folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


# --- streams: append-only, each flushed block its own sealed record -----------------------------
#
# File: STREAM_HEADER (6 bytes) | stream id (16 random bytes) | records…
# Record: prefix (4 bytes, big-endian: bit 31 = last record, bits 0-30 = length of what follows)
#         | nonce (12) | ciphertext+tag. Associated data: header | stream id | role | record number | prefix,
# so records cannot be reordered, dropped from the middle, or moved to another stream unnoticed.

_LAST = 0x8000_0000
_STREAM_ID = 16
_MAX_RECORD = 0x7FFF_FFFF


def _record_aad(head: bytes, role: bytes, index: int, prefix: bytes) -> bytes:
    return head + role + struct.pack(">Q", index) + prefix


class EncryptedStreamWriter:
    """Append-only encrypted file for data arriving over time (a recording).

    `write()` buffers; `flush()` seals what is buffered as one record, appends it and fsyncs, so a kill
    loses at most what was written since the last flush. `close()` flushes and marks the end, which lets a
    reader tell a finished stream from one cut short. Use as a context manager.
    """

    def __init__(self, home: Path, path: Path, fsync: bool = True):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.path = Path(path)
        self._aead = AESGCM(unlock(home))
        self._role = role_of(home, self.path)
        self._head = STREAM_HEADER + secrets.token_bytes(_STREAM_ID)
        self._index = 0
        self._buffer = bytearray()
        self._fsync = fsync
        self._closed = False
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._write_all(self._head)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        if self._fsync:
            os.fsync(self._fd)

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("write to a closed EncryptedStreamWriter")
        self._buffer += data

    def _seal_record(self, data: bytes, last: bool) -> None:
        size = NONCE_SIZE + len(data) + TAG_SIZE
        if size > _MAX_RECORD:
            raise ValueError("record too large; flush more often")
        prefix = struct.pack(">I", size | (_LAST if last else 0))
        nonce = os.urandom(NONCE_SIZE)
        sealed = self._aead.encrypt(nonce, data, _record_aad(self._head, self._role, self._index, prefix))
        self._write_all(prefix + nonce + sealed)
        self._index += 1

    def flush(self) -> None:
        """Seal and append what was written since the last flush (nothing happens if that is nothing)."""
        if self._buffer:
            data, self._buffer = bytes(self._buffer), bytearray()
            self._seal_record(data, last=False)

    def close(self) -> None:
        if self._closed:
            return
        try:
            data, self._buffer = bytes(self._buffer), bytearray()
            self._seal_record(data, last=True)
        finally:
            self._closed = True
            os.close(self._fd)

    def __enter__(self) -> EncryptedStreamWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class StreamContents:
    """What could be read back from an encrypted stream."""

    data: bytes
    records: int
    complete: bool  # the writer closed it (False after a crash: the data is every record flushed before)
    dropped_bytes: int  # bytes after the last good record: a torn or damaged tail


def iter_stream(home: Path, path: Path, blob: bytes | None = None):
    """Yield the plaintext of each complete record in order; returns a StreamContents-like summary."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path = Path(path)
    if blob is None:
        blob = path.read_bytes()
    head_size = len(STREAM_HEADER) + _STREAM_ID
    if blob[: len(STREAM_HEADER)] != STREAM_HEADER:
        raise DamagedFileError(f"{path} is not a voicejournal encrypted stream.")
    head = blob[:head_size]
    if len(head) < head_size:
        return StreamContents(b"", 0, False, len(blob))
    aead = AESGCM(unlock(home))
    role = role_of(home, path)
    pos, index, complete = head_size, 0, False
    while pos + 4 <= len(blob):
        prefix = blob[pos : pos + 4]
        (word,) = struct.unpack(">I", prefix)
        size = word & _MAX_RECORD
        body = blob[pos + 4 : pos + 4 + size]
        if size < NONCE_SIZE + TAG_SIZE or len(body) < size:
            break
        try:
            plain = aead.decrypt(body[:NONCE_SIZE], body[NONCE_SIZE:], _record_aad(head, role, index, prefix))
        except InvalidTag:
            break
        yield plain
        pos += 4 + size
        index += 1
        if word & _LAST:
            complete = True
            break
    return StreamContents(b"", index, complete, len(blob) - pos)


def read_stream(home: Path, path: Path, blob: bytes | None = None) -> StreamContents:
    """Every complete record of an encrypted stream, joined; recovers all that was flushed before a crash."""
    chunks: list[bytes] = []
    gen = iter_stream(home, path, blob)
    while True:
        try:
            chunks.append(next(gen))
        except StopIteration as stop:
            summary: StreamContents = stop.value
            break
    summary.data = b"".join(chunks)
    return summary


# --- shredding: overwrite, then unlink ----------------------------------------------------------


def shred(path: Path) -> None:
    """Overwrite a file with zeros, fsync, then unlink it (unless another name still links its data).

    On SSDs and copy-on-write file systems the old blocks may survive elsewhere; full-disk encryption is the
    complete answer there, and the README says so.
    """
    path = Path(path)
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if st.st_nlink == 1 and path.is_file():
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_WRONLY)
            try:
                remaining = st.st_size
                zeros = bytes(1 << 20)
                while remaining > 0:
                    remaining -= os.write(fd, zeros[: min(remaining, len(zeros))])
                os.fsync(fd)
            finally:
                os.close(fd)
    path.unlink(missing_ok=True)


# --- SQLite databases kept encrypted (the search index) -----------------------------------------


def load_sqlite(home: Path, path: Path):
    """An in-memory SQLite connection holding the database stored (encrypted) at `path`, or None if absent.

    For a derived database (the search index) in an encrypted journal: it is decrypted into memory and
    never written to disk in plain form. Raises DamagedFileError if it cannot be opened (then rebuild it).
    """
    import sqlite3

    try:
        data = read_bytes(home, path)
    except FileNotFoundError:
        return None
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA temp_store = MEMORY")
    try:
        conn.deserialize(data)
    except sqlite3.DatabaseError:
        conn.close()
        raise DamagedFileError(f"{path} is damaged.") from None
    return conn


def save_sqlite(home: Path, path: Path, conn) -> None:
    """Write an in-memory SQLite database to `path` atomically, encrypted if the journal is."""
    write_bytes(home, path, conn.serialize())
