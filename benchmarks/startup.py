"""Start-up in fresh processes: `--help`, `list` and `search` (target: --help <= 150 ms).

    python benchmarks/startup.py                  # this checkout
    python benchmarks/startup.py --compare DIR    # and another checkout's code, side by side in one run

`search` runs on a journal of 200 written entries imported from a jrnl export (so the index exists).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, report, time_command, voicejournal

RUNS = 15


def journal_with_entries(home: Path, root: Path) -> None:
    export = home.parent / "jrnl.json"
    entries = [
        {"date": f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}", "time": "20:00", "title": f"Day {i}",
         "body": f"I slept badly and worried about work {i}. My sister called; we talked about mum.",
         "tags": ["@work"] if i % 3 else []}
        for i in range(200)
    ]  # fmt: skip
    export.write_text(json.dumps({"entries": entries, "tags": {}}))
    env = {"VOICEJOURNAL_HOME": str(home), "PYTHONPATH": str(root)}
    subprocess.run(voicejournal("import", "--from", "jrnl", str(export)), env={**os.environ, **env},
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run(voicejournal("search", "sleep"), env={**os.environ, **env}, check=True,
                   capture_output=True)  # fmt: skip  # builds the index once


def measure(root: Path) -> dict[str, float]:
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty", Path(tmp) / "full"
        journal_with_entries(full, root)
        for label, args, home in (("--help", ["--help"], empty), ("list (empty)", ["list"], empty),
                                  ("list (200)", ["list"], full), ("search (200)", ["search", "sleep"], full)):  # fmt: skip
            figures[label] = time_command(voicejournal(*args), runs=RUNS, env={"VOICEJOURNAL_HOME": str(home)},
                                          root=root)["median_ms"]  # fmt: skip
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", type=Path, help="another checkout to measure in the same run")
    args = parser.parse_args()
    roots = {"this checkout": ROOT} | ({f"{args.compare}": args.compare.resolve()} if args.compare else {})
    baseline = time_command([sys.executable, "-c", "pass"], runs=RUNS)["median_ms"]
    results = {name: measure(root) for name, root in roots.items()}
    lines = [f"startup (fresh process, median of {RUNS} runs; python -c pass: {baseline:.1f} ms)"]
    header = f"  {'':<14}" + "".join(f"{name[-28:]:>30}" for name in results)
    lines.append(header)
    for label in next(iter(results.values())):
        lines.append(f"  {label:<14}" + "".join(f"{r[label]:>27.1f} ms" for r in results.values()))
    report("startup", lines)


if __name__ == "__main__":
    main()
