"""The id → month map: which month file holds each entry, kept as derived data beside the search index.

Without it, finding one entry (`show ID`, `tag ID`, a new unused id) meant reading every month file, so
those commands slowed down as the journal grew. The map (`<home>/index.sqlite-ids`, sealed like every
journal file in an encrypted journal) has a header with the CRC-32 of what follows (it is saved without
fsync: derived data need not make a write wait), then a line per month file: its name, the stamp it had
(size, mtime, inode) and the JSON list of its entry ids. Finding an entry is then a bytes search per line,
with nothing parsed but the one line that names it. Like the index it is never a source of truth: a month file whose
stamp differs (written by hand, a restored backup…) or that the map does not know is read again, only
that one; a missing or damaged map is made again from the month files. Writes under the lock keep it
current (`follow`), so month files are reread only after changes made by something other than voicejournal.

An entry is read out of its month file by its bytes (`find_doc`), and a changed entry is written back the same
way (`replace`): the file is still parsed whole to be sure it is sound, but not rebuilt entry by entry.
"""

from __future__ import annotations

import contextlib
import os
import re
import zlib
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import orjson

from voicejournal.errors import DiskFullError, JournalCorruptError, VoiceJournalError
from voicejournal.store import files, sealing

IDS_FILE = "index.sqlite-ids"  # named after the index: derived, never backed up, shredded with it
_HEADER = b"voicejournal id map 3"  # then the CRC-32 of the lines: the map is saved without fsync
_HEADER_SYNCED = b"voicejournal id map 2"  # as saved (with fsync, no checksum) before
_DOC_KEY = re.compile(rb'[{,]"\d+":$')  # what comes before an entry in a month file: its TinyDB doc id
_NEXT_DOC = re.compile(rb'\},"\d+":\{')


