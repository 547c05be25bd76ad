"""Default model: real-time factor (load time separate) and word error rate, voicejournal vs faster-whisper
called directly with the same decoding settings on the same audio.

Audio: espeak-ng speech of known text (harder for Whisper than a person's voice, so WER here is an upper
bound of what people get). Usage: python benchmarks/transcribe_bench.py [--sentences N]
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, report, word_edits

sys.path.insert(0, str(ROOT))

SENTENCES = [
    "Today in my session we talked about my mother and the way she still calls every morning.",
    "I told my therapist that work has been really stressful since the new manager started.",
    "We spent most of the hour on my relationship and why I keep avoiding difficult conversations.",
    "My homework for this week is to write down three things that went well every evening.",
    "I want to ask her whether it is normal to feel tired after a good session.",
    "On Sunday I went for a long walk with my sister and we did not argue once.",
    "The exercises from last time helped a little when I could not sleep on Tuesday night.",
    "I noticed that I apologise for things that are not my fault, especially at work.",
    "My goal is to be in bed before midnight at least four nights a week.",
    "I felt proud that I said no to the extra project and nothing terrible happened.",
    "Next time I should bring up the dream about my father and the old house.",
    "It was hard to talk about the mistakes I made with my friends last year.",
]

NUMBER_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "10": "ten"}


def words(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return [NUMBER_WORDS.get(w, w) for w in text.split()]


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    ref, hyp = words(reference), words(hypothesis)
    return word_edits(ref, hyp), len(ref)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=len(SENTENCES))
    opts = parser.parse_args()
    import numpy as np
    import soundfile as sf

    from voicejournal.speech.audio import load_audio
    from voicejournal.speech.transcription import DECODE_OPTIONS, Transcriber

    with tempfile.TemporaryDirectory() as tmp:
        clips = []
        for i, sentence in enumerate(SENTENCES[: opts.sentences]):
            path = Path(tmp) / f"s{i}.wav"
            subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), sentence], check=True)
            clips.append((sentence, load_audio(path)))
        # One longer recording too, with pauses between sentences, the way people speak.
        pause = np.zeros(16000, dtype=np.float32)
        long_audio = np.concatenate([np.concatenate([a, pause]) for _, a in clips])
        long_ref = " ".join(s for s, _ in clips)
        sf.write(Path(tmp) / "long.wav", long_audio, 16000)
        total_audio = sum(len(a) for _, a in clips) / 16000 + len(long_audio) / 16000

        ours = Transcriber()
        start = time.perf_counter()
        ours._load()
        ours_load = time.perf_counter() - start
        from faster_whisper import WhisperModel

        start = time.perf_counter()
        direct = WhisperModel(
            str(ours.model_path), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True
        )
        direct_load = time.perf_counter() - start

        def run_ours(audio):
            return ours.transcribe(audio).text

        def run_direct(audio):
            segments, _ = direct.transcribe(audio, language="en", **DECODE_OPTIONS)
            return " ".join(s.text.strip() for s in segments)

        def run_plain(audio):  # faster-whisper's own defaults (beam 5, no VAD)
            segments, _ = direct.transcribe(audio, language="en", beam_size=5)
            return " ".join(s.text.strip() for s in segments)

        lines = [
            f"transcription, model {ours.model_name} (int8, {ours.threads} threads), "
            f"{total_audio:.1f} s of espeak-ng speech ({len(clips)} clips + one {len(long_audio) / 16000:.0f} s "
            "recording)",
            f"  load: voicejournal {ours_load:.2f} s, faster-whisper direct {direct_load:.2f} s",
        ]
        for name, fn in (
            ("voicejournal", run_ours),
            ("faster-whisper, same settings", run_direct),
            ("faster-whisper, its defaults", run_plain),
        ):
            errors = count = 0
            start = time.perf_counter()
            for reference, audio in clips + [(long_ref, long_audio)]:
                e, n = wer(reference, fn(audio))
                errors, count = errors + e, count + n
            elapsed = time.perf_counter() - start
            lines.append(
                f"  {name:<30} RTF {elapsed / total_audio:.3f}   WER {100 * errors / count:.1f} % "
                f"({errors}/{count} words)"
            )
    report("transcribe", lines)


if __name__ == "__main__":
    main()
