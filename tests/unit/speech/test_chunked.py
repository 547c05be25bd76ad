"""The one transcription strategy: chunks with the text before them as prompt, the last ones heard again."""

from dataclasses import dataclass, field

import numpy as np

from voicejournal.core.entry import Segment
from voicejournal.speech.chunked import ChunkedTranscript, repetitive, transcribe_samples

SR = 16000


@dataclass
class Result:
    segments: list
    language: str = "en"
    model: str = "fake"


@dataclass
class FakeTranscriber:
    """Says one word per second of audio it is given; records what it was asked."""

    model_name: str = "fake"
    calls: list = field(default_factory=list)
    loop_with_prompt: bool = False

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False):
        seconds = round(len(samples) / SR)
        self.calls.append((round(offset, 2), seconds, initial_prompt))
        if self.loop_with_prompt and initial_prompt:
            return Result([Segment(offset, offset + seconds, "Word. " * 40)])
        # as many words as a person says in that time, none repeated, ending where the sound does
        words = " ".join(f"{chr(97 + i * 7 % 26)}{chr(97 + i * 11 % 26)}{i}" for i in range(2 * seconds))
        end = offset + round(len(np.trim_zeros(samples, "b")) / SR, 2)
        return Result([Segment(offset, end, f"w{round(offset)}x{seconds}. {words}".strip())])


def said(segments):
    """The first word of each segment: which chunk of audio it came from."""
    return [s.text.split()[0] for s in segments]


def tone(seconds, level=0.1):
    return (level * np.sin(2 * np.pi * 220 * np.arange(int(seconds * SR)) / SR)).astype(np.float32)


def test_each_chunk_gets_the_text_before_it_as_prompt():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    assert [c[2] and c[2].split()[0] for c in fake.calls] == [None, "w0x10."]
    assert said(live.segments) == ["w0x10.", "w10x10."]
    assert live.chunks == 2 and live.model == "fake"


def test_a_silent_chunk_is_never_given_to_the_model():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    assert live.add(0, 5 * SR, np.zeros(5 * SR, dtype=np.float32)) == []
    assert fake.calls == []


def test_the_last_chunk_is_heard_again_with_the_ones_before_it():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    live.add(20 * SR, 30 * SR, tone(10))
    live.last(30 * SR, 38 * SR, tone(8))
    # 10-38 s fits one 30 s window; 0-38 s does not
    assert fake.calls[-1][:2] == (10.0, 28)
    assert said(live.segments) == ["w0x10.", "w10x28."]
    assert live.final_pass == 28.0


def test_a_short_recording_is_heard_whole_at_the_end():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 9 * SR, tone(9))
    live.last(9 * SR, 12 * SR, tone(3))
    assert fake.calls[-1] == (0.0, 12, None)
    assert said(live.segments) == ["w0x12."]


def test_no_last_pass_when_it_would_not_fit_the_time_left():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 9 * SR, tone(9))
    live._compute, live._heard = 9.0, 9.0  # as slow as real time: 12 s would take 12 s
    live.last(9 * SR, 12 * SR, tone(3), budget=1.2)
    assert fake.calls[-1][:2] == (9.0, 3)
    assert said(live.segments) == ["w0x9.", "w9x3."]
    assert live.final_pass == 0.0


def test_a_looping_answer_to_a_prompt_is_heard_again_without_it():
    fake = FakeTranscriber(loop_with_prompt=True)
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    assert said(live.segments) == ["w0x10.", "w10x10."]
    assert repetitive("Word. " * 40) and not repetitive("I went for a walk and called my sister afterwards.")


def test_a_file_is_cut_at_its_pauses_like_a_recording():
    speech = np.concatenate(
        [tone(9), np.zeros(SR, dtype=np.float32), tone(9), np.zeros(SR, dtype=np.float32)]
    )
    fake = FakeTranscriber()
    done = transcribe_samples(fake, np.concatenate([speech, tone(4)]))
    # two chunks while "recording", then the last pass over the last ones within 30 s
    assert [c[:2] for c in fake.calls] == [(0.0, 9), (9.2, 10), (0.0, 24)]  # cut 0.2 s into each pause
    assert said(done.segments) == ["w0x24."]