class IdMap:
    """Entry id -> month file name ("2026-11.json") of one journal's storage."""

    def __init__(self, storage):
        self.storage = storage
        self.path = Path(storage.home) / IDS_FILE
        self._lines: dict[str, tuple[str, bytes]] | None = None  # month -> (stamp, JSON list of its ids)
        # The month file last read: (name, stamp, bytes, where each entry looked up in it is)
        self._last: tuple[str, str, bytes, dict[str, tuple[int, int] | None]] | None = None

    def month_of(self, entry_id: str) -> str | None:
        """The name of the month file holding this entry, or None: one bytes search per month file."""
        needle = orjson.dumps(entry_id)
        for name, (_, ids) in self._current().items():
            if needle in ids and entry_id in orjson.loads(ids):
                return name
        return None

    def find(self, entry_id: str) -> tuple[Path, dict] | None:
        """(its month file, the stored entry), reading that one entry out of the one file; or None."""
        name = self.month_of(entry_id)
        if name is None:
            return None
        shard = self.storage.entries_dir / name
        try:
            raw, span = self._read(shard, entry_id)
            doc = None if span is None else orjson.loads(raw[span[0] : span[1]])
        except FileNotFoundError:
            return None
        except JournalCorruptError:
            doc = None  # the whole read below reports it the way every read of the journal does
        if doc is None:
            doc = next((d for d in self.storage.shard_docs(shard) if d.get("id") == entry_id), None)
        return None if doc is None else (shard, doc)

    def replace(self, shard: Path, entry_id: str, doc: dict) -> bool:
        """Store `doc` in place of the entry in `shard` (under the lock), every other byte as it was: what
        TinyDB would write, without rebuilding the month entry by entry. False when it cannot be done this way
        (the caller then updates through TinyDB, which also reports a damaged file).

        A damaged file is never rewritten (its .bak is the last good copy): the file is parsed whole first,
        unless its stamp is the one the map noted when voicejournal last parsed or wrote it."""
        try:
            stamp = _stamp(shard)  # before reading: a change meanwhile makes the file unknown, never known
            raw, span = self._read(shard, entry_id, stamp)
        except (OSError, JournalCorruptError):
            return False
        if span is None:
            return False
        if (self._lines or {}).get(shard.name, ("",))[0] == stamp:
            sound = raw.count(b'{"id":' + orjson.dumps(entry_id)) == 1  # voicejournal writes the id first
        else:
            try:
                sound = _sound(orjson.loads(raw), entry_id)
            except orjson.JSONDecodeError:
                return False
        if not sound:
            return False
        self._last = None
        whole = memoryview(raw)  # slices of a view are not copies: the month is copied once, not three times
        data = b"".join((whole[: span[0]], orjson.dumps(doc), whole[span[1] :]))
        files.write_bytes(self.storage.home, shard, data, keep_backup=True)
        return True

    def _read(
        self, shard: Path, entry_id: str, stamp: str | None = None
    ) -> tuple[bytes, tuple[int, int] | None]:
        """A month file's bytes (decrypted) and where the entry is in them (see `find_doc`), read and searched
        once for the finding, checking and rewriting of one entry: `tag ID` looks the entry up, again under
        the lock, then rewrites it. Every write makes a new file (atomic replace: a new inode, size or time),
        so an unchanged stamp means unchanged bytes."""
        stamp = stamp or _stamp(shard)
        if self._last is None or self._last[:2] != (shard.name, stamp):
            self._last = (shard.name, stamp, files.read_bytes(self.storage.home, shard), {})
        raw, spans = self._last[2], self._last[3]
        if entry_id not in spans:
            spans[entry_id] = _doc_span(raw, entry_id)
        return raw, spans[entry_id]

    def ids(self) -> dict[str, str]:
        """Every entry id and the month file holding it."""
        return _as_dict(self._current())

    @contextlib.contextmanager
    def follow(self) -> Iterator[MutableMapping[str, str]]:
        """Around a write of month files (under the lock): yields the map for the writer to change in place
        (read only if the writer looks at it), and saves it with the month files' new stamps after."""
        before = self._current()
        following = _Following(lambda: _as_dict(before))  # as before the write, for the writer to change
        yield following
        stamps = self._stamps()
        lines = {}
        changed = [name for name in stamps if name not in before or before[name][0] != stamps[name]]
        grouped: dict[str, list[str]] = {name: [] for name in changed}
        if following.data is not None and changed:
            for entry_id, name in following.data.items():
                if name in grouped:
                    grouped[name].append(entry_id)
        for name, stamp in stamps.items():
            if name not in grouped:
                lines[name] = before[name]
            elif following.data is not None:
                lines[name] = (stamp, orjson.dumps(grouped[name]))
            elif name in before:  # the writer changed entries, not which ones the month holds
                lines[name] = (stamp, before[name][1])
        self._lines = lines  # a month the map could not follow is left out: read again next time
        self._save(lines)

    def _stamps(self) -> dict[str, str]:
        return {
            name: f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
            for name, st in self.storage.shard_stats().items()
        }

    def _current(self) -> dict[str, tuple[str, bytes]]:
        """The map, with every month file whose stamp changed (or that it did not know) read again."""
        stamps = self._stamps()  # before reading: a write meanwhile leaves the line stale, never wrong
        known = self._lines if self._lines is not None else self._load()
        if all(known.get(name, ("",))[0] == stamp for name, stamp in stamps.items()) and len(known) == len(
            stamps
        ):
            self._lines = known
            return known
        lines = {}
        for name, stamp in stamps.items():
            if name in known and known[name][0] == stamp:
                lines[name] = known[name]
                continue
            docs = self.storage.shard_docs(self.storage.entries_dir / name)
            lines[name] = (stamp, orjson.dumps([d["id"] for d in docs if isinstance(d.get("id"), str)]))
        self._lines = lines
        self._save(lines)
        return lines

    def _load(self) -> dict[str, tuple[str, bytes]]:
        try:
            data = files.read_bytes(self.storage.home, self.path)
        except (OSError, ValueError, VoiceJournalError, sealing.DamagedFileError):
            return {}  # missing or unreadable: made again
        head, _, body = data.partition(b"\n")
        if head != _HEADER_SYNCED and head != _HEADER + b" %08x" % zlib.crc32(body, zlib.crc32(b"\n")):
            return {}  # another format, or bytes a power cut kept from the disk
        lines = {}
        for line in body.splitlines():
            parts = line.split(b" ", 2)
            if len(parts) != 3 or not parts[2].startswith(b"["):
                return {}
            lines[parts[0].decode("ascii", "replace")] = (parts[1].decode("ascii", "replace"), parts[2])
        return lines

    def _save(self, lines: dict[str, tuple[str, bytes]]) -> None:
        body = b"".join(f"\n{name} {stamp} ".encode() + ids for name, (stamp, ids) in sorted(lines.items()))
        # Derived data: with no room for it, the map lives in this process only and is made again later.
        # Not fsynced (a tag would wait for it as long as for the month file itself): `_load` checks the sum.
        with contextlib.suppress(OSError, DiskFullError):
            files.write_derived(self.storage.home, self.path, _HEADER + b" %08x" % zlib.crc32(body) + body)


