"""Meaning vectors: float16 embeddings of every entry's passages, derived data beside the search index.

`<home>/index.sqlite-vectors` holds, for each entry, the digest of the words that were embedded, the start
of each passage in the recording, and one 384-number vector per passage; the file also names the model
(id and sha256) and the journal's `Storage.signature()` when it was last brought in step. Like the index it
is never a source of truth: it is rebuilt when missing, damaged or made by another model, and brought in
step by comparing digests when the signature differs. It is written through `store/files`, so it is sealed
in an encrypted journal (embeddings leak content), and named after the index so backups skip it and
encrypt/decrypt/restore shred it with the index.

Layout: b"VJVEC1\\n", a 4-byte big-endian header length, the header (JSON), then the float16 matrix.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from voicejournal.errors import DiskFullError, VoiceJournalError
from voicejournal.store import files, fs, sealing

VECTORS_FILE = "index.sqlite-vectors"
MAGIC = b"VJVEC1\n"


@dataclass
class VectorSet:
    """The vectors of one journal for one model. Rows of one entry are contiguous, in passage order."""

    model: str
    sha256: str
    dimensions: int
    signature: str = ""
    entries: dict[str, tuple[str, list[float | None]]] = field(default_factory=dict)  # id -> (digest, starts)
    matrix: object = None  # numpy float32 (rows, dimensions)

    def __post_init__(self):
        import numpy as np

        if self.matrix is None:
            self.matrix = np.zeros((0, self.dimensions), dtype=np.float32)

    def digest(self, entry_id: str) -> str | None:
        found = self.entries.get(entry_id)
        return found[0] if found else None

    def offsets(self) -> dict[str, tuple[int, int]]:
        """entry id -> (first row, number of rows)."""
        out, row = {}, 0
        for entry_id, (_, starts) in self.entries.items():
            out[entry_id] = (row, len(starts))
            row += len(starts)
        return out

    def remove(self, ids) -> bool:
        """Drop these entries' vectors; True if any were here."""
        import numpy as np

        gone = [i for i in ids if i in self.entries]
        if not gone:
            return False
        keep = np.ones(len(self.matrix), dtype=bool)
        spans = self.offsets()
        for entry_id in gone:
            first, n = spans[entry_id]
            keep[first : first + n] = False
            del self.entries[entry_id]
        self.matrix = self.matrix[keep]
        return True

    def put(self, items: list[tuple[str, str, list[float | None], object]]) -> None:
        """Set (entry id, digest, passage starts, vectors) for many entries at once."""
        import numpy as np

        self.remove([entry_id for entry_id, *_ in items])
        blocks = [self.matrix]
        for entry_id, digest, starts, vectors in items:
            if not starts:
                continue
            self.entries[entry_id] = (digest, list(starts))
            blocks.append(np.asarray(vectors, dtype=np.float32).reshape(len(starts), self.dimensions))
        self.matrix = np.concatenate(blocks) if len(blocks) > 1 else self.matrix

    def best(self, query) -> Iterator[tuple[str, float, int]]:
        """(entry id, similarity, best passage number) for every entry, most similar first (lazily: the
        scoring is one matrix product and two sorts, whatever the number of entries). `query` is one
        vector, or several (rows), of which the closest counts."""
        import numpy as np

        if not self.entries:
            return
        query = np.asarray(query, dtype=np.float32)
        sims = self.matrix @ query if query.ndim == 1 else (self.matrix @ query.T).max(axis=1)
        counts = np.fromiter(
            (len(s) for _, s in self.entries.values()), dtype=np.int64, count=len(self.entries)
        )
        firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        owner = np.repeat(np.arange(len(counts)), counts)
        by_entry = np.lexsort((-sims, owner))  # each entry's rows, best first
        top_row = by_entry[firsts]
        ids = list(self.entries)
        for i in np.argsort(-sims[top_row], kind="stable"):
            row = int(top_row[i])
            yield ids[i], float(sims[row]), row - int(firsts[i])

    def rows(self, entry_id: str):
        first, n = self.offsets()[entry_id]
        return self.matrix[first : first + n]


class VectorStore:
    """The vectors file of one journal home."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / VECTORS_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def load(self, model: str, sha256: str) -> VectorSet | None:
        """The stored vectors, or None when missing, damaged or made by another model (rebuilt then)."""
        import numpy as np

        try:
            blob = files.read_bytes(self.home, self.path)
        except (OSError, VoiceJournalError, sealing.DamagedFileError):
            return None
        try:
            if not blob.startswith(MAGIC):
                return None
            (size,) = struct.unpack(">I", blob[len(MAGIC) : len(MAGIC) + 4])
            head_end = len(MAGIC) + 4 + size
            head = orjson.loads(blob[len(MAGIC) + 4 : head_end])
            if head.get("model") != model or head.get("sha256") != sha256:
                return None
            dims = int(head["dimensions"])
            entries = {e[0]: (e[1], e[2]) for e in head["entries"]}
            rows = sum(len(s) for _, s in entries.values())
            matrix = np.frombuffer(blob, dtype=np.float16, offset=head_end).reshape(rows, dims)
        except (ValueError, KeyError, TypeError, IndexError, struct.error):
            return None
        return VectorSet(model, sha256, dims, head.get("signature", ""), entries, matrix.astype(np.float32))

    def save(self, vectors: VectorSet) -> None:
        """Write the vectors (sealed in an encrypted journal). With no room, they live in this process only."""
        import numpy as np

        head = orjson.dumps(
            {
                "model": vectors.model,
                "sha256": vectors.sha256,
                "dimensions": vectors.dimensions,
                "signature": vectors.signature,
                "entries": [[i, d, s] for i, (d, s) in vectors.entries.items()],
            }
        )
        body = np.ascontiguousarray(vectors.matrix, dtype=np.float16).tobytes()
        with contextlib.suppress(OSError, DiskFullError):
            files.write_bytes(self.home, self.path, MAGIC + struct.pack(">I", len(head)) + head + body)

    def drop(self) -> None:
        """Overwrite and remove the file (embeddings leak content)."""
        fs.shred(self.path)
