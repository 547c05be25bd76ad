"""Search by meaning: quality on an invented paraphrase set, and speed and memory at scale.

    python benchmarks/meaning_bench.py                 # everything (about 2-4 minutes on 2 quiet cores)
    python benchmarks/meaning_bench.py quality --fillers 400 --set heldout   # tuning, heldout, fresh, both, all
    python benchmarks/meaning_bench.py speed --entries 10000 --embed 1000
    python benchmarks/meaning_bench.py speed --entries 0 --embed 1000    # the embedding figures only

quality: the targets, hard distractors (shared words, other meaning; several are polarity pairs) of
benchmarks/data/meaning_set.json (the set tuned on) or meaning_heldout.json (written before any tuning,
never tuned on) or meaning_fresh.json (written before the held-out misses were read, per-query results
looked at only at the end: the honest figure) plus generated everyday fillers go into a fresh journal;
each query is asked of `search --meaning` (the service) and of word search (all words, as the CLI does,
and any word: terms joined with OR). Recall@1, recall@3, MRR and the misses are printed.

speed: `search --meaning` in a fresh process over a synthetic 10,000-entry journal (make_journal.py; its
vectors are random unit vectors and sentence bits for the entries' real passages, written with the
journal's signature, which costs the same to load and score as real ones), one save with vectors
present, embedding 1,000 entries in a fresh process (realistic 300-600-word transcripts, and short ones
from the set), with the process's peak memory. The machine's load is printed with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import processor, report, time_command, voicejournal  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "meaning_set.json"  # the set tuned on
HELDOUT = ROOT / "benchmarks" / "data" / "meaning_heldout.json"  # never tuned on: the honest figure
FRESH = ROOT / "benchmarks" / "data" / "meaning_fresh.json"  # written before the held-out misses were read
SETS = {"tuning": DATA, "heldout": HELDOUT, "fresh": FRESH}


def load() -> str:
    return "load " + " ".join(os.getloadavg().__repr__().strip("()").split(", "))


# --- fillers ---------------------------------------------------------------------------------

FILLER_PARTS = {
    "opening": [
        "Today",
        "This morning",
        "In the afternoon",
        "After lunch",
        "Tonight",
        "On Saturday",
        "Yesterday",
    ],
    "did": [
        "I went grocery shopping and forgot the milk",
        "I repotted the basil on the windowsill",
        "I cleaned the bathroom and sorted the laundry",
        "I took the bike to be repaired",
        "I tried a new recipe for lentil curry",
        "I watched two episodes of the cooking show",
        "I walked to the library to return the books",
        "I paid the electricity bill online",
        "I rearranged the bookshelf by colour",
        "I fixed the dripping tap in the kitchen",
        "I met the plumber about the boiler",
        "I took the car for its inspection",
        "I booked train tickets for the holidays",
        "I baked banana bread with the old bananas",
        "I sorted old photos into albums",
        "I went to the hardware store for screws",
        "I changed the sheets and aired the bedroom",
        "I listened to a podcast about the history of tea",
        "I wrote the shopping list for the week",
        "I helped the neighbour carry a sofa upstairs",
    ],
    "detail": [
        "The weather was mild and a bit windy.",
        "The bus was late but only by five minutes.",
        "The shop had run out of oat milk.",
        "It rained for an hour around noon.",
        "The cat slept on the radiator all day.",
        "The queue at the post office was long.",
        "The radio played old songs from the eighties.",
        "The tomatoes on the balcony are finally red.",
        "The new kettle is much quieter than the old one.",
        "The street was closed for the market.",
        "My phone needed charging twice.",
        "The parcel arrived a day early.",
    ],
    "closing": [
        "Tomorrow I need to call the dentist.",
        "Dinner was pasta with peas.",
        "I went to bed around eleven.",
        "Need to buy batteries for the remote.",
        "Nothing special otherwise.",
        "The week is almost over.",
        "I should water the plants again on Thursday.",
        "Planning to tidy the garage next weekend.",
    ],
}


def fillers(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        p = FILLER_PARTS
        sentences = [f"{rng.choice(p['opening'])} {rng.choice(p['did'])}."]
        sentences += rng.sample(p["detail"], k=rng.randint(1, 3))
        sentences.append(rng.choice(p["closing"]))
        out.append(" ".join(sentences))
    return out


# --- quality ---------------------------------------------------------------------------------


def _entry(eid: str, text: str, day: int):
    from voicejournal.core.entry import DONE, Entry, Segment

    sentences = [s.strip() + "." for s in text.replace("!", ".").split(".") if s.strip()]
    segs, t = [], 0.0
    for s in sentences:
        d = len(s.split()) / 2.5
        segs.append(Segment(round(t, 2), round(t + d, 2), s))
        t += d + 0.5
    return Entry(
        id=eid,
        created=datetime(2025, 1, 1, 20, 0, tzinfo=UTC) + timedelta(hours=day * 7),
        status=DONE,
        segments=segs,
        text=" ".join(sentences),
        duration=t,
    )


def _any_word(journal, words: list[str]) -> list[str]:
    """BM25 over the index with the query's words joined by OR (how the issue measured word search)."""
    if not words:
        return []
    match = " OR ".join(f'"{w}"' for w in words)
    sql = "SELECT e.id FROM docs JOIN entries e ON e.rowid = docs.rowid WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10"
    return [row[0] for row in journal.index.connection().execute(sql, (match,))]


