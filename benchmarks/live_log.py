"""Sum up a live debug log (VOICEJOURNAL_LIVE_LOG=FILE while recording), one line per recording in it.

    VOICEJOURNAL_LIVE_LOG=/tmp/live.log python benchmarks/quality.py ../shared/speech-dev --skip markers,latency
    python benchmarks/live_log.py /tmp/live.log

Per recording: its chunks and how many queued behind another, the windows heard (count, seconds of audio each,
time to hear), deferred, dropped or left unheard at stop, the chunk audio that never was in a window of two
chunks or more, second looks by kind, and the last pass (what it heard, its budget, stop -> done in the thread).
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

LINE = re.compile(r"^\s*(\d+) ms  (.*)$")


def summary(lines: list[tuple[int, str]]) -> str:
    chunks = [(float(a), float(b), int(w)) for a, b, w in
              (re.match(r"chunk ([\d.]+)-([\d.]+) s.* taken, (\d+) wait", m).groups()
               for _, m in lines if m.startswith("chunk "))]  # fmt: skip
    windows = [(float(a), float(b), int(n), float(t)) for a, b, n, t in
               (re.match(r"window ([\d.]+)-([\d.]+) s \((\d+) chunks\) heard in ([\d.]+) s", m).groups()
                for _, m in lines if m.startswith("window ") and " heard in " in m)]  # fmt: skip
    joint = [(a, b) for a, b, n, _ in windows if n > 1]
    alone = sum(b - a for a, b, _ in chunks if not any(x <= a and b <= y for x, y in joint))
    looks: dict[str, int] = {}
    for _, m in lines:
        if "second look:" in m:
            kind = m.split("second look: ")[1].split(" (")[0].split(" from")[0]
            looks[kind] = looks.get(kind, 0) + 1
    stop = next((t for t, m in lines if m.startswith("stop")), None)
    done = next((t for t, m in lines if m == "done"), None)
    last = [m for _, m in lines if m.startswith("last ")]
    count = lambda word: sum(word in m for _, m in lines)  # noqa: E731
    seconds = [b - a for a, b, n, _ in windows if n > 1]
    took = [t for _, _, n, t in windows if n > 1]
    return (
        f"{chunks[-1][1] if chunks else 0:.0f} s in {len(chunks)} chunks ({sum(w > 0 for *_, w in chunks)} queued "
        f"behind another, at most {max((w for *_, w in chunks), default=0)}); windows of 2+ chunks: {len(seconds)}"
        + (
            f" ({statistics.mean(seconds):.1f} s each, {min(seconds):.1f}-{max(seconds):.1f}; heard in "
            f"{statistics.mean(took):.2f} s, at most {max(took):.2f})"
            if seconds
            else ""
        )  # fmt: skip
        + f"; deferred {count('deferred')}, dropped {count(' dropped')}, left at stop {count('left unheard')}; "
        f"chunk audio in no window of 2+: {alone:.0f} s; second looks {looks or 'none'}; "
        + "; ".join(last)
        + (
            f"; stop -> thread done {(done - stop) / 1000:.2f} s"
            if stop is not None and done is not None
            else ""
        )
    )


def main() -> None:
    runs: list[list[tuple[int, str]]] = []
    for raw in Path(sys.argv[1]).read_text().splitlines():
        match = LINE.match(raw)
        if not match:
            continue
        t, message = int(match.group(1)), match.group(2).strip()
        if message == "recording starts":
            runs.append([])
        elif runs:
            runs[-1].append((t, message))
    for n, run in enumerate(runs, 1):
        print(f"recording {n}: {summary(run)}")


if __name__ == "__main__":
    main()
