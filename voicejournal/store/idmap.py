"""The id → month map: which month file holds each entry, kept as derived data beside the search index.

Without it, finding one entry (`show ID`, `tag ID`, a new unused id) meant reading every month file, so
those commands slowed down as the journal grew. The map (`<home>/index.sqlite-ids`, compact JSON, sealed
like every journal file in an encrypted journal) names the month file of every entry id, and records the
journal's `Storage.signature()` when it was made. Like the index it is never a source of truth: when it is
missing, damaged or its signature differs (a month file written by hand, a restored backup…), it is made
again from the month files. Writes under the lock keep it current (`follow`), so it is rebuilt only after
changes made by something other than voicejournal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from voicejournal.errors import DiskFullError, VoiceJournalError
from voicejournal.store import files, sealing

IDS_FILE = "index.sqlite-ids"  # named after the index: derived, never backed up, shredded with it


class IdMap:
    """Entry id -> month file name ("2026-11.json") of one journal's storage."""

    def __init__(self, storage):
        self.storage = storage
        self.path = Path(storage.home) / IDS_FILE
        self._cached: tuple[str, dict[str, str]] | None = None  # (signature, map) read by this process

    def ids(self) -> dict[str, str]:
        """The current map: read from its file, or made from the month files when missing or stale."""
        signature = self.storage.signature()  # before reading: a write meanwhile leaves the map stale
        current = self._load(signature)
        if current is not None:
            return current
        ids: dict[str, str] = {}
        for shard in self.storage.shards():
            for doc in self.storage.shard_docs(shard):
                if isinstance(doc.get("id"), str):
                    ids[doc["id"]] = shard.name
        self._save(ids, signature)
        return ids

    @contextlib.contextmanager
    def follow(self) -> Iterator[dict[str, str]]:
        """Around a write of month files (under the lock): yields the current map for the writer to change in
        place, and saves it with the journal's new signature after the write."""
        ids = self.ids()
        yield ids
        self._save(ids, self.storage.signature())

    def _load(self, signature: str) -> dict[str, str] | None:
        if self._cached is not None and self._cached[0] == signature:
            return self._cached[1]
        try:
            data = orjson.loads(files.read_bytes(self.storage.home, self.path))
        except (OSError, ValueError, VoiceJournalError, sealing.DamagedFileError):
            return None  # missing or unreadable: made again
        if (
            not isinstance(data, dict)
            or data.get("signature") != signature
            or not isinstance(data.get("ids"), dict)
        ):
            return None
        self._cached = (signature, data["ids"])
        return data["ids"]

    def _save(self, ids: dict[str, str], signature: str) -> None:
        self._cached = (signature, ids)
        # Derived data: with no room for it, the map lives in this process only and is made again later.
        with contextlib.suppress(OSError, DiskFullError):
            files.write_bytes(
                self.storage.home, self.path, orjson.dumps({"signature": signature, "ids": ids})
            )
