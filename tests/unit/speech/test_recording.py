"""Pure parts of the recorder: levels, the pause chunker, the WAV writer, crash repair."""

import errno
import os
import signal
import struct
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
import soundfile as sf

from voicejournal.errors import DiskFullError, MicrophoneError
from voicejournal.speech import devices
from voicejournal.speech.chunker import Chunker
from voicejournal.speech.devices import InputDevice
from voicejournal.speech.incoming import recover_incoming, wav_to_flac
from voicejournal.speech.levels import FLOOR_DB, SilenceWatch, level_db, meter_bar
from voicejournal.speech.recorder import Recorder
from voicejournal.speech.wav import WavWriter, read_frames, repair_wav, wav_header

SR = 16000


def tone(seconds, amp=0.5, freq=220.0):
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


# ---------------------------------------------------------------- levels


def test_level_of_silence_is_the_floor():
    assert level_db(np.zeros(1600, dtype=np.float32)) == FLOOR_DB
    assert level_db(np.zeros(0, dtype=np.float32)) == FLOOR_DB


def test_level_of_a_full_scale_sine_is_minus_3_db():
    assert level_db(tone(0.1, amp=1.0)) == pytest.approx(-3.01, abs=0.05)


def test_meter_bar_has_fixed_width_and_grows_with_level():
    assert len(meter_bar([-100.0] * 3, width=14)) == 14
    assert meter_bar([-60.0, -30.0, 0.0], width=3) == "▁▅█"


def test_silence_watch_warns_after_five_quiet_seconds_and_clears_on_sound():
    watch = SilenceWatch(seconds=5.0)
    for _ in range(49):
        assert not watch.feed(FLOOR_DB, 0.1)
    assert watch.feed(FLOOR_DB, 0.1)
    assert not watch.feed(-20.0, 0.1)
    assert watch.ever_silent


# ---------------------------------------------------------------- chunker


def feed(chunker, pattern):
    """pattern: list of (seconds, db) runs, fed as 100 ms blocks; returns closed chunks."""
    closed = []
    for seconds, db in pattern:
        for _ in range(round(seconds * 10)):
            closed += chunker.feed(db, 1600)
    return closed


def test_chunker_cuts_in_the_middle_of_the_first_pause_after_the_minimum():
    chunker = Chunker(min_seconds=8, max_seconds=28, pause_seconds=0.4)
    closed = feed(chunker, [(5, -20), (0.6, -100), (5, -20), (0.6, -100), (3, -20)])
    # the pause at 5 s is too early; the one at 10.6-11.2 s closes the chunk once 0.4 s long
    assert len(closed) == 1
    start, end = closed[0]
    assert start == 0
    assert 10.6 * SR < end < 11.2 * SR


def test_chunker_forces_a_cut_at_the_quietest_point_before_the_maximum():
    chunker = Chunker(min_seconds=8, max_seconds=28, pause_seconds=0.4)
    closed = feed(chunker, [(20, -20), (0.2, -45), (10, -20)])
    assert len(closed) == 1
    assert closed[0][1] == pytest.approx(20.05 * SR, abs=0.1 * SR)


def test_chunks_cover_the_whole_recording_without_gaps():
    chunker = Chunker(min_seconds=2, max_seconds=6, pause_seconds=0.3)
    pattern = [(1.3, -20), (0.5, -90), (2.4, -25), (0.4, -100), (9, -22), (0.7, -100), (1.1, -30)]
    closed = feed(chunker, pattern)
    tail = chunker.finish()
    chunks = closed + ([tail] if tail else [])
    assert chunks[0][0] == 0
    for (_, end), (start, _) in zip(chunks, chunks[1:], strict=False):
        assert end == start
    assert chunks[-1][1] == chunker.pos
    assert all(6 * SR >= end - start > 0 for start, end in chunks)
    assert chunker.finish() is None


def test_chunker_quiet_threshold_follows_a_noisy_room():
    chunker = Chunker()
    feed(chunker, [(10, -50), (10, -20)])
    assert chunker.threshold() == pytest.approx(-40.0)
    assert not chunker.is_quiet(-30)
    assert chunker.is_quiet(-45)


# ---------------------------------------------------------------- WAV writer and repair


