"""Integration fixtures: the project's own virtual microphone (tests/virtual_mic.sh).

CI starts the shared microphone itself (.ci/run), which also routes ALSA's default device to
PulseAudio; a newcomer running plain `pytest` gets it started here. On top of it each test session
runs a private microphone of its own (VIRTUAL_MIC_PRIVATE=1, its own PulseAudio socket) and points
PULSE_SERVER at it, so two test runs on one machine never hear each other's speech.
"""

import os
import subprocess
from pathlib import Path

import pytest

VMIC = Path(__file__).resolve().parent.parent / "virtual_mic.sh"


def vmic(*args: str, check: bool = True, timeout: float = 600, env: dict | None = None):
    return subprocess.run(
        ["bash", str(VMIC), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def virtual_mic(tmp_path_factory):
    """A running virtual microphone private to this session; yields `play(path)` to play into it."""
    started_shared = vmic("status", check=False).returncode != 0
    if started_shared:
        proc = vmic("start", check=False)
        if proc.returncode != 0:
            pytest.fail(f"could not start the virtual microphone:\n{proc.stderr}")
    private = {"VIRTUAL_MIC_DIR": str(tmp_path_factory.mktemp("vmic")), "VIRTUAL_MIC_PRIVATE": "1"}
    proc = vmic("start", check=False, env=private)
    if proc.returncode != 0:
        pytest.fail(f"could not start this session's virtual microphone:\n{proc.stderr}")
    server = proc.stdout.strip().rpartition("PULSE_SERVER=")[2]
    saved = {k: os.environ.get(k) for k in ("PULSE_SERVER", *private)}
    os.environ.update(private, PULSE_SERVER=server)  # every CLI subprocess records from it

    def play(path) -> None:
        vmic("play", str(path), timeout=1200)

    yield play
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    vmic("stop", check=False, env=private)
    if started_shared:
        vmic("stop", check=False)


@pytest.fixture
def private_sound_server(tmp_path):
    """One more private microphone, to pull out from under a recorder: yields (PULSE_SERVER, kill)."""
    private = {"VIRTUAL_MIC_DIR": str(tmp_path / "vmic"), "VIRTUAL_MIC_PRIVATE": "1"}
    proc = vmic("start", check=False, env=private)
    if proc.returncode != 0:
        pytest.fail(f"could not start a private sound server:\n{proc.stderr}")
    server = proc.stdout.strip().rpartition("PULSE_SERVER=")[2]

    def kill():
        vmic("stop", check=False, env=private)

    yield server, kill
    kill()