def quality(n_fillers: int, name: str = "tuning", misses: bool = True) -> list[str]:
    from voicejournal.journal import Journal
    from voicejournal.services import meaning
    from voicejournal.services.entries import save_new_entries

    data = json.loads(SETS[name].read_text())
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "home", now=lambda: datetime(2026, 12, 1, tzinfo=UTC))
        texts = [(t["id"], t["text"]) for t in data["targets"]] + [
            (d["id"], d["text"]) for d in data["distractors"]
        ]
        texts += [(f"f{i:03d}", t) for i, t in enumerate(fillers(n_fillers))]
        random.Random(3).shuffle(texts)
        entries = [_entry(eid, text, day) for day, (eid, text) in enumerate(texts)]
        real_ids = [eid for eid, _ in texts]
        for entry in entries:
            entry.source = entry.id  # the journal gives new ids; keep ours to score by
        save_new_entries(journal, entries)
        ours = {e.id: e.source for e in entries}
        start = time.perf_counter()
        meaning.current(journal)
        embed_s = time.perf_counter() - start
        results: dict[str, list] = {"meaning": [], "words (all)": [], "words (any)": []}
        for target in data["targets"]:
            for kind, query in target["queries"]:
                ranked = [ours[h.id] for h in meaning.search_meaning(journal, query, limit=10).hits]
                results["meaning"].append((kind, query, target["id"], ranked))
                try:
                    hits = journal.search(query, limit=10).hits
                except Exception:  # a query word search cannot parse counts as nothing found
                    hits = []
                results["words (all)"].append((kind, query, target["id"], [ours[h.id] for h in hits]))
                words = [w for w in query.replace("'", " ").split() if w.isalpha()]
                hits = [ours[i] for i in _any_word(journal, words)]
                results["words (any)"].append((kind, query, target["id"], hits))
    lines = [
        f"{name} set {SETS[name].name}: {len(data['targets'])} targets, {sum(len(t['queries']) for t in data['targets'])} queries, "
        f"{len(data['distractors'])} distractors, {n_fillers} fillers ({len(real_ids)} entries); "
        f"embedding them took {embed_s:.1f} s ({load()})"
    ]
    for name, rows in results.items():
        for kind in ("topic", "paraphrase", "all"):
            chosen = [r for r in rows if kind == "all" or r[0] == kind]
            r1 = sum(r[3][:1] == [r[2]] for r in chosen) / len(chosen)
            r3 = sum(r[2] in r[3][:3] for r in chosen) / len(chosen)
            mrr = sum(1 / (r[3].index(r[2]) + 1) if r[2] in r[3] else 0 for r in chosen) / len(chosen)
            lines.append(
                f"{name:<12} {kind:<10} recall@1 {r1:.2f}  recall@3 {r3:.2f}  MRR {mrr:.2f}  (n={len(chosen)})"
            )
    if not misses:
        return lines
    lines.append("meaning misses (target not in the top 3; what came first):")
    for kind, query, target, ranked in results["meaning"]:
        if target not in ranked[:3]:
            where = ranked.index(target) + 1 if target in ranked else ">10"
            lines.append(f"  [{kind}] {query!r} -> {target} at {where}; top: {', '.join(ranked[:3])}")
    return lines


