"""Reading written journals so they can join the spoken one: jrnl's JSON export and Markdown folders.

Pure parsing: each item becomes an `ImportedText` with a stable `source_key`, so importing the same
file twice adds nothing (the Journal skips keys it already has).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

from voicejournal.core.frontmatter import FrontMatterError, split_front_matter
from voicejournal.core.kinds import KINDS
from voicejournal.errors import UsageError


@dataclass
class ImportedText:
    created: datetime
    title: str | None
    text: str
    tags: list[str]
    source: str
    source_key: str
    origin_id: str | None = None  # the id in the front matter of a file voicejournal exported
    kind: str | None = None
    mood: int | None = None


@dataclass(frozen=True)
class Added:
    """An entry an import added: its id and date (a big import does not hold every entry it saved)."""

    id: str
    created: datetime


@dataclass
class ImportReport:
    source: str
    path: Path
    added: list[Added] = field(default_factory=list)  # the new entries
    skipped: int = 0  # already imported before
    problems: list[str] = field(default_factory=list)  # items that could not be read, one line each


def _key(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]
    return f"{prefix}:{digest}"


def _local(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.astimezone()


# --- jrnl --------------------------------------------------------------------------------------


def read_jrnl(path: Path) -> tuple[list[ImportedText], list[str]]:
    """Entries of `jrnl --format json` output: {"entries": [{date, time, title, body, tags, starred}]}."""
    path = Path(path)
    hint = "Export it with `jrnl --format json > journal.json`."
    try:
        data = orjson.loads(path.read_bytes())  # several times quicker than json on a decade's export
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise UsageError(
            f"{path} is a folder; --from jrnl takes the JSON file jrnl exports. {hint}"
        ) from None
    except orjson.JSONDecodeError:  # also what invalid UTF-8 raises
        raise UsageError(f"{path.name} is not a jrnl JSON export. {hint}") from None
    raw_entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw_entries, list):
        raise UsageError(f"{path.name} is not a jrnl JSON export (it has no list of entries). {hint}")
    items, problems = [], []
    source = f"jrnl:{path.name}"  # one string shared by every item
    for n in range(1, len(raw_entries) + 1):
        # Each item is let go once read, so a decade of entries is never held twice in memory.
        raw, raw_entries[n - 1] = raw_entries[n - 1], None
        try:
            day, clock = str(raw["date"]), str(raw.get("time") or "00:00")
            created = _local(datetime.fromisoformat(f"{day}T{clock}"))
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(f"Entry {n} of {path.name} has no readable date; skipped.")
            continue
        title = str(raw.get("title") or "").strip()
        body = str(raw.get("body") or "").strip()
        text = f"{title} {body}".strip() if title and not body.startswith(title) else (body or title)
        if not text:
            problems.append(f"Entry {n} of {path.name} ({day}) is empty; skipped.")
            continue
        tags = [str(t).lstrip("@#") for t in raw.get("tags") or [] if str(t).strip("@# ")]
        if raw.get("starred"):
            tags.append("starred")
        items.append(
            ImportedText(
                created=created,
                title=title or None,
                text=text,
                tags=tags,
                source=source,
                source_key=_key("jrnl", day, clock, title, body),
            )
        )
    return items, problems


# --- Markdown ------------------------------------------------------------------------------------

_NAME_DATE = re.compile(r"(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?:[T _-](\d{2})[-:.h]?(\d{2}))?")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$")
# `voicejournal export --format markdown` starts each paragraph of a recording with its time.
_TIME_MARK = re.compile(r"^\*\*\[\d+:\d{2}(?::\d{2})?\]\*\*\s*", re.M)


def _date_from_name(name: str) -> datetime | None:
    m = _NAME_DATE.search(name)
    if not m:
        return None
    y, mo, d, hh, mm = m.groups()
    try:
        return _local(datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0)))
    except ValueError:
        return None


def _date_from_meta(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return _local(datetime.fromisoformat(value.replace("/", "-")))
    except ValueError:
        return None


def read_markdown(folder: Path) -> tuple[list[ImportedText], list[str]]:
    """One entry per .md file: date from front matter `date:` or the file name, title from `title:` or
    the first `# heading`, tags from `tags:`."""
    folder = Path(folder)
    if not folder.exists():
        raise UsageError(f"{folder} does not exist.")
    files = (
        [folder]
        if folder.is_file()
        else sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".md", ".markdown") and p.is_file())
    )
    if not files:
        raise UsageError(f"There are no Markdown files (.md) in {folder}.")
    items, problems = [], []
    for path in files:
        try:
            raw = path.read_bytes().decode("utf-8")  # not read_text: a "\r" in a text stays one
        except (OSError, UnicodeDecodeError):
            problems.append(f"{path.name} could not be read as text; skipped.")
            continue
        try:
            meta, body = split_front_matter(raw if raw.startswith("---\n") else raw.replace("\r\n", "\n"))
        except FrontMatterError as exc:
            problems.append(f"{path.name}: {exc}; fix it or remove the front matter, then import again.")
            continue
        created = _date_from_meta(meta.get("date")) or _date_from_name(path.stem)
        if created is None:
            problems.append(
                f"{path.name} has no date in its name or front matter (e.g. 2026-11-02.md); skipped."
            )
            continue
        # A file voicejournal exported (its front matter names the entry's id) is read back exactly as
        # written: the title and tags from the front matter, the text as it is.
        origin_id = meta.get("id") if isinstance(meta.get("id"), str) and meta.get("id") else None
        title = meta.get("title") if isinstance(meta.get("title"), str) else None
        lines = body.split("\n")
        while lines and not lines[0].strip():
            lines = lines[1:]
        if origin_id:
            if title and lines and lines[0].startswith("#"):
                lines = lines[1:]  # the heading the export wrote for the title
        elif lines and (m := _HEADING.match(lines[0])):
            title = title or m.group(1)
            lines = lines[1:]
        text = "\n".join(lines)
        if not origin_id or "duration" in meta:
            text = _TIME_MARK.sub("", text)
        text = text.strip()
        if not text:
            problems.append(f"{path.name} has no text; skipped.")
            continue
        kind = meta.get("kind") if meta.get("kind") in KINDS else None
        mood = int(meta["mood"]) if str(meta.get("mood", "")).strip() in {"1", "2", "3", "4", "5"} else None
        tags_value = meta.get("tags", meta.get("tag", []))
        if isinstance(tags_value, str):
            tags = [t for t in re.split(r"[,\s]+", tags_value) if t]
        else:
            tags = [t for t in tags_value if isinstance(t, str)] if isinstance(tags_value, list) else []
        if not origin_id:
            tags = [t.lstrip("#@") for t in tags]
        items.append(
            ImportedText(
                created=created,
                title=title or None,
                text=text,
                tags=tags,
                source=f"markdown:{path.name}",
                source_key=_key("md", path.name, raw.replace("\r\n", "\n").replace("\r", "\n")),
                origin_id=origin_id,
                kind=kind,
                mood=mood,
            )
        )
    return items, problems
