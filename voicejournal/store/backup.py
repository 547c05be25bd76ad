"""Backups: the whole journal (its files and audio) in one zip, checked before and after.

A backup holds the journal's own files byte for byte plus `manifest.json` with the sha256 and size of
each. Writing goes to a temporary file that is read back and checked against the manifest before it
takes the final name. Importing checks every file first; a damaged or foreign zip changes nothing.

Into an empty home the files are copied as they are. Into a journal that already has entries the records
are merged: anything already there (same id and content, or the same recording) is skipped, an id that
clashes with a different record gets a new id, and audio files are copied only when missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from voicejournal.errors import PassphraseError, VoiceJournalError
from voicejournal.store import backup_guard as guard
from voicejournal.store import backup_merge, fs
from voicejournal.store.backup_merge import ImportReport, copy_atomic, copy_into
from voicejournal.store.leftovers import SCRATCH_PREFIX
from voicejournal.store.storage import JOURNAL_FILE

FORMAT = "voicejournal-backup"
VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 1 << 20
# Files never backed up: the lock, temp files of a write in progress, and derived indexes (rebuilt).
# (.bak files are the previous version of each journal file, kept by every write; not needed.)
_SKIP_SUFFIXES = (
    ".lock",
    ".bak",
    ".db",
    ".sqlite",
    ".sqlite3",
    "-wal",
    "-shm",
    "-journal",
    "-ids",
    "-vectors",
    "-pending",
)


class BackupError(VoiceJournalError):
    """A backup that cannot be written or read."""


@dataclass
class BackupReport:
    path: Path
    files: int
    audio_files: int
    entries: int
    size: int


def _sha256_stream(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def journal_files(home: Path) -> list[str]:
    """The files that make up a journal, relative to its home, in a stable order."""
    found = []
    for root, dirs, files in os.walk(home):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.endswith(_SKIP_SUFFIXES) or ".tmp-" in name:
                continue
            if os.path.islink(os.path.join(root, name)):  # not the journal's own file (import refuses links)
                continue
            rel = (Path(root) / name).relative_to(home).as_posix()
            if guard.LAYOUT.match(
                rel
            ):  # anything else in the home is not the journal's (and import refuses it)
                found.append(rel)
    return found


def write_backup(storage, destination: Path, now: datetime) -> BackupReport:
    """Write every journal file and recording to `destination` (a new zip) and verify it."""
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose another name or move it away first.")
    home = storage.home
    folder = destination.parent if str(destination.parent) else Path(".")
    if not folder.is_dir():
        raise BackupError(f"The folder {folder} does not exist.")
    # mkstemp opens with O_EXCL|O_NOFOLLOW: a new file, never one a link left there points at; the zip is
    # written through that descriptor, not by reopening the name.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, storage.transaction():  # a consistent snapshot: no save meanwhile
            storage.all_entries()  # creates the home on first use
            names = journal_files(home)
            manifest = {"format": FORMAT, "version": VERSION, "created": now.isoformat(timespec="seconds"),
                        "files": {}}  # fmt: skip
            with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
                for name in names:
                    source = home / name
                    with source.open("rb") as f:
                        digest, size = _sha256_stream(f)
                    manifest["files"][name] = {"sha256": digest, "size": size}
                    # Audio is compressed already; JSON shrinks a lot.
                    method = zipfile.ZIP_STORED if name.endswith(".flac") else zipfile.ZIP_DEFLATED
                    zf.write(source, name, compress_type=method)
                zf.writestr(MANIFEST, json.dumps(manifest, indent=1), compress_type=zipfile.ZIP_DEFLATED)
        _verify(tmp, destination.name)
        os.chmod(tmp, 0o600)
        fs.replace_synced(tmp, destination)
    except OSError as exc:
        raise BackupError(f"Could not write the backup {destination}: {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    files = manifest["files"]
    return BackupReport(
        path=destination,
        files=len(files),
        audio_files=sum(1 for n in files if n.startswith("audio/")),
        entries=len(storage.all_entries()),
        size=destination.stat().st_size,
    )


def _damaged(name: str, why: str) -> BackupError:
    return BackupError(f"{name} is not a usable voicejournal backup ({why}); nothing was changed.")


def _verify(path: Path, shown_name: str) -> dict:
    """Open a backup and check every file against its manifest; return the manifest."""
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                zf.getinfo(MANIFEST)
                if problem := guard.member_problem(zf.infolist(), MANIFEST):  # before reading a byte
                    raise _damaged(shown_name, problem)
                manifest = json.loads(zf.read(MANIFEST))
            except KeyError:
                raise _damaged(shown_name, "it has no manifest") from None
            except ValueError:
                raise _damaged(shown_name, "its manifest cannot be read") from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _damaged(shown_name, "it was not made by voicejournal export")
            if manifest.get("version", 0) > VERSION:
                raise BackupError(
                    f"{shown_name} was made by a newer voicejournal; update voicejournal to import it. "
                    "Nothing was changed."
                )
            files = manifest.get("files", {})
            members = set(zf.namelist()) - {MANIFEST}
            if members != set(files):
                raise _damaged(shown_name, "files are missing or extra")
            for name, facts in files.items():
                if zf.getinfo(name).file_size != facts.get("size"):  # before unpacking a byte of it
                    raise _damaged(shown_name, f"{name} does not match its checksum")
                with zf.open(name) as f:
                    digest, size = _sha256_stream(f)
                if digest != facts.get("sha256") or size != facts.get("size"):
                    raise _damaged(shown_name, f"{name} does not match its checksum")
            return manifest
    except zipfile.BadZipFile:
        raise _damaged(shown_name, "the zip file is damaged or cut short") from None
    except (zipfile.LargeZipFile, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise BackupError(f"{shown_name} does not exist.") from None
        raise _damaged(shown_name, "it cannot be read") from None
    except Exception as exc:  # zlib errors and other decoding failures of a corrupt member
        if isinstance(exc, VoiceJournalError):
            raise
        raise _damaged(shown_name, "a file inside it is damaged") from None


def _check_contents(incoming, unpacked: Path, home: Path, manifest: dict, shown_name: str, restore: bool):
    """Every field of the backup that becomes a file name, checked before the home changes at all."""
    from voicejournal.errors import JournalCorruptError
    from voicejournal.store import keyfile

    problem = guard.target_problem(home, manifest["files"])
    if problem is None and not (restore and keyfile.load_key_file(unpacked) is not None):
        # (An encrypted backup restored whole is copied sealed; each entry is checked whenever it is read.)
        try:
            docs = incoming.all_entries()
            tables = {t: incoming.all(t) for t in _table_names(unpacked / JOURNAL_FILE)}
        except JournalCorruptError:
            raise _damaged(shown_name, "a journal file inside it cannot be read") from None
        problem = guard.contents_problem(docs, tables)
    if problem:
        raise _damaged(shown_name, problem)


def _table_names(journal_path: Path) -> list[str]:
    """The small tables in a journal.json (sessions, goals, …), without the schema's own."""
    import orjson

    from voicejournal.store.storage import read_plain

    try:
        data = orjson.loads(read_plain(journal_path, journal_path.parent))
    except FileNotFoundError:
        return []
    return sorted(name for name, docs in data.items() if name != "meta" and isinstance(docs, dict))


