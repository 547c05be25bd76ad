"""The recorder takes the microphone at its own rate (not 16 kHz) and converts here: through the virtual
microphone, tones up to 7 kHz keep their level and one above 8 kHz does not fold back into speech.

(Asked for 16 kHz, the virtual microphone's PulseAudio converts with speex-float-1: 7 kHz came out 7.9 dB
down and 8.5 kHz folded back to 7.5 kHz at -44 dB.)"""

import time

import numpy as np
import pytest
import soundfile as sf

pytestmark = [pytest.mark.integration, pytest.mark.mic]

SR = 16000
PLAYED = 48000  # what the virtual microphone runs at (tests/virtual_mic.sh)


def amplitude(samples, freq):
    """The amplitude of the sine at `freq` Hz in 16 kHz samples (a windowed DFT at that one frequency)."""
    window = np.hanning(len(samples))
    t = np.arange(len(samples)) / SR
    return 2 * abs(np.sum(samples * window * np.exp(-2j * np.pi * freq * t))) / window.sum()


def test_the_microphone_is_recorded_at_its_own_rate_and_converted_here(virtual_mic, tmp_path):
    from voicejournal.speech.devices import native_rate, resolve_device
    from voicejournal.speech.recorder import Recorder

    t = np.arange(3 * PLAYED) / PLAYED
    tones = sum(0.2 * np.sin(2 * np.pi * f * t) for f in (1000, 7000, 8500))
    sf.write(tmp_path / "tones.wav", tones.astype(np.float32), PLAYED, subtype="PCM_16")

    rec = Recorder(tmp_path / "rec.wav").start()
    try:
        assert rec.capture_rate == native_rate(resolve_device(None))
        assert rec.capture_rate != SR  # PortAudio's rate for the device: the sound server does not convert
        virtual_mic(tmp_path / "tones.wav")
        time.sleep(0.5)
    finally:
        result = rec.finish()

    samples, rate = sf.read(result.path, dtype="float32")
    assert rate == result.samplerate == SR
    loud = np.flatnonzero(np.abs(samples) > 0.05)
    assert (loud[-1] - loud[0]) / SR == pytest.approx(3.0, abs=0.1)  # all of it, at the right speed
    middle = samples[loud[0] + SR // 2 : loud[0] + SR // 2 + 2 * SR]
    assert amplitude(middle, 1000) == pytest.approx(0.2, rel=0.03)
    assert amplitude(middle, 7000) == pytest.approx(0.2, rel=0.03)  # the top of the speech band kept
    folded = amplitude(middle, 16000 - 8500) / 0.2  # what 8.5 kHz would leave at 7.5 kHz
    assert 20 * np.log10(folded + 1e-12) < -70
