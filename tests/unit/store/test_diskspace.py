"""Naming a full disk: sizes a person can read, and which failures count as 'no space left'."""

import errno
import sqlite3

import pytest

from voicejournal.errors import DiskFullError
from voicejournal.store.diskspace import human_size, is_disk_full


@pytest.mark.parametrize(
    "size, text",
    [(0, "0 bytes"), (999, "999 bytes"), (180_000, "180 KB"), (2_400_000, "2.4 MB"), (12 * 10**9, "12 GB")],
)
def test_human_size(size, text):
    assert human_size(size) == text


def test_what_counts_as_a_full_disk(tmp_path):
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"), tmp_path)
    assert is_disk_full(DiskFullError("full"), tmp_path)
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"), tmp_path)
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    assert is_disk_full(full, tmp_path)
    assert not is_disk_full(ValueError("no"), tmp_path)
