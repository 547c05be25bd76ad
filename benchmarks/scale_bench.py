"""Years of journaling (issue 14): import, id lookups, search and review at 1k / 10k / 50k entries.

    python benchmarks/scale_bench.py                 # 1,000 / 10,000 / 50,000 entries
    python benchmarks/scale_bench.py 1000 10000      # only these sizes
    python benchmarks/scale_bench.py --no-import 50000

    python benchmarks/scale_bench.py --no-import --no-encrypted 1000 10000   # plain journals only

Every figure is a fresh process of what a person runs, the `voicejournal` console script installed beside
this Python (this checkout's code first on the path; `python -m voicejournal` where there is no script),
as the median wall time of several runs (and the fastest), side by side with `grep -ril` over the same
transcripts as plain files, run after each of them (the ratio compares figures taken at the same moments),
with the machine's load average (from os.getloadavg, as `uptime` prints it) on every line: on a shared
machine the figures are only comparable at the same load. The median CPU
time (user + system) of the same runs follows each figure: it moves less with the load than wall time.
The start-up floor (`python -c pass`, `voicejournal --version`: Python, its site and click) comes first.

- `import --from jrnl` of an N-entry jrnl export into an empty journal, with its peak memory (the child's
  ru_maxrss from os.wait4). Targets: 10,000 entries <= 10 s; 50,000 entries <= 300 MB.
- `show ID` and `tag ID +word` on the journal of make_journal.py (target at 50,000: <= 80 ms).
- `search WORD` (target: <= grep -ril at 10,000; <= 120 ms at 50,000).
- `review` (target at 50,000: <= 1 s).
- The same four on an encrypted copy of the journal (real scrypt settings): opened with
  VOICEJOURNAL_PASSPHRASE (a key derivation per command) and with the key in the keyring (none). The
  keyring is a file-backed test backend (benchmarks/_file_keyring.py), never the machine's.

Journals come from search_bench.ensure_journal (benchmarks/.data/jN, reused; the encrypted copies are
benchmarks/.data/jN-encrypted). Figures go to benchmarks/results/scale.txt.
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from common import ROOT, report
from common import voicejournal as python_m_voicejournal
from make_journal import sentence
from search_bench import ensure_journal

WORD = "sister"
START = datetime(2016, 1, 1)
PASSPHRASE = "scale bench passphrase"
KEYRING = {
    "PYTHON_KEYRING_BACKEND": "_file_keyring.FileKeyring",
    "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}",
}


SCRIPT = Path(sys.executable).with_name("voicejournal")


def voicejournal(*args: str) -> list[str]:
    """The console script a person runs (pip made it), else `python -m voicejournal`."""
    return [str(SCRIPT), *args] if SCRIPT.exists() else python_m_voicejournal(*args)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def env_for(home: Path) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VOICEJOURNAL_HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "",
    }


def run(args: list[str], env: dict) -> tuple[float, float, float]:
    """(wall ms, peak resident MB, CPU ms) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode})")
    return wall, usage.ru_maxrss / 1024, (usage.ru_utime + usage.ru_stime) * 1000  # maxrss: kB on Linux


def median(args: list[str], env: dict, runs: int) -> tuple[float, float]:
    """Median (wall ms, CPU ms) over `runs` fresh processes."""
    figures = [run(args, env) for _ in range(runs)]
    return statistics.median(f[0] for f in figures), statistics.median(f[2] for f in figures)


