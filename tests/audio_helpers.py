"""Make test audio: re-encode WAVs into phone formats with PyAV, and silence/noise."""

from pathlib import Path

import av
import numpy as np
import soundfile as sf

CODECS = {
    ".mp3": ("mp3", "mp3"),
    ".m4a": ("aac", "mp4"),
    ".ogg": ("libopus", "ogg"),
    ".opus": ("libopus", "ogg"),
    ".flac": ("flac", "flac"),
}


def encode(wav: Path, suffix: str) -> Path:
    """Re-encode `wav` as mp3 / m4a / ogg (opus) / flac, the way a phone would store it."""
    codec, fmt = CODECS[suffix]
    samples, rate = sf.read(wav, dtype="float32")
    rate_out = 48000 if codec == "libopus" else rate
    if rate_out != rate:
        idx = np.linspace(0, len(samples) - 1, int(len(samples) * rate_out / rate))
        samples = np.interp(idx, np.arange(len(samples)), samples).astype(np.float32)
    out_path = wav.with_suffix(suffix)
    with av.open(str(out_path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate_out, layout="mono")
        frame_size = 960 if codec == "libopus" else 1024
        for start in range(0, len(samples), frame_size):
            chunk = samples[start : start + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = rate_out
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out_path


def write_wav(path: Path, samples, rate: int = 16000) -> Path:
    sf.write(path, np.asarray(samples, dtype=np.float32), rate)
    return path
