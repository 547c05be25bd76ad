"""Checks for every stored field that becomes a file name: entry ids, dates and recording paths.

Everything that enters from outside (a backup, an import, a hand-edited journal file) passes through these,
so a crafted value can never make voicejournal write, read, overwrite or delete a file outside the journal's
home. The checks are pure, except `inside_home`, which looks at the folders on disk for symlinks.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

ID_ALPHABET = "0123456789abcdefghijkmnpqrstuvwxyz"  # no 'l' / 'o': easy to read aloud and type
_ID = f"[{ID_ALPHABET}]{{1,32}}"
_ID_RE = re.compile(f"^{_ID}$")
# Names of settings-like rows ("audio-retention", "prompt_rotation") as well as ids.
_RECORD_ID_RE = re.compile(r"^[0-9a-z_-]{1,64}$")
_AUDIO_RE = re.compile(r"^audio/(\d{4})/(0[1-9]|1[0-2])/([0-9a-z_-]{1,64})\.flac$")
# What `shard_name` relies on: the month at the start, written the one way voicejournal writes it.
_CREATED_RE = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?|Z)?)?$"
)


def is_entry_id(value: object) -> bool:
    """An id `Storage.new_id` could have made (its alphabet, at most 32 characters)."""
    return isinstance(value, str) and bool(_ID_RE.match(value))


def is_record_id(value: object) -> bool:
    """The id of a session, goal, homework, setting…: lower-case letters, digits, '-' and '_'."""
    return isinstance(value, str) and bool(_RECORD_ID_RE.match(value))


def parse_created(value: object, aware: bool = False) -> datetime | None:
    """The moment an entry's `created` holds ('2026-11-24T10:00:00+01:00'), or None if it is not one.

    With `aware`, a time without its UTC offset is refused too (what voicejournal writes always has one).
    """
    if not isinstance(value, str) or not _CREATED_RE.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if aware and moment.tzinfo is None:
        return None
    return moment


def is_audio_path(value: object, entry_id: str) -> bool:
    """Exactly where voicejournal files a recording: audio/YYYY/MM/<the entry's own id>.flac."""
    if not isinstance(value, str):
        return False
    match = _AUDIO_RE.match(value)
    return bool(match) and match.group(3) == entry_id


def entry_problem(doc: object, strict: bool = True) -> str | None:
    """Why an entry cannot be trusted to name files (None when it can).

    `strict` for what comes from outside (a backup): an id `new_id` could have made and a time with its
    offset. A journal's own files are read leniently (a hand-written id or a time without offset), since
    neither can lead outside the home.
    """
    if not isinstance(doc, dict):
        return "an entry is not a record"
    entry_id = doc.get("id")
    if not (is_entry_id if strict else is_record_id)(entry_id):
        return f"an entry has an invalid id: {_shown(entry_id)}"
    if parse_created(doc.get("created"), aware=strict) is None:
        return f"entry {entry_id} has an invalid date: {_shown(doc.get('created'))}"
    audio = doc.get("audio")
    if audio is not None and not is_audio_path(audio, entry_id):
        return f"entry {entry_id} names an unsafe recording path: {_shown(audio)}"
    return None


def record_problem(table: str, doc: object) -> str | None:
    """Why a session, goal, homework… row cannot be trusted (None when it can)."""
    if not isinstance(doc, dict):
        return f"a {_shown(table)} item is not a record"
    if "id" in doc and not is_record_id(doc["id"]):
        return f"a {_shown(table)} item has an invalid id: {_shown(doc['id'])}"
    if doc.get("entry") is not None and not is_entry_id(doc["entry"]):
        return f"a {_shown(table)} item names an invalid entry: {_shown(doc['entry'])}"
    return None


def inside_home(home: Path, relative: str) -> Path | None:
    """`home / relative` if it stays inside the home with no symlink on the way; None if it would escape."""
    if not isinstance(relative, str) or not relative or relative.startswith("/") or "\\" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") or "\x00" in part for part in parts):
        return None
    path = Path(home)
    for part in parts:
        path = path / part
        if os.path.islink(path):
            return None
    try:
        path.resolve().relative_to(Path(home).resolve())
    except (ValueError, OSError):
        return None
    return path


def _shown(value: object) -> str:
    """A value for an error message: short and on one line."""
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= 60 else text[:57] + "..."
