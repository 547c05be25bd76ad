"""Paths the person gives (export to, import from, add, review -o): checked before any work starts, and
any error the operating system still reports turned into one line that names the path and what to do."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from voicejournal.errors import DiskFullError, UsageError

ELSEWHERE = "choose a folder you can write to, such as your home folder"


class PathError(UsageError):
    """A path the person gave that cannot be used as they asked."""


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _file_in_the_way(path: Path) -> Path | None:
    """The first part of `path` that is a file although a folder is needed there."""
    for ancestor in reversed(path.parents):
        if ancestor.exists() and not ancestor.is_dir():
            return ancestor
    return None


def _writable(folder: Path, target: Path) -> None:
    """Prove that the folder takes new files: write permissions alone say nothing for root or /proc."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise PathError(_why(exc, target, folder)) from None


def output_file(path: Path, example: str = "notes.html") -> Path:
    """A file to be written: not a folder, in a folder that exists and takes new files."""
    path = Path(path)
    if path.is_dir():
        raise PathError(f"{path} is a folder; give a file name in it, e.g. {path / example}.")
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise PathError(
            f"{blocker} is a file, not a folder, so nothing can be written to {path}; {ELSEWHERE}."
        )
    folder = _folder_of(path)
    if not folder.is_dir():
        raise PathError(f"The folder {folder} does not exist; create it first or choose another place.")
    _writable(folder, path)
    return path


def not_a_folder(path: Path) -> Path:
    """A file name inside a folder already checked: only a folder of that name can stand in its way."""
    if Path(path).is_dir():
        raise PathError(_why(OSError(errno.EISDIR, "Is a directory"), Path(path), _folder_of(Path(path))))
    return path


def output_folder(path: Path, hint: str = "give a folder") -> Path:
    """A folder to be written into (made if missing): not a file, below a folder that takes new files."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise PathError(f"{path} is a file; {hint}.")
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise PathError(f"{blocker} is a file, not a folder, so {path} cannot be made; {ELSEWHERE}.")
    _writable(next((p for p in (path, *path.parents) if p.exists()), Path(".")), path)
    return path


def input_path(path: Path, what: str, folder_ok: bool = False, file_ok: bool = True) -> Path:
    """A file (or folder) to be read: it exists, is of the right sort, and can be opened."""
    path = Path(path)
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise PathError(f"{blocker} is a file, not a folder, so {path} does not exist.")
    if not path.exists():
        raise PathError(f"{path} does not exist.")
    if path.is_dir() and not folder_ok:
        raise PathError(f"{path} is a folder, not {what}.")
    if not path.is_dir() and not file_ok:
        raise PathError(f"{path} is a file, not {what}.")
    try:
        if path.is_dir():
            os.listdir(path)
        else:
            with open(path, "rb"):
                pass
    except OSError as exc:
        raise PathError(f"{path} cannot be read ({exc.strerror or exc}); check that it is yours.") from None
    return path


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an operating-system error while writing `path` into one line that says what to do."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(
                f"The disk holding {_folder_of(Path(path))} is full, so {path} could not be written; free some "
                "space and try again."
            ) from None
        raise PathError(_why(exc, Path(path), _folder_of(Path(path)))) from None


def _why(exc: OSError, target: Path, folder: Path) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"You may not write in {folder}, so {target} cannot be written; {ELSEWHERE}."
    if exc.errno == errno.EROFS:
        return f"{folder} is on a read-only disk, so {target} cannot be written; {ELSEWHERE}."
    if exc.errno == errno.EISDIR:
        return (
            f"{target} is a folder, so it cannot be written as a file; move it away or choose another name."
        )
    if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EINVAL):
        return f"{folder} does not take new files (it is not an ordinary folder), so {target} cannot be written; {ELSEWHERE}."
    return f"{target} cannot be written ({exc.strerror or exc}); {ELSEWHERE}."
