"""Search, list --theme and adding one entry, in fresh processes, against `grep -ri` over the same text.

    python benchmarks/search_bench.py              # 1,000 / 10,000 / 50,000 entries
    python benchmarks/search_bench.py 1000 10000   # only these sizes

Journals are generated once into benchmarks/.data/jN (see make_journal.py) and reused. For every size:
the index rebuild from scratch, `voicejournal search` for a few kinds of query, `list --theme`, adding
one written entry (`import --from markdown` of one file: themes, storage and index update included),
each a fresh process, median of several runs; and `grep -ri WORD text/` over the same transcripts as one
plain text file per entry, measured in the same run. Targets at 10,000 entries: search and list --theme
<= 150 ms, adding one entry <= 100 ms. Figures go to benchmarks/results/search.txt.
"""

import os
import pty
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT, report, time_command, voicejournal

DATA = ROOT / "benchmarks" / ".data"
QUERIES = [
    ("common word", ["sister"]),
    ("phrase", ['"my sister"']),
    ("words, -exclusion", ["panic", "train", "-work"]),
    ("rare word", ["trampoline"]),
    ("word + filters", ["anxious", "--theme", "sleep", "--since", "2025-01-01"]),
]
GREP = {
    "common word": "sister",
    "phrase": "my sister",
    "words, -exclusion": "panic",
    "rare word": "trampoline",
}


def ensure_journal(n: int) -> Path:
    home = DATA / f"j{n}"
    made_with_parts = DATA / f"j{n}.parts"  # journals made before months had parts are made again
    if (home / "entries").exists() and not made_with_parts.exists():
        for old in (home, home.with_name(f"{home.name}-encrypted")):
            shutil.rmtree(old, ignore_errors=True)
        home.with_name(f"{home.name}-encrypted.keyring").unlink(missing_ok=True)
    if not (home / "entries").exists():
        print(f"generating {n} entries…", file=sys.stderr)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "make_journal.py"), str(n), str(home)], check=True
        )
        print(f"  {time.perf_counter() - start:.1f} s", file=sys.stderr)
        made_with_parts.touch()
    return home


