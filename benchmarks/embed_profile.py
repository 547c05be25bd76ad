"""Where the time goes when long transcripts are embedded, and what the session settings change.

    python benchmarks/embed_profile.py                       # 40 entries, every setting below
    python benchmarks/embed_profile.py --entries 100 --ops   # and onnxruntime's per-operator profile
    python benchmarks/embed_profile.py --only fused,smoothed  # only these graphs (the before and after)

The entries are make_journal.py's 300-600-word transcripts (a spoken 3-5 minute reflection), cut into
passages as the journal cuts them. Printed: word pieces per passage and the padding the length-sorted
batches add; then for each setting the passages per second, the seconds per 1,000 such entries (wall and
CPU, user+sys of this process) and the smallest cosine between its vectors and the packaged graph's for
the same passages. `packaged` runs the model file as it is shipped (int8 weights turned into floats by
its graph on every run); `int8-all` runs it rewritten by voicejournal.semantic.int8_graph with all 36
products in 8 bits, `int8` with the first layer's six in float (what the journal ran before), `fused` with
the first layer's first four in float and each layer's attention, Gelu and biases fused into onnxruntime's
kernels by voicejournal.semantic.fused_graph (what the journal ran next), `smoothed` all 36 in 8 bits,
fused, and the layer norms' outliers moved into the weights by voicejournal.semantic.smooth_graph (what
the journal runs). `batched`: texts
sorted by length in padded runs of at most 1,024 pieces on two threads (what the journal did); `alone`:
each text a run of its own, two at once on one thread each (what it does). Last, the journal's own
Embedder.embed_passages. The machine's load is printed with every line: on a shared machine, compare
CPU seconds.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import processor, report  # noqa: E402

SETTINGS = [  # graph, optimisation level, how texts are run
    ("packaged", "DISABLE_ALL", "batched"),  # what the journal ran before
    ("packaged", "ENABLE_ALL", "batched"),
    ("packaged", "DISABLE_ALL", "alone"),
    ("int8-all", "DISABLE_ALL", "batched"),
    ("int8-all", "ENABLE_ALL", "batched"),
    ("int8-all", "DISABLE_ALL", "alone"),
    ("int8-all", "ENABLE_BASIC", "alone"),
    ("int8-all", "ENABLE_EXTENDED", "alone"),
    ("int8", "ENABLE_BASIC", "alone"),  # what the journal ran before (first layer in float)
    ("fused", "ENABLE_EXTENDED", "alone"),
    ("fused", "ENABLE_BASIC", "alone"),  # what the journal ran before
    ("smoothed", "ENABLE_BASIC", "alone"),  # what the journal runs
]
BATCH_TOKENS = 1024  # "batched": length-sorted runs of at most this many padded pieces, on 2 threads


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def long_passages(n: int) -> list[list[str]]:
    from make_journal import make_entry

    from voicejournal.core.passages import entry_passages

    rng = random.Random(7)
    entries = [make_entry(rng, f"e{i}", datetime(2026, 1, 1, tzinfo=UTC)) for i in range(n)]
    return [[t for _, t in p.sentences] for e in entries for p in entry_passages(e)]


def session(graph: str, level: str, threads: int, profile: str | None = None):
    import onnxruntime as ort

    from voicejournal.semantic.embedder import fuse_and_smooth, model_file
    from voicejournal.semantic.fused_graph import fuse
    from voicejournal.semantic.int8_graph import rewrite

    data = model_file().read_bytes()
    if graph == "smoothed":
        data = rewrite(data, keep_float=0, then=fuse_and_smooth)[0]
    elif graph == "fused":
        data = rewrite(data, keep_float=4, then=fuse)[0]
    elif graph != "packaged":
        data = rewrite(data, keep_float=0 if graph == "int8-all" else 6)[0]
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, "ORT_" + level)
    options.log_severity_level = 3
    if profile:
        options.enable_profiling = True
        options.profile_file_prefix = profile
    start = time.perf_counter()
    made = ort.InferenceSession(data, options)
    return made, time.perf_counter() - start


def batches(lengths: list[int]):
    batch: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if batch and lengths[i] * (len(batch) + 1) > BATCH_TOKENS:
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


def embed(sess, encodings: list[list[int]], how: str):
    """Mean-pooled unit vectors of the encodings, run `how` ("batched" or "alone", two at a time)."""
    import numpy as np

    from voicejournal.semantic.embedder import mean_pool

    def run(id_lists):
        width = max(len(ids) for ids in id_lists)
        ids = np.zeros((len(id_lists), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, token_ids in enumerate(id_lists):
            ids[row, : len(token_ids)], mask[row, : len(token_ids)] = token_ids, 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return mean_pool(sess.run(None, feeds)[0], mask)

    out = np.zeros((len(encodings), 384), dtype=np.float32)
    if how == "batched":
        for batch in batches([len(e) for e in encodings]):
            out[batch] = run([encodings[j] for j in batch])
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            for j, v in enumerate(pool.map(lambda ids: run([ids])[0], encodings)):
                out[j] = v
    return out


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def run_setting(encodings, n_entries, reference, setting) -> str:
    import numpy as np

    graph, level, how = setting
    sess, load_s = session(graph, level, 2 if how == "batched" else 1)
    embed(sess, encodings[:2], how)
    wall, before = time.perf_counter(), cpu()
    vectors = embed(sess, encodings, how)
    wall, used = time.perf_counter() - wall, cpu() - before
    agree = np.sum(vectors * reference, axis=1)
    return (
        f"{graph:<8} {level:<15} {how:<7}: load {load_s:.2f} s, {len(encodings) / wall:5.1f} passages/s, "
        f"{wall / n_entries * 1000:4.0f} s wall and {used / n_entries * 1000:4.0f} s CPU per 1,000 entries, "
        f"cosine to packaged min {agree.min():.4f} median {np.median(agree):.4f} mean {agree.mean():.5f} ({load()})"
    )


def op_profile(encodings, graph: str, level: str) -> list[str]:
    """onnxruntime's own profile of the passages run alone: the share of each operator type."""
    with tempfile.TemporaryDirectory() as tmp:
        sess, _ = session(graph, level, 1, profile=str(Path(tmp) / "p"))
        embed(sess, encodings, "alone")
        events = json.loads(Path(sess.end_profiling()).read_text())
    spent: collections.Counter = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            spent[e["args"].get("op_name")] += e["dur"]
    total = sum(spent.values())
    top = ", ".join(f"{op} {us / total:.0%}" for op, us in spent.most_common(8))
    return [f"operators ({graph}, {level}): {top} ({load()})"]


