"""Integration fixtures: the project's own virtual microphone (tests/virtual_mic.sh).

CI starts the microphone itself (.ci/run); a newcomer running plain `pytest` gets it
started here, once per session, and stopped again only if this session started it.
"""

import subprocess
from pathlib import Path

import pytest

VMIC = Path(__file__).resolve().parent.parent / "virtual_mic.sh"


def vmic(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(VMIC), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


@pytest.fixture(scope="session")
def virtual_mic():
    """A running virtual microphone; yields a `play(path)` function that plays into it."""
    started_here = vmic("status", check=False).returncode != 0
    if started_here:
        proc = vmic("start", check=False)
        if proc.returncode != 0:
            pytest.fail(f"could not start the virtual microphone:\n{proc.stderr}")

    def play(path) -> None:
        vmic("play", str(path), timeout=1200)

    yield play
    if started_here:
        vmic("stop", check=False)