def _stamp(path: Path) -> str:
    """What changes whenever a month file is written: its size, modification time and inode."""
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _as_dict(lines: dict[str, tuple[str, bytes]]) -> dict[str, str]:
    return {entry_id: name for name, (_, ids) in lines.items() for entry_id in orjson.loads(ids)}


class _Following(MutableMapping):
    """The map handed to a writer: read from the month lines only when the writer uses it."""

    def __init__(self, load):
        self.load = load
        self.data: dict[str, str] | None = None

    def _data(self) -> dict[str, str]:
        if self.data is None:
            self.data = self.load()
        return self.data

    def __getitem__(self, key):
        return self._data()[key]

    def __setitem__(self, key, value):
        self._data()[key] = value

    def __delitem__(self, key):
        del self._data()[key]

    def __iter__(self):
        return iter(self._data())

    def __len__(self):
        return len(self._data())


def _sound(whole, entry_id: str) -> bool:
    """TinyDB's shape ({table: {doc id: {…}}}), with exactly one entry `entry_id`."""
    if not isinstance(whole, dict) or not all(
        isinstance(t, dict) and all(isinstance(d, dict) for d in t.values()) for t in whole.values()
    ):
        return False
    return sum(1 for d in whole.get("entries", {}).values() if d.get("id") == entry_id) == 1


def find_doc(raw: bytes, entry_id: str) -> dict | None:
    """The entry `entry_id` read out of a month file's bytes without parsing the rest of the file; None when
    it is not found this way (the caller then reads the whole file).

    orjson writes compact JSON, and a quote inside a string is always escaped, so `{"id":"<id>"` preceded
    by a TinyDB doc id can only be the start of that entry; the next `},"<n>":{` (or the end of the table)
    ends it, which parsing the slice confirms.
    """
    span = _doc_span(raw, entry_id)
    return None if span is None else orjson.loads(raw[span[0] : span[1]])


def _doc_span(raw: bytes, entry_id: str) -> tuple[int, int] | None:
    """Where the entry `entry_id` starts and ends in a month file's bytes (see `find_doc`), or None."""
    head = b'{"id":' + orjson.dumps(entry_id)
    start = raw.find(head)
    while start >= 0:
        if raw[start + len(head) : start + len(head) + 1] in (b",", b"}") and _DOC_KEY.search(
            raw, max(0, start - 24), start
        ):
            following = _NEXT_DOC.search(raw, start)
            ends = [following.start() + 1] if following else [len(raw) - 2, len(raw) - 3]
            for end in ends:
                try:
                    doc = orjson.loads(raw[start:end])
                except orjson.JSONDecodeError:
                    continue
                if isinstance(doc, dict) and doc.get("id") == entry_id:
                    return start, end
            return None
        start = raw.find(head, start + 1)
    return None
