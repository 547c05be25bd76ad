"""Speech to text with faster-whisper, fully offline.

The model is loaded once per Transcriber, from a local folder (`local_files_only`), and the Hugging Face
client is told to stay offline before faster_whisper is imported, so nothing ever opens a connection.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from voicejournal.core.entry import Segment
from voicejournal.errors import TranscriptionError
from voicejournal.speech.models import resolve_model

# Whisper's known failure modes on real recordings are text hallucinated in silence and lines repeated in a loop.
# Audio reaches the model in chunks cut at pauses (speech/chunked), and a chunk at the level of digital silence
# never does; the thresholds below make the model discard windows that look like no speech or compress too well
# (repetition), and the previous chunk's text goes in as a prompt (speech/chunked hears a chunk again without it
# when the answer loops). The VAD only gates (`hears_speech`); as a filter it cut words at the edges of its
# speech regions and dropped whispered and falsetto speech (benchmarks/quality.py: 10.4 % WER on the joined
# speech-dev file as a filter on the whole file, 7.8 % as a gate on chunks).
DECODE_OPTIONS = dict(
    beam_size=5,
    vad_filter=False,
    condition_on_previous_text=False,
    no_speech_threshold=0.6,
    compression_ratio_threshold=2.4,
    log_prob_threshold=-1.0,
    repetition_penalty=1.0,
    temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
)


# A bound on the tokens asked for (`transcribe`'s max_new_tokens) must leave room for the prompt within Whisper's
# 448: faster-whisper keeps up to 223 prompt tokens and a few of its own, and raises beyond.
MAX_NEW_TOKENS = 200

# Whisper's fallbacks above 0.0 sample at random: "word word word" (compression ratio over 2.4) came back as 2 or
# as 18 word errors from two hearings of the same live recording. Seeded before every call, the same audio and
# prompt always give the same text, so a file and a recording of the same words get the same text too.
SEED = 0


# Silero VAD (shipped inside faster-whisper) decides whether a chunk holds speech at all; it no longer cuts the
# audio. Its default threshold (0.5) found speech in all 41 speech-dev clips, whispered and falsetto ones too,
# and none in 60 s of low noise or room tone; a little lower leaves a margin for quieter voices.
SPEECH_GATE = dict(threshold=0.35)


def hears_speech(samples) -> bool:
    """Whether Silero VAD finds any speech in these 16 kHz samples."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return bool(len(samples)) and bool(get_speech_timestamps(samples, VadOptions(**SPEECH_GATE)))


@dataclass
class Transcript:
    segments: list[Segment] = field(default_factory=list)
    language: str = "en"
    duration: float = 0.0
    model: str = ""

    @property
    def text(self) -> str:
        from voicejournal.core.entry import segments_text

        return segments_text(self.segments)


class Transcriber:
    """Load a model once; transcribe files or sample arrays with it."""

    def __init__(self, model: str | None = None, language: str | None = None, threads: int | None = None):
        self.model_name, self.model_path = resolve_model(model)
        self.language = language
        self.threads = threads or min(os.cpu_count() or 2, 4)
        self.options = dict(DECODE_OPTIONS)
        self._model = None

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
            from faster_whisper import WhisperModel

            try:
                self._model = WhisperModel(
                    str(self.model_path),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=self.threads,
                    local_files_only=True,
                )
            except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError for bad model files
                raise TranscriptionError(
                    f"The speech model in {self.model_path} could not be loaded ({exc}). "
                    "Reinstall it, or pick another with --model; `voicejournal models` lists them."
                ) from exc
        return self._model

    def transcribe_recording(
        self, samples, progress: Callable[[float, float], None] | None = None
    ) -> Transcript:
        """A whole recording the way the microphone's is transcribed: cut at pauses (speech/chunked)."""
        from voicejournal.speech.chunked import transcribe_samples

        done = transcribe_samples(self, samples, progress)
        return Transcript(
            done.segments, done.language or "en", len(samples) / 16000, done.model or self.model_name
        )

    def transcribe(
        self,
        audio,
        offset: float = 0.0,
        initial_prompt: str | None = None,
        progress: Callable[[float, float], None] | None = None,
        word_timestamps: bool = False,
        temperatures: tuple[float, ...] | None = None,
        max_new_tokens: int | None = None,
    ) -> Transcript:
        """Transcribe a path or float32 16 kHz mono samples; segment times are shifted by `offset`.

        `progress(done_seconds, total_seconds)` is called as segments come in. With `word_timestamps` each
        segment ends where its last word does (Whisper's own end can run on over speech it did not write).
        `temperatures`: the fallbacks tried when an answer looks wrong (DECODE_OPTIONS has six; each is one
        more decoding, so live recording, which must keep to its time, tries fewer). `max_new_tokens`: at most
        this many tokens written per 30 s window (a loop ends there instead of at Whisper's 448).
        """
        model = self._load()
        language = self.language
        if self.model_name.endswith(".en"):
            language = "en"
        from voicejournal.speech.levels import normalise

        if isinstance(audio, Path):
            from voicejournal.speech.audio import load_audio

            audio = load_audio(audio)
        audio = normalise(audio)
        duration = len(audio) / 16000
        if not hears_speech(audio):  # noise or room tone: nothing for Whisper to imagine words in
            if progress:
                progress(duration, duration)
            return Transcript([], language or "en", duration, self.model_name)
        import ctranslate2

        ctranslate2.set_random_seed(SEED)  # decoding runs as `segments` is read, below, on this thread
        try:
            segments, info = model.transcribe(
                audio,
                language=language,
                initial_prompt=initial_prompt,
                word_timestamps=word_timestamps,
                max_new_tokens=None if max_new_tokens is None else min(max_new_tokens, MAX_NEW_TOKENS),
                **(self.options if temperatures is None else {**self.options, "temperature": temperatures}),
            )
            result = []
            for seg in segments:
                text = seg.text.strip()
                end = seg.words[-1].end if word_timestamps and seg.words else seg.end
                if any(c.isalnum() for c in text):  # not "." or "..." (what Whisper makes of steady noise)
                    result.append(
                        Segment(round(float(seg.start) + offset, 2), round(float(end) + offset, 2), text)
                    )
                if progress:
                    progress(min(seg.end, info.duration), info.duration)
        except Exception as exc:
            raise TranscriptionError(f"Transcription failed: {exc}.") from exc
        if progress:
            progress(info.duration, info.duration)
        return Transcript(result, info.language, info.duration, self.model_name)
