import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests with a fixed seed: a failure there is repeatable, never a fluke of the draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def vj_home(tmp_path, monkeypatch):
    """Every test gets its own journal home."""
    home = tmp_path / "home"
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(home))
    monkeypatch.delenv("VOICEJOURNAL_MODEL", raising=False)
    return home


@pytest.fixture
def run_cli(vj_home):
    """Run the real CLI in a subprocess: `run_cli("list", "--json")`."""

    def run(*args, input=None, timeout=300, env=None, check=False):
        full_env = dict(os.environ)
        full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "voicejournal", *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
        return proc

    return run


@pytest.fixture(scope="session")
def speech(tmp_path_factory):
    """Make a WAV of espeak-ng speech: `speech("some words")` -> Path."""
    folder = tmp_path_factory.mktemp("speech")
    counter = iter(range(10_000))

    def make(text: str, name: str | None = None, speed: int = 150) -> Path:
        path = folder / (name or f"speech{next(counter)}.wav")
        subprocess.run(["espeak-ng", "-s", str(speed), "-w", str(path), text], check=True)
        return path

    return make