# --- speed -----------------------------------------------------------------------------------

EMBED_CHILD = """
import os, resource, sys, time
from pathlib import Path
from voicejournal.journal import Journal
from voicejournal.services import meaning
j = Journal(Path(sys.argv[1]))
start, before = time.perf_counter(), os.times()
v = meaning.current(j)
took, after = time.perf_counter() - start, os.times()
used = after.user + after.system - before.user - before.system
rows = len(v.matrix)
print(f"{len(v.entries)} {rows} {took:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {used:.1f}")
"""


SAVE_CHILD = """
import sys, time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from voicejournal.core.entry import DONE, Entry
from voicejournal.journal import Journal
from voicejournal.services.entries import save_new_entries
from voicejournal.store import files
written = Counter()
real = files.write_bytes
def spy(home, path, data, keep_backup=False):
    written[path.name] += len(data)
    return real(home, path, data, keep_backup=keep_backup)
files.write_bytes = spy
j = Journal(Path(sys.argv[1]))
times = []
for n in range(3):
    entry = Entry(id="", created=datetime(2026, 11, 20, 9, n, tzinfo=UTC), status=DONE,
                  text="I just wanted to quit everything today. Nothing seemed worth getting out of bed for.")
    start = time.perf_counter()
    save_new_entries(j, [entry])
    times.append(time.perf_counter() - start)
vec = sum(v for k, v in written.items() if k.startswith("index.sqlite-vectors")) / 3
print(f"{sorted(times)[1] * 1000:.0f} {vec / 1e3:.0f}")
"""


def _save_run(home: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", SAVE_CHILD, str(home)], env=env, capture_output=True, text=True, check=True
    )
    ms, kb = out.stdout.split()
    return (
        f"saving one entry with vectors present: median of 3 saves {ms} ms, vectors written {kb} KB per save"
    )


def _embed_run(home: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", EMBED_CHILD, str(home)], env=env, capture_output=True, text=True, check=True
    )
    entries, rows, took, peak, used = out.stdout.split()
    return (
        f"{entries} entries ({rows} passages) embedded in {took} s, CPU {used} s ({float(took) / int(entries) * 1000:.0f} "
        f"ms/entry, {int(rows) / float(took):.0f} passages/s), peak memory {peak} MB"
    )


def _short_journal(home: Path, n: int) -> None:
    from voicejournal.journal import Journal
    from voicejournal.services.entries import save_new_entries

    data = json.loads(DATA.read_text())
    texts = [t["text"] for t in data["targets"]] + [d["text"] for d in data["distractors"]] + fillers(n)
    journal = Journal(home)
    save_new_entries(journal, [_entry("", text, day) for day, text in enumerate(texts[:n])])


def random_vectors(storage):
    """Random unit vectors (and random sentence sign bits) for every passage of a journal's entries,
    in step with it: they cost the same to load and score as real ones, without hours of embedding."""
    import numpy as np

    from voicejournal.core.entry import Entry
    from voicejournal.core.passages import entry_passages
    from voicejournal.semantic.embedder import DIMENSIONS, MODEL_ID, MODEL_SHA256
    from voicejournal.store.vectors import SENTENCE_BYTES, VectorSet

    rng = np.random.default_rng(5)
    vectors = VectorSet(MODEL_ID, MODEL_SHA256, DIMENSIONS, storage.signature())
    items, sentences = [], {}
    for doc in storage.all_entries():
        passages = entry_passages(Entry.from_doc(doc))
        n = len(passages)
        v = rng.standard_normal((n, DIMENSIONS)).astype(np.float32)
        items.append(
            (doc["id"], "random", [p.start for p in passages], v / np.linalg.norm(v, axis=1, keepdims=True))
        )
        counts = [len(p.sentences) for p in passages]
        sentences[doc["id"]] = (counts, rng.integers(0, 256, (sum(counts), SENTENCE_BYTES), dtype=np.uint8))
    vectors.put(items, storage.entry_ids(), sentences)  # filed by month, as the journal keeps them
    return vectors