def test_speech_that_whisper_left_out_at_the_end_of_a_chunk_is_heard_again():
    @dataclass
    class StopsEarly(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None):
            self.calls.append((round(offset, 2), round(len(samples) / SR, 2), initial_prompt))
            heard = min(4.0, len(samples) / SR)  # hears only the first 4 s of whatever it is given
            words = " ".join(f"x{i}" for i in range(8))
            return Result([Segment(offset, offset + heard, f"w{round(offset)}. {words}")])

    fake = StopsEarly()
    live = ChunkedTranscript(fake)
    chunk = np.concatenate([tone(10), np.zeros(SR // 2, dtype=np.float32)])
    live.add(0, len(chunk), chunk)
    # 4-10.5 s went unheard: heard again with what came before as prompt
    assert fake.calls[1][:2] == (4.0, 6.5) and fake.calls[1][2].startswith("w0.")
    assert said(live.segments) == ["w0.", "w4."]


def test_a_pause_or_breath_after_the_last_segment_is_not_heard_again():
    from voicejournal.speech.chunked import unheard_tail

    chunk = np.concatenate([tone(3), np.zeros(3 * SR, dtype=np.float32), tone(0.5, level=0.005)])
    assert unheard_tail(chunk, 3.0) is None
    assert unheard_tail(chunk, None) is None  # nothing heard at all: the same again would give nothing
    assert unheard_tail(np.concatenate([tone(3), tone(3)]), 3.0) == 3 * SR


def test_a_segment_stretched_over_speech_it_did_not_write_ends_where_its_words_can_have():
    from voicejournal.speech.chunked import spoken_until

    stretched = Segment(100.0, 114.0, "From the store... Please call Stella...")  # then 8 s of digits
    assert spoken_until(stretched, offset=100.0) == 6.0  # 6 words said slowly, and a pause
    assert spoken_until(Segment(100.0, 103.0, "Please call Stella."), offset=100.0) == 3.0


def test_a_chunk_skipped_because_of_its_prompt_is_heard_again_without_it():
    @dataclass
    class SkipsWithPrompt(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None):
            if initial_prompt and offset > 0:
                self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
                return Result([])
            return super().transcribe(samples, offset, initial_prompt)

    fake = SkipsWithPrompt()
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 13 * SR, tone(3))
    assert [(c[0], c[2] is None) for c in fake.calls] == [(0.0, True), (10.0, False), (10.0, True)]
    assert said(live.segments) == ["w0x10.", "w10x3."]


def test_a_chunk_whose_answer_repeats_its_prompt_and_runs_over_its_closing_pause_is_heard_afresh():
    @dataclass
    class StopsAfterThePrompt(FakeTranscriber):
        """With a prompt: only the first sentence, its segment running to the chunk's end (no end written)."""

        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False):
            self.calls.append((round(offset, 2), initial_prompt is not None, word_timestamps))
            seconds = len(samples) / SR
            if initial_prompt:
                return Result([Segment(offset, offset + seconds, "It went better than I thought.")])
            if seconds < 5:
                return Result([Segment(offset, offset + seconds, "It went better than I thought.")])
            return Result(
                [
                    Segment(offset, offset + 4, "It went better than I thought."),
                    Segment(offset + 5, offset + 7, "Mood: seven out of ten."),
                ]
            )

    fake = StopsAfterThePrompt()
    live = ChunkedTranscript(fake)
    quiet = np.zeros(SR, dtype=np.float32)
    live.add(0, 3 * SR, tone(3))
    chunk = np.concatenate([tone(4), quiet, tone(2), quiet[: SR // 2]])
    live.add(3 * SR, 3 * SR + len(chunk), chunk)
    assert fake.calls[1:] == [(3.0, True, False), (3.0, False, True)]
    assert [s.text for s in live.segments] == [
        "It went better than I thought.",
        "It went better than I thought.",
        "Mood: seven out of ten.",
    ]
    # speech to the very end (a chunk cut at Whisper's 30 s window) is no such sign
    live.add(len(chunk) + 3 * SR, len(chunk) + 7 * SR, tone(4))
    assert fake.calls[-1][1:] == (True, False)
