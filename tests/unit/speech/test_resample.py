"""The microphone's sample-rate conversion (speech/resample): what it keeps, what it removes, and that it
streams (any cut into blocks gives the whole signal's output)."""

import numpy as np
import pytest

from voicejournal.speech.resample import Resampler

RATES = [48000, 44100]


def tone(freq, rate, seconds=1.0, amp=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def converted(samples, rate, out=16000):
    r = Resampler(rate, out)
    return np.concatenate([r.process(samples), r.flush()])


def strongest(samples, rate=16000):
    """(frequency of the largest peak, its amplitude), from a windowed FFT of the middle."""
    mid = samples[len(samples) // 4 : -len(samples) // 4]
    spectrum = np.abs(np.fft.rfft(mid * np.hanning(len(mid)))) / (np.hanning(len(mid)).sum() / 2)
    peak = int(np.argmax(spectrum))
    return peak * rate / len(mid), float(spectrum[peak])


def rms_db(samples):
    mid = samples[len(samples) // 4 : -len(samples) // 4]
    return 20 * np.log10(np.sqrt(np.mean(mid.astype(np.float64) ** 2)) + 1e-12)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("freq", [300.0, 1000.0, 3500.0, 6800.0])
def test_a_tone_keeps_its_frequency_and_level(rate, freq):
    out = converted(tone(freq, rate, 2.0), rate)
    found, amplitude = strongest(out)
    assert found == pytest.approx(freq, abs=2.0)
    assert amplitude == pytest.approx(0.5, abs=0.01)
    assert rms_db(out) == pytest.approx(rms_db(tone(freq, 16000, 2.0)), abs=0.05)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("freq", [8300.0, 9000.0, 12000.0, 15000.0, 20000.0])
def test_what_lies_above_8_khz_does_not_fold_back(rate, freq):
    # Converted naively, a 9 kHz tone would come back as a 7 kHz one at full level.
    out = converted(tone(freq, rate, 2.0), rate)
    assert rms_db(out) < -80


@pytest.mark.parametrize("rate", RATES)
def test_speech_band_and_alias_band_together(rate):
    mixed = tone(1000, rate, 2.0, amp=0.3) + tone(10000, rate, 2.0, amp=0.3)
    out = converted(mixed, rate)
    alone = converted(tone(1000, rate, 2.0, amp=0.3), rate)
    middle = slice(4000, -4000)  # (a tone switched on or off is a click, which has every frequency)
    assert np.max(np.abs(out[middle] - alone[middle])) < 1e-4


@pytest.mark.parametrize("rate", [*RATES, 96000, 32000, 22050])
def test_block_by_block_equals_the_whole_signal(rate):
    rng = np.random.default_rng(7)
    signal = (0.3 * rng.standard_normal(int(1.3 * rate))).astype(np.float32)
    whole = converted(signal, rate)
    for blocks in ([rate // 10] * 13, list(rng.integers(0, 3000, 40)), [1] * 50 + [len(signal)]):
        r = Resampler(rate)
        cuts = np.cumsum(blocks)
        parts = [r.process(p) for p in np.split(signal, cuts[cuts < len(signal)])]
        streamed = np.concatenate([*parts, r.flush()])
        assert len(streamed) == len(whole) == -(-len(signal) * 16000 // rate)
        np.testing.assert_allclose(streamed, whole, atol=1e-6)


@pytest.mark.parametrize("rate", RATES)
def test_output_is_time_aligned_with_the_input(rate):
    click = np.zeros(rate, dtype=np.float32)
    click[rate // 2] = 1.0  # at 0.5 s
    out = converted(click, rate)
    assert int(np.argmax(out)) == 8000


def test_a_100_ms_block_gives_100_ms_once_the_filter_is_full():
    for rate in RATES:
        r = Resampler(rate)
        sizes = [len(r.process(np.zeros(rate // 10, dtype=np.float32))) for _ in range(5)]
        assert sizes[1:] == [1600] * 4
        assert 1500 < sizes[0] <= 1600


def test_the_same_rate_passes_blocks_through():
    r = Resampler(16000)
    block = tone(440, 16000, 0.1)
    assert r.process(block) is block or np.array_equal(r.process(block), block)
    assert len(r.flush()) == 0


# ---------------------------------------------------------------- the recorder at the device's own rate


class FakePortAudio:
    """Enough of sounddevice for devices.open_input and Recorder: a device whose own rate is `native`
    and that opens only at the rates in `opens`."""

    class PortAudioError(Exception):
        pass

    def __init__(self, native, opens):
        self.native, self.opens, self.streams = native, opens, []
        fake = self

        class InputStream:
            def __init__(self, samplerate, blocksize, callback, **kwargs):
                if samplerate not in fake.opens:
                    raise fake.PortAudioError(
                        "Error opening InputStream: Invalid sample rate [PaErrorCode -9997]"
                    )
                self.samplerate, self.blocksize, self.callback = samplerate, blocksize, callback
                fake.streams.append(self)

            def start(self):
                pass

            stop = close = start

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                pass

        self.InputStream = InputStream

    def query_devices(self, index=None):
        return {"name": "Fake Mic", "default_samplerate": float(self.native)}


@pytest.fixture
def portaudio(monkeypatch):
    from voicejournal.speech import devices, recorder

    def install(native, opens):
        fake = FakePortAudio(native, opens)
        monkeypatch.setattr(devices, "import_sounddevice", lambda: fake)
        monkeypatch.setattr(recorder, "resolve_device", lambda device: 3)
        return fake

    return install


def test_the_microphone_opens_at_its_own_rate_in_100_ms_blocks(portaudio):
    from voicejournal.speech.devices import open_input

    portaudio(48000, {16000, 44100, 48000})
    stream, rate = open_input(3, None, 0.1, print)
    assert (rate, stream.samplerate, stream.blocksize) == (48000, 48000, 4800)


def test_a_device_that_will_not_open_at_its_own_rate_is_asked_for_16_khz(portaudio):
    from voicejournal.speech.devices import open_input

    portaudio(44100, {16000})
    stream, rate = open_input(3, None, 0.1, print)
    assert (rate, stream.samplerate, stream.blocksize) == (16000, 16000, 1600)


def test_a_device_that_opens_at_no_rate_says_so(portaudio):
    from voicejournal.errors import MicrophoneError
    from voicejournal.speech.devices import open_input

    portaudio(48000, set())
    with pytest.raises(MicrophoneError) as e:
        open_input(3, None, 0.1, print)
    assert str(e.value) == (
        "This microphone cannot record at 16 kHz. Choose another one with --device "
        "(see `voicejournal devices`), or use the system's default device."
    )


def test_the_recorder_writes_16_khz_converted_from_the_devices_rate(portaudio, tmp_path):
    import soundfile as sf

    from voicejournal.speech.recorder import Recorder

    fake = portaudio(48000, {16000, 48000})
    rec = Recorder(tmp_path / "r.wav").start()
    assert rec.capture_rate == 48000
    played = tone(1000, 48000, 2.0) + tone(9000, 48000, 2.0)  # 9 kHz would fold back to 7 kHz
    for block in np.split(played, 20):
        fake.streams[-1].callback(block[:, None], len(block), None, type("S", (), {"input_overflow": False}))
    result = rec.finish()
    samples, rate = sf.read(result.path, dtype="float32")
    assert (rate, len(samples), result.duration) == (16000, 32000, 2.0)
    assert np.max(np.abs(samples[4000:-4000] - tone(1000, 16000, 2.0)[4000:-4000])) < 1e-3  # 16-bit steps
