"""A long `voicejournal record` through the virtual microphone: overflows, memory, CPU.

Plays speech every 15 s, samples the recorder's RSS and CPU from /proc, stops with SIGINT and
reports input overflows (the CLI prints them), RSS over time, and CPU use as % of one core.

    python benchmarks/record_soak.py --minutes 60 --no-transcribe
    python benchmarks/record_soak.py --minutes 10            # with transcription while recording
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _speech import (  # noqa: E402
    ROOT,
    cli,
    cpu_seconds,
    ensure_mic,
    make_speech,
    play,
    private_server,
    rss_mb,
    start_record,
    stop_record,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between speech plays")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between RSS samples")
    parser.add_argument("--no-transcribe", action="store_true")
    parser.add_argument(
        "--shared-mic",
        action="store_true",
        help="use tests/virtual_mic.sh instead of a private sound server (which lets tests run meanwhile)",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "record_soak.txt")
    args = parser.parse_args()
    if args.shared_mic:
        ensure_mic()
    speech = make_speech(ROOT / "benchmarks" / ".data" / "speech")
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        server, stop_server = (None, None) if args.shared_mic else private_server(Path(tmp) / "vmic")
        extra = ["--no-transcribe"] if args.no_transcribe else []
        proc = start_record(home, "--max-minutes", str(args.minutes + 5), *extra, server=server)
        t0 = time.monotonic()
        cpu0 = cpu_seconds(proc.pid)
        next_play, next_sample, i = t0 + 1, t0, 0
        while (now := time.monotonic()) - t0 < args.minutes * 60:
            if now >= next_sample:
                rss, peak = rss_mb(proc.pid)
                samples.append((now - t0, rss, peak))
                next_sample += args.sample
            if now >= next_play:
                play(speech[i % len(speech)][0], server)
                i += 1
                next_play = time.monotonic() + args.every
            time.sleep(0.2)
        rss, peak = rss_mb(proc.pid)
        samples.append((time.monotonic() - t0, rss, peak))
        cpu = cpu_seconds(proc.pid) - cpu0
        wall_rec = time.monotonic() - t0
        wall, out, err = stop_record(proc)
        overflows = re.search(r"Note: (\d+) tiny gaps", err)
        entry = json.loads(cli(home, "list", "--json").stdout)[0]
        if stop_server is not None:
            stop_server()
    mode = "without transcription" if args.no_transcribe else "with transcription while recording"
    lines = [
        f"soak {args.minutes:g} min {mode}: recorded {entry['duration']:.1f} s of {wall_rec:.1f} s wall, "
        f"input overflows {int(overflows.group(1)) if overflows else 0}, exit {proc.returncode}, "
        f"SIGINT->exit {wall:.2f} s",
        f"CPU while recording: {100 * cpu / wall_rec:.1f}% of one core ({cpu:.1f} s CPU in {wall_rec:.0f} s)",
        "RSS (MB) at: " + ", ".join(f"{t / 60:.1f} min {r:.0f}" for t, r, _ in samples),
        f"peak RSS {max(p for _, _, p in samples):.0f} MB",
    ]
    print("\n".join(lines))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with open(args.results, "a") as f:
        f.write(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} record_soak {' '.join(sys.argv[1:])}\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
