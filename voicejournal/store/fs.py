"""Files on disk, written one way: atomic replace, fsync, overwrite before delete, and the journal lock.

Every write goes to a temporary file in the same folder (named after the writing process, so a sweep can
tell a live writer's file from a killed one's), is flushed and fsynced, replaces the old file with
`os.replace`, and the folder is fsynced: a kill at any moment leaves the old or the new file, never a torn
one. With `keep_backup`, the old file is hard-linked to `<name>.bak` first. Nothing here knows about
encryption: journal files go through store/files.py, which seals them and then calls `atomic_write_bytes`.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from voicejournal.errors import JournalBusyError, VoiceJournalError
from voicejournal.store.diskspace import FULL_ERRNOS, disk_full

TMP_MARK = ".tmp-"
# The names of the files this process changed (replaced, shredded), per folder, in order: a reader may keep
# what it stat()ed and restat only the names added since (Storage.shard_stats, under the journal lock, where
# no other process changes a file).
changed: dict[str, list[str]] = {}


def _note_change(path) -> None:
    folder, name = os.path.split(os.path.abspath(path))
    changed.setdefault(folder, []).append(name)


_TMP_OWNER_RE = re.compile(re.escape(TMP_MARK) + r"(\d+)-")


def temp_name(path: Path, suffix: str = "") -> Path:
    """A temporary name beside `path` that says which process made it: `.<name><suffix>.tmp-<pid>-<random>`."""
    # os.urandom is what secrets.token_hex uses, without importing secrets (and random) for one name
    return path.with_name(f".{path.name}{suffix}{TMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")


def owner_alive(name: str) -> bool:
    """Whether the process that named this temp file (`temp_name`) still runs.

    Some writes happen without the lock (the encrypted search index is saved from the read path), so a
    temp file of a live process may be mid-write: a sweep leaves it to its owner, which renames or removes it.
    """
    match = _TMP_OWNER_RE.search(name)
    return match is not None and process_alive(int(match.group(1)))


def process_alive(pid: int) -> bool:
    """Whether a process with this number runs (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    except (OverflowError, ValueError):
        return False  # no process can have that number
    return True


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_synced(tmp: Path, path: Path) -> None:
    """Make a finished temp file `path`: fsync it, rename it over `path`, fsync the folder."""
    _note_change(path)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes, keep_backup: bool = False, sync: bool = True) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file, never a mix.

    `sync=False` is for derived files only (made again from the journal): no fsync, so a power cut may
    leave the old file, or a new one whose bytes never reached the disk; the reader checks them."""
    _note_change(path)
    path = Path(path)
    tmp = temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        if keep_backup and path.exists():
            link_backup(path)
        os.replace(tmp, path)
        if sync:
            fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.errno in FULL_ERRNOS:
            raise disk_full(path, f"{path.name} could not be saved; everything saved before is safe") from exc
        raise VoiceJournalError(f"Could not save {path}: {exc.strerror or exc}.") from exc


def link_backup(path: Path) -> None:
    """Make `<name>.bak` the file `path` holds now: a hard link (the same bytes, and in an encrypted journal
    the same sealed binding), swapped in atomically."""
    bak_tmp = temp_name(path, ".bak")
    os.link(path, bak_tmp)
    os.replace(bak_tmp, path.with_name(path.name + ".bak"))


def open_new(path: Path):
    """A new file for writing; never an existing one, and never through a link someone left there."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb")


def shred(path: Path) -> None:
    """Overwrite a file with zeros, fsync, then unlink it (unless another name still links its data).

    A link is removed, never followed, and only a regular file is overwritten. On SSDs and copy-on-write
    file systems the old blocks may survive elsewhere; full-disk encryption is the complete answer there,
    and the README says so.
    """
    import stat

    _note_change(path)
    path = Path(path)
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if st.st_nlink == 1 and stat.S_ISREG(st.st_mode):
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
            try:
                remaining = st.st_size
                zeros = bytes(1 << 20)
                while remaining > 0:
                    remaining -= os.write(fd, zeros[: min(remaining, len(zeros))])
                os.fsync(fd)
            finally:
                os.close(fd)
    path.unlink(missing_ok=True)


def shred_tree(folder: Path) -> None:
    """Overwrite and remove every file under `folder` (links are removed, never followed), then the folder."""
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = Path(root) / name
            with contextlib.suppress(OSError):
                if path.is_symlink():
                    path.unlink()
                else:
                    shred(path)
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def acquire_lock(path: Path, timeout: float) -> int:
    """An exclusive flock on `path` (the kernel drops it if the process dies, so no stale locks)."""
    import fcntl
    import time

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise JournalBusyError(
                    "Another voicejournal is still saving and did not finish within "
                    f"{timeout:.0f} seconds. Try again in a moment."
                ) from None
            time.sleep(0.01)