def main() -> None:
    import numpy as np

    from voicejournal.semantic.embedder import MAX_TOKENS, Embedder

    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--ops", action="store_true", help="also onnxruntime's per-operator profile")
    parser.add_argument("--only", default="", help="graphs to run, comma-separated (default: all)")
    args = parser.parse_args()
    passages = long_passages(args.entries)
    embedder = Embedder()
    encodings = [e.ids for e in embedder.tokenizer.encode_batch([" ".join(p) for p in passages])]
    lengths = [len(ids) for ids in encodings]
    padded = sum(max(lengths[j] for j in b) * len(b) for b in batches(lengths))
    lines = [
        f"embed_profile {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores ({processor()}), {args.entries} entries of "
        f"300-600 words: {len(passages)} passages, word pieces per passage mean {np.mean(lengths):.0f} "
        f"(max {max(lengths)}, {sum(n >= MAX_TOKENS for n in lengths)} truncated); batched, padding is "
        f"{(padded - sum(lengths)) / padded:.1%} of the pieces run"
    ]
    print(lines[0], flush=True)
    reference = embed(session("packaged", "DISABLE_ALL", 2)[0], encodings, "batched")
    only = set(filter(None, args.only.split(",")))
    for setting in (s for s in SETTINGS if not only or s[0] in only):
        lines.append(run_setting(encodings, args.entries, reference, setting))
        print(lines[-1], flush=True)
    wall, before = time.perf_counter(), cpu()
    embedder.embed_passages(passages)
    wall, used = time.perf_counter() - wall, cpu() - before
    lines.append(
        f"the journal's Embedder.embed_passages (with each sentence's vector): {len(passages) / wall:.1f} "
        f"passages/s, {wall / args.entries * 1000:.0f} s wall and {used / args.entries * 1000:.0f} s CPU "
        f"per 1,000 entries ({load()})"
    )
    if args.ops:
        for graph, level in (
            ("packaged", "DISABLE_ALL"),
            ("int8", "ENABLE_BASIC"),
            ("fused", "ENABLE_BASIC"),
            ("smoothed", "ENABLE_BASIC"),
        ):
            if only and graph not in only:
                continue
            lines += op_profile(encodings, graph, level)
    report("embed_profile", lines)


if __name__ == "__main__":
    main()
