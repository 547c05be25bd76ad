"""A TinyDB file of the journal: read and written as TinyDB would, through store/files (sealed when the journal
is encrypted), atomically, never overwriting a file it could not read.

`JSONFileStorage` is handed to TinyDB for writes; reads parse the file directly, so a command that only
reads never imports TinyDB. orjson (4 ms to import with the json and dataclasses modules it loads) is
imported by the first read or write: `search` uses neither.
"""

from __future__ import annotations

from pathlib import Path

from voicejournal.errors import JournalCorruptError
from voicejournal.store import files, fs, sealing


class JSONFileStorage:
    """TinyDB storage (its duck type: read, write, close): orjson, compact, atomic replace, never
    overwrites a file it could not read."""

    def __init__(self, path: Path, home: Path | None = None):
        self.path = path
        self.home = home

    def read(self) -> dict | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not data.strip():
            # An empty file is what an interrupted first write of some other tool leaves; ours never do.
            raise corrupt_error(self.path)
        data = _decrypt(self.home, self.path, data)  # also refuses a plain file in an encrypted journal
        import orjson

        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise corrupt_error(self.path) from None
        if not isinstance(parsed, dict) or not all(_is_table(t) for t in parsed.values()):
            raise corrupt_error(self.path)
        return parsed

    def write(self, data: dict) -> None:
        import orjson

        if self.home is None:
            fs.atomic_write_bytes(self.path, orjson.dumps(data), keep_backup=True)
        else:
            files.write_bytes(self.home, self.path, orjson.dumps(data), keep_backup=True)

    def close(self) -> None:
        pass


def _is_table(table) -> bool:
    """TinyDB's shape: {doc_id: {…}, …}; anything else would break far from here."""
    return isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())


def _decrypt(home: Path | None, path: Path, data: bytes) -> bytes:
    """Plaintext of an encrypted journal file, in memory only; damage is reported like any other."""
    try:
        return files.decrypt_from(home if home is not None else path.parent, path, data)
    except sealing.DamagedFileError:
        raise corrupt_error(path) from None


def read_plain(path: Path, home: Path) -> bytes:
    """The bytes of a journal file, decrypted if it is encrypted."""
    return _decrypt(home, path, path.read_bytes())


def corrupt_error(path: Path) -> JournalCorruptError:
    backup = path.with_name(path.name + ".bak")
    hint = (
        f"The last good copy is {backup}; `voicejournal check --repair` puts it back."
        if backup.exists()
        else "No earlier copy of it exists."
    )
    return JournalCorruptError(f"The journal file {path} is damaged and was left untouched. {hint}")


def replacer(doc: dict):
    """A TinyDB update function that makes the stored document exactly `doc`."""

    def replace(stored: dict) -> None:
        stored.clear()
        stored.update(doc)

    return replace


def where_id():
    """TinyDB's `Query().id`, imported with TinyDB only when a write needs it."""
    from tinydb import Query

    return Query().id
