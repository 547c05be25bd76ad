"""The sealed list of an encrypted journal's files: which ones exist and how often each was saved.

Encryption alone proves a file was written with the journal's key, not that it is the *latest* version: a
`.bak` or an old backup's copy put back in place would open fine, and a deleted month would go unnoticed.
So in an encrypted journal every save of `journal.json` and `entries/*.json` writes a counter into the
sealed file (authenticated with it, see `sealing.seal`), and `sealed.json` (itself sealed) holds the last
counter of each. A file older than its listed counter is refused; a listed file that is gone is reported by
`voicejournal check`.

What this cannot notice: the whole journal, list included, put back to an older state together (that is
what restoring a backup is). The file is saved after the file it counts, so a kill in between leaves a file one save ahead of the list,
which is accepted. Only files written under the journal's lock are counted (the search index, saved from
the read path, is derived and simply rebuilt when it does not open).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from voicejournal.errors import JournalCorruptError
from voicejournal.store.home import ENTRY_FILE_PATTERN

SEALS_FILE = "sealed.json"
_COUNTED = re.compile(rf"^(journal\.json|entries/{ENTRY_FILE_PATTERN})$")

_CACHE: dict[str, tuple[tuple[int, int, int], dict[str, int]]] = {}


class RolledBackError(JournalCorruptError):
    """A sealed file older than the last version voicejournal saved."""


def counted(role: bytes) -> bool:
    """Whether saves of the file at this place are counted."""
    return bool(_COUNTED.match(role.decode("utf-8", "replace")))


def load(home: Path) -> dict[str, int]:
    """{relative path: last counter} of this encrypted journal ({} before its first counted save)."""
    import orjson

    from voicejournal.store import keys, sealing

    path = Path(home) / SEALS_FILE
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (st.st_mtime_ns, st.st_ino, st.st_size)
    cached = _CACHE.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    blob = path.read_bytes()
    plain = (
        keys.open_sealed_file(home, blob, SEALS_FILE.encode()) if sealing.is_encrypted_blob(blob) else None
    )
    try:
        seals = orjson.loads(plain) if plain is not None else None
        if not isinstance(seals, dict) or not all(isinstance(v, int) for v in seals.values()):
            raise ValueError
    except (orjson.JSONDecodeError, ValueError):
        raise JournalCorruptError(
            f"The list of this journal's sealed files ({path}) is damaged, so the journal was not opened. "
            "Restore that file from a backup of this folder; nothing was changed."
        ) from None
    _CACHE[str(path)] = (stamp, seals)
    return seals


def next_counter(home: Path, role: bytes) -> int:
    """The counter the next save of this file carries (0 for files whose saves are not counted)."""
    if not counted(role):
        return 0
    return load(home).get(role.decode(), 0) + 1


def check(home: Path, path: Path, role: bytes, blob: bytes) -> None:
    """Refuse a counted file older than the one voicejournal last saved there (its .bak is older by design)."""
    from voicejournal.store import sealing

    if not counted(role) or str(path).endswith(".bak"):
        return
    listed = load(home).get(role.decode())
    counter = sealing.sealed_counter(blob)
    if listed is None:
        if counter is not None and counter > 1:  # saved before, so listed before: the list lost it
            raise RolledBackError(
                f"{path} was saved by voicejournal before, but the list of this journal's sealed files "
                f"({Path(home) / SEALS_FILE}) does not name it (removed, or put back from an older copy?), so "
                "it was not opened. Put that list back from a backup of this folder."
            )
        return  # not saved since the list began (a journal from before it), or its first save was cut short
    if counter is None or counter < listed:
        raise RolledBackError(
            f"{path} is an older copy than the one voicejournal last saved (put back from a .bak or a "
            "backup?), so it was not opened. Put the newer file back, or bring old entries back with "
            "`voicejournal import BACKUP.zip`."
        )


def note_saved(home: Path, role: bytes, blob: bytes) -> None:
    """Record the counter of a file just saved (call after it replaced the old one, holding the lock)."""
    import orjson

    from voicejournal.store import keys, sealing
    from voicejournal.store.fs import atomic_write_bytes

    counter = sealing.sealed_counter(blob)
    if not counted(role) or not counter:
        return
    seals = dict(load(home))
    if seals.get(role.decode(), 0) >= counter:
        return
    seals[role.decode()] = counter
    sealed = sealing.seal(
        keys.unlock(home), orjson.dumps(seals, option=orjson.OPT_SORT_KEYS), SEALS_FILE.encode()
    )
    atomic_write_bytes(Path(home) / SEALS_FILE, sealed, keep_backup=False)


def missing(home: Path) -> list[str]:
    """Listed files that are gone (a deleted month)."""
    return sorted(rel for rel in load(home) if not os.path.exists(Path(home) / rel))
