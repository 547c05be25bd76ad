"""Shared bits for the benchmark scripts: timing fresh processes, writing results."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def compile_bytecode() -> None:
    """Write this checkout's .pyc files before timing anything, as an installed copy has them (pip compiles
    at install; a person's first run writes them). Where PYTHONDONTWRITEBYTECODE is set (this machine's
    shell sets it), a module changed since its .pyc was written is compiled again by every fresh process
    (2-3 ms per module), which would be measured as start-up no person pays."""
    import compileall

    compileall.compile_dir(ROOT / "voicejournal", quiet=1)


compile_bytecode()  # every benchmark imports this module first


def time_command(args: list[str], runs: int = 10, env: dict | None = None, root: Path = ROOT) -> dict:
    """Wall time of a fresh process, in ms: median, min and max over `runs` (code imported from `root`)."""
    full_env = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def voicejournal(*args: str) -> list[str]:
    return [sys.executable, "-m", "voicejournal", *args]


def processor() -> str:
    """The processor's name and its vector extensions that onnxruntime's 8-bit products use (with VNNI
    they multiply 8-bit numbers in one step; with AVX2 alone, in several: the meaning figures depend on it)."""
    name, flags = "unknown processor", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and name == "unknown processor":
                name = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        return name
    have = [
        n
        for f, n in (
            ("avx2", "AVX2"),
            ("avx512f", "AVX-512"),
            ("avx512_vnni", "VNNI"),
            ("avx_vnni", "AVX-VNNI"),
        )
        if f in flags
    ]
    return f"{name}, {' '.join(have) or 'no AVX2'}{'' if 'VNNI' in ' '.join(have) else ', no VNNI'}"


def report(name: str, lines: list[str]) -> None:
    """Print the figures and keep them in benchmarks/results/<name>.txt."""
    RESULTS.mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n"
    print(text, end="")
    (RESULTS / f"{name}.txt").write_text(text)


def word_edits(ref: list[str], hyp: list[str]) -> int:
    """Word substitutions, insertions and deletions turning `ref` into `hyp` (the WER numerator)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]
