"""A full disk, named as such: how much is free and what frees space.

libsndfile reports a failed write as "System error" (or a decoder error) without the errno, so a
LibsndfileError counts as a full disk when the disk it wrote to has (almost) nothing left.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from voicejournal.errors import DiskFullError

FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
NEARLY_FULL_BYTES = 1 << 20  # less than this free after a failed write: the disk was the cause
HOW_TO_FREE = "empty the trash, or delete or move large files you no longer need"


def free_bytes(path: Path) -> int | None:
    """Bytes this user may still write on the disk holding `path` (or its nearest existing parent)."""
    path = Path(path)
    for folder in (path, *path.parents):
        try:
            st = os.statvfs(folder)
        except OSError:
            continue
        return st.f_bavail * st.f_frsize
    return None


def human_size(size: int) -> str:
    """'0 bytes', '180 KB', '2.4 MB', '12 GB'."""
    if size < 1000:
        return f"{size} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1000
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if size >= 10 else f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def is_disk_full(exc: BaseException, path: Path) -> bool:
    """Whether `exc`, raised while writing near `path`, means the disk is full."""
    if isinstance(exc, DiskFullError):
        return True
    if isinstance(exc, OSError):
        return exc.errno in FULL_ERRNOS
    if getattr(exc, "sqlite_errorcode", None) == 13:  # SQLITE_FULL
        return True
    if type(exc).__name__ == "LibsndfileError":
        free = free_bytes(path)
        return free is not None and free < NEARLY_FULL_BYTES
    return False


def disk_full(path: Path, what: str, then: str = "try again") -> DiskFullError:
    """'The disk is full (180 KB free), so <what>. Free some space (...), then <then>.'"""
    free = free_bytes(path)
    left = f" ({human_size(free)} free)" if free is not None else ""
    return DiskFullError(f"The disk is full{left}, so {what}. Free some space ({HOW_TO_FREE}), then {then}.")
