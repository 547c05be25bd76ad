"""Transcription quality on real speech: every target row of issue 13, side by side, in one run.

    python benchmarks/quality.py ../shared/speech-dev            # the full run (~50 min)
    python benchmarks/quality.py ../shared/speech-dev --quick    # a short version (~8 min)
    python benchmarks/quality.py ../shared/speech-dev --live-runs 3   # the live row as a mean of 3 runs

Rows: `add` WER on the joined speech-dev file vs faster-whisper called directly with its own defaults (beam 5,
no VAD, conditioning on previous text) on the same file, each as the mean over SHIFTS (the file started 0, 10,
20, ... 90 ms later: see below); live `record` WER with the joined file played through
a private virtual microphone in one stream (the sound `add` hears at shift 0, as a good 44.1 kHz mic would
give it: see MIC_RATE); words invented on 60 s of silence, low noise and room tone; spoken markers filed
while recording (espeak-ng, 20+ tries); stop -> saved for 1, 5 and 10 minute recordings of real speech with a
CPU hog on one core. Then clip by clip: the outliers and what the remaining errors are.

WER: both sides lower case, no punctuation, hyphens as spaces, numbers as spoken (1455 -> fourteen fifty five,
15th -> fifteenth, digit strings digit by digit, "oh" between digits -> zero), fillers dropped (uh, um, hm,
hmm, mm, mhm, er, ah), and a few spellings made one ("gonna" = "going to", "alright" = "all right", "ok" =
"okay", "mr" = "mister"); errors pooled over all words. Every figure is printed with the load average then.

Why shifts: where a recording's 100 ms level blocks fall moves where the Chunker finds pauses, so which sentences
share a 24-30 s window, and tiny.en's text moves with its windows. The same file started 0-90 ms later gave
`add` 42 to 80 errors (of 1,034 words; mean 64 over ten shifts), faster-whisper direct 53 to 95 (its 30 s
windows move too). The unshifted file alone, on which the constants were chosen, was `add`'s best draw; a
person's recording (and the live row's capture) falls anywhere. So `add` and `direct` are compared, and live
is held against `add`, as means over the same shifts, each shift's figure printed (`--live-runs N`: live, too, as
a mean of N recordings; one live run is a single draw: 53-65 errors over six runs in session 18). The live row
also prints `add` of the live run's own recording: the same sound heard as a file, which tells what the sound
through the mic costs from what hearing it in real time costs.

Why ten shifts (0-90 ms by 10): until session 19 the figures were means over 0, 20, 40, 60 and 80 ms, and
SPARSE_WINDOW_WORDS (speech/chunked) was kept on that mean: a tuning figure. In one run (session 19) the five
never tuned on, 10, 30, 50, 70 and 90 ms, gave `add` 61.6 errors (51-72) where the tuned five gave 50.2 (42-58),
and direct 66.4 against 60.8. A live recording starts anywhere in a block, so the bar it is held against spans the whole block,
tuned shifts and untuned alike; both halves are printed apart (TUNED_SHIFTS_MS), so neither hides in the mean.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _speech import cli, play, private_server, start_record, stop_record  # noqa: E402
from _wer_align import errors_per_clip  # noqa: E402
from common import report, word_edits  # noqa: E402

# --- the normaliser -----------------------------------------------------------------------------------

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
            "twelve": "twelfth"}  # fmt: skip
FILLERS = {"uh", "um", "hm", "hmm", "mm", "mhm", "mmm", "er", "erm", "ah"}
SAME = {"alright": "all right", "ok": "okay", "yknow": "you know", "mr": "mister", "mrs": "missus",
        "gonna": "going to", "wanna": "want to", "gotta": "got to"}  # fmt: skip


def _two(n: int) -> str:
    return ONES[n] if n < 20 else TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])


def spoken(num: str) -> str:
    """A number as it is said: 42 -> forty two, 1455 -> fourteen fifty five, 10019 -> one zero zero one nine."""
    n = int(num)
    if (len(num) > 1 and num.startswith("0")) or len(num) > 4:
        return " ".join(ONES[int(d)] for d in num)
    if n < 100:
        return _two(n)
    if n < 1000:
        return ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + _two(n % 100))
    if 1100 <= n <= 1999 or 2010 <= n <= 2099:
        rest = n % 100
        return (
            _two(n // 100)
            + " "
            + (_two(rest) if rest >= 10 else "hundred" if rest == 0 else "oh " + ONES[rest])
        )
    return _two(n // 1000) + " thousand" + ("" if n % 1000 == 0 else " " + spoken(str(n % 1000)))


def _ordinal(said: str) -> str:
    head, _, last = said.rpartition(" ")
    last = ORDINALS.get(last) or (last[:-1] + "ieth" if last.endswith("y") else last + "th")
    return (head + " " + last).strip()


def words(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("-", " ")
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    text = re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: f" {_ordinal(spoken(m.group(1)))} ", text)
    text = re.sub(r"\d+", lambda m: f" {spoken(m.group())} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)
    out: list[str] = []
    for word in text.split():
        word = word.strip("'")
        if word and word not in FILLERS:
            out.extend(SAME.get(word, word).split())
    digits = set(ONES[:10])
    return [
        "zero"
        if w == "oh" and ((i and out[i - 1] in digits) or (i + 1 < len(out) and out[i + 1] in digits))
        else w
        for i, w in enumerate(out)
    ]


def errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word errors, reference words) after `words`."""
    ref, hyp = words(reference), words(hypothesis)
    return word_edits(ref, hyp), len(ref)


