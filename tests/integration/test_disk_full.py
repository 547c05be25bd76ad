"""A full disk never locks the person out: tested on a real 3 MB file system (a tmpfs the test mounts).

CI runs as root, so it can mount one; elsewhere these tests fail (not skip) and say why.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from voicejournal.diskspace import free_bytes, human_size

pytestmark = pytest.mark.integration

HOW = "empty the trash, or delete or move large files you no longer need"


@dataclass
class SmallDisk:
    mount: Path
    home: Path

    def fill(self, leave: int) -> None:
        """Take all but about `leave` bytes of the free space."""
        free = free_bytes(self.mount)
        with open(self.mount / "filler", "ab") as fh:
            fh.write(b"\0" * max(0, free - leave))

    def make_room(self) -> None:
        (self.mount / "filler").unlink(missing_ok=True)

    def free_text(self) -> str:
        return human_size(free_bytes(self.mount))


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """The journal home on a fresh 3 MB tmpfs."""
    if os.geteuid() != 0:
        pytest.fail("The full-disk tests mount a small tmpfs and need root, as in CI: run them as root.")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mount)], check=True)
    home = mount / "home"
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(home))
    try:
        yield SmallDisk(mount, home)
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_add_of_a_file_that_does_not_fit(small_disk, run_cli, speech):
    run_cli("add", str(speech("A short first note.", name="first.wav")), "--no-transcribe", check=True)
    before = files_under(small_disk.home)
    long = speech("My therapist and I talked about work for a long while today. " * 6, name="ai07.wav")
    small_disk.fill(leave=60_000)
    proc = run_cli("add", str(long), "--no-transcribe")
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        f"The disk is full ({small_disk.free_text()} free), so ai07.wav was not added (nothing of it was "
        f"saved). Free some space ({HOW}), then add it again.",
    )
    assert files_under(small_disk.home) == before  # nothing half-saved
    assert len(json.loads(run_cli("list", "--json", check=True).stdout)) == 1
    small_disk.make_room()
    run_cli("add", str(long), "--no-transcribe", check=True)
    assert len(json.loads(run_cli("list", "--json", check=True).stdout)) == 2
