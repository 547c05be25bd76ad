"""Meaning vectors: float16 embeddings of every entry's passages, derived data beside the search index.

For each entry they hold the digest of the words that were embedded, the start of each passage in the
recording, and one 384-number vector per passage. They are kept per month like the entries, so a save
rewrites only its month's vectors: `<home>/index.sqlite-vectors-<month file name>` holds the vectors of
the entries in that month file, and `<home>/index.sqlite-vectors` (the head) names the model (id and
sha256), the journal's `Storage.signature()` when the vectors were last brought in step, and the month
files that make up the set. Like the index they are never a source of truth: rebuilt when missing,
damaged or made by another model, and brought in step by comparing digests when the signature differs.
They are written through `store/files`, so sealed in an encrypted journal (embeddings leak content), and
named after the index so backups skip them and encrypt/decrypt/restore shred them with the index.

Layouts: the head is b"VJVEC2\\n" then JSON; a month file is b"VJVEC1\\n", a 4-byte big-endian header
length, the header (JSON: model, sha256, dimensions, entries), then the float16 matrix. A head written
before vectors were kept per month is a month file of every entry: it is read once and split by month.
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
from voicejournal.store.home import VECTORS_FILE

MAGIC = b"VJVEC1\n"  # a block of vectors (a month's, or every entry's in the first layout)
HEAD_MAGIC = b"VJVEC2\n"
SCORE_ROWS = 4096  # rows turned into float32 at a time while scoring (a small buffer, used again)
SENTENCE_BYTES = 48  # a sentence's vector kept as the signs of its 384 numbers, to pick a hit's sentence
UNFILED = "unfiled"  # the month of vectors put without one (only tests and benchmarks do that)


@dataclass
class VectorSet:
    """The vectors of one journal for one model. Rows of one entry are contiguous, in passage order."""

    model: str
    sha256: str
    dimensions: int
    signature: str = ""
    entries: dict[str, tuple[str, list[float | None]]] = field(default_factory=dict)  # id -> (digest, starts)
    matrix: object = None  # numpy float16 (rows, dimensions), as stored: scored in float32 blocks
    months: dict[str, str] = field(default_factory=dict)  # entry id -> name of its month file
    dirty: set[str] = field(default_factory=set)  # months changed since the vectors were read or saved
    # entry id -> (sentences in each passage, one row of SENTENCE_BYTES sign bits per sentence: numpy uint8)
    sentences: dict[str, tuple[list[int], object]] = field(default_factory=dict)
    known_sum: object = None  # the rows' sum (float64), when known: kept in each month file's header
    warm_rows: object = None  # the rows as float32, once `warm` made them

    def __post_init__(self):
        import numpy as np

        if self.matrix is None:
            self.matrix = np.zeros((0, self.dimensions), dtype=np.float16)

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
            self.sentences.pop(entry_id, None)
            self.dirty.add(self.months.pop(entry_id, UNFILED))
        self.matrix = self.matrix[keep]
        self.known_sum = self.warm_rows = None
        return True

    def put(
        self,
        items: list[tuple[str, str, list[float | None], object]],
        months: dict | None = None,
        sentences: dict | None = None,
    ) -> None:
        """Set (entry id, digest, passage starts, vectors) for many entries at once; `months` names each
        entry's month file (entry id -> name), `sentences` their sentences' sign bits (entry id ->
        (sentences per passage, uint8 rows))."""
        import numpy as np

        self.remove([entry_id for entry_id, *_ in items])
        blocks = [self.matrix]
        for entry_id, digest, starts, vectors in items:
            if not starts:
                continue
            self.entries[entry_id] = (digest, list(starts))
            self.months[entry_id] = month = (months or {}).get(entry_id, UNFILED)
            self.dirty.add(month)
            if entry_id in (sentences or {}):
                self.sentences[entry_id] = sentences[entry_id]
            blocks.append(np.asarray(vectors, dtype=np.float16).reshape(len(starts), self.dimensions))
        self.matrix = np.concatenate(blocks) if len(blocks) > 1 else self.matrix
        self.known_sum = self.warm_rows = None

    def best(self, query, centre: float = 0.0) -> Iterator[tuple[str, float, int]]:
        """(entry id, similarity, best passage number) for every entry, most similar first (lazily: the
        scoring is one matrix product and two sorts, whatever the number of entries). `query` is one
        vector, or several (rows), of which the closest counts. With `centre` (one vector only), the
        cosine is taken after moving every vector, the query's too, by `centre` times the journal's mean
        vector away from it (see `centred_sims`)."""
        import numpy as np

        if not self.entries:
            return
        query = np.asarray(query, dtype=np.float32)
        if centre and query.ndim == 1:
            sims = self.centred_sims(query, centre)
        else:
            sims = self.products(query.reshape(-1, self.dimensions)).max(axis=1)
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

    def centred_sims(self, query, centre: float):
        """Cosines between `query` and every row after both moved away from the rows' mean m: p - c*m
        and q - c*m (c = `centre`). Every journal entry shares a way of speaking, and the model puts
        all of them in one corner; taking part of that corner out lets what an entry is about count
        more. Computed from two matrix-vector products, without a centred copy of the matrix:
        |p - c*m|^2 = 1 - 2c p.m + c^2 |m|^2 for a unit row p."""
        import numpy as np

        mean = self.mean()
        moved = query - centre * mean
        moved /= max(float(np.linalg.norm(moved)), 1e-12)
        both = self.products(np.stack([moved, mean]))
        top = both[:, 0] - centre * float(mean @ moved)
        square = 1.0 - 2.0 * centre * both[:, 1] + centre * centre * float(mean @ mean)
        return top / np.sqrt(np.maximum(square, 1e-12))

    def mean(self):
        """The mean of every row (float32; zeros without rows)."""
        return (self.total() / max(len(self.matrix), 1)).astype("float32")

    def total(self):
        """The sum of every row (float64), read from the month files when they kept it."""
        import numpy as np

        if self.known_sum is None:
            blocks = (b.sum(axis=0, dtype=np.float64) for b in self._float_blocks())
            self.known_sum = sum(blocks, start=np.zeros(self.dimensions))
        return self.known_sum

    def products(self, queries):
        """Every row's dot product with each of `queries` (float32 rows): shape (rows, len(queries)).
        The float16 rows are turned into float32 a block at a time, in one small buffer: no float32 copy
        of the whole matrix (tens of MB, and their page faults, in a fresh process) is ever made."""
        import numpy as np

        queries = np.asarray(queries, dtype=np.float32)
        if self.warm_rows is not None:
            return self.warm_rows @ queries.T
        out = np.empty((len(self.matrix), len(queries)), dtype=np.float32)
        row = 0
        for block in self._float_blocks():
            np.matmul(block, queries.T, out=out[row : row + len(block)])
            row += len(block)
        return out

    def warm(self) -> None:
        """Turn every row into float32 now, while waiting for something else (the query's vector):
        scoring is then only a matrix product."""
        import numpy as np

        if self.warm_rows is None:
            self.warm_rows = self.matrix.astype(np.float32)

    def _float_blocks(self):
        import numpy as np

        buffer = np.empty((min(SCORE_ROWS, len(self.matrix)), self.dimensions), dtype=np.float32)
        for first in range(0, len(self.matrix), SCORE_ROWS):
            part = self.matrix[first : first + SCORE_ROWS]
            block = buffer[: len(part)]
            block[...] = part
            yield block

    def rows(self, entry_id: str):
        """One entry's vectors (float32, a copy)."""
        import numpy as np

        first, n = self.offsets()[entry_id]
        return self.matrix[first : first + n].astype(np.float32)

    def sentence_bits(self, entry_id: str, passage: int):
        """The sign bits of one passage's sentences (uint8 rows), or None when they were not kept."""
        found = self.sentences.get(entry_id)
        if found is None or passage >= len(found[0]):
            return None
        first = sum(found[0][:passage])
        return found[1][first : first + found[0][passage]]

    def month_set(self, month: str) -> VectorSet:
        """The vectors of one month's entries (a copy)."""
        import numpy as np

        spans = self.offsets()
        ids = [i for i in self.entries if self.months.get(i, UNFILED) == month]
        rows = [np.arange(spans[i][0], spans[i][0] + spans[i][1]) for i in ids]
        matrix = self.matrix[np.concatenate(rows)] if rows else None
        entries = {i: self.entries[i] for i in ids}
        part = VectorSet(
            self.model, self.sha256, self.dimensions, "", entries, matrix, {i: month for i in ids}
        )
        part.sentences = {i: self.sentences[i] for i in ids if i in self.sentences}
        return part


def pack_block(vectors: VectorSet) -> bytes:
    """Vectors as one block (a month file, or the whole set in the first layout)."""
    import numpy as np

    head = orjson.dumps(
        {
            "model": vectors.model,
            "sha256": vectors.sha256,
            "dimensions": vectors.dimensions,
            "signature": vectors.signature,
            "sum": vectors.total().tolist(),
            "entries": [
                [i, d, s, vectors.sentences[i][0]] if i in vectors.sentences else [i, d, s]
                for i, (d, s) in vectors.entries.items()
            ],
        }
    )
    body = np.ascontiguousarray(vectors.matrix, dtype=np.float16).tobytes()
    bits = [vectors.sentences[i][1] for i in vectors.entries if i in vectors.sentences]
    body += np.concatenate(bits).astype(np.uint8).tobytes() if bits else b""
    return MAGIC + struct.pack(">I", len(head)) + head + body


def _parse_block(blob: bytes, model: str, sha256: str) -> VectorSet | None:
    """The vectors of one block; their float16 matrix read in place (see `_joined`)."""
    import numpy as np

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
        matrix = np.frombuffer(blob, dtype=np.float16, offset=head_end, count=rows * dims).reshape(rows, dims)
        spans, total = [], 0  # (entry id, sentences per passage, first bits row)
        for e in head["entries"]:
            if len(e) > 3:
                spans.append((e[0], e[3], total))
                total += sum(e[3])
        bits = np.frombuffer(
            blob, dtype=np.uint8, offset=head_end + rows * dims * 2, count=total * SENTENCE_BYTES
        ).reshape(total, SENTENCE_BYTES)
    except (ValueError, KeyError, TypeError, IndexError, struct.error):
        return None
    vectors = VectorSet(model, sha256, dims, head.get("signature", ""), entries, matrix)
    if isinstance(head.get("sum"), list) and len(head["sum"]) == dims:
        vectors.known_sum = np.asarray(head["sum"], dtype=np.float64)
    ends = [first for _, _, first in spans[1:]] + [total] * bool(spans)
    vectors.sentences = {
        i: (count, bits[first:end]) for (i, count, first), end in zip(spans, ends, strict=True)
    }
    return vectors


def _joined(parts: list[VectorSet], dims: int):
    """One float16 matrix of the parts' rows (read in place from their blocks until now)."""
    import numpy as np

    if len(parts) == 1:
        return parts[0].matrix.copy()  # a copy owns its memory (the block's bytes can go)
    return np.concatenate([p.matrix for p in parts]) if parts else np.zeros((0, dims), dtype=np.float16)


def _known_sum(parts: list[VectorSet]):
    """The sum of the parts' rows, if every part's file kept its own (else None: summed when needed)."""
    sums = [p.known_sum for p in parts]
    return None if not sums or any(s is None for s in sums) else sum(sums[1:], start=sums[0])


class VectorStore:
    """The vectors files of one journal home: the head and one file per month."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / VECTORS_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def month_path(self, month: str) -> Path:
        return self.home / f"{VECTORS_FILE}-{month}"

    def _read(self, path: Path) -> bytes | None:
        try:
            return files.read_bytes(self.home, path)
        except (OSError, VoiceJournalError, sealing.DamagedFileError):
            return None

    def load(self, model: str, sha256: str) -> VectorSet | None:
        """The stored vectors, or None when missing, damaged or made by another model (rebuilt then).
        Vectors of the first layout (one file) come back with no months: every one is marked to file."""

        blob = self._read(self.path)
        if blob is None:
            return None
        if blob.startswith(MAGIC):
            vectors = _parse_block(blob, model, sha256)
            if vectors is not None:
                vectors.matrix = _joined([vectors], vectors.dimensions)
            return vectors
        try:
            head = orjson.loads(blob[len(HEAD_MAGIC) :]) if blob.startswith(HEAD_MAGIC) else {}
            if head.get("model") != model or head.get("sha256") != sha256:
                return None
            dims, months = int(head["dimensions"]), [str(m) for m in head["months"]]
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None
        vectors = VectorSet(model, sha256, dims, str(head.get("signature", "")))
        blocks = []
        for month in months:
            block = self._read(self.month_path(month))
            part = _parse_block(block, model, sha256) if block is not None else None
            if part is None or part.dimensions != dims:
                return None  # a month's vectors are missing or damaged: rebuilt
            vectors.entries.update(part.entries)
            vectors.months.update(dict.fromkeys(part.entries, month))
            vectors.sentences.update(part.sentences)
            blocks.append(part)
        vectors.matrix = _joined(blocks, dims)
        vectors.known_sum = _known_sum(blocks)
        return vectors

    def save(self, vectors: VectorSet) -> None:
        """Write the months changed since the vectors were read, then the head (all sealed in an encrypted
        journal). With no room, they live in this process only (the next process rebuilds what it lacks)."""
        months = sorted(set(vectors.months.values()))
        try:
            for month in sorted(vectors.dirty):
                part = vectors.month_set(month)
                if part.entries:
                    files.write_bytes(self.home, self.month_path(month), pack_block(part))
            head = {
                "model": vectors.model,
                "sha256": vectors.sha256,
                "dimensions": vectors.dimensions,
                "signature": vectors.signature,
                "months": months,
            }
            files.write_bytes(self.home, self.path, HEAD_MAGIC + orjson.dumps(head))
        except (OSError, DiskFullError):
            return
        vectors.dirty.clear()
        for path in self._month_files():
            if path.name[len(VECTORS_FILE) + 1 :] not in months:
                with contextlib.suppress(OSError):
                    fs.shred(path)  # a month whose entries are all gone

    def _month_files(self) -> list[Path]:
        return sorted(self.home.glob(f"{VECTORS_FILE}-*"))

    def drop(self) -> None:
        """Overwrite and remove the files (embeddings leak content)."""
        fs.shred(self.path)
        for path in self._month_files():
            fs.shred(path)
