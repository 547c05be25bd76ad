"""Microphones and speakers through PortAudio (sounddevice): listing, choosing, probing, playing back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicejournal.errors import MicrophoneError
from voicejournal.speech.levels import level_db
from voicejournal.store.home import SAMPLE_RATE

BLOCKSIZE = 1600  # 100 ms at 16 kHz: one level value and one queue item per block
LOWEST_RATE = 16_000  # a device whose own rate is lower (or unknown) is asked for 16 kHz
NO_MICROPHONE = "No microphone found. Plug one in, or choose one with --device (see `voicejournal devices`)."


NO_PORTAUDIO = (
    "The sound library PortAudio is not installed, so voicejournal cannot use the microphone. "
    "Install it (Debian/Ubuntu: `sudo apt install libportaudio2`; macOS: `brew install portaudio`) "
    "and try again."
)


DEVICE_LOST = (
    "The microphone stopped working during the recording (unplugged or taken by another program?). "
    "Everything recorded until then is saved."
)


def import_sounddevice():
    """`sounddevice`, or a MicrophoneError saying how to install PortAudio."""
    try:
        import sounddevice as sd
    except OSError as e:
        raise MicrophoneError(NO_PORTAUDIO) from e
    return sd


@dataclass
class InputDevice:
    index: int
    name: str
    channels: int
    samplerate: float
    hostapi: str
    default: bool


def input_devices() -> list[InputDevice]:
    """The input devices PortAudio sees, the default one marked."""
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        default_in = sd.default.device[0]
        hostapis = sd.query_hostapis()
    except sd.PortAudioError:
        return []
    out = []
    for dev in devices:
        if dev["max_input_channels"] <= 0:
            continue
        out.append(
            InputDevice(
                index=dev["index"],
                name=dev["name"],
                channels=dev["max_input_channels"],
                samplerate=dev["default_samplerate"],
                hostapi=hostapis[dev["hostapi"]]["name"],
                default=dev["index"] == default_in,
            )
        )
    return out


def resolve_device(device: str | int | None) -> int:
    """The PortAudio index for --device (index, or part of a name), or the default input."""
    inputs = input_devices()
    if device is None or device == "":
        default = next((d for d in inputs if d.default), None)
        if default is None:
            raise MicrophoneError(NO_MICROPHONE)
        return default.index
    if not inputs:
        raise MicrophoneError(NO_MICROPHONE)
    text = str(device).strip()
    if text.isdigit():
        index = int(text)
        if any(d.index == index for d in inputs):
            return index
        raise MicrophoneError(
            f"There is no microphone with number {index}. `voicejournal devices` lists the ones you have."
        )
    exact = [d for d in inputs if d.name.lower() == text.lower()]
    matches = exact or [d for d in inputs if text.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0].index
    if not matches:
        raise MicrophoneError(
            f"No microphone matches '{text}'. `voicejournal devices` lists the ones you have."
        )
    names = ", ".join(f"{d.index} ({d.name})" for d in matches)
    raise MicrophoneError(f"More than one microphone matches '{text}': {names}. Choose one by its number.")


def native_rate(index: int) -> int:
    """The rate the device runs at by itself (PortAudio's default for it): recording at it spares the sound
    server a conversion (speech/resample does it better). 16 kHz when PortAudio does not say."""
    sd = import_sounddevice()
    try:
        rate = int(round(float(sd.query_devices(index)["default_samplerate"])))
    except (sd.PortAudioError, ValueError, KeyError, TypeError):
        return SAMPLE_RATE
    return rate if rate >= LOWEST_RATE else SAMPLE_RATE


def open_input(
    index: int,
    rate: int | None,
    block_seconds: float,
    callback: Callable[..., None],
    finished: Callable[[], None] | None = None,
) -> tuple[Any, int]:
    """A started mono float32 input stream on device `index` and its rate: `rate`, or with None the device's
    own (`native_rate`), or 16 kHz when the device will not open at its own. Raises MicrophoneError."""
    sd = import_sounddevice()
    rates = [rate] if rate else list(dict.fromkeys([native_rate(index), SAMPLE_RATE]))
    failed: Exception | None = None
    for each in rates:
        try:
            stream = sd.InputStream(
                samplerate=each,
                blocksize=round(each * block_seconds),
                device=index,
                channels=1,
                dtype="float32",
                callback=callback,
                finished_callback=finished,
            )
            try:
                stream.start()
            except BaseException:
                stream.close()
                raise
            return stream, each
        except (sd.PortAudioError, ValueError) as e:
            failed = e
    raise open_error(failed) from failed


def open_error(e: Exception) -> MicrophoneError:
    text = " ".join(str(a) for a in getattr(e, "args", ()) if isinstance(a, str)) or str(e)
    low = text.lower()
    if "querying device -1" in low or "no input device" in low:
        return MicrophoneError(NO_MICROPHONE)
    if "unavailable" in low or "busy" in low or "-9985" in low:
        return MicrophoneError(
            "The microphone is busy or was unplugged. Close other programs that record sound "
            "(calls, other recorders) and try again; `voicejournal devices` lists the microphones."
        )
    if "sample rate" in low:
        return MicrophoneError(
            "This microphone cannot record at 16 kHz. Choose another one with --device "
            "(see `voicejournal devices`), or use the system's default device."
        )
    return MicrophoneError(f"Could not open the microphone ({text}). See `voicejournal doctor`.")


def probe_microphone(device: str | int | None = None, seconds: float = 1.0) -> tuple[str, float]:
    """Open the microphone briefly: (device name, loudest 100 ms level in dBFS). Raises MicrophoneError."""
    import numpy as np

    sd = import_sounddevice()
    index = resolve_device(device)
    name = sd.query_devices(index)["name"]
    blocks: list = []
    stream, _ = open_input(
        index,
        None,
        BLOCKSIZE / SAMPLE_RATE,
        lambda indata, frames, t, status: blocks.append(indata[:, 0].copy()),
    )
    with stream:  # at the rate `record` uses: a level in dBFS does not depend on it
        time.sleep(seconds)
    if not blocks:
        raise MicrophoneError(
            f"The microphone '{name}' opened but sent no sound at all. Check that it is connected and "
            "not used by another program."
        )
    loudest = max(level_db(np.asarray(b)) for b in blocks)
    return name, loudest


NO_OUTPUT = (
    "No speaker or headphones found to play on. Connect one (or check the system's sound settings) "
    "and try again."
)


def check_output() -> None:
    """Raise PlaybackError unless there is a default output device."""
    from voicejournal.errors import PlaybackError

    sd = import_sounddevice()
    try:
        sd.query_devices(kind="output")
    except (sd.PortAudioError, ValueError) as e:
        raise PlaybackError(NO_OUTPUT) from e


def play_file(path: Path, at: float = 0.0) -> None:
    """Play an audio file through the default output from `at` seconds, block by block."""
    import soundfile as sf

    from voicejournal.errors import PlaybackError

    sd = import_sounddevice()
    check_output()
    with sf.SoundFile(path) as f:
        f.seek(min(f.frames, int(at * f.samplerate)))
        try:
            with sd.OutputStream(samplerate=f.samplerate, channels=1, dtype="float32") as stream:
                for block in f.blocks(blocksize=4096, dtype="float32", always_2d=True):
                    stream.write(block[:, :1].copy())
        except sd.PortAudioError as e:
            if "querying device -1" in str(e):
                raise PlaybackError(NO_OUTPUT) from e
            raise PlaybackError(f"Playback failed ({e}). Check the system's sound output.") from e
