"""kill -9 during saves, and two writers at once: the journal always opens and keeps every commit."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from voicejournal.journal import Journal

pytestmark = pytest.mark.integration


def start_writer(seed: int, count: int, mix: bool) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "integration" / "writer.py"),
            str(seed),
            str(count),
            "mix" if mix else "add",
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


def test_kill_9_during_saves_loses_nothing_committed(vj_home):
    # A journal of a few hundred entries, so each write takes long enough to be hit mid-way.
    seed_writer = start_writer(0, 300, mix=False)
    out, _ = seed_writer.communicate(timeout=300)
    must_exist, must_not, _ = committed(out.splitlines())
    rng = random.Random(7)
    hit_mid_write = 0
    for round_ in range(50):
        writer = start_writer(round_ + 1, 10_000, mix=True)
        time.sleep(rng.uniform(0.3, 1.0))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        present, gone, in_flight = committed(out.splitlines())
        hit_mid_write += in_flight is not None
        must_exist = (must_exist | present) - gone
        must_not = (must_not | gone) - present
        ids = {d["id"] for d in Journal().storage.all_entries()}  # raises if any file is corrupt
        assert must_exist - {in_flight} <= ids, f"round {round_}: lost {must_exist - ids}"
        assert not (must_not - {in_flight}) & ids
        if in_flight is not None:  # the write in flight either happened whole or not at all
            if in_flight in ids:
                must_exist.add(in_flight)
                must_not.discard(in_flight)
            else:
                must_exist.discard(in_flight)
                must_not.add(in_flight)
    assert len(must_exist) > 300
    assert hit_mid_write >= 40  # the kills really landed inside writes


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
