"""Merging a backup into a journal that already has entries: nothing twice, nothing lost.

Anything already there (same id and content, or the same recording) is skipped, an id that clashes with a
different record gets a new id, and audio files are copied only when missing.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from voicejournal.store import files, fs


@dataclass
class ImportReport:
    entries_added: int = 0
    entries_skipped: int = 0
    records_added: int = 0
    records_skipped: int = 0
    audio_added: int = 0
    renamed: dict[str, str] = field(default_factory=dict)
    restored: bool = False  # copied as a whole into an empty home


def copy_atomic(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = dest.with_name(f".{dest.name}.tmp-import")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # a killed import's (never followed: it may be a link)
    with src.open("rb") as fin, fs.open_new(tmp) as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    fs.replace_synced(tmp, dest)


def copy_into(unpacked: Path, src: Path, home: Path, dest: Path) -> None:
    """A file from a backup into this journal, re-encrypted for it when either side is encrypted
    (an encrypted file is bound to its journal's key and place, so a byte copy would not open here)."""
    from voicejournal.store import keyfile

    if keyfile.load_key_file(unpacked) is None and not keyfile.writes_encrypted(home):
        copy_atomic(src, dest)
        return
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    files.write_bytes(home, dest, files.read_bytes(unpacked, src))


def _same_entry(a: dict, b: dict) -> bool:
    """The same entry in two journals: the same recording, the same imported text, or the same words then."""
    for key in ("audio_sha256", "source_key"):
        if a.get(key) or b.get(key):
            return a.get(key) == b.get(key)
    return (
        a.get("created") == b.get("created")
        and a.get("text") == b.get("text")
        and a.get("segments") == b.get("segments")
    )


def _keys(doc: dict) -> list[tuple]:
    """What `_same_entry` compares, as lookup keys: two entries can only be the same if they share one."""
    for key in ("audio_sha256", "source_key"):
        if doc.get(key):
            return [(key, doc[key])]
    return [("words", doc.get("created"), doc.get("text"))]


def merge(storage, incoming, unpacked: Path, tables: list[str]) -> ImportReport:
    report = ImportReport()
    same_as: dict[str, str] = {}  # backup entry id -> the id it has in this journal
    by_id: dict[str, dict] = {}
    by_key: dict[tuple, list[dict]] = {}

    def remember(doc: dict) -> None:
        by_id[doc["id"]] = doc
        for key in _keys(doc):
            by_key.setdefault(key, []).append(doc)

    for doc in storage.all_entries():
        remember(doc)
    theirs = sorted(incoming.all_entries(), key=lambda d: d["created"])
    # Ids for the clashes, none of them an id still to come from the backup (so no new clash is made).
    theirs_ids = {d["id"] for d in theirs}
    clashes = len(theirs_ids & by_id.keys())
    fresh_ids = (
        i for i in storage.new_ids(clashes + len(theirs_ids) if clashes else 0) if i not in theirs_ids
    )
    added = []
    for doc in theirs:
        candidates = ([by_id[doc["id"]]] if doc["id"] in by_id else []) + by_key.get(_keys(doc)[0], [])
        twin = next((d for d in candidates if _same_entry(doc, d)), None)
        if twin is not None:
            if twin["id"] != doc["id"]:  # already here under another id: records follow it
                same_as[doc["id"]] = twin["id"]
            report.entries_skipped += 1
            continue
        doc = dict(doc)
        if doc["id"] in by_id:
            new_id = next(fresh_ids)
            report.renamed[doc["id"]] = same_as[doc["id"]] = new_id
            doc["id"] = new_id
        audio = doc.get("audio")
        if audio:
            src = unpacked / audio
            if doc["id"] != Path(audio).stem and audio.endswith(".flac"):
                audio = str(Path(audio).with_name(doc["id"] + ".flac"))
                doc["audio"] = audio
            dest = storage.home / audio
            if src.exists() and not dest.exists():
                copy_into(unpacked, src, storage.home, dest)
                report.audio_added += 1
        added.append(doc)
        remember(doc)
        report.entries_added += 1
    # Recordings first, then every month file once: a kill before this line leaves stray audio files
    # (copied again or skipped next time), never an entry without its recording.
    storage.add_entries(added)
    # Then the other tables, each record compared by key (not with every record here), all of them added
    # with one write of journal.json: a backup of years holds tens of thousands of filed questions and wins.
    new_records: dict[str, list[dict]] = {}
    clashing: list[dict] = []
    for table in tables:
        here = storage.all(table)
        existing = {d["id"]: d for d in here if "id" in d}
        anonymous = [d for d in here if "id" not in d]
        seen = {key for d in here if (key := _record_key(d)) is not None}
        for doc in incoming.all(table):
            doc = dict(doc)
            if doc.get("entry") in same_as:
                doc["entry"] = same_as[doc["entry"]]
            if "id" not in doc:  # settings-like rows: add unless identical
                if doc in anonymous:
                    report.records_skipped += 1
                    continue
                anonymous.append(doc)
            else:
                same = existing.get(doc["id"])
                key = _record_key(doc)
                if same == doc or (key is not None and key in seen):
                    report.records_skipped += 1
                    continue
                if same is not None:
                    clashing.append(doc)  # given a new id below
                existing[doc["id"]] = doc
                seen.add(key)
            new_records.setdefault(table, []).append(doc)
            report.records_added += 1
    taken = {d.get("id") for docs in new_records.values() for d in docs}
    fresh_ids = (i for i in storage.new_ids(len(clashing) + len(taken) if clashing else 0) if i not in taken)
    for doc in clashing:
        doc["id"] = next(fresh_ids)
    storage.insert_tables(new_records)
    return report


_RECORD_KEYS = ("text", "start", "created", "entry")


def _record_key(doc: dict) -> bytes | None:
    """The same question, goal… filed in both journals (ids may differ) has the same key; None for a record
    with none of these fields, which is never the same as another."""
    if not any(k in doc for k in _RECORD_KEYS):
        return None
    return orjson.dumps([doc.get(k) for k in _RECORD_KEYS], option=orjson.OPT_SORT_KEYS)
