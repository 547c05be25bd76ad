"""Integration fixtures: the project's own virtual microphone (tests/virtual_mic.sh).

CI starts the microphone itself (.ci/run); a newcomer running plain `pytest` gets it
started here, once per session, and stopped again only if this session started it.
"""

import os
import subprocess
import time
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


@pytest.fixture
def private_sound_server(tmp_path):
    """A second, throw-away PulseAudio with its own virtual mic, to pull out from under a recorder.

    Touches no system config (the shared virtual mic keeps running); yields (PULSE_SERVER value, kill).
    """
    folder = tmp_path / "pulse"
    for sub in ("rt", "st"):
        (folder / sub).mkdir(parents=True, mode=0o700)
    sock = folder / "native"
    script = folder / "p.pa"
    script.write_text(
        "\n".join(
            [
                ".fail",
                f"load-module module-native-protocol-unix auth-anonymous=1 socket={sock}",
                "load-module module-null-sink sink_name=s2 rate=48000 channels=1",
                "load-module module-remap-source master=s2.monitor source_name=m2 channels=1 "
                "channel_map=mono master_channel_map=mono",
                "load-module module-null-source source_name=k2 rate=48000 channels=1",
                "load-module module-loopback source=k2 sink=s2 latency_msec=60",
                "set-default-source m2",
                "set-default-sink s2",
                "",
            ]
        )
    )
    env = dict(os.environ, PULSE_RUNTIME_PATH=str(folder / "rt"), PULSE_STATE_PATH=str(folder / "st"))
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "-F", str(script), "--daemonize=no", "--disable-shm=yes", "--exit-idle-time=-1",
         "--realtime=no", "--high-priority=no", f"--log-target=file:{folder / 'log'}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    server = f"unix:{sock}"
    for _ in range(100):
        ready = subprocess.run(["pactl", "info"], env=dict(os.environ, PULSE_SERVER=server),
                               capture_output=True, stdin=subprocess.DEVNULL)  # fmt: skip
        if ready.returncode == 0:
            break
        time.sleep(0.1)
    else:
        daemon.kill()
        pytest.fail("the private sound server did not start")

    def kill():
        daemon.terminate()
        daemon.wait(10)

    yield server, kill
    if daemon.poll() is None:
        daemon.kill()
        daemon.wait()
