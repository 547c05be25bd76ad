"""Stop-to-saved-transcript latency of `voicejournal record`, through the virtual microphone.

For each duration, runs the real CLI as a subprocess, plays espeak-ng speech into the virtual mic
for that long, sends SIGINT and measures (a) the time from SIGINT to the process exiting with the
entry saved and the transcript printed, and (b) the CLI's own "Transcript ready (X s)" figure
(stop request -> entry saved). Then transcribes the saved FLAC whole, to compare accuracy (word
error rate against the spoken text) of transcribing while recording vs the whole file at once.

    python benchmarks/record_latency.py 1 5 10          # minutes; 10 takes ~10 min

It uses its own throw-away PulseAudio server (so tests can use tests/virtual_mic.sh meanwhile);
--shared-mic uses the shared virtual microphone instead.
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
    ensure_mic,
    make_speech,
    play,
    private_server,
    start_record,
    stop_record,
    wer,
)


def run_one(minutes: float, speech: list[tuple[Path, str]], private: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        server, stop_server = private_server(Path(tmp) / "vmic") if private else (None, None)
        proc = start_record(home, "--max-minutes", str(minutes * 2 + 5), server=server)
        t0 = time.monotonic()
        time.sleep(0.3)
        spoken, i = [], 0
        while time.monotonic() - t0 < minutes * 60:
            path, text = speech[i % len(speech)]
            play(path, server)
            spoken.append(text)
            i += 1
            time.sleep(0.8)
        time.sleep(0.5)
        wall, out, err = stop_record(proc)
        if stop_server is not None:
            stop_server()
        if proc.returncode != 0:
            raise SystemExit(f"record failed ({proc.returncode}): {err}")
        ready = re.search(r"Transcript ready \(([\d.]+) s\)", err)
        entry = json.loads(cli(home, "list", "--json").stdout)[0]
        reference = " ".join(spoken)
        from voicejournal.speech.transcription import Transcriber

        t = Transcriber()
        t.transcribe(speech[0][0])  # load the model before timing
        t1 = time.monotonic()
        whole = t.transcribe(home / entry["audio"])
        whole_s = time.monotonic() - t1
        return {
            "minutes": minutes,
            "duration_s": entry["duration"],
            "sigint_to_exit_s": round(wall, 2),
            "stop_to_saved_s": float(ready.group(1)) if ready else None,
            "wer_while_recording": round(wer(reference, entry["text"]), 4),
            "wer_whole_file": round(wer(reference, whole.text), 4),
            "whole_file_transcription_s": round(whole_s, 2),
            "words": len(entry["text"].split()),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("minutes", nargs="*", type=float, default=[1, 5, 10])
    default_results = ROOT / "benchmarks" / "results" / "record_latency.txt"
    parser.add_argument("--results", type=Path, default=default_results)
    parser.add_argument(
        "--shared-mic", action="store_true", help="use tests/virtual_mic.sh instead of a private sound server"
    )
    args = parser.parse_args()
    if args.shared_mic:
        ensure_mic()
    speech = make_speech(ROOT / "benchmarks" / ".data" / "speech")
    lines = []
    for minutes in args.minutes:
        r = run_one(minutes, speech, private=not args.shared_mic)
        line = (
            f"{r['minutes']:g} min (recorded {r['duration_s']:.1f} s): stop->saved {r['stop_to_saved_s']} s, "
            f"SIGINT->exit {r['sigint_to_exit_s']} s; WER while recording {r['wer_while_recording']:.1%} vs "
            f"whole file {r['wer_whole_file']:.1%} (whole-file transcription would take "
            f"{r['whole_file_transcription_s']} s); {r['words']} words"
        )
        print(line, flush=True)
        lines.append(line)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    with open(args.results, "a") as f:
        f.write(f"# {stamp} record_latency {' '.join(str(m) for m in args.minutes)}\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
