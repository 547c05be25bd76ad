"""The live strategy without real time: the joined speech-dev file cut by the Chunker and fed chunk by chunk to
ChunkedTranscript(live=True), every chunk heard alone, then in windows of GROUP_SECONDS, as while recording on
an idle machine (windows do not shrink with the measured cost here, so two runs hear the same windows).

    python benchmarks/live_replay.py ../shared/speech-dev [--quick] [--keep-chunks]
    python benchmarks/live_replay.py ../shared/speech-dev --audio live.flac --cuts live.log
    python benchmarks/live_replay.py ../shared/speech-dev --shift 20   # started 20 ms later (quality.py's shifts)

`--audio`: a live run's own recording (quality.py --texts keeps it as live.flac) in place of the joined file;
`--cuts`: its chunks as the live debug log took them (its last recording), in place of the Chunker's: the same
audio and chunks as live, heard without real time, tell a difference in the sound from one in the timing.

Prints the WER (quality.py's normaliser), how many windows left out a run of words the chunks had (the
`skipped_words` guard) and what was done with them: put back (`answers.put_back`, today) or, with
--keep-chunks, the chunks' own text kept for the whole window (before). Also how many re-heard rests had
words that repeat the text before them (`answers.new_words`; --keep-repeats: kept, as before). A live run through the virtual mic differs
(chunks cut in real time, windows only as the measured cost allows): quality.py measures that.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _wer_align import errors_per_clip  # noqa: E402
from quality import clips, errors, joined, load, pct, shifted, words  # noqa: E402


def logged_cuts(path: Path) -> list[tuple[int, int]]:
    """The chunks (frames) of the last recording in a live debug log."""
    import re

    cuts: list[tuple[int, int]] = []
    for line in path.read_text().splitlines():
        if line.endswith("recording starts"):
            cuts = []
        elif found := re.search(r"  chunk ([\d.]+)-([\d.]+) s", line):
            cuts.append((round(float(found.group(1)) * 16000), round(float(found.group(2)) * 16000)))
    return cuts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("speech_dev", type=Path)
    parser.add_argument("--quick", action="store_true", help="the first 19 clips only")
    parser.add_argument("--keep-chunks", action="store_true", help="a window that skipped words is dropped")
    parser.add_argument(
        "--audio", type=Path, help="a live run's recording to hear instead of the joined file"
    )
    parser.add_argument(
        "--cuts", type=Path, help="a live debug log whose chunks to hear (its last recording)"
    )
    parser.add_argument("--keep-repeats", action="store_true", help="a re-heard rest keeps repeated words")
    parser.add_argument(
        "--shift", type=int, default=0, help="ms of digital silence before the audio (as quality.py's shifts)"
    )
    args = parser.parse_args()

    from voicejournal.speech import answers, chunked, hearing
    from voicejournal.speech.audio import load_audio
    from voicejournal.speech.chunker import Chunker
    from voicejournal.speech.devices import BLOCKSIZE
    from voicejournal.speech.levels import level_db
    from voicejournal.speech.transcription import Transcriber

    counts = {"windows dropped": 0, "windows with words put back": 0, "rests with repeated words": 0}

    def put_back(alone, window, run):
        if args.keep_chunks:
            counts["windows dropped"] += 1
            return alone
        counts["windows with words put back"] += 1
        return answers.put_back(alone, window, run)

    def new_words(written, more):
        if args.keep_repeats:  # before: only a rest segment found whole in the text, as characters, went
            return [s for s in more if answers.folded(s.text) not in answers.folded(written)]
        kept = answers.new_words(written, more)
        counts["rests with repeated words"] += " ".join(s.text for s in kept) != " ".join(
            s.text for s in more
        )
        return kept

    chunked.put_back, chunked.new_words, hearing.new_words = put_back, new_words, new_words
    items = clips(args.speech_dev, args.quick)
    with tempfile.TemporaryDirectory() as tmp:
        wav, reference, seconds = joined(items, Path(tmp) / "joined.wav")
        samples = load_audio(shifted(args.audio or wav, args.shift, Path(tmp) / "shifted.wav"))
    if args.cuts:
        cuts = logged_cuts(args.cuts)
    else:
        chunker, cuts = Chunker(16000), []
        for i in range(0, len(samples), BLOCKSIZE):
            block = samples[i : i + BLOCKSIZE]
            cuts.extend(chunker.feed(level_db(block), len(block)))
        cuts += [tail] if (tail := chunker.finish()) is not None else []
    live = chunked.ChunkedTranscript(Transcriber())
    live.group_seconds = lambda: chunked.GROUP_SECONDS
    began, cpu = time.monotonic(), os.times()
    for n, (start, end) in enumerate(cuts):
        if n == len(cuts) - 1:
            live.last(start, end, samples[start:end], budget=chunked.LIVE_WINDOW_COST)
        else:
            live.add(start, end, samples[start:end])
    wall, done = time.monotonic() - began, os.times()
    text = " ".join(s.text.strip() for s in live.segments)
    mode = ("chunks kept" if args.keep_chunks else "words put back") + (
        ", repeats kept" if args.keep_repeats else ""
    )
    print(f"live replay ({mode}), shift {args.shift} ms, {len(items)} clips, {seconds:.0f} s in {len(cuts)} chunks: WER "
          f"{pct(*errors(reference, text))}; {wall:.0f} s wall, "
          f"{done.user - cpu.user + done.system - cpu.system:.0f} s CPU; {load()}")  # fmt: skip
    print("  " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    per = errors_per_clip([ref for _, ref in items], text, words)
    print(
        "  errors per clip: " + ", ".join(f"{p.stem} {e}" for (p, _), e in zip(items, per, strict=True) if e)
    )


if __name__ == "__main__":
    main()