def timed_runs(args: list[str], runs: int, env: dict) -> dict:
    """Wall and CPU (user+sys) time of fresh processes, in ms (median, min, max of wall; median CPU).
    Byte-compiled code is kept between runs (PYTHONPYCACHEPREFIX, one untimed run first), as an installed
    package has it (PYTHONDONTWRITEBYTECODE, set on this machine, makes every run compile voicejournal's
    modules again; measured on a quiet machine it costs little, ~10 ms, the line below shows it)."""
    import statistics

    pyc = tempfile.mkdtemp(prefix="vj-pyc-")
    full = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        **env,
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": pyc,
    }
    try:
        walls, cpus = _timed(args, runs, full)
    finally:
        shutil.rmtree(pyc, ignore_errors=True)
    return {
        "median_ms": statistics.median(walls),
        "min_ms": min(walls),
        "max_ms": max(walls),
        "cpu_ms": statistics.median(cpus),
    }


def _timed(args: list[str], runs: int, full: dict) -> tuple[list[float], list[float]]:
    import resource

    subprocess.run(args, env=full, capture_output=True, check=True)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, env=full, capture_output=True, check=True)
        walls.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return walls, cpus


def speed(n_search: int, n_embed: int) -> list[str]:
    from make_journal import make_journal

    from voicejournal.store.storage import Storage
    from voicejournal.store.vectors import VectorStore

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        if n_embed:  # --embed 0: the search figures only
            home = Path(tmp) / "short"
            _short_journal(home, n_embed)
            lines.append(f"embedding short entries (40-80 words): {_embed_run(home)} ({load()})")
            home = Path(tmp) / "long"
            make_journal(n_embed, home)
            lines.append(f"embedding transcripts of 300-600 words: {_embed_run(home)} ({load()})")
        if not n_search:  # --entries 0: the embedding figures only
            return lines
        home = Path(tmp) / "big"
        make_journal(n_search, home)
        storage = Storage(home)
        vectors = random_vectors(storage)
        VectorStore(home).save(vectors)
        size = sum(p.stat().st_size for p in home.glob("index.sqlite-vectors*")) / 1e6
        env = {"VOICEJOURNAL_HOME": str(home)}
        subprocess.run(
            voicejournal("list", "--limit", "1"), env={**os.environ, **env}, capture_output=True
        )  # index
        t = timed_runs(voicejournal("search", "--meaning", "times I felt like giving up"), runs=7, env=env)
        lines.append(
            f"search --meaning, fresh process, {n_search:,} entries ({len(vectors.matrix):,} passages, vectors files "
            f"{size:.1f} MB): median {t['median_ms']:.0f} ms, min {t['min_ms']:.0f}, max {t['max_ms']:.0f}, "
            f"CPU {t['cpu_ms']:.0f} ms ({load()})"
        )
        t = timed_runs(
            voicejournal("search", "--meaning", "times I felt like giving up", "--limit", "3"),
            runs=5,
            env=env,
        )
        lines.append(
            f"  the same with --limit 3: median {t['median_ms']:.0f} ms, CPU {t['cpu_ms']:.0f} ms ({load()})"
        )
        t = time_command(voicejournal("search", "--meaning", "times I felt like giving up"), runs=3, env=env)
        lines.append(
            f"  the same compiling every module again (PYTHONDONTWRITEBYTECODE as set here): median {t['median_ms']:.0f} ms ({load()})"
        )
        t = timed_runs(voicejournal("--version"), runs=5, env=env)
        lines.append(f"  (a bare `voicejournal --version` for comparison: median {t['median_ms']:.0f} ms)")
        lines.append(f"{_save_run(home)}, {n_search:,} entries ({load()})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", choices=("all", "quality", "speed"), default="all")
    parser.add_argument("--fillers", type=int, default=400)
    parser.add_argument("--set", choices=("tuning", "heldout", "fresh", "both", "all"), default="all")
    parser.add_argument(
        "--no-misses", action="store_true", help="figures only (for the fresh set while tuning)"
    )
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--embed", type=int, default=1_000)
    args = parser.parse_args()
    lines = [f"meaning_bench {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores ({processor()})"]
    if args.what in ("all", "quality"):
        names = {"both": ("tuning", "heldout"), "all": ("tuning", "heldout", "fresh")}.get(
            args.set, (args.set,)
        )
        for name in names:
            lines += quality(args.fillers, name, misses=not args.no_misses)
    if args.what in ("all", "speed"):
        lines += speed(args.entries, args.embed)
    report("meaning_bench", lines)


if __name__ == "__main__":
    main()
