"""Shared helpers for the recording benchmarks: speech material, the CLI as a subprocess, /proc figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import ROOT

VMIC = ROOT / "tests" / "virtual_mic.sh"

PARAGRAPHS = [
    "Today in the session we talked about my mother and the work I do. My therapist asked about the "
    "relationship with my sister. I noticed that I make the same mistakes when I am tired.",
    "We went over the exercises from last week. I did them four times. The hardest part was the "
    "evening, after work, when the house is quiet and I start to worry about the next day.",
    "I want to remember that the session felt calmer than last time. My therapist said that small "
    "steps count. I will try to write down one good thing every day before I go to sleep.",
    "There was a moment when I felt angry about the relationship with my father. I did not say it "
    "out loud. Next time I want to bring it up at the start of the session, not at the end.",
    "At work this week I said no to an extra project. Nothing terrible happened. My manager was "
    "fine with it. I want to tell my therapist about this, because it felt like progress.",
    "The exercises for breathing helped on Tuesday but not on Friday. I think I was too stressed to "
    "start them. We talked about making the first step smaller so it is easier to begin.",
]


def make_speech(folder: Path) -> list[tuple[Path, str]]:
    """One espeak-ng WAV per paragraph: [(path, text)]."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, text in enumerate(PARAGRAPHS):
        path = folder / f"p{i}.wav"
        if not path.exists():
            subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
        out.append((path, text))
    return out


def ensure_mic() -> None:
    if subprocess.run(["bash", str(VMIC), "status"], capture_output=True).returncode != 0:
        subprocess.run(["bash", str(VMIC), "start"], check=True, capture_output=True)


def play(path: Path, server: str | None = None) -> None:
    """Play into the shared virtual mic, or into the private one whose PULSE_SERVER is `server`."""
    env = dict(os.environ)
    if server:
        env.update(
            VIRTUAL_MIC_DIR=server.removeprefix("unix:").removesuffix("/native"), VIRTUAL_MIC_PRIVATE="1"
        )
    subprocess.run(["bash", str(VMIC), "play", str(path)], check=True, stdin=subprocess.DEVNULL, env=env)


def private_server(folder: Path, rate: int | None = None) -> tuple[str, Callable[[], None]]:
    """A private virtual mic (tests/virtual_mic.sh with VIRTUAL_MIC_PRIVATE=1): (PULSE_SERVER, stop);
    its sink and source run at `rate` (the script's default, 48 kHz, when None).

    Lets a long benchmark run beside the test suite without either hearing the other.
    """
    env = dict(os.environ, VIRTUAL_MIC_DIR=str(folder), VIRTUAL_MIC_PRIVATE="1")
    if rate:
        env["VIRTUAL_MIC_RATE"] = str(rate)
    out = subprocess.run(["bash", str(VMIC), "start"], check=True, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, env=env)  # fmt: skip

    def stop() -> None:
        subprocess.run(["bash", str(VMIC), "stop"], capture_output=True, stdin=subprocess.DEVNULL, env=env)

    return out.stdout.strip().rpartition("PULSE_SERVER=")[2], stop


def start_record(home: Path, *args: str, server: str | None = None) -> subprocess.Popen:
    env = dict(os.environ, VOICEJOURNAL_HOME=str(home), PYTHONPATH=str(ROOT))
    if server:
        env["PULSE_SERVER"] = server
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicejournal", "record", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = proc.stderr.readline()
    if "Recording" not in line:
        proc.kill()
        raise SystemExit(f"record did not start: {line}{proc.stderr.read()}")
    return proc


def stop_record(proc: subprocess.Popen, timeout: float = 600) -> tuple[float, str, str]:
    """SIGINT, wait; (seconds from SIGINT to exit, stdout, stderr)."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=timeout)
    return time.monotonic() - t0, out, err


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, VOICEJOURNAL_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "voicejournal", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
    )


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MB from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of a process and its reaped children so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    parts = stat[stat.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(parts[11]) + int(parts[12])) / ticks


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate, as benchmarks/transcribe_bench.py counts it."""
    from transcribe_bench import wer as errors_and_words

    errors, total = errors_and_words(reference, hypothesis)
    return errors / total if total else float(bool(hypothesis.strip()))
