"""kill -9 during saves, and two writers at once: the journal always opens and keeps every commit.

Every kill lands at a chosen point inside a write (the writer reports it has reached it, see pause.py), so
the tests check what must hold after each one, never how many kills happened to land where.
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.integration.pause import kill, wait_paused
from voicejournal.journal import Journal

pytestmark = pytest.mark.integration


def start_writer(seed: int, count: int, mix: bool, pause: str | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "integration" / "writer.py"),
            str(seed),
            str(count),
            "mix" if mix else "add",
            *([pause] if pause else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def committed(lines: list[str]) -> tuple[set[str], set[str], str | None]:
    """(ids that must exist, ids that must not, id of the write in flight when killed)."""
    present, gone, in_flight = set(), set(), None
    for line in lines:
        state, op, entry_id = line.split()
        if state == "BEGIN":
            in_flight = entry_id
            continue
        in_flight = None
        if op == "add":
            present.add(entry_id)
        elif op == "delete":
            present.discard(entry_id)
            gone.add(entry_id)
    return present, gone, in_flight


def kill_points(rounds: int) -> list[str]:
    """Where each round's writer is killed: the Nth fsync/replace inside its writes, just before or just
    after it. N steps through the first ops of a run, so the kills fall at every step of a save (temp
    file written, old file kept as .bak, new file in place, folder synced) and in adds, edits and deletes."""
    return [f"{1 + 3 * r}:{'before' if r % 2 == 0 else 'after'}" for r in range(rounds)]


def kill_writers(rounds: int, seeded: int, after_round=None) -> int:
    """Seed a journal with `seeded` entries, then `rounds` times start a writer that adds, edits and deletes,
    kill -9 it at a point inside a write, and check the journal opens with every committed change and nothing
    half-done. Returns how many entries must exist at the end."""
    seed_writer = start_writer(0, seeded, mix=False)
    out, _ = seed_writer.communicate(timeout=300)
    must_exist, must_not, _ = committed(out.splitlines())
    for round_, point in enumerate(kill_points(rounds)):
        writer = start_writer(round_ + 1, 10_000, mix=True, pause=point)
        lines = wait_paused(writer, writer.stdout)
        kill(writer)
        present, gone, in_flight = committed(lines)
        assert in_flight is not None, f"round {round_}: the kill at {point} was not inside a write"
        must_exist = (must_exist | present) - gone
        must_not = (must_not | gone) - present
        ids = {d["id"] for d in Journal().storage.all_entries()}  # raises if any file is corrupt
        assert must_exist - {in_flight} <= ids, f"round {round_} ({point}): lost {must_exist - ids}"
        assert not (must_not - {in_flight}) & ids, f"round {round_} ({point}): deleted ones came back"
        # The write in flight either happened whole or not at all.
        if in_flight in ids:
            must_exist.add(in_flight)
            must_not.discard(in_flight)
        else:
            must_exist.discard(in_flight)
            must_not.add(in_flight)
        if after_round:
            after_round(round_)
    return len(must_exist)


def test_kill_9_during_saves_loses_nothing_committed(vj_home):
    remaining = kill_writers(rounds=50, seeded=300)
    assert remaining > 300


def test_two_processes_adding_at_once_lose_nothing(vj_home):
    writers = [start_writer(seed, 40, mix=False) for seed in (101, 202)]
    added = set()
    for writer in writers:
        out, _ = writer.communicate(timeout=300)
        assert writer.returncode == 0
        present, _, _ = committed(out.splitlines())
        assert len(present) == 40
        added |= present
    ids = [d["id"] for d in Journal().storage.all_entries()]
    assert len(ids) == 80 and set(ids) == added
