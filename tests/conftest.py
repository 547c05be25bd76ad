import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests with a fixed seed: a failure there is repeatable, never a fluke of the draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def user_cache(tmp_path_factory):
    """One cache folder for the whole run (the rewritten meaning model), never the user's own."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield Path(os.environ["XDG_CACHE_HOME"])
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(autouse=True)
def vj_home(tmp_path, monkeypatch):
    """Every test gets its own journal home."""
    home = tmp_path / "home"
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(home))
    monkeypatch.delenv("VOICEJOURNAL_MODEL", raising=False)
    return home


def cli_command(
    *args: str, now: datetime | str | None = None, tz: str | None = None, env: dict | None = None
) -> tuple[list[str], dict]:
    """(argv, env) that run the real CLI in a subprocess: at the instant `now` (clock stopped there; without
    an offset it is local time in `tz`) and in the time zone `tz` (e.g. "Europe/Berlin") when given."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    if tz is not None:
        full_env["TZ"] = tz
    full_env.update(env or {})
    if now is None:
        return [sys.executable, "-m", "voicejournal", *args], full_env
    when = now.isoformat() if isinstance(now, datetime) else now
    return [sys.executable, str(ROOT / "tests" / "at_instant.py"), when, *args], full_env


@pytest.fixture
def run_cli(vj_home):
    """Run the real CLI in a subprocess: `run_cli("list", "--json")`; at a fixed instant with
    `run_cli("review", now="2026-12-31T23:59:00", tz="Europe/Berlin")`."""

    def run(*args, input=None, timeout=300, env=None, check=False, now=None, tz=None):
        argv, full_env = cli_command(*args, now=now, tz=tz, env=env)
        proc = subprocess.run(
            argv,
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


@pytest.fixture
def local_tz():
    """Set this process's local time zone: `local_tz("Europe/Berlin")` (TZ and time.tzset(), undone after)."""
    saved = os.environ.get("TZ")

    def set_tz(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_tz
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


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


@pytest.fixture
def writes(monkeypatch):
    """Every journal file written, by name (a spy around store/files.write_bytes, the one write path)."""
    from collections import Counter

    from voicejournal.store import files

    seen = Counter()
    real = files.write_bytes

    def spy(home, path, data, keep_backup=False):
        seen[path.name] += 1
        return real(home, path, data, keep_backup=keep_backup)

    monkeypatch.setattr(files, "write_bytes", spy)
    return seen
