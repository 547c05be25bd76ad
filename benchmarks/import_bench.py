"""Bulk writes (issue 14): `import --from jrnl` at 1k / 10k / 50k entries, plain and encrypted, and
`transcribe --pending` of a few short recordings.

    python benchmarks/import_bench.py                  # 1,000 / 10,000 / 50,000 entries
    python benchmarks/import_bench.py 1000 10000       # only these sizes
    python benchmarks/import_bench.py --plain 10000    # no encrypted runs
    python benchmarks/import_bench.py --clips 6 0      # only transcribe --pending of 6 clips

Each import is one fresh process into an empty journal (then once more: nothing is added), with its wall
time, its CPU time (user + system: less sensitive than wall time to other work on a shared machine) and its
peak memory (the child's ru_maxrss from os.wait4, started by a small launcher). Targets: 10,000 entries <= 10 s; 50,000 entries peak
<= 300 MB. Every line carries the load average when it was measured: the lead reruns the final figures on
a quiet machine. The export is scale_bench.jrnl_export (the same one scale_bench.py imports). Figures go to
benchmarks/results/import.txt.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, report, voicejournal
from scale_bench import jrnl_export

PASS = "benchmark passphrase words"
CLIP_TEXTS = [
    "Today in my session we talked about my mother and the way she still calls every morning.",
    "My homework for this week is to write down three things that went well every evening.",
    "Question for my therapist: is it normal to feel tired after a good session?",
    "On Sunday I went for a long walk with my sister and we did not argue once.",
]


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def env_for(home: Path, encrypted: bool) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VOICEJOURNAL_HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "",
    }
    if encrypted:
        env["VOICEJOURNAL_PASSPHRASE"] = PASS
    else:
        env.pop("VOICEJOURNAL_PASSPHRASE", None)
    return env


# The measured command is started by this small launcher, not by the benchmark itself: on Linux a child's
# ru_maxrss starts from the memory of the process it was forked from, and this script holds a big export.
MEASURE = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read().decode(errors="replace")
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                  os.waitstatus_to_exitcode(status), err]))
"""


def run(args: list[str], env: dict) -> tuple[float, float, float]:
    """(wall s, CPU s, peak resident MB) of one fresh process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *args], env=env, capture_output=True, check=True)
    wall, cpu, peak, code, err = json.loads(out.stdout)
    if code:
        raise SystemExit(f"{' '.join(args)} failed:\n{err}")
    return wall, cpu, peak  # ru_maxrss is in kB on Linux


def bench_import(n: int, encrypted: bool, scratch: Path) -> str:
    export = scratch / f"journal-{n}.json"
    if not export.exists():
        jrnl_export(export, n)
    home = scratch / f"home-{n}-{'enc' if encrypted else 'plain'}"
    env = env_for(home, encrypted)
    if encrypted:
        run(voicejournal("encrypt"), env)  # an empty journal, encrypted before the import
    wall, cpu, peak = run(voicejournal("import", "--from", "jrnl", str(export)), env)
    line_load = load()
    again, _, _ = run(voicejournal("import", "--from", "jrnl", str(export)), env)
    entries = json.loads(subprocess.run(
        voicejournal("list", "--json", "--limit", str(n + 1)), env=env, capture_output=True, check=True
    ).stdout)  # fmt: skip
    assert len(entries) == n, (len(entries), n)
    shutil.rmtree(home)
    kind = "encrypted" if encrypted else "plain"
    return (
        f"  import --from jrnl {n:>6,} entries, {kind:<9} {wall:6.1f} s wall  {cpu:6.1f} s CPU  "
        f"peak {peak:4.0f} MB   (run again: {again:.1f} s, nothing added)   [{line_load}]"
    )


def bench_transcribe(clips: int, scratch: Path) -> str:
    home = scratch / "home-transcribe"
    env = env_for(home, encrypted=False)
    for k in range(clips):
        wav = scratch / f"clip{k}.wav"
        subprocess.run(
            ["espeak-ng", "-s", "150", "-w", str(wav), CLIP_TEXTS[k % len(CLIP_TEXTS)]], check=True
        )
        run(voicejournal("add", str(wav), "--no-transcribe"), env)
    wall, cpu, peak = run(voicejournal("transcribe", "--pending"), env)
    line_load = load()
    shutil.rmtree(home)
    return (
        f"  transcribe --pending, {clips} espeak clips (tiny.en, model load included) {wall:5.1f} s wall  "
        f"{cpu:5.1f} s CPU  peak {peak:4.0f} MB   [{line_load}]"
    )


def main() -> None:
    args = sys.argv[1:]
    clips = 4
    if "--clips" in args:
        at = args.index("--clips")
        clips = int(args[at + 1])
        del args[at : at + 2]
    plain_only = "--plain" in args
    sizes = [n for n in ([int(a) for a in args if a.isdigit()] or [1000, 10000, 50000]) if n > 0]
    lines = [f"import benchmark: fresh processes on {os.cpu_count()} cores (other work may share them)"]
    with tempfile.TemporaryDirectory(prefix="vj-import-bench-") as tmp:
        scratch = Path(tmp)
        for n in sizes:
            for encrypted in (False,) if plain_only else (False, True):
                lines.append(bench_import(n, encrypted, scratch))
                print(lines[-1], file=sys.stderr)
        if clips:
            lines.append(bench_transcribe(clips, scratch))
    report("import", lines)


if __name__ == "__main__":
    main()