def once(args: list[str], env: dict) -> float:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    start = time.perf_counter()
    subprocess.run(args, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def on_terminal(args: list[str], env: dict, runs: int) -> float:
    """Median wall time with stdout on a pseudo-terminal (rich renders the bold highlights)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    times = []
    for _ in range(runs):
        master, slave = pty.openpty()
        drain = threading.Thread(target=_drain, args=(master,), daemon=True)
        drain.start()
        start = time.perf_counter()
        subprocess.run(args, env=full_env, stdout=slave, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
        os.close(slave)
        drain.join(timeout=2)
        os.close(master)
    return statistics.median(times)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def add_one_entry(home: Path, env: dict, runs: int) -> tuple[tuple[float, float], float]:
    """Fresh-process `import --from markdown` of one new file; and the same save inside one process."""
    folder = DATA / "add"
    folder.mkdir(parents=True, exist_ok=True)
    times = []
    for i in range(runs):
        stamp = time.time_ns()
        note = folder / f"2026-11-2{i % 9 + 1}-{stamp}.md"
        note.write_text(
            f"# After the session {stamp}\n\nzzbenchzz We talked about my sister and the deadline at work. "
            "I felt anxious on the train but I did the breathing exercise and it helped. " * 8
        )
        times.append(once(voicejournal("import", "--from", "markdown", str(note)), env))
        note.unlink()
    code = (
        "import time, sys\n"
        "from datetime import datetime\n"
        "from voicejournal.journal import Journal\n"
        "from voicejournal.core.entry import Entry, TEXT_ONLY\n"
        "j = Journal()\n"
        "j.index.connection()\n"
        "times = []\n"
        "for i in range(5):\n"
        "    e = Entry(id=j.storage.new_id(), created=datetime.now().astimezone(), kind='journal',\n"
        "              status=TEXT_ONLY, text='zzbenchzz My sister called about work and I felt anxious. ' * 60)\n"
        "    t = time.perf_counter(); j.save_entry(e, new=True); times.append(time.perf_counter() - t)\n"
        "print(sorted(times)[2] * 1000)\n"
        "for hit in j.search('zzbenchzz', limit=1000).hits:\n"  # leave the journal as it was
        "    j.delete(hit.id)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return (statistics.median(times), min(times)), float(out.stdout.strip())


def grep_ms(home: Path, word: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["grep", "-ri", word, str(home / "text")], stdout=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench(n: int, runs: int) -> list[str]:
    home = ensure_journal(n)
    # Installed packages run from compiled bytecode; a shell with PYTHONDONTWRITEBYTECODE=1 would make
    # every fresh process compile voicejournal's sources again (40+ ms) and measure that instead.
    env = {"VOICEJOURNAL_HOME": str(home), "PYTHONDONTWRITEBYTECODE": ""}
    index = home / "index.sqlite"
    index.unlink(missing_ok=True)
    rebuild = once(voicejournal("search", "sister"), env)
    size = index.stat().st_size / 1e6
    text_mb = sum(p.stat().st_size for p in (home / "text").iterdir()) / 1e6
    lines = [
        f"{n:,} entries ({text_mb:.0f} MB of transcripts; index {size:.0f} MB, built from scratch in "
        f"{rebuild / 1000:.1f} s by the first search)"
    ]
    baseline = time_command([sys.executable, "-c", "pass"], runs=runs)
    help_ms = time_command(voicejournal("--help"), runs=runs, env=env)
    lines.append(
        f"  start-up floor: python -c pass {baseline['median_ms']:.0f} ms (min {baseline['min_ms']:.0f}); "
        f"voicejournal --help {help_ms['median_ms']:.0f} ms (min {help_ms['min_ms']:.0f})"
    )
    lines.append(f"  {'':34} {'median (min)':>14} {'on a tty':>9} {'grep -ri':>9} {'ratio':>6}")
    for label, args in QUERIES:
        figures = time_command(voicejournal("search", *args), runs=runs, env=env)
        ms, low = figures["median_ms"], figures["min_ms"]
        tty = on_terminal(voicejournal("search", *args), env, runs=max(3, runs // 2))
        word = GREP.get(label)
        if word:
            g = grep_ms(home, word, runs)
            lines.append(
                f"  search {label:<27} {ms:5.0f} ({low:3.0f}) ms {tty:6.0f} ms {g:6.0f} ms {ms / g:5.1f}x"
            )
        else:
            lines.append(f"  search {label:<27} {ms:5.0f} ({low:3.0f}) ms {tty:6.0f} ms {'-':>9} {'':>6}")
    for args in (["--theme", "grief and loss", "--limit", "20"], ["--theme", "grief and loss"]):
        proc = subprocess.run(
            voicejournal("list", *args),
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            capture_output=True,
            text=True,
            check=True,
        )
        shown = len(proc.stdout.splitlines())
        figures = time_command(voicejournal("list", *args), runs=runs, env=env)
        tty = on_terminal(voicejournal("list", *args), env, runs=3)
        label = f"list {' '.join(args[:2])!s} ({shown} lines)"
        lines.append(f"  {label:<34} {figures['median_ms']:5.0f} ({figures['min_ms']:3.0f}) ms {tty:6.0f} ms")
    fresh, inproc = add_one_entry(home, env, runs=max(5, runs // 2))
    lines.append(
        f"  add one entry (import 1 file)      {fresh[0]:5.0f} ({fresh[1]:3.0f}) ms   "
        f"(the save alone, in process: {inproc:.0f} ms)"
    )
    return lines


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000, 50000]
    lines = ["search benchmark: fresh processes, median wall time (2 cores; other work may share them)"]
    for n in sizes:
        lines += bench(n, runs=10 if n < 50000 else 6)
        print("\n".join(lines[-11:]), file=sys.stderr)
    report("search", lines)


if __name__ == "__main__":
    main()
