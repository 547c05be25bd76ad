"""A full disk never locks the person out: tested on a real 3 MB file system (a tmpfs the test mounts).

CI runs as root, so it can mount one; elsewhere these tests fail (not skip) and say why.
"""

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.test_record import recorder  # noqa: F401 (the fixture)
from voicejournal.store.diskspace import free_bytes, human_size

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


def waiting_note(folder: Path, free: str) -> str:
    return (
        f"Note: An interrupted recording is kept safe in {folder}, waiting for room on the disk to be saved "
        f"({free} free). Free some space ({HOW}); the next command saves it."
    )


@pytest.mark.mic
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_record_that_fills_the_disk_keeps_what_was_captured(
    encrypted,
    small_disk,
    recorder,  # noqa: F811
    speech,
    virtual_mic,
    run_cli,
):
    env = {"VOICEJOURNAL_PASSPHRASE": "blue river morning"}
    run_cli(
        "add", str(speech("A short first note.", name="first.wav")), "--no-transcribe", env=env, check=True
    )
    if encrypted:
        run_cli("encrypt", env=env, check=True)
    small_disk.fill(leave=200_000)  # about 6 s of 16 kHz audio
    start, finish = recorder
    proc = start("--tag", "full-disk-tag", "--no-transcribe", env=env)
    virtual_mic(speech("My therapist and I talked about my mother and my work. " * 3))
    code, _, err = finish(proc, sig=None, timeout=120)  # the full disk stops it by itself
    incoming = small_disk.home / "audio" / "incoming"
    [wav] = incoming.glob("*.wav")
    assert wav.read_bytes().startswith(b"\x89VJE" if encrypted else b"RIFF")
    message = err.strip().splitlines()[-1]
    seconds = int(re.search(r"stopped at (\d+) s", message).group(1))
    assert seconds > 3
    assert (code, message) == (
        1,
        f"The disk is full ({small_disk.free_text()} free), so the recording (stopped at {seconds} s) could "
        f"not be saved as an entry yet. What was captured is kept safe in {wav} and is saved by the first "
        f"command run once there is room. Free some space ({HOW}), then run any voicejournal command.",
    )
    note = waiting_note(incoming, small_disk.free_text())
    kept = None
    for command in (["list"], ["check"], ["search", "mother"], ["list", "--json"]):
        proc = run_cli(*command, env=env)
        assert (proc.returncode, proc.stderr.splitlines()[0]) == (0, note), command
        assert proc.stderr.count("Note:") == 1 and "Something went wrong" not in proc.stderr
        kept = kept or wav.read_bytes()  # (as the first command left it: a plain WAV's header repaired)
    proc = run_cli("doctor", env=env)  # works, and names the full disk as the thing to fix
    assert (
        f"✗ Data folder: {small_disk.home}: the disk is full ({small_disk.free_text()} free), so nothing new can "
        f"be saved. Free some space ({HOW}).\n"
    ) in proc.stdout
    assert "Something went wrong" not in proc.stderr
    assert wav.read_bytes() == kept  # untouched while it waits
    small_disk.make_room()
    proc = run_cli("list", "--json", env=env)
    assert proc.returncode == 0 and proc.stderr.startswith("Recovered an interrupted recording from ")
    entries = json.loads(proc.stdout)
    [entry] = [e for e in entries if e["source"] == "microphone"]
    # (what was sealed before the disk filled up: the last second may have had no room)
    assert entry["tags"] == ["full-disk-tag"] and abs(entry["duration"] - seconds) <= 1.5
    assert list(incoming.iterdir()) == []
    assert run_cli("list", env=env).stderr == ""  # said once: nothing is waiting any more


def test_a_change_that_does_not_fit_names_the_full_disk(small_disk, run_cli, speech):
    run_cli("add", str(speech("A short first note.")), "--no-transcribe", check=True)
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    month = entry["created"][:7]
    small_disk.fill(leave=0)
    proc = run_cli("tag", entry["id"], "+family")
    assert (proc.returncode, proc.stderr.strip()) == (
        1,
        f"The disk is full ({small_disk.free_text()} free), so {month}.json could not be saved; everything "
        f"saved before is safe. Free some space ({HOW}), then try again.",
    )
    [still] = json.loads(run_cli("list", "--json", check=True).stdout)
    assert still["tags"] == []


def test_record_on_a_full_disk_does_not_start(small_disk, run_cli, speech):
    run_cli("add", str(speech("A short first note.")), "--no-transcribe", check=True)
    small_disk.fill(leave=0)
    proc = run_cli("record", "--no-transcribe", "--tag", "x")
    assert (proc.returncode, proc.stderr.strip().splitlines()[-1]) == (
        1,
        f"The disk is full ({small_disk.free_text()} free), so recording cannot start. Free some space ({HOW}), "
        "then try again.",
    )
    assert list((small_disk.home / "audio" / "incoming").iterdir()) == []
