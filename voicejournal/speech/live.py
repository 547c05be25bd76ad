"""The transcriber thread of a recording: closed chunks in, segments out, and the last pass at stop.

`speech/recorder` puts each chunk the Chunker closes (a frame range, with its samples when they are kept in
memory) and then None; `run` hears them one by one with `speech/chunked` until the None.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from voicejournal.core.entry import Segment
from voicejournal.speech import trace
from voicejournal.speech.chunked import ChunkedTranscript
from voicejournal.speech.wav import read_frames

FINAL_PASS_BUDGET = 0.7  # seconds after stop the last pass may take: stop -> saved under 2 s on a busy laptop


class LiveTranscription:
    """Chunks of a recording heard as they close (see the module docstring)."""

    def __init__(
        self,
        transcriber: Any,
        path: Path,
        samplerate: int,
        on_segments: Callable[[list[Segment]], None] | None = None,
    ):
        self.transcriber = transcriber
        self.path = path  # the chunks are read back from this file when their samples are not given
        self.transcript = ChunkedTranscript(transcriber, samplerate)
        self.on_segments = on_segments
        self.error: Exception | None = None  # the audio is safe; the entry is saved as pending
        self.stop_time: float | None = None
        self._chunks: queue.SimpleQueue = queue.SimpleQueue()

    def put(self, start: int, end: int, samples: Any = None, last: bool = False) -> None:
        """A closed chunk (frames start..end); `last`: the recording's final one."""
        self._chunks.put((start, end, samples, last))

    def close(self) -> None:
        """No more chunks: `run` returns once it has heard those before."""
        self._chunks.put(None)

    def stop(self, at: float) -> None:
        """The person stopped (at time.monotonic() `at`): no window is heard again, and what is left to hear
        (second looks included) keeps to FINAL_PASS_BUDGET from now."""
        self.stop_time = at
        trace.log.debug("stop; %d chunks wait", self._chunks.qsize())
        self.transcript.stop(FINAL_PASS_BUDGET)

    def run(self) -> None:
        """The thread: load the model, then hear every chunk until `close`."""
        trace.start()
        trace.log.debug("recording starts")
        # Load the model now, while the person starts speaking, not when the first chunk closes.
        load = getattr(self.transcriber, "load", None) or getattr(self.transcriber, "_load", None)
        if load is not None:
            try:
                load()
            except Exception as e:
                self.error = e
        while True:
            if self.error is None and self.transcript.waiting and self._chunks.empty():
                # No chunk waits: a window deferred while chunks waited is heard now (oldest first).
                self._deliver(self.transcript.catch_up)
                continue
            if self.error is None and self._chunks.empty() and self._look_ahead():
                continue  # nothing else to do: the open window heard ahead of a stop
            item = self._chunks.get()
            if item is None:
                trace.log.debug("done")
                return
            trace.log.debug("chunk %.1f-%.1f s%s taken, %d wait", item[0] / self.transcript.samplerate,
                            item[1] / self.transcript.samplerate, " (last)" * item[3], self._chunks.qsize())  # fmt: skip
            if self.error is None:
                self._deliver(lambda item=item: self._hear(*item))

    def _hear(self, start: int, end: int, samples: Any, last: bool) -> list[Segment]:
        live = self.transcript
        if samples is None:
            samples = read_frames(self.path, start, end)
        if last:  # heard again with the chunks before it, when that fits the time left
            spent = time.monotonic() - (self.stop_time or time.monotonic())
            return live.last(start, end, samples, budget=max(0.0, FINAL_PASS_BUDGET - spent))
        return live.add(start, end, samples, behind=not self._chunks.empty())

    def _look_ahead(self) -> bool:
        try:
            return self.transcript.look_ahead()
        except Exception as e:
            self.error = e
            return False

    def _deliver(self, hear: Callable[[], list[Segment]]) -> None:
        """`hear`'s new segments to `on_segments`; an error stops the hearing (the audio is safe)."""
        try:
            new = hear()
        except Exception as e:
            self.error = e
            return
        if self.on_segments and new:
            with contextlib.suppress(Exception):
                self.on_segments(new)
