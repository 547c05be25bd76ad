"""What makes an incoming backup safe to bring in: its layout, its sizes, and the fields that name files.

Each check returns why a backup must be refused (a phrase for the one-line error), or None. They run before
the journal changes at all: a crafted zip can neither write nor delete outside the home, nor fill the disk.
Also the two file helpers an import needs: a new file that is never a link, and a scratch folder that is
overwritten before it goes (it held private words).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from voicejournal.store.home import ENTRY_FILE_PATTERN

# The only files a backup may hold (everything else is refused, so nothing lands where it does not belong):
# the small tables, the key file, a month of entries, and recordings and speech models in their folders.
_SEGMENT = r"[^./\\\x00][^/\\\x00]*"
LAYOUT = re.compile(
    rf"^(journal\.json|encryption\.json|entries/{ENTRY_FILE_PATTERN}|(audio|models)(/{_SEGMENT})+)$"
)
# A crafted zip can unpack to thousands of times its size ("zip bomb"): refused before anything is unpacked.
MAX_TOTAL = 256 * 1024**3  # far beyond a lifetime of daily recordings
MAX_RATIO = 200  # JSON shrinks about ten times, FLAC hardly at all
_RATIO_FLOOR = 1 << 20  # below a megabyte the ratio does not matter
_SPARE = 64 << 20  # room left on the disk after an import
_SYMLINK = 0o120000


def member_problem(infos: list[zipfile.ZipInfo], manifest: str) -> str | None:
    """Member names, kinds or sizes that could put anything outside the journal or fill the disk."""
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/"):
            return f"it holds an unsafe path: {shown(name)}"
        if name in seen:
            return f"it holds {shown(name)} twice"
        seen.add(name)
        if (info.external_attr >> 16) & 0o170000 == _SYMLINK:
            return f"it holds a link: {shown(name)}"
        if name != manifest and not LAYOUT.match(name):
            return f"it holds a file voicejournal does not write: {shown(name)}"
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"{shown(name)} would unpack to far more than its size in the zip"
    if sum(info.file_size for info in infos) > MAX_TOTAL:
        return f"it would unpack to more than {MAX_TOTAL >> 30} GB"
    return None


def space_needed(sizes) -> int:
    """Bytes of free disk an import of files this size needs: unpacked once, copied in once, and some spare."""
    return 2 * sum(sizes) + _SPARE


def target_problem(home: Path, names) -> str | None:
    """A file that would be written through a link in this home (a folder pointing somewhere else)."""
    from voicejournal.core.validate import inside_home

    for name in names:
        if inside_home(home, name) is None:
            return f"{shown(name)} would be written outside the journal"
    return None


def contents_problem(entries: list, tables: dict[str, list]) -> str | None:
    """An entry or record whose fields would name files outside their place."""
    from voicejournal.core.validate import entry_problem, record_problem

    for doc in entries:
        if problem := entry_problem(doc):
            return problem
    for table, rows in tables.items():
        for doc in rows:
            if problem := record_problem(table, doc):
                return problem
    return None


def shown(name: str) -> str:
    """A member name for a one-line message."""
    name = name.replace("\n", " ").replace("\r", " ")
    return name if len(name) <= 80 else name[:77] + "..."


def check_space(home: Path, manifest: dict, shown_name: str) -> str | None:
    """Why there is not enough free space to unpack the backup and copy it in, or None."""
    needed = space_needed(int(facts.get("size", 0)) for facts in manifest["files"].values())
    free = shutil.disk_usage(home).free
    if needed > free:
        return (
            f"{shown_name} needs {needed >> 20} MB of free disk space to import and only {free >> 20} MB are "
            "free; free some space and try again. Nothing was changed."
        )
    return None
