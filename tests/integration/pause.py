"""Deterministic kill points for the crash tests (test-only; nothing in voicejournal knows about it).

Inside a child process, `install(spec, report)` wraps `os.fsync` and `os.replace`, the calls every save is
made of (temp file written -> fsync -> replace the old file -> fsync the folder). With spec "N:before" or
"N:after" the Nth such call stops the process just before or just after it happens and reports
`PAUSED <call> N`; the parent reads that line and kills the process there, so every kill lands inside a
write, on any machine, however loaded. With spec "count" nothing stops and `CALLS N` is reported at exit:
how many kill points a whole command has.

As a launcher for the real CLI (reports on stderr):

    python tests/integration/pause.py 7:before [STATE] -- encrypt

With STATE (e.g. "encrypting"), only calls made while the journal's key file says that state count.
"""

import atexit
import os
import signal
import sys
from collections.abc import Callable


def install(spec: str, report: Callable[[str], None], counting: Callable[[], bool] = lambda: True) -> None:
    """Wrap os.fsync and os.replace; `counting()` says whether a call is one of the points."""
    target, _, when = spec.partition(":")
    stop_at = None if target == "count" else int(target)
    calls = 0

    def stop(name: str) -> None:
        report(f"PAUSED {name} {calls}")
        while True:  # until the parent's SIGKILL
            signal.pause()

    def wrap(name: str, real):
        def call(*args, **kwargs):
            nonlocal calls
            point = counting()
            if point:
                calls += 1
                if calls == stop_at and when == "before":
                    stop(name)
            result = real(*args, **kwargs)
            if point and calls == stop_at and when == "after":
                stop(name)
            return result

        return call

    os.fsync = wrap("fsync", os.fsync)
    os.replace = wrap("replace", os.replace)
    if stop_at is None:
        atexit.register(lambda: report(f"CALLS {calls}"))


def _in_state(state: str) -> Callable[[], bool]:
    key_file = os.path.join(os.environ["VOICEJOURNAL_HOME"], "encryption.json")

    def check() -> bool:
        try:
            with open(key_file, "rb") as f:
                return f'"state": "{state}"'.encode() in f.read()
        except FileNotFoundError:
            return False

    return check


def _to_stderr(line: str) -> None:
    os.write(2, f"{line}\n".encode())


def wait_paused(proc, stream) -> list[str]:
    """(Parent side) Read `stream` until the child reports PAUSED; returns the lines before it. Fails if the
    child ends without reaching its kill point."""
    lines = []
    for line in stream:
        if line.startswith("PAUSED "):
            return lines
        lines.append(line.rstrip("\n"))
    proc.wait()
    raise AssertionError(f"exited {proc.returncode} before its kill point:\n" + "\n".join(lines[-20:]))


def kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


if __name__ == "__main__":
    split = sys.argv.index("--")
    spec, *state = sys.argv[1:split]
    install(spec, _to_stderr, _in_state(state[0]) if state else lambda: True)
    from voicejournal.cli import main

    main(sys.argv[split + 1 :])