def test_writer_keeps_a_valid_header_at_every_flush(tmp_path):
    path = tmp_path / "a.wav"
    writer = WavWriter(path)
    writer.write(tone(1.0))
    writer.flush()
    info = sf.info(path)  # readable while still open, as after a kill
    assert info.frames == SR
    writer.write(tone(0.5))
    writer.close()
    data, sr = sf.read(path, dtype="float32")
    assert sr == SR and len(data) == int(1.5 * SR)
    assert np.allclose(data[:100], tone(1.0)[:100], atol=1e-3)


def test_repair_fixes_sizes_and_cuts_to_whole_frames(tmp_path):
    path = tmp_path / "b.wav"
    pcm = (tone(2.0) * 32767).astype("<i2").tobytes()
    # A header that still says "no data" (as libsndfile leaves it) plus half a frame at the end.
    path.write_bytes(wav_header(0) + pcm + b"\x01")
    assert repair_wav(path) == 2 * SR
    assert path.stat().st_size == 44 + len(pcm)
    raw = path.read_bytes()
    assert struct.unpack("<I", raw[4:8])[0] == 36 + len(pcm)
    assert struct.unpack("<I", raw[40:44])[0] == len(pcm)
    assert sf.info(path).frames == 2 * SR


def test_repair_of_a_libsndfile_float_wav_keeps_its_format(tmp_path):
    path = tmp_path / "c.wav"
    with sf.SoundFile(path, "w", samplerate=SR, channels=1, subtype="FLOAT") as f:
        f.write(tone(1.0))
    with open(path, "ab") as f:
        f.write(b"\x00\x00\x80")  # a torn last frame
    assert repair_wav(path) == SR
    assert sf.info(path).frames == SR


def test_repair_gives_a_headerless_file_a_header(tmp_path):
    path = tmp_path / "d.wav"
    path.write_bytes(b"\x00" * 44 + b"\x10\x00" * 800)
    assert repair_wav(path) == 800
    assert sf.info(path).frames == 800
    empty = tmp_path / "e.wav"
    empty.write_bytes(b"RIF")
    assert repair_wav(empty) == 0
    assert sf.info(empty).frames == 0


def test_a_kill_minus_9_loses_at_most_the_last_second(tmp_path):
    """A child writes 100 ms blocks, flushing every 10 (a second of audio, as the recorder does), says
    where it stands after 35 blocks, and is killed there: whatever the machine's speed, the header already
    covers every flushed block, and repair keeps every block written."""
    path = tmp_path / "killed.wav"
    script = textwrap.dedent(
        f"""
        import signal, numpy as np
        from pathlib import Path
        from voicejournal.speech.wav import WavWriter
        w = WavWriter(Path({str(path)!r}))
        for i in range(1, 36):
            w.write(np.full(1600, 0.25, dtype=np.float32))
            if i % 10 == 0:
                w.flush()
        print("written 35 blocks, flushed 30", flush=True)
        signal.pause()
        """
    )
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "written 35 blocks, flushed 30"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # what a crash leaves is already readable up to the last flush, and repair makes it exact
    assert sf.info(path).frames == 30 * 1600
    frames = repair_wav(path)
    assert frames == 35 * 1600
    data, _ = sf.read(path, dtype="float32")
    assert len(data) == frames
    assert np.allclose(data, 0.25, atol=1e-3)


def test_recover_incoming_repairs_files_but_leaves_a_live_recording_alone(tmp_path):
    incoming = tmp_path / "audio" / "incoming"
    incoming.mkdir(parents=True)
    crashed = incoming / "abc.wav"
    crashed.write_bytes(wav_header(0) + b"\x00\x01" * 1000)
    live = WavWriter(incoming / "live.wav")
    live.write(tone(0.1))
    try:
        found = recover_incoming(tmp_path)
    finally:
        live.close()
    assert found == [crashed]
    assert sf.info(crashed).frames == 1000
    assert recover_incoming(tmp_path / "nowhere") == []


def test_read_frames_returns_the_range_as_float(tmp_path):
    path = tmp_path / "r.wav"
    writer = WavWriter(path)
    ramp = np.linspace(-0.5, 0.5, SR, dtype=np.float32)
    writer.write(ramp)
    writer.flush()
    part = read_frames(path, 100, 200)
    writer.close()
    assert part.dtype == np.float32 and len(part) == 100
    assert np.allclose(part, ramp[100:200], atol=1e-4)


