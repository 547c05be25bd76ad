"""What encryption at rest costs: adding an entry, reading every entry, and a whole `list` in a fresh process,
at 1,000 and 10,000 entries, encrypted against plain. Also the one-off unlock (scrypt) per process.

    .venv/bin/python benchmarks/crypto_bench.py            # figures -> benchmarks/results/crypto.txt
"""

import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402

from benchmarks.common import report, time_command, voicejournal  # noqa: E402
from tests.integration.writer import sentence  # noqa: E402
from voicejournal.core.entry import Entry, Segment  # noqa: E402
from voicejournal.journal import Journal  # noqa: E402
from voicejournal.store import files, keyfile, keys  # noqa: E402
from voicejournal.store.month_files import shard_name  # noqa: E402
from voicejournal.store.storage import Storage  # noqa: E402

PASS = "benchmark passphrase"


def entry_doc(rng: random.Random, entry_id: str, created: datetime) -> dict:
    segments = [Segment(i * 4.0, i * 4.0 + 3.5, sentence(rng)) for i in range(20)]  # 80 s, 240 words
    return Entry(id=entry_id, created=created, status="done", segments=segments, model="tiny.en").to_doc()


def build(home: Path, count: int, encrypted: bool) -> None:
    """`count` entries over three years, written through storage's own atomic writer (encrypted if asked)."""
    home.mkdir(parents=True)
    if encrypted:
        key_file, _ = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED)
        keyfile.save_key_file(home, key_file)
        keys.unlock(home, PASS)
    Storage(home).all("meta")  # creates journal.json
    rng = random.Random(count)
    start = datetime(2023, 11, 1, tzinfo=UTC)
    shards: dict[str, dict] = defaultdict(dict)
    for n in range(count):
        created = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        doc = entry_doc(rng, f"e{n:05d}", created)
        shards[shard_name(doc["created"])][str(len(shards[shard_name(doc["created"])]) + 1)] = doc
    for name, docs in shards.items():
        files.write_bytes(home, home / "entries" / name, orjson.dumps({"entries": docs}), keep_backup=True)


def best_ms(fn, runs: int) -> float:
    """The fastest of `runs` (other programs on a shared machine only ever add time)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times)


def measure(home: Path, encrypted: bool) -> dict:
    journal = Journal(home)
    rng = random.Random(1)
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)

    def add():
        journal.save_entry(Entry.from_doc(entry_doc(rng, journal.new_entry_id(), now)), new=True)

    def read_all():
        Journal(home).entries()

    def read_files():
        for path in (home / "entries").iterdir():
            files.read_bytes(home, path)

    env = {"VOICEJOURNAL_HOME": str(home), "VOICEJOURNAL_PASSPHRASE": PASS}
    search = voicejournal("search", "mother", "sleep")
    build = time_command(search, runs=1, env=env)["min_ms"]  # the first search builds the index
    return {
        "search_build_ms": build,
        "search_ms": time_command(search, runs=5, env=env)["min_ms"],
        "read_files_ms": best_ms(read_files, 10),
        "add_ms": best_ms(add, 15),
        "read_all_ms": best_ms(read_all, 8),
        "list_process_ms": time_command(voicejournal("list", "--json"), runs=3, env=env)["min_ms"],
    }


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [1_000, 10_000]
    lines = [
        "Encryption at rest: cost against a plain journal (fastest of several runs; this machine, 2 cores)"
    ]
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "k"
        home.mkdir()
        key_file, _ = keyfile.new_key_file(PASS, state=keyfile.ENCRYPTED)
        keyfile.save_key_file(home, key_file)
        keys.forget_keys()
        unlock_ms = best_ms(lambda: (keys.forget_keys(), keys.unlock(home, PASS)), 5)
    lines.append(f"unlock (scrypt N=2^17, r=8, p=1), once per process: {unlock_ms:.0f} ms")
    for count in counts:
        results = {}
        for encrypted in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                home = Path(tmp) / "home"
                build(home, count, encrypted)
                size = sum(p.stat().st_size for p in (home / "entries").iterdir())
                results[encrypted] = measure(home, encrypted) | {"size_mb": size / 1e6}
                keys.forget_keys()
        plain, enc = results[False], results[True]
        lines.append(f"{count:,} entries ({plain['size_mb']:.1f} MB of entry files):")
        for key, label in [
            ("read_files_ms", "read (and decrypt) every entry file, bytes only"),
            ("add_ms", "add an entry (in process)"),
            ("read_all_ms", "read every entry (in process)"),
            ("list_process_ms", "`list --json` in a fresh process (unlock included)"),
            ("search_build_ms", "first `search` (builds the index), fresh process"),
            ("search_ms", "`search` with the index, fresh process (unlock incl.)"),
        ]:
            lines.append(
                f"  {label:<52} plain {plain[key]:8.1f} ms   encrypted {enc[key]:8.1f} ms   "
                f"(+{enc[key] - plain[key]:.1f} ms, x{enc[key] / plain[key]:.2f})"
            )
    lines.append(f"(benchmark took {time.perf_counter() - t:.0f} s)")
    report("crypto", lines)


if __name__ == "__main__":
    os.environ.pop("VOICEJOURNAL_PASSPHRASE", None)
    main()
