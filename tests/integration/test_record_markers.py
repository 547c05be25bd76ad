"""Spoken markers said while recording, played through the virtual microphone (espeak-ng speech), are filed."""

import json

import numpy as np
import pytest
import soundfile as sf

from tests.integration import test_record
from tests.integration.test_record import at_least, heard, wait_for_audio

pytestmark = [pytest.mark.integration, pytest.mark.mic]
recorder = test_record.recorder  # the fixture that runs `voicejournal record` in the background

SAID = [
    "Today was a long day at work and I felt tired by the evening.",
    "Question for my therapist. Why do I avoid calling my sister?",
    "I talked to my sister on the phone and it went better than I thought.",
    "Homework for this week: go for a walk before breakfast.",
    "The weather was grey and I stayed inside most of the afternoon.",
    "My goal is to call my father on Sunday.",
    "Small win: I cooked dinner for myself.",
    "My mood today is six out of ten.",
]


def test_markers_said_while_recording_are_filed(recorder, speech, virtual_mic, run_cli, vj_home, tmp_path):
    parts = []
    for i, text in enumerate(SAID):
        samples, rate = sf.read(speech(text, speed=150), dtype="float32")
        parts += [
            samples,
            np.zeros(int(rate * (1.2 if i % 2 else 0.7)), np.float32),
        ]  # pauses, as people make
    wav = tmp_path / "markers.wav"
    sf.write(wav, np.concatenate(parts), rate)
    start, finish = recorder
    proc = start(now="2026-12-01T18:00:00", tz="Europe/Berlin")
    wait_for_audio(vj_home, proc, at_least(0.1))
    virtual_mic(wav)
    wait_for_audio(vj_home, proc, heard(wav))
    code, out, err = finish(proc)
    assert code == 0, err
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    said = entry["text"]
    assert 'Question filed: "Why do I avoid calling my sister?"' in err, said
    assert 'Homework filed: "Go for a walk before breakfast"' in err, said
    assert 'Goal filed: "Call my father on Sunday"' in err, said
    assert 'Small win noted: "I cooked dinner for myself"' in err, said
    assert entry["mood"] == 3, said  # 6 of 10