def test_wav_to_flac_converts_in_blocks(tmp_path):
    src = tmp_path / "s.wav"
    writer = WavWriter(src)
    writer.write(tone(3.0))
    writer.close()
    dst = tmp_path / "2026" / "11" / "s.flac"
    wav_to_flac(src, dst)
    info = sf.info(dst)
    assert (info.format, info.samplerate, info.channels, info.frames) == ("FLAC", SR, 1, 3 * SR)
    assert not list(dst.parent.glob("*.part"))


# ---------------------------------------------------------------- writer thread without a microphone


def run_writer(rec, blocks):
    rec._writer = WavWriter(rec.path)  # no stream: the writer runs until told it is closed
    thread = threading.Thread(target=rec._write_loop)
    thread.start()
    for block in blocks:
        rec._queue.put(block)
    return thread


def finish_writer(rec, thread):
    rec.stop()
    rec._close_stream()
    thread.join(300)  # (only against a hang: it ends as soon as the queue is drained)
    assert not thread.is_alive()
    rec._writer.close()


def test_max_seconds_stops_at_exactly_that_length(tmp_path):
    rec = Recorder(tmp_path / "m.wav", max_seconds=1.0)
    thread = run_writer(rec, [tone(0.1)] * 15)
    assert rec.wait(300)  # (only against a hang: it stops as soon as the blocks are taken)
    assert rec.stop_reason == "max"
    finish_writer(rec, thread)
    assert sf.info(rec.path).frames == SR


def test_a_full_disk_stops_cleanly_and_keeps_what_was_written(tmp_path, monkeypatch):
    rec = Recorder(tmp_path / "full.wav")
    real_write = os.write
    calls = {"n": 0}

    def write(fd, data):
        calls["n"] += 1
        if calls["n"] > 6:  # header + 5 blocks fit, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    thread = run_writer(rec, [tone(0.1)] * 10)
    assert rec.wait(300)  # (only against a hang: it stops as soon as the blocks are taken)
    finish_writer(rec, thread)
    assert rec.stop_reason == "disk_full"
    assert isinstance(rec.error, DiskFullError)
    assert "Everything captured until then is kept" in str(rec.error)
    assert repair_wav(rec.path) == 5 * 1600


def test_silent_input_is_noticed(tmp_path):
    rec = Recorder(tmp_path / "s.wav")
    thread = run_writer(rec, [np.zeros(1600, dtype=np.float32)] * 55)
    finish_writer(rec, thread)  # the writer takes every queued block before it ends
    assert rec.silent


# ---------------------------------------------------------------- devices


@pytest.fixture
def fake_devices(monkeypatch):
    found = [
        InputDevice(0, "pulse", 32, 44100.0, "ALSA", False),
        InputDevice(1, "default", 32, 44100.0, "ALSA", True),
        InputDevice(4, "USB Headset Mic", 1, 48000.0, "ALSA", False),
    ]
    monkeypatch.setattr(devices, "input_devices", lambda: found)
    return found


def test_resolve_device_by_default_index_and_name(fake_devices):
    assert devices.resolve_device(None) == 1
    assert devices.resolve_device("4") == 4
    assert devices.resolve_device("usb") == 4
    assert devices.resolve_device("default") == 1


def test_resolve_device_errors_are_clear(fake_devices):
    with pytest.raises(MicrophoneError, match=r"^There is no microphone with number 9\. `voicejournal dev"):
        devices.resolve_device("9")
    with pytest.raises(MicrophoneError, match=r"^No microphone matches 'zoom'\. `voicejournal devices`"):
        devices.resolve_device("zoom")


def test_no_input_device_at_all(monkeypatch):
    monkeypatch.setattr(devices, "input_devices", lambda: [])
    with pytest.raises(MicrophoneError) as e:
        devices.resolve_device(None)
    assert str(e.value) == (
        "No microphone found. Plug one in, or choose one with --device (see `voicejournal devices`)."
    )


def test_portaudio_errors_become_plain_sentences():
    none = devices.open_error(Exception("Error querying device -1"))
    assert str(none).startswith("No microphone found.")
    busy = devices.open_error(Exception("Device unavailable", -9985))
    assert str(busy).startswith("The microphone is busy or was unplugged.")


def test_missing_portaudio_is_explained(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MicrophoneError, match="PortAudio is not installed"):
        devices.import_sounddevice()