def mean_errors(figures: list[tuple[int, int]]) -> tuple[float, int]:
    """(mean word errors, reference words) of several runs over the same reference."""
    return sum(e for e, _ in figures) / len(figures), figures[0][1]


def spread(figures: list[tuple[int, int]]) -> str:
    errs = [e for e, _ in figures]
    return f"{min(errs)}-{max(errs)}: {', '.join(map(str, errs))}" if len(errs) > 1 else str(errs[0])


def pct(e: float, n: int) -> str:
    return f"{100 * e / n:.1f} % ({e:g}/{n})" if n else "-"


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


# --- material -----------------------------------------------------------------------------------------


def clips(speech_dev: Path, quick: bool) -> list[tuple[Path, str]]:
    with open(speech_dev / "references.tsv", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    out = [(speech_dev / row[0], row[1]) for row in rows]
    return out[:19] if quick else out  # quick: the first 19 clips (~150 s)


def joined(items: list[tuple[Path, str]], out: Path, gap: float = 0.8) -> tuple[Path, str, float]:
    """The clips joined with `gap` s of silence, as make-long.sh does: (wav, reference, seconds)."""
    import numpy as np
    import soundfile as sf

    from voicejournal.speech.audio import load_audio

    pause = np.zeros(int(gap * 16000), dtype=np.float32)
    parts = []
    for i, (path, _) in enumerate(items):
        parts += ([pause] if i else []) + [load_audio(path)]
    audio = np.concatenate(parts)
    sf.write(out, audio, 16000, subtype="PCM_16")
    return out, " ".join(ref for _, ref in items), len(audio) / 16000


SHIFTS_MS = tuple(range(0, 100, 10))  # across one 100 ms level block (Chunker, speech/levels)
TUNED_SHIFTS_MS = (0, 20, 40, 60, 80)  # the shifts the constants in speech/chunked were chosen on


# The live row's microphone: a good one at the rate the recorder asks the sound server for (PortAudio's
# default for PulseAudio's ALSA device, 44.1 kHz, which is also PulseAudio's own default rate). The joined
# file is taken there once by sox's best filter (as a microphone would have heard the sound at that rate)
# and played into a virtual mic running at it, so the sound server converts nothing and the recording
# differs from the file only by what `record` itself does (its resampler, where its blocks fall). Before
# session 18 the mic ran at 48 kHz: PulseAudio's default resampler took the 16 kHz clips to 48 kHz and
# then to 44.1 kHz, and dulled 6.5-8 kHz by 4-46 dB.
MIC_RATE = 44100


def at_mic_rate(wav: Path, out: Path) -> Path:
    subprocess.run(["sox", str(wav), "-r", str(MIC_RATE), str(out), "rate", "-v"], check=True)
    return out


def shifted(wav: Path, ms: int, out: Path) -> Path:
    """`wav` started `ms` milliseconds later (that much digital silence before it): `wav` itself at 0."""
    if not ms:
        return wav
    import numpy as np
    import soundfile as sf

    samples, rate = sf.read(wav, dtype="int16")
    sf.write(
        out, np.concatenate([np.zeros(rate * ms // 1000, dtype=np.int16), samples]), rate, subtype="PCM_16"
    )
    return out


def generated_noise(folder: Path) -> dict[str, Path]:
    """60 s each of digital silence, low hiss and room tone (brown noise with a 50 Hz hum and a fan)."""
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(13)
    n = 60 * 16000
    t = np.arange(n) / 16000
    brown = np.cumsum(rng.normal(0, 1, n))
    brown -= np.convolve(brown, np.ones(1601) / 1601, mode="same")  # no drift: a room's rumble
    brown *= 0.004 / np.std(brown)
    room = (
        brown
        + 0.002 * np.sin(2 * np.pi * 50 * t)
        + 0.0015 * np.sin(2 * np.pi * 120 * t)
        + rng.normal(0, 0.001, n)
    )
    sounds = {"silence": np.zeros(n), "low noise": rng.normal(0, 0.003, n), "room tone": room}
    out = {}
    for name, samples in sounds.items():
        out[name] = folder / f"{name.replace(' ', '_')}.wav"
        sf.write(out[name], samples.astype(np.float32), 16000, subtype="PCM_16")
    return out


MARKER_SCRIPT = [
    ("question", "Question for my therapist: is it normal to feel tired after a good session?"),
    ("homework", "Homework: write down three good things every evening."),
    ("goal", "Goal: be in bed before midnight four nights a week."),
    ("win", "Small win: I said no to the extra project at work."),
    ("mood", "Mood: seven out of ten."),
    ("question", "Question for my therapist. Why do I avoid calling my sister?"),
    ("homework", "Homework for this week: go for a walk before breakfast."),
    ("goal", "My goal is to call my father on Sunday."),
    ("win", "Small win today: I cooked dinner for myself."),
    ("mood", "Mood: six out of ten."),
]
FILLER = [
    "Today was a long day at work and I felt tired by the evening.",
    "I talked to my sister on the phone and it went better than I thought.",
    "The weather was grey and I stayed inside most of the afternoon.",
]


def marker_takes(folder: Path, tries: int) -> list[tuple[list[str], list[Path]]]:
    """Recordings of espeak-ng speech, each with five markers between ordinary sentences: [(kinds, wavs)]."""
    takes = []
    for take in range(tries // 5):
        kinds, wavs = [], []
        for k in range(5):
            kind, said = MARKER_SCRIPT[(take * 5 + k) % len(MARKER_SCRIPT)]
            for j, text in enumerate((FILLER[(take + k) % 3], said)):
                wav = folder / f"m{take}_{k}_{j}.wav"
                voice = ("en-us", "en", "en-us+m3", "en+f3")[take % 4]
                subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
                wavs.append(wav)
            kinds.append(kind)
        takes.append((kinds, wavs))
    return takes


# --- the rows -----------------------------------------------------------------------------------------


def direct_defaults(model_path: str, wav: Path) -> str:
    from faster_whisper import WhisperModel

    model = WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True)
    segments, _ = model.transcribe(str(wav), language="en", beam_size=5)
    return " ".join(s.text.strip() for s in segments)


def add_text(home: Path, wav: Path) -> tuple[str, float]:
    start = time.monotonic()
    out = cli(home, "add", str(wav))
    took = time.monotonic() - start
    entry_id = re.search(r"as entry (\w+)", out.stderr).group(1)
    return json.loads(cli(home, "show", entry_id, "--json").stdout)["text"], took


LIVE_LOCK = Path("/tmp/vj_live.lock")  # while it exists, other work on this machine waits (CPU-heavy runs)


def record_run(folder: Path, wavs: list[Path], gap: float = 0.8, hog: bool = False,
               seconds: float | None = None, vectors: bool = False, rate: int | None = None) -> dict:  # fmt: skip
    """`record` while the wavs play into a private virtual mic (looping until `seconds` when given); with
    `vectors`, into a journal that has meaning vectors already (the save then embeds the transcript). The run
    holds LIVE_LOCK (its expected end time inside) from the start of `record` until it is saved."""
    import soundfile as sf

    home = folder / f"home{time.monotonic_ns()}"
    if vectors:
        cli(home, "add", str(wavs[0]))
        cli(home, "index")
    server, stop_server = private_server(folder / f"vmic{time.monotonic_ns()}", rate)
    length = seconds or sum(sf.info(str(w)).duration + gap for w in wavs)
    ends = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(time.time() + length + 60))
    LIVE_LOCK.write_text(ends + "\n")
    hog_proc = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if hog else None
    try:
        proc = start_record(home, "--max-minutes", "60", server=server)
        time.sleep(0.5)
        began, played, i = time.monotonic(), [], 0
        while True:
            play(wavs[i % len(wavs)], server)
            played.append(i % len(wavs))
            i += 1
            if (seconds is None and i == len(wavs)) or (
                seconds is not None and time.monotonic() - began >= seconds
            ):
                break
            time.sleep(gap)
        time.sleep(0.8)
        wall, out, err = stop_record(proc)
        if proc.returncode != 0:
            raise SystemExit(f"record failed ({proc.returncode}): {err}")
    finally:
        if hog_proc is not None:
            hog_proc.kill()
        LIVE_LOCK.unlink(missing_ok=True)
        stop_server()
    ready = re.search(r"Transcript ready \(([\d.]+) s\)", err)
    entry = json.loads(cli(home, "list", "--json").stdout)[0]
    return {"home": home, "played": played, "entry": entry, "saved_after": float(ready.group(1)) if ready else None,
            "wall": wall, "load": load(), "status": [x for x in err.splitlines() if not x.startswith(" ")][-4:]}  # fmt: skip


def keep_live_run(folder: Path, number: int, run: dict) -> None:
    """Live run `number`'s transcript (live-N.txt) and what the mic heard (live-N.flac, for
    benchmarks/live_replay.py --audio) in `folder`."""
    import shutil

    (folder / f"live-{number}.txt").write_text(run["entry"]["text"] + "\n")
    if run["entry"].get("audio"):
        shutil.copy(run["home"] / run["entry"]["audio"], folder / f"live-{number}.flac")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("speech_dev", type=Path, help="the speech-dev folder (references.tsv, clips/)")
    parser.add_argument("--quick", action="store_true", help="fewer clips, 10 marker tries, 1 min only")
    parser.add_argument(
        "--minutes", type=float, nargs="*", help="stop -> saved for these lengths (default 1 5 10)"
    )
    parser.add_argument("--tries", type=int, help="spoken markers to try while recording (default 20)")
    parser.add_argument(
        "--shifts",
        type=int,
        nargs="*",
        help=f"start shifts in ms for add and direct (default {SHIFTS_MS}; quick: 0)",
    )
    parser.add_argument("--vectors", action="store_true", help="latency: a journal with meaning vectors")
    parser.add_argument(
        "--texts",
        type=Path,
        help="a folder to keep the add transcript and every live run's transcript, sound and log in",
    )
    parser.add_argument(
        "--live-runs",
        type=int,
        default=1,
        help="live recordings to take the live row's mean over (9 min each)",
    )
    parser.add_argument(
        "--live-by-clip",
        action="store_true",
        help="live row: play the clips one by one with 0.8 s pauses into a 48 kHz mic (before session 18) instead "
        "of the joined file into a 44.1 kHz one",
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated rows to leave out: live,markers,latency,clips"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if args.texts:
        args.texts.mkdir(parents=True, exist_ok=True)
    from voicejournal.speech.models import resolve_model
    from voicejournal.speech.transcription import Transcriber

    items = clips(args.speech_dev, args.quick)
    rows: list[tuple[str, str, str]] = []  # (measure, target, result)
    notes: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        notes.append(line)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wav, reference, seconds = joined(items, folder / "joined.wav")
        say(f"speech-dev: {len(items)} clips joined with 0.8 s pauses, {seconds:.0f} s; {load()}")
        _, model_path = resolve_model(None)
        refs = [ref for _, ref in items]
        shifts = args.shifts or ([0] if args.quick else list(SHIFTS_MS))
        direct_by, added_by = [], []
        for ms in shifts:
            start = shifted(wav, ms, folder / f"joined_{ms}ms.wav")
            direct_text = direct_defaults(str(model_path), start)
            text, took = add_text(folder / f"home-add-{ms}", start)
            direct_by.append(errors(reference, direct_text))
            added_by.append(errors(reference, text))
            say(f"started {ms} ms later: faster-whisper direct WER {pct(*direct_by[-1])}, voicejournal add WER "
                f"{pct(*added_by[-1])} in {took:.0f} s; {load()}")  # fmt: skip
            if ms == shifts[0]:  # the clip-by-clip comparisons below are of the first shift (0 by default)
                added_text, unshifted_direct = text, direct_text
        direct = mean_errors(direct_by)
        added = mean_errors(added_by)
        say(f"over {len(shifts)} start shifts: direct WER {pct(*direct)} (errors {spread(direct_by)}), add WER "
            f"{pct(*added)} (errors {spread(added_by)})")  # fmt: skip
        for name, part in (("tuned on", True), ("never tuned on", False)):
            picked = [i for i, ms in enumerate(shifts) if (ms in TUNED_SHIFTS_MS) == part]
            if picked and len(picked) < len(shifts):
                say(f"  the {len(picked)} shifts {name}: direct WER {pct(*mean_errors([direct_by[i] for i in picked]))}, "
                    f"add WER {pct(*mean_errors([added_by[i] for i in picked]))}")  # fmt: skip
        pairs = zip(items, errors_per_clip(refs, unshifted_direct, words),
                    errors_per_clip(refs, added_text, words), strict=True)  # fmt: skip
        say(f"  started {shifts[0]} ms later, clips where add and direct differ (direct->add): "
            + (", ".join(f"{p.stem} {a}->{b}" for (p, _), a, b in pairs if a != b) or "none"))  # fmt: skip
        if args.texts:
            (args.texts / "add.txt").write_text(added_text + "\n")
        rows.append((f"add WER, joined file, mean of {len(shifts)} shifts", f"<= direct {pct(*direct)}",
                     f"{pct(*added)} (errors {spread(added_by)})"))  # fmt: skip

        import soundfile as sf

        quiet_wav = folder / "quiet.wav"
        samples, _ = sf.read(wav, dtype="float32")
        sf.write(quiet_wav, samples * 10 ** (-40 / 20), 16000, subtype="PCM_16")  # as `sox IN OUT gain -40`
        text, took = add_text(folder / "home-quiet", quiet_wav)
        quiet = errors(reference, text)
        say(f"voicejournal add, the same file 40 dB quieter: WER {pct(*quiet)}; {load()}")
        rows.append(("add WER, joined file 40 dB quieter (gain)", "close to add WER", pct(*quiet)))

        if "live" not in skip:
            own_log = os.environ.get("VOICEJOURNAL_LIVE_LOG")
            mic_wav = at_mic_rate(wav, folder / "joined_mic.wav")
            lives = []
            for n in range(max(1, args.live_runs)):
                if args.texts:  # each run's chunks and windows (no words), for live_replay.py --cuts
                    os.environ["VOICEJOURNAL_LIVE_LOG"] = str(args.texts.resolve() / f"live-{n + 1}.log")
                # The joined file itself, in one stream: the same sound and pauses `add` hears, so the row
                # compares hearing in real time with hearing a file (clip by clip, `play` start-up made the
                # pauses longer and moved the windows: --live-by-clip).
                played = [path for path, _ in items] if args.live_by_clip else [mic_wav]
                run = record_run(folder, played, rate=None if args.live_by_clip else MIC_RATE)
                live = errors(reference, run["entry"]["text"])
                lives.append(live)
                say(f"live record: WER {pct(*live)}, stop -> saved {run['saved_after']} s; {run['load']}")
                pairs = zip(items, errors_per_clip(refs, added_text, words),
                            errors_per_clip(refs, run["entry"]["text"], words), strict=True)  # fmt: skip
                worse = [f"{p.stem} {a}->{b}" for (p, _), a, b in pairs if b > a]
                say(
                    f"  clips where live has more errors than add at {shifts[0]} ms (add->live): {', '.join(worse) or 'none'}"
                )
                if args.texts:  # every run's text and sound, to look at what one of them got wrong
                    keep_live_run(args.texts, n + 1, run)
                # The same sound as a file: what the mic's sound costs, apart from what hearing in real time costs.
                if run["entry"].get("audio"):
                    own, took = add_text(folder / f"home-add-live{n}", run["home"] / run["entry"]["audio"])
                    say(f"  add of the live run's own recording (the sound as the mic took it, heard as a file): WER "
                        f"{pct(*errors(reference, own))} in {took:.0f} s")  # fmt: skip
            if args.texts and own_log is None:  # the runs after these log as they were asked to
                os.environ.pop("VOICEJOURNAL_LIVE_LOG", None)
            elif args.texts:
                os.environ["VOICEJOURNAL_LIVE_LOG"] = own_log
            target = 100 * added[0] / added[1] + 0.5
            label = "live record WER (virtual mic)" + (
                f", mean of {len(lives)} runs" if len(lives) > 1 else ""
            )
            figure = pct(*mean_errors(lives)) + (f" (errors {spread(lives)})" if len(lives) > 1 else "")
            rows.append((label, f"<= add + 0.5 = {target:.1f} %", figure))

        transcriber = Transcriber()
        invented = []
        for name, path in generated_noise(folder).items():
            from voicejournal.speech.audio import load_audio

            said = transcriber.transcribe_recording(load_audio(path)).text
            invented.append(str(len(words(said))))
            say(f"60 s of {name}: {len(words(said))} words {said[:80]!r}; {load()}")
        rows.append(("words invented: silence / low noise / room tone", "0 / 0 / 0", " / ".join(invented)))

        if "markers" not in skip:
            from voicejournal.core.markers import extract_markers
            from voicejournal.journal import Journal

            tries = args.tries or (10 if args.quick else 20)
            filed = expected = 0
            for kinds, wavs in marker_takes(folder, tries):
                run = record_run(folder, wavs, gap=0.6)
                entry = Journal(run["home"]).get(run["entry"]["id"])
                found = [m.kind for m in extract_markers(entry)]
                hit = sum(min(found.count(k), kinds.count(k)) for k in set(kinds))
                filed, expected = filed + hit, expected + len(kinds)
                say(f"markers {kinds}: found {found}; {run['load']}")
                if hit < len(kinds):
                    say(f"  heard: {entry.text}")
            rows.append(("spoken markers filed while recording", ">= 95 % of 20+", f"{filed}/{expected}"))

        if "latency" not in skip:
            for minutes in args.minutes or ([1] if args.quick else [1, 5, 10]):
                run = record_run(folder, [path for path, _ in items], hog=True, seconds=minutes * 60,
                                 vectors=args.vectors)  # fmt: skip
                say(f"{minutes:g} min with a CPU hog{' (vectors)' * args.vectors}: stop -> saved {run['saved_after']} s (SIGINT -> exit "
                    f"{run['wall']:.1f} s); {run['load']}")  # fmt: skip
                if run["wall"] < 0.1:  # it had stopped by itself before the stop came: say why
                    say("  record ended before the stop; its last status lines: " + " | ".join(run["status"]))
                rows.append(
                    (f"stop -> saved, {minutes} min, one core busy", "<= 2 s", f"{run['saved_after']} s")
                )

        if "clips" not in skip:
            total = [0, 0]
            outliers = []
            from voicejournal.speech.audio import load_audio

            for path, ref in items:
                e, n = errors(ref, transcriber.transcribe_recording(load_audio(path)).text)
                total = [total[0] + e, total[1] + n]
                if n and e / n > 0.15:
                    outliers.append(f"  {path.stem}: WER {pct(e, n)}")
            say(f"clip by clip (the add path): WER {pct(*total)}; outliers over 15 %:")
            for line in outliers:
                say(line)

    width = max(len(r[0]) for r in rows)
    table = [f"{'measure':<{width}}  {'target':<22}  result", "-" * (width + 40)]
    table += [f"{m:<{width}}  {t:<22}  {r}" for m, t, r in rows]
    stamp = time.strftime("%Y-%m-%d %H:%M")
    report("quality", [f"# {stamp} quality {'--quick' if args.quick else ''} ({load()})", *notes, "", *table])


if __name__ == "__main__":
    main()
