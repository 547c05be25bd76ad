"""The live strategy without real time: the joined speech-dev file cut by the Chunker and fed chunk by chunk to
ChunkedTranscript(live=True), every chunk heard alone, then in windows of GROUP_SECONDS, as while recording on
an idle machine (windows do not shrink with the measured cost here, so two runs hear the same windows).

    python benchmarks/live_replay.py ../shared/speech-dev [--quick] [--keep-chunks]
    python benchmarks/live_replay.py ../shared/speech-dev --audio live.flac --cuts live.log
    python benchmarks/live_replay.py ../shared/speech-dev --shift 20   # started 20 ms later (quality.py's shifts)
    python benchmarks/live_replay.py ../shared/speech-dev --recordings 90 [--no-ahead | --as-file] [--only N]

`--recordings 90`: the clips as ~90 s recordings, each with its own stop under the live budget (on a simulated
clock), the open window heard ahead after each chunk (`--no-ahead`: not, as before); `--as-file`: the same
recordings heard as `add` hears files; `--only N`: one of them, its text printed.

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
    parser.add_argument(
        "--recordings",
        type=float,
        metavar="SECONDS",
        help="the clips as recordings of about this long, each with its own stop (the live budget)",
    )
    parser.add_argument("--no-ahead", action="store_true", help="no chunk heard ahead of a stop (before)")
    parser.add_argument(
        "--as-file", action="store_true", help="with --recordings: each heard as `add` hears a file"
    )
    parser.add_argument(
        "--only", type=int, help="with --recordings: only this one (1, 2, …), its text printed"
    )
    args = parser.parse_args()
    if args.recordings:
        return recordings(args)

    from voicejournal.speech import answers, chunked, hearing
    from voicejournal.speech.audio import load_audio
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
    cuts = logged_cuts(args.cuts) if args.cuts else chunker_cuts(samples)
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


def recordings(args) -> None:
    """The clips as several recordings of about `args.recordings` seconds (whole clips, in order), each heard as
    live on an idle machine: every chunk alone, then windows, the open window heard ahead after each chunk
    (`look_ahead`, unless --no-ahead), and a stop with the live last pass's budget (FINAL_PASS_BUDGET). What
    the last seconds before each stop keep weighs here as in a person's 1-5 minute reflections. What fits the
    budget at a stop is decided on a simulated clock (`SimulatedTime`), so that two runs decide alike."""
    from voicejournal.speech import chunked, hearing
    from voicejournal.speech.audio import load_audio
    from voicejournal.speech.live import FINAL_PASS_BUDGET
    from voicejournal.speech.transcription import Transcriber

    groups, length = [[]], 0.0
    for item in clips(args.speech_dev, args.quick):
        if groups[-1] and length >= args.recordings:
            groups.append([])
            length = 0.0
        groups[-1].append(item)
        length += load_seconds(item[0])
    transcriber, total, began = SimulatedTime(Transcriber()), [0, 0], time.monotonic()
    chunked.time = hearing.time = transcriber  # their perf_counter(): the simulated clock
    for n, group in enumerate(groups):
        if args.only and n + 1 != args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            wav, reference, seconds = joined(group, Path(tmp) / "joined.wav")
            samples = load_audio(shifted(wav, args.shift, Path(tmp) / "shifted.wav"))
        ahead, cuts = 0, [] if args.as_file else chunker_cuts(samples)
        if args.as_file:
            live = chunked.transcribe_samples(transcriber, samples)
        else:
            live = chunked.ChunkedTranscript(transcriber)
            live.group_seconds = lambda: chunked.GROUP_SECONDS
        for k, (start, end) in enumerate(cuts):
            if k == len(cuts) - 1:
                live.stop(FINAL_PASS_BUDGET)
                live.last(start, end, samples[start:end], budget=FINAL_PASS_BUDGET)
            else:
                live.add(start, end, samples[start:end])
                ahead += not args.no_ahead and live.look_ahead()
        text = " ".join(s.text.strip() for s in live.segments)
        e, words_n = errors(reference, text)
        total[0] += e
        total[1] += words_n
        print(f"  recording {n + 1}: {seconds:.0f} s, {len(cuts)} chunks, {ahead} heard ahead, last pass "
              f"{live.final_pass:.0f} s: {e} errors of {words_n}")  # fmt: skip
        if args.only:
            print(text)
    print(f"live replay as {len(groups)} recordings of ~{args.recordings:.0f} s ({'as files' if args.as_file else 'no ahead' if args.no_ahead else 'ahead'}), "
          f"shift {args.shift} ms: WER {pct(*total)}; {time.monotonic() - began:.0f} s; {load()}")  # fmt: skip


class SimulatedTime:
    """A transcriber whose calls take simulated time, and that clock (`perf_counter`) for speech/chunked and
    speech/hearing: each call costs COST_S + COST_PER_S for each second heard (a window of Whisper's 30 s costs
    about the same whatever it holds: the 502 s live run on an idle machine, 4.1 s in 0.52 s, 9.1 s in 0.54 s,
    15.6 s in 0.94 s, 26 s in 1.31 s), so the choices made at a stop do not depend on the machine's load."""

    COST_S = 0.4
    COST_PER_S = 0.035

    def __init__(self, transcriber):
        self.transcriber = transcriber
        self.model_name = getattr(transcriber, "model_name", None)
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    def transcribe(self, samples, *args, **kwargs):
        self.now += self.COST_S + self.COST_PER_S * len(samples) / 16000
        return self.transcriber.transcribe(samples, *args, **kwargs)


def chunker_cuts(samples) -> list[tuple[int, int]]:
    """The chunks the Chunker closes in `samples`, fed in the recorder's 100 ms blocks (as `transcribe_samples`)."""
    from voicejournal.speech.chunker import Chunker
    from voicejournal.speech.devices import BLOCKSIZE
    from voicejournal.speech.levels import level_db

    chunker, cuts = Chunker(16000), []
    for i in range(0, len(samples), BLOCKSIZE):
        block = samples[i : i + BLOCKSIZE]
        cuts.extend(chunker.feed(level_db(block), len(block)))
    return cuts + ([tail] if (tail := chunker.finish()) is not None else [])


def load_seconds(path: Path) -> float:
    import soundfile as sf

    return sf.info(str(path)).duration


if __name__ == "__main__":
    main()