def grep_ms(folder: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["grep", "-ril", WORD, str(folder)], stdout=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def jrnl_export(path: Path, n: int, seed: int = 11) -> None:
    """An N-entry `jrnl --format json` export: one a day or so over the years, 100-300 words each."""
    rng = random.Random(seed)
    entries = []
    for i in range(n):
        day = START + timedelta(days=i * 3650 / n)  # ten years of entries
        words, body = rng.randint(100, 300), []
        while sum(len(s.split()) for s in body) < words:
            body.append(sentence(rng))
        entries.append({
            "date": f"{day:%Y-%m-%d}",
            "time": f"{rng.randint(6, 23):02d}:{rng.randint(0, 59):02d}",
            "title": body[0], "body": " ".join(body[1:]), "tags": ["@journal"], "starred": rng.random() < 0.1,
        })  # fmt: skip
    path.write_text(json.dumps({"tags": {}, "entries": entries}))


def bench_import(n: int) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        export = Path(scratch) / "journal.json"
        jrnl_export(export, n)
        home = Path(scratch) / "home"
        wall, peak, _ = run(voicejournal("import", "--from", "jrnl", str(export)), env_for(home))
        again, _, _ = run(voicejournal("import", "--from", "jrnl", str(export)), env_for(home))
        entries = sum(len(json.loads(p.read_bytes())["entries"]) for p in (home / "entries").glob("*.json"))
        assert entries == n, (entries, n)
    return (
        f"  import --from jrnl, {n:,} entries    {wall / 1000:7.1f} s   peak {peak:5.0f} MB   "
        f"(run again: {again / 1000:.1f} s, nothing added)"
    )


def encrypted_copy(plain: Path, n: int) -> tuple[Path, dict]:
    """benchmarks/.data/jN-encrypted: the journal of `plain` encrypted (the key kept in the test keyring),
    made once; and the environment that reaches that keyring."""
    home = plain.with_name(f"{plain.name}-encrypted")
    env = {**env_for(home), **KEYRING, "SCALE_BENCH_KEYRING": str(home.with_name(f"{home.name}.keyring"))}
    if not (home / "encryption.json").exists():
        print(f"encrypting a copy of {n:,} entries…", file=sys.stderr)
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(plain, home, ignore=shutil.ignore_patterns("text", "index.sqlite*", ".lock"))
        run(voicejournal("encrypt", "--keyring"), {**env, "VOICEJOURNAL_PASSPHRASE": PASSPHRASE})
    return home, env


def bench_journal(n: int, runs: int, encrypted: bool) -> list[str]:
    home = ensure_journal(n)
    env = env_for(home)
    target = sorted((home / "text").iterdir())[n // 2].stem  # any entry; the map makes them all alike
    grep = grep_ms(home / "text", runs)
    lines = [f"{n:,} entries (grep -ril {WORD} over the same texts: {grep:.0f} ms, {load()})"]
    journals = [("plain", env)]
    if encrypted:
        _, secret = encrypted_copy(home, n)
        journals += [
            ("encrypted, VOICEJOURNAL_PASSPHRASE", {**secret, "VOICEJOURNAL_PASSPHRASE": PASSPHRASE}),
            ("encrypted, key in the keyring", {**secret, "VOICEJOURNAL_PASSPHRASE": ""}),
        ]
    for name, journal_env in journals:
        run(voicejournal("search", WORD), journal_env)  # builds the index and the id map once
        run(voicejournal("show", target), journal_env)
        lines.append(f"  {name}")
        for label, args in (
            (f"search {WORD}", ["search", WORD]),
            ("show ID", ["show", target]),
            ("tag ID +word", ["tag", target, "+scalebench"]),
            ("review", ["review"]),
        ):
            # Each run is followed by a `grep -ril` run: the ratio compares figures taken at the same moments
            # (on a shared VM both move by 20 % within minutes).
            figures, greps = [], []
            for _ in range(runs):
                figures.append(run(voicejournal(*args), journal_env))
                greps.append(grep_ms(home / "text", 1))
                if label.startswith("tag"):  # each run adds the tag, then takes it away (not timed)
                    run(voicejournal("tag", target, "-scalebench"), journal_env)
            ms, cpu = statistics.median(f[0] for f in figures), statistics.median(f[2] for f in figures)
            beside = statistics.median(greps)
            lines.append(
                f"    {label:<22} {ms:5.0f} ms (min {min(f[0] for f in figures):4.0f})  {ms / beside:4.1f}x grep -ril "
                f"({beside:.0f} ms beside it)   cpu {cpu:4.0f} ms   ({load()})"
            )
    return lines


def main() -> None:
    args = sys.argv[1:]
    imports = "--no-import" not in args
    encrypted = "--no-encrypted" not in args
    sizes = [int(a) for a in args if a.isdigit()] or [1000, 10000, 50000]
    lines = ["scale benchmark: fresh processes, median wall time (2 cores; other work may share them)"]
    python = median([sys.executable, "-c", "pass"], os.environ.copy(), 9)
    version = median(voicejournal("--version"), env_for(ROOT / "benchmarks" / ".data" / "none"), 9)
    lines.append(
        f"  start-up floor: python -c pass {python[0]:.0f} ms (cpu {python[1]:.0f}); voicejournal --version "
        f"{version[0]:.0f} ms (cpu {version[1]:.0f}), via {voicejournal()[0]} ({load()})"
    )
    for n in sizes:
        lines += bench_journal(n, runs=11 if n < 50000 else 9, encrypted=encrypted)
        if imports and n >= 10000:
            lines.append(bench_import(n))
        print("\n".join(lines), file=sys.stderr)
    shutil.rmtree(ROOT / "benchmarks" / ".data" / "add", ignore_errors=True)
    report("scale", lines)


if __name__ == "__main__":
    main()
