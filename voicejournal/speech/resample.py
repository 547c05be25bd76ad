"""Sample-rate conversion for the microphone, block by block: the device's own rate in, 16 kHz out.

A microphone runs at 44.1 or 48 kHz. Asking the sound server for 16 kHz makes it convert with its own
default filter (PulseAudio's speex-float-1 is short, so it dulls 5-8 kHz, where s, f and t live, and lets
some of what lies above 8 kHz fold back into speech), so the recorder takes the device's rate and converts
here: a rational polyphase FIR (up by L, low-pass, down by M, with L/M = 16000/rate), a Kaiser-windowed
sinc flat to 7.2 kHz and more than 80 dB down from 8 kHz, streamed so that any cut of the input into
blocks gives the same output as the whole signal, time-aligned (the filter's delay taken out).
"""

from __future__ import annotations

from math import ceil, gcd
from typing import Any

from voicejournal.store.home import SAMPLE_RATE

STOPBAND_DB = 80.0
TRANSITION = 0.1  # of the lower Nyquist frequency: at 16 kHz out, flat to 7.2 kHz, stopped from 8 kHz
OUT_AT_ONCE = 4096  # output samples computed in one numpy step (bounds memory for a long block)


def lowpass(rate_in: int, rate_out: int) -> tuple[Any, int, int, int]:
    """(bank, up, down, delay) for `rate_in` -> `rate_out`: bank[phase, j] is the tap that meets the j-th
    newest input sample for an output at that phase of the up-sampled grid; delay is in grid samples."""
    import numpy as np

    g = gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    grid = rate_in * up  # the rate of the zero-stuffed signal the filter runs at
    stop = min(rate_in, rate_out) / 2
    width = TRANSITION * stop
    cutoff = stop - width / 2
    beta = 0.1102 * (STOPBAND_DB - 8.7)  # Kaiser's formula for the window's shape
    n = ceil((STOPBAND_DB - 7.95) / (2.285 * 2 * np.pi * width / grid)) + 1
    n += (n + 1) % 2  # odd: the delay is a whole number of grid samples
    t = np.arange(n) - (n - 1) / 2
    taps = 2 * cutoff / grid * np.sinc(2 * cutoff / grid * t) * np.kaiser(n, beta)
    taps *= up / taps.sum()  # unit gain once zero-stuffing's 1/up is made up
    per_phase = ceil(n / up)
    padded = np.zeros(per_phase * up)
    padded[:n] = taps
    return padded.reshape(per_phase, up).T.astype(np.float32), up, down, (n - 1) // 2


class Resampler:
    """Converts a stream from `rate_in` to `rate_out` Hz: `process` each block, `flush` at the end.

    The output of ``process(a) + process(b) + flush()`` equals that of ``process(a + b) + flush()``, and in
    all ``ceil(len(input) * rate_out / rate_in)`` samples. The same rate in and out passes blocks through.
    """

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE):
        import numpy as np

        self.rate_in, self.rate_out = int(rate_in), int(rate_out)
        self.same = self.rate_in == self.rate_out
        self._np = np
        if self.same:
            return
        self.bank, self.up, self.down, self.delay = lowpass(self.rate_in, self.rate_out)
        self.per_phase = self.bank.shape[1]
        self.received = 0  # input samples so far
        self.produced = 0  # output samples so far
        self._held = np.zeros(self.per_phase - 1, dtype=np.float32)  # the inputs before `_held_from`
        self._held_from = 0  # global index of the sample after the held ones (zeros before the start)

    def process(self, block: Any) -> Any:
        """The output samples that `block` (float32 at rate_in) completes."""
        np = self._np
        block = np.asarray(block, dtype=np.float32)
        if self.same:
            return block
        self.received += len(block)
        # Output k needs inputs up to (k*down + delay) // up: those that have arrived.
        ready = (self.received * self.up - 1 - self.delay) // self.down + 1 if self.received else 0
        return self._run(block, ready)

    def flush(self) -> Any:
        """The last outputs, which needed inputs after the end (taken as silence)."""
        np = self._np
        if self.same:
            return np.zeros(0, dtype=np.float32)
        total = -(-self.received * self.up // self.down)
        zeros = np.zeros(self.per_phase + self.delay // self.up + 1, dtype=np.float32)
        return self._run(zeros, total)

    def _run(self, block: Any, until: int) -> Any:
        np = self._np
        first = self._held_from - len(self._held)  # global index of buffer[0]
        buffer = np.concatenate([self._held, block])
        self._held_from += len(block)
        out = [np.zeros(0, dtype=np.float32)]
        lags = np.arange(self.per_phase)
        for k0 in range(self.produced, until, OUT_AT_ONCE):
            k = np.arange(k0, min(until, k0 + OUT_AT_ONCE))
            grid = k * self.down + self.delay
            newest = grid // self.up - first  # buffer index of the newest input each output needs
            window = buffer[newest[:, None] - lags[None, :]]
            out.append(np.einsum("kj,kj->k", window, self.bank[grid % self.up]))
        self.produced = max(self.produced, until)
        # Keep what the next output reaches back to.
        oldest = (self.produced * self.down + self.delay) // self.up - (self.per_phase - 1) - first
        self._held = buffer[max(0, min(oldest, len(buffer))) :]
        return np.concatenate(out)
