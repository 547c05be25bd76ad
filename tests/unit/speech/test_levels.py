"""Gain before the model: quiet speech is raised, silence and steady noise are left alone."""

import numpy as np
import pytest

from voicejournal.speech.levels import (
    MAX_GAIN_DB,
    block_levels,
    level_db,
    normalise,
    speech_gain_db,
    speech_level,
    too_quiet,
)


def syllables(level_db_: float, seconds: float = 6.0, seed: int = 1) -> np.ndarray:
    """Speech-like sound: 200 ms bursts of a voiced tone with 200 ms pauses of faint noise between them."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(16000 * seconds)) / 16000
    voice = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 360 * t)
    on = (np.floor(t / 0.2) % 2 == 0).astype(np.float32)
    voice = voice / np.sqrt(np.mean(voice**2)) * 10 ** (level_db_ / 20)
    return (voice * on + rng.normal(0, 10 ** ((level_db_ - 40) / 20), len(t))).astype(np.float32)


def test_quiet_speech_is_raised_to_the_target():
    quiet = syllables(-50.0)
    raised = normalise(quiet)
    speech, _ = speech_level(block_levels(raised))
    assert speech == pytest.approx(-20.0, abs=0.5)
    assert np.max(np.abs(raised)) < 10 ** (-1 / 20) + 1e-6


def test_speech_at_a_normal_level_is_left_alone():
    normal = syllables(-18.0)
    assert normalise(normal) is normal


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(16000 * 5, dtype=np.float32),  # digital silence
        np.random.default_rng(2).normal(0, 0.003, 16000 * 5).astype(np.float32),  # steady hiss
        (0.003 * np.sin(2 * np.pi * 50 * np.arange(16000 * 5) / 16000)).astype(np.float32),  # mains hum
    ],
    ids=["silence", "hiss", "hum"],
)
def test_silence_and_steady_noise_are_not_raised(samples):
    assert normalise(samples) is samples


def test_the_gain_is_capped_and_keeps_the_peak_below_full_scale():
    levels = [-90.0] * 10 + [-85.0] * 10  # speech 5 dB over the floor: not raised at all
    assert speech_gain_db(levels, peak_db=-80.0) == 0.0
    levels = [-95.0] * 20 + [-70.0] * 80  # very faint speech: at most MAX_GAIN_DB
    assert speech_gain_db(levels, peak_db=-60.0) == MAX_GAIN_DB
    levels = [-80.0] * 20 + [-40.0] * 80  # a loud click caps the gain at -1 dBFS peak
    assert speech_gain_db(levels, peak_db=-6.0) == 5.0


def test_too_quiet_to_trust_but_not_silence():
    assert too_quiet(block_levels(syllables(-55.0))) == pytest.approx(-55.0, abs=1.0)
    assert too_quiet(block_levels(syllables(-25.0))) is None
    assert too_quiet([-100.0] * 50) is None  # a dead microphone has its own warning
    assert too_quiet([]) is None


def test_levels_of_blocks():
    assert level_db(np.zeros(10)) == -100.0
    assert len(block_levels(np.zeros(16000 * 2 + 5))) == 21


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(16000 * 20, dtype=np.float32),
        np.random.default_rng(4).normal(0, 0.003, 16000 * 20).astype(np.float32),
        np.random.default_rng(5).normal(0, 0.05, 16000 * 20).astype(np.float32),  # loud hiss
        np.zeros(0, dtype=np.float32),
    ],
    ids=["silence", "low-noise", "loud-hiss", "empty"],
)
def test_the_speech_gate_hears_no_speech_in_noise(samples):
    from voicejournal.speech.transcription import hears_speech

    assert not hears_speech(normalise(samples))
