"""Transcription quality through the CLI: nothing invented in silence or noise, quiet speech still heard."""

import json

import numpy as np
import pytest
import soundfile as sf

from tests.audio_helpers import write_wav

pytestmark = pytest.mark.integration

SR = 16000


def room_tone(seconds: float, seed: int = 13) -> np.ndarray:
    """A quiet room: rumble (brown noise), a 50 Hz hum, a fan's 120 Hz and a little hiss, about -45 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    brown = np.cumsum(rng.normal(0, 1, n))
    brown -= np.convolve(brown, np.ones(1601) / 1601, mode="same")
    brown *= 0.004 / np.std(brown)
    return (
        brown
        + 0.002 * np.sin(2 * np.pi * 50 * t)
        + 0.0015 * np.sin(2 * np.pi * 120 * t)
        + rng.normal(0, 0.001, n)
    )


@pytest.mark.parametrize(
    "name, samples",
    [
        ("silence", np.zeros(60 * SR)),
        ("low_noise", np.random.default_rng(3).normal(0, 0.003, 60 * SR)),
        ("room_tone", room_tone(60)),
    ],
)
def test_a_minute_of_silence_noise_or_room_tone_gives_no_words(run_cli, tmp_path, name, samples):
    wav = write_wav(tmp_path / f"{name}.wav", samples)
    proc = run_cli("add", str(wav), check=True)
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    assert entry["status"] == "no_speech" and entry["text"] == "", entry["text"]
    assert f"No speech detected in {name}.wav; kept it as entry {entry['id']}." in proc.stderr


def test_a_quiet_recording_is_transcribed_and_warned_about(run_cli, speech, tmp_path):
    loud = speech("Today in the session we talked about my mother and my work.", speed=140)
    samples, rate = sf.read(loud, dtype="float32")
    quiet = write_wav(
        tmp_path / "quiet.wav", samples * 10 ** (-40 / 20), rate
    )  # 40 dB down: a far-away phone
    proc = run_cli("add", str(quiet), check=True)
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    assert entry["status"] == "done"
    heard = entry["text"].lower()
    assert "session" in heard and "mother" in heard and "work" in heard, heard
    from voicejournal.speech.audio import load_audio
    from voicejournal.speech.levels import block_levels, too_quiet

    level = too_quiet(block_levels(load_audio(quiet)))
    assert level is not None and level < -45
    assert [line for line in proc.stderr.splitlines() if "very quiet" in line] == [
        f"quiet.wav is very quiet (speech at {level:.0f} dBFS), so its transcript may miss words: next time "
        "speak closer to the microphone or turn its input volume up."
    ]


def test_speech_at_a_normal_level_gets_no_warning(run_cli, speech):
    proc = run_cli("add", str(speech("I went for a walk with my sister after work.")), check=True)
    assert "very quiet" not in proc.stderr


def test_speech_after_a_sentence_the_prompt_already_held_is_not_lost(tmp_path):
    """A chunk saying again what its prompt ends with, then "Mood: seven out of ten." and the end: Whisper
    (tiny.en) wrote the first sentence again and stopped, its segment running over the chunk's closing pause,
    so the last sentence of a recording was lost."""
    import subprocess

    from voicejournal.speech.audio import load_audio
    from voicejournal.speech.chunked import ChunkedTranscript
    from voicejournal.speech.transcription import Transcriber

    def said(*sentences, pause=0.6):
        parts = []
        for n, text in enumerate(sentences):
            wav = tmp_path / f"s{n}.wav"
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
            parts += [load_audio(wav), np.zeros(int(pause * SR), np.float32)]
        return np.concatenate(parts)

    talked = "I talked to my sister on the phone and it went better than I thought."
    first = said("Today was a long day at work and I felt tired by the evening.", talked, pause=0.3)
    last = said(talked, "Mood: seven out of ten.")[: -int(0.3 * SR)]
    live = ChunkedTranscript(Transcriber())
    live.add(0, len(first), first)
    live.add(len(first), len(first) + len(last), last)
    text = " ".join(s.text for s in live.segments)
    assert text.count("better than I thought") == 2, text
    assert text.endswith("7 out of 10."), text  # "Woo, 7 out of 10."