def _is_empty(storage) -> bool:
    if storage.all_entries() or any(storage.all(t) for t in _table_names(storage.journal_path)):
        return False
    return not any(name for name in journal_files(storage.home) if name.startswith("audio/"))


class BackupLockedError(PassphraseError):
    """An encrypted backup that the passphrase at hand does not open."""


def read_backup(storage, source: Path, passphrase: str | None = None) -> ImportReport:
    """Bring a backup into this journal: restore it into an empty home, or merge without duplicates.

    An encrypted backup opens with the key this process already has for a journal with the same key settings,
    else with `passphrase` or the usual sources (BackupLockedError when none opens it).
    """
    from voicejournal.store.storage import Storage

    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    manifest = _verify(source, source.name)
    short = guard.check_space(_scratch_dir(storage.home), manifest, source.name)
    if short:
        raise BackupError(short)
    # The lock is held from unpacking on, so a scratch folder found while holding it is a killed import's
    # leftover, which Storage removes (overwriting its files first). It holds private words: overwritten
    # when done, whatever happened.
    with storage.transaction():
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=_scratch_dir(storage.home)))
        try:
            unpacked = scratch / "journal"
            unpacked.mkdir()
            with zipfile.ZipFile(source) as zf:
                for name in manifest["files"]:
                    target = unpacked / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(name) as src, fs.open_new(target) as dst:
                        shutil.copyfileobj(src, dst, _CHUNK)
            _unlock_backup(unpacked, source, passphrase)
            incoming = Storage(unpacked)
            restore = _is_empty(storage)
            _check_contents(incoming, unpacked, storage.home, manifest, source.name, restore)
            if restore:
                return _restore(storage, unpacked, manifest)
            return backup_merge.merge(storage, incoming, unpacked, _table_names(unpacked / JOURNAL_FILE))
        finally:
            fs.shred_tree(scratch)


def _unlock_backup(unpacked: Path, source: Path, passphrase: str | None) -> None:
    from voicejournal.store import keyfile, keys

    if keyfile.load_key_file(unpacked) is None:
        return
    try:
        keys.unlock(unpacked, passphrase)
    except keys.NoPassphraseError:
        raise BackupLockedError(
            f"The backup {source.name} is encrypted with a passphrase this journal does not share. Set "
            f"{keys.PASSPHRASE_ENV} to the backup's passphrase, or run the import in a terminal to type it. "
            "Nothing was changed."
        ) from None
    except PassphraseError:
        raise BackupLockedError(
            f"That passphrase does not open the backup {source.name}. Nothing was changed."
        ) from None


def _scratch_dir(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home


def _restore(storage, unpacked: Path, manifest: dict) -> ImportReport:
    """An empty home: every file as it was, audio first so no entry ever points at a missing file."""
    from voicejournal.store import keyfile, seals

    names = sorted(manifest["files"], key=lambda n: (not n.startswith("audio/"), n))
    if keyfile.writes_encrypted(storage.home):
        # This journal is encrypted: every file is opened (with the backup's key if it has one) and sealed
        # again for this journal; the backup's own encryption settings are not brought in.
        names = [n for n in names if n not in (keyfile.KEY_FILE, seals.SEALS_FILE)]
        for name in names:
            copy_into(unpacked, unpacked / name, storage.home, storage.home / name)
    else:
        # A plain home becomes the journal the backup holds, encrypted or not (its settings come with it).
        for name in names:
            copy_atomic(unpacked / name, storage.home / name)
    entries = [n for n in names if n.startswith("entries/")]
    report = ImportReport(restored=True, audio_added=sum(1 for n in names if n.startswith("audio/")))
    report.entries_added = len(storage.all_entries()) if entries else 0
    return report
