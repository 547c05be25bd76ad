"""The one transcription strategy: chunks with the text before them as prompt, the last ones heard again."""

from dataclasses import dataclass, field

import numpy as np
import pytest

from voicejournal.core.entry import Segment
from voicejournal.speech.answers import repetitive
from voicejournal.speech.chunked import ChunkedTranscript, transcribe_samples

SR = 16000


@pytest.fixture(autouse=True)
def windows_of_20_seconds(monkeypatch):
    """Round figures for the tests below (the tuned values are measured by benchmarks/quality.py). The fake
    says 2 words a second, slower than people (2.5-3.8): its windows are sparse below 2.0 words a second, a
    window that left out 6 of its 40 words is."""
    monkeypatch.setattr("voicejournal.speech.chunked.GROUP_SECONDS", 20.0)
    monkeypatch.setattr("voicejournal.speech.chunked.PROMPT_HINT", "")
    monkeypatch.setattr("voicejournal.speech.chunked.SPARSE_WINDOW_WORDS", 2.0)


def test_every_prompt_starts_with_the_marker_phrases(monkeypatch):
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "PROMPT_HINT", "Homework: Mood:")
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 8 * SR, tone(8))
    live.add(8 * SR, 16 * SR, tone(8))
    assert [c[2].split()[:3] for c in fake.calls] == [["Homework:", "Mood:"], ["Homework:", "Mood:", "w0x8."]]


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

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
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
    live.add(0, 8 * SR, tone(8))
    live.add(8 * SR, 16 * SR, tone(8))
    assert [c[2] and c[2].split()[0] for c in fake.calls] == [None, "w0x8."]
    assert said(live.segments) == ["w0x8.", "w8x8."]
    assert live.chunks == 2 and live.model == "fake"


def test_chunks_are_heard_again_together_once_they_fill_a_window():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))  # 20 s (GROUP_SECONDS): heard again as one window
    live.add(20 * SR, 35 * SR, tone(15))
    live.add(35 * SR, 51 * SR, tone(16))  # 31 s would not fit Whisper's 30 s: 20-35 s is its own window
    assert [c[:2] for c in fake.calls] == [(0.0, 10), (10.0, 10), (0.0, 20), (20.0, 15), (35.0, 16)]
    assert [c[2] and c[2].split()[0] for c in fake.calls][2:] == [None, "w0x20.", "w0x20."]
    assert said(live.segments) == ["w0x20.", "w20x15.", "w35x16."]


def test_a_window_closed_by_the_next_chunk_is_heard_before_it_and_is_its_prompt():
    """As in a file: the window's text, not its chunks' own, is the next chunk's prompt."""
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 19 * SR, tone(9))  # 19 s: short of a window (20 s here)
    out = live.add(19 * SR, 31 * SR, tone(12))  # 31 s would not fit Whisper's 30 s: 0-19 s is a window
    assert [c[:2] for c in fake.calls] == [(0.0, 10), (10.0, 9), (0.0, 19), (19.0, 12)]
    assert fake.calls[-1][2].split()[0] == "w0x19."
    assert said(out) == said(live.segments) == ["w0x19.", "w19x12."]
    live.add(31 * SR, 40 * SR, tone(9))  # 21 s: a window, in place of the two chunks' text, nothing twice
    assert fake.calls[-1][:2] == (19.0, 21) and said(live.segments) == ["w0x19.", "w19x21."]


def test_text_written_without_punctuation_is_not_the_next_prompt(monkeypatch):
    """A chunk heard without a prompt can come back with no marks at all; as the next prompt, that text made
    every later chunk of a 502 s recording come back so. The next prompt ends at the last mark instead."""
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "PROMPT_HINT", "Mood:")

    class Bare(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
            result = super().transcribe(samples, offset, initial_prompt, **options)
            if offset == 0.0:  # "w0x25." then 50 words without a mark
                return result
            return Result([Segment(s.start, s.end, s.text.replace(".", "")) for s in result.segments])

    fake = Bare()
    done = ChunkedTranscript(fake, live=False)
    done.add(0, 25 * SR, tone(25))  # a window: "w0x25." and 50 words without a mark, the prompt cut there
    done.add(25 * SR, 50 * SR, tone(25))  # written without marks: the next prompt has no text before it
    done.last(50 * SR, 55 * SR, tone(5))
    assert [c[:2] for c in fake.calls] == [(0.0, 25), (25.0, 25), (50.0, 5)]
    assert [c[2] for c in fake.calls] == ["Mood:", "Mood: w0x25.", "Mood:"]
    assert said(done.segments) == ["w0x25.", "w25x25", "w50x5"]


def test_a_file_is_heard_window_by_window_only():
    fake = FakeTranscriber()
    done = ChunkedTranscript(fake, live=False)
    done.add(0, 10 * SR, tone(10))
    assert fake.calls == []  # no one waits for a file's text: its chunk is heard once, in its window
    done.add(10 * SR, 20 * SR, tone(10))
    done.last(20 * SR, 25 * SR, tone(5))
    assert [c[:2] for c in fake.calls] == [(0.0, 20), (20.0, 5)]
    assert said(done.segments) == ["w0x20.", "w20x5."]


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
    live.add(20 * SR, 28 * SR, tone(8))
    live.last(28 * SR, 36 * SR, tone(8))
    # 0-20 s was heard as a window already; 20-36 s is the last one
    assert fake.calls[-1][:2] == (20.0, 16)
    assert said(live.segments) == ["w0x20.", "w20x16."]
    assert live.final_pass == 16.0


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
    live.hearing.compute, live.hearing.heard = 9.0, 9.0  # as slow as real time: 12 s would take 12 s
    live.last(9 * SR, 12 * SR, tone(3), budget=1.2)
    assert fake.calls[-1][:2] == (9.0, 3)
    assert said(live.segments) == ["w0x9.", "w9x3."]
    assert live.final_pass == 0.0


def test_a_looping_answer_to_a_prompt_is_heard_again_without_it():
    fake = FakeTranscriber(loop_with_prompt=True)
    live = ChunkedTranscript(fake)
    live.add(0, 8 * SR, tone(8))
    live.add(8 * SR, 16 * SR, tone(8))
    assert said(live.segments) == ["w0x8.", "w8x8."]
    assert repetitive("Word. " * 40) and not repetitive("I went for a walk and called my sister afterwards.")


def test_a_loop_in_both_looks_is_cut_back_not_kept_whole():
    @dataclass
    class AlwaysLoops(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
            self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
            looped = " some more word" + " word" * (60 - bool(initial_prompt))
            return Result([Segment(offset, offset + 4, looped)])

    live = ChunkedTranscript(AlwaysLoops())
    live.add(0, 8 * SR, tone(8))
    live.add(8 * SR, 16 * SR, tone(8))
    # 4 s hold 12 words, and 8 repeats at most are kept
    assert [s.text for s in live.segments] == [" some more word" + " word" * 7] * 2


def test_a_file_is_cut_at_its_pauses_like_a_recording():
    speech = np.concatenate(
        [tone(9), np.zeros(SR, dtype=np.float32), tone(9), np.zeros(SR, dtype=np.float32)]
    )
    fake = FakeTranscriber()
    done = transcribe_samples(fake, np.concatenate([speech, tone(4)]))
    # cut 0.2 s into each pause (9.2 s, 19.2 s) as while recording, and heard as one window
    assert [c[:2] for c in fake.calls] == [(0.0, 24)]
    assert said(done.segments) == ["w0x24."]


def test_speech_that_whisper_left_out_at_the_end_of_a_chunk_is_heard_again():
    @dataclass
    class StopsEarly(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
            self.calls.append((round(offset, 2), round(len(samples) / SR, 2), initial_prompt))
            heard = min(4.0, len(samples) / SR)  # hears only the first 4 s of whatever it is given
            words = " ".join(f"x{round(offset)}y{i}" for i in range(8))
            return Result([Segment(offset, offset + heard, f"w{round(offset)}. {words}")])

    fake = StopsEarly()
    live = ChunkedTranscript(fake)
    chunk = np.concatenate([tone(10), np.zeros(SR // 2, dtype=np.float32)])
    live.add(0, len(chunk), chunk)
    # 4-10.5 s went unheard: heard again with what came before as prompt
    assert fake.calls[1][:2] == (4.0, 6.5) and fake.calls[1][2].startswith("w0.")
    assert said(live.segments) == ["w0.", "w4."]


def test_a_pause_or_breath_after_the_last_segment_is_not_heard_again():
    from voicejournal.speech.unheard import unheard_tail

    chunk = np.concatenate([tone(3), np.zeros(3 * SR, dtype=np.float32), tone(0.5, level=0.005)])
    assert unheard_tail(chunk, 3.0) is None
    assert unheard_tail(chunk, None) is None  # nothing heard at all: the same again would give nothing
    assert unheard_tail(np.concatenate([tone(3), tone(3)]), 3.0) == 3 * SR


def test_a_segment_stretched_over_speech_it_did_not_write_ends_where_its_words_can_have():
    from voicejournal.speech.answers import spoken_until

    stretched = Segment(100.0, 114.0, "From the store... Please call Stella...")  # then 8 s of digits
    assert spoken_until(stretched, offset=100.0) == 6.0  # 6 words said slowly, and a pause
    assert spoken_until(Segment(100.0, 103.0, "Please call Stella."), offset=100.0) == 3.0


def test_a_chunk_skipped_because_of_its_prompt_is_heard_again_without_it():
    @dataclass
    class SkipsWithPrompt(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
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


@dataclass
class StopsAfterThePrompt(FakeTranscriber):
    """With a prompt: only the first sentence, its segment running to the chunk's end (no end written)."""

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
        self.calls.append((round(offset, 2), initial_prompt is not None, word_timestamps))
        seconds = len(samples) / SR
        if initial_prompt or seconds < 5:
            return Result([Segment(offset, offset + seconds, "It went better than I thought.")])
        return Result(
            [
                Segment(offset, offset + 4, "It went better than I thought."),
                Segment(offset + 5, offset + 7, "Mood: seven out of ten."),
            ]
        )


def test_a_chunk_whose_answer_repeats_its_prompt_and_runs_over_its_closing_pause_is_heard_afresh():
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


def test_a_looping_rest_is_heard_again_without_the_prompt_and_a_sentence_written_already_is_dropped():
    @dataclass
    class Tail(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            self.calls.append((round(offset, 2), round(len(samples) / SR, 2), initial_prompt))
            if offset == 0:  # hears the first 4 s only
                return Result([Segment(0.0, 4.0, "Word. Another word. I went home.")])
            if initial_prompt:  # the rest, prompted with "word … word": a loop
                return Result([Segment(offset, offset + 3, "Here's some more " + "word " * 30)])
            return Result(
                [Segment(offset, offset + 2, "I went home."), Segment(offset + 2, offset + 3, "Done.")]
            )

    fake = Tail()
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    assert [c[2] is not None for c in fake.calls] == [False, True, False]
    assert [s.text for s in live.segments] == ["Word. Another word. I went home.", "Done."]


def test_stopped_with_chunks_still_to_hear_no_window_is_heard_again():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.hurry = True
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    assert [c[:2] for c in fake.calls] == [(0.0, 10), (10.0, 10)]
    assert said(live.segments) == ["w0x10.", "w10x10."]


def test_at_stop_the_last_chunk_is_heard_with_as_many_chunks_before_it_as_the_time_left_allows():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 8 * SR, tone(8))
    live.add(8 * SR, 16 * SR, tone(8))
    live.hearing.compute, live.hearing.heard = 1.0, 10.0  # 0.1 s per second of audio, 1.5 x for safety
    live.last(16 * SR, 20 * SR, tone(4), budget=2.0)  # 12 s fit (1.8 s), 20 s would not (3 s)
    assert fake.calls[-1][:2] == (8.0, 12)
    assert said(live.segments) == ["w0x8.", "w8x12."]
    assert live.final_pass == 12.0


def test_a_window_that_skips_a_sentence_the_chunks_said_alone_keeps_their_text():
    @dataclass
    class SkipsInWindows(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            if len(samples) > 10 * SR:
                self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
                return Result([Segment(offset, offset + 20, "Only the first sentence.")])
            return super().transcribe(samples, offset, initial_prompt)

    fake = SkipsInWindows()
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    assert (0.0, 20) in [c[:2] for c in fake.calls]
    assert said(live.segments) == ["w0x10.", "w10x10."]


@dataclass
class SkipsWordsOfTheSecondChunk(FakeTranscriber):
    """A window of two 10 s chunks leaves out the words `left_out` (first, end) of its second chunk (with
    `prompted_only`, only when heard with a prompt), and writes "Better." for its first word."""

    left_out: tuple[int, int] = (8, 13)
    prompted_only: bool = False

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
        if len(samples) <= 10 * SR:
            return super().transcribe(samples, offset, initial_prompt)
        self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
        first = super().transcribe(samples[: 10 * SR], offset).segments[0].text.split()
        second = super().transcribe(samples[10 * SR :], offset + 10).segments[0].text.split()
        if initial_prompt or not self.prompted_only:
            del second[slice(*self.left_out)]
        return Result([Segment(offset, offset + 20, " ".join(["Better.", *first[1:], *second]))])


def test_a_window_that_skips_a_sentence_gets_it_back_from_the_chunks_and_keeps_its_other_words():
    fake = SkipsWordsOfTheSecondChunk()  # 5 words of the second chunk left out
    live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    words = " ".join(s.text for s in live.segments).split()
    assert (0.0, 20) in [c[:2] for c in fake.calls]
    assert words[0] == "Better." and words[1:] == " ".join(fake_text(0, 10) + fake_text(10, 10)).split()[1:]
    assert len(words) == 42 and [s.start for s in live.segments] == sorted(s.start for s in live.segments)


def fake_text(offset, seconds):
    """What FakeTranscriber says for `seconds` of sound at `offset`."""
    return FakeTranscriber().transcribe(tone(seconds), offset).segments[0].text.split()


def skips_a_sentence_start_when_prompted():
    """Heard with a prompt, a window leaves out the first 6 words of its second chunk (a sentence begun before
    the pause: "to prevent possible infection of others." after "… from others."); without one it says them."""
    return SkipsWordsOfTheSecondChunk(left_out=(0, 6), prompted_only=True)


def feed_two_windows(transcript):
    """A 20 s chunk (a window of its own, the first: no prompt), then two 10 s chunks: the second window,
    20-40 s, heard with the first's text as prompt. Returns the words after the first window's."""
    transcript.add(0, 20 * SR, tone(20))
    transcript.add(20 * SR, 30 * SR, tone(10))
    transcript.add(30 * SR, 40 * SR, tone(10))
    return " ".join(s.text for s in transcript.segments[1:]).split()


def test_a_files_window_with_few_words_for_its_speech_is_heard_afresh_and_what_it_left_out_put_back():
    fake = skips_a_sentence_start_when_prompted()
    words = feed_two_windows(ChunkedTranscript(fake, live=False))
    windows = [c for c in fake.calls if c[:2] == (20.0, 20)]
    assert [c[2] is not None for c in windows] == [True, False]  # prompted, then afresh
    assert words[0] == "Better." and words[1:] == (fake_text(20, 10) + fake_text(30, 10))[1:]


def test_a_files_window_with_words_enough_is_heard_once():
    fake = FakeTranscriber()  # two words a second of speech
    done = ChunkedTranscript(fake, live=False)
    done.add(0, 10 * SR, tone(10))
    done.add(10 * SR, 20 * SR, tone(10))
    assert [c[:2] for c in fake.calls] == [(0.0, 20)]


def test_a_live_window_its_chunks_mend_is_heard_once():
    """Live, the chunks were heard alone: what a window skips comes back from them, and then the window has
    words enough (no second call that a stop could find under way)."""
    fake = skips_a_sentence_start_when_prompted()
    words = feed_two_windows(ChunkedTranscript(fake))  # what the window left out comes from the chunks
    assert [c[2] is not None for c in fake.calls if c[:2] == (20.0, 20)] == [True]
    assert words[0] == "Better." and words[1:] == (fake_text(20, 10) + fake_text(30, 10))[1:]


@dataclass
class SkipsTheSentenceStartAloneToo(SkipsWordsOfTheSecondChunk):
    """As `skips_a_sentence_start_when_prompted`, and the chunk at 30 s heard alone (with a prompt) leaves out
    the same words: the live run's fleurs_en_005, where no chunk had "to prevent possible infection of others."
    """

    left_out: tuple[int, int] = (0, 6)
    prompted_only: bool = True

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
        result = super().transcribe(samples, offset, initial_prompt, word_timestamps, **options)
        if round(offset) == 30 and len(samples) <= 10 * SR and initial_prompt:
            (segment,) = result.segments
            words = segment.text.split()
            del words[slice(*self.left_out)]
            segment.text = " ".join(words)
        return result


def test_a_live_window_with_few_words_its_chunks_cannot_mend_is_heard_afresh():
    fake = SkipsTheSentenceStartAloneToo()
    words = feed_two_windows(ChunkedTranscript(fake))
    assert [c[2] is not None for c in fake.calls if c[:2] == (20.0, 20)] == [True, False]  # prompted, afresh
    assert words[0] == "Better." and words[1:] == (fake_text(20, 10) + fake_text(30, 10))[1:]


def test_a_live_window_heard_afresh_when_the_stop_comes_keeps_what_it_had():
    @dataclass
    class StopsDuringTheFreshLook(SkipsTheSentenceStartAloneToo):
        live: object = None

        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            if len(samples) > 10 * SR and initial_prompt is None and offset == 20:
                self.live.hurry = True  # the person stops while the window is heard afresh
            return super().transcribe(samples, offset, initial_prompt, word_timestamps, **options)

    fake = StopsDuringTheFreshLook()
    fake.live = ChunkedTranscript(fake)
    words = feed_two_windows(fake.live)
    assert [c[2] is not None for c in fake.calls if c[:2] == (20.0, 20)] == [True, False]
    last = max(i for i, c in enumerate(fake.calls) if c[:2] == (20.0, 20))
    assert [c[:2] for c in fake.calls[last + 1 :]] == [(20.0, 10), (30.0, 10)]  # its own halves (the fake's)
    assert words[0] == "Better." and len(words) == 42 - 6  # the window's text, without what it skipped


def test_a_prompted_chunk_with_too_few_words_for_its_speech_is_heard_afresh():
    @dataclass
    class SkipsWhatThePromptHeld(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
            if initial_prompt:  # 8 s of speech, 5 words: "I talked to my sister …" skipped
                return Result([Segment(offset, offset + 8, "Mood: 7 out of 10.")])
            return Result(
                [Segment(offset, offset + 8, "I talked to my sister on the phone. Mood: 7 out of 10.")]
            )

    fake = SkipsWhatThePromptHeld()
    live = ChunkedTranscript(fake)
    live.add(0, 8 * SR, tone(8))
    live.add(8 * SR, 16 * SR, tone(8))
    assert [c[2] is not None for c in fake.calls] == [False, True, False]
    assert live.segments[-1].text.startswith("I talked to my sister")


def test_a_prompted_chunk_with_words_enough_is_not_heard_twice():
    fake = FakeTranscriber()  # two words a second
    live = ChunkedTranscript(fake)
    live.add(0, 8 * SR, tone(8))
    live.add(8 * SR, 16 * SR, tone(8))
    assert len(fake.calls) == 2


def test_a_sentence_left_out_is_counted_as_skipped_words():
    from voicejournal.speech.answers import skipped_words

    alone = [Segment(0, 5, "I went home. Please call Stella."), Segment(5, 9, "1, 0, 0, 0.")]
    assert skipped_words(alone, [Segment(0, 9, "I went home. 1, 0, 0, 0.")]) == 3
    assert skipped_words(alone, [Segment(0, 9, "I went home.")]) == 7
    assert skipped_words(alone, [Segment(0, 9, "I went home, please call Stella 1000.")]) <= 3


def test_a_window_still_being_heard_when_the_recording_stops_keeps_the_chunks_text():
    @dataclass
    class StoppedMeanwhile(FakeTranscriber):
        live: object = None

        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            if len(samples) > 10 * SR:
                self.live.hurry = True  # the person stops while the window is heard
            return super().transcribe(samples, offset, initial_prompt)

    fake = StoppedMeanwhile()
    live = fake.live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    assert [c[:2] for c in fake.calls] == [(0.0, 10), (10.0, 10), (0.0, 20)]
    assert said(live.segments) == ["w0x10.", "w10x10."]


@dataclass
class SlowTranscriber(FakeTranscriber):
    """Takes `rtf` seconds of a fake clock per second of audio."""

    rtf: float = 0.08
    clock: list = field(default_factory=lambda: [0.0])

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
        self.clock[0] += self.rtf * len(samples) / SR
        return super().transcribe(samples, offset, initial_prompt, word_timestamps)


@dataclass
class SparseWhenPrompted(SlowTranscriber):
    """Hears 8 s with a prompt as 4 words (too few: heard afresh when there is time); unprompted, as usual."""

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
        self.clock[0] += self.rtf * len(samples) / SR
        self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
        if initial_prompt:
            return Result([Segment(offset, offset + len(samples) / SR, "One. Two. Three. Four.")])
        return super(SlowTranscriber, self).transcribe(samples, offset, None, word_timestamps)


def test_a_busy_machine_hears_shorter_windows_live(monkeypatch):
    """A window being heard at stop cannot be cut short: live, it is only as long as LIVE_WINDOW_COST allows."""
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "LIVE_WINDOW_COST", 0.8)
    slow = SlowTranscriber(rtf=0.08)  # 0.8 s / 0.08 = 10 s windows
    monkeypatch.setattr(chunked.time, "perf_counter", lambda: slow.clock[0])
    live = ChunkedTranscript(slow)
    for i in range(3):
        live.add(i * 6 * SR, (i + 1) * 6 * SR, tone(6))
    assert live.group_seconds() == 20.0  # no window timed yet: chunks alone tell nothing of a window's cost
    for i in range(3, 6):
        live.add(i * 6 * SR, (i + 1) * 6 * SR, tone(6))
    assert [c[:2] for c in slow.calls if c[1] > 6] == [(0.0, 24), (24.0, 12)]
    assert live.group_seconds() == pytest.approx(10.0)

    fast = SlowTranscriber(rtf=0.01)  # 80 s: GROUP_SECONDS (20 here) is the limit
    monkeypatch.setattr(chunked.time, "perf_counter", lambda: fast.clock[0])
    live = ChunkedTranscript(fast)
    for i in range(4):
        live.add(i * 6 * SR, (i + 1) * 6 * SR, tone(6))
    assert [c[:2] for c in fast.calls][-1] == (0.0, 24)
    assert ChunkedTranscript(slow, live=False).group_seconds() == 20.0  # a file: always the tuned windows


def test_a_window_heard_when_the_stop_came_gets_no_second_look():
    """Stopped while a window was heard: its text is dropped, so no extra pass makes the person wait."""

    @dataclass
    class StopsDuringWindow(FakeTranscriber):
        live: object = None

        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            if len(samples) >= 20 * SR:  # the window: the person stops meanwhile; one word (sparse) back
                self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
                self.live.hurry = True
                return Result([Segment(offset, offset + 1, "Hm.")])
            return super().transcribe(samples, offset, initial_prompt, word_timestamps)

    fake = StopsDuringWindow()
    live = fake.live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    assert [c[:2] for c in fake.calls] == [(0.0, 10), (10.0, 10), (0.0, 20)]  # no afresh pass after it
    assert said(live.segments) == ["w0x10.", "w10x10."]  # the chunks keep their own text


def test_a_stop_during_a_windows_second_look_waits_for_that_call_only(monkeypatch):
    """A window's extra passes (afresh, the unheard rest) stop with the recording: the person waits for one
    call to the model at most (the 502 s live run once waited 5.3 s after stop)."""
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "PROMPT_HINT", "Mood:")  # every window is prompted, so it can be sparse

    @dataclass
    class StopsDuringAfresh(FakeTranscriber):
        live: object = None

        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            if (
                len(samples) >= 20 * SR
            ):  # the window: one word (sparse), then heard afresh, when the stop comes
                self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
                self.live.hurry = self.live.hurry or initial_prompt is None
                return Result([Segment(offset, offset + 1, "Hm.")])  # leaves 19 s unheard
            return super().transcribe(samples, offset, initial_prompt, word_timestamps)

    fake = StopsDuringAfresh()
    live = fake.live = ChunkedTranscript(fake)
    live.add(0, 10 * SR, tone(10))
    live.add(10 * SR, 20 * SR, tone(10))
    assert [(c[0], c[1], c[2] is None) for c in fake.calls] == [
        (0.0, 10, False),
        (10.0, 10, False),
        (0.0, 20, False),  # the window
        (0.0, 20, True),  # heard afresh (sparse): the stop came meanwhile, so no pass over the rest after it
    ]
    assert said(live.segments) == ["w0x10.", "w10x10."]


def test_a_windows_cost_is_its_first_call(monkeypatch):
    """Only the call under way delays a stop, so a window's extra passes do not shorten the windows after it
    (live, half the 502 s run went without windows when they counted)."""
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "LIVE_WINDOW_COST", 0.8)
    monkeypatch.setattr(chunked, "PROMPT_HINT", "Mood:")

    @dataclass
    class SparseWindows(SlowTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            if len(samples) > 6 * SR and initial_prompt:  # a window: one word with the prompt, all afresh
                self.clock[0] += self.rtf * len(samples) / SR
                self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
                return Result([Segment(offset, offset + len(samples) / SR, "Hm.")])
            return super().transcribe(samples, offset, initial_prompt, word_timestamps)

    slow = SparseWindows(rtf=0.05)  # 0.8 s / 0.05 = 16 s windows
    monkeypatch.setattr(chunked.time, "perf_counter", lambda: slow.clock[0])
    live = ChunkedTranscript(slow)
    for i in range(11):  # the first window 24 s (none timed yet), then 18 s
        live.add(i * 6 * SR, (i + 1) * 6 * SR, tone(6))
    assert sum(c[1] == 18 and c[2] is None for c in slow.calls) >= 2  # windows heard afresh (sparse)
    assert live.group_seconds() == pytest.approx(16.0)


def test_digits_count_one_by_one_in_the_time_words_take():
    """A phone number written "1-0-0-0-1" was 1 word, so its speech looked unheard, was heard again at stop
    (4.5 s) and written twice."""
    from voicejournal.speech.answers import spoken_until

    number = Segment(0.0, 10.0, "Please call Stella 1-0-0-0-1 9-0-2-1-0.")
    assert spoken_until(number) == 10.0  # 13 words said slowly take longer than the segment
    assert spoken_until(Segment(0.0, 20.0, "I don't know.")) == pytest.approx(3 / 1.5 + 2.0)


def test_live_calls_try_one_fallback_and_write_a_few_tokens_per_second_and_a_file_all_of_them():
    """Live, a loop ends at TOKENS_PER_SECOND (8) a second of audio and 24 more, not at Whisper's 448 tokens
    (a 4.2 s rest of the 502 s live run looped, and took 8.1 s)."""
    from voicejournal.speech.hearing import LIVE_TEMPERATURES

    @dataclass
    class Options(FakeTranscriber):
        options: list = field(default_factory=list)

        def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
            self.options.append(options)
            return super().transcribe(samples, offset, initial_prompt, word_timestamps)

    live = Options()
    ChunkedTranscript(live).add(0, 8 * SR, tone(8))
    assert live.options == [{"temperatures": LIVE_TEMPERATURES, "max_new_tokens": 8 * 8 + 24}]
    a_file = Options()
    transcribe_samples(a_file, np.concatenate([tone(9), np.zeros(SR, np.float32), tone(9)]))
    assert a_file.options and all(o == {} for o in a_file.options)


def test_the_transcriber_decodes_with_the_temperatures_asked_for(monkeypatch):
    from voicejournal.speech import transcription

    asked = []

    class Model:
        def transcribe(self, audio, **options):
            asked.append((options["temperature"], options["max_new_tokens"]))
            return iter([]), type("Info", (), {"language": "en", "duration": len(audio) / SR})()

    monkeypatch.setattr(transcription, "hears_speech", lambda samples: True)
    monkeypatch.setattr(transcription, "resolve_model", lambda name: ("tiny.en", "/nowhere"))
    t = transcription.Transcriber()
    t._model = Model()
    t.transcribe(tone(2))
    t.transcribe(tone(2), temperatures=(0.0, 0.2), max_new_tokens=40)
    t.transcribe(
        tone(30), max_new_tokens=8 * 30 + 24
    )  # with the longest prompt, 264 would pass 448: an error
    assert [a[1] for a in asked] == [None, 40, 200]
    assert [a[0] for a in asked[:2]] == [transcription.DECODE_OPTIONS["temperature"], (0.0, 0.2)]


def test_every_call_to_the_model_is_seeded_so_the_same_audio_gives_the_same_text(monkeypatch):
    """Fallbacks above temperature 0 sample at random: unseeded, two hearings of the same live recording gave 2
    and 18 word errors on "word word word"."""
    import ctranslate2

    from voicejournal.speech import transcription

    order = []

    class Model:
        def transcribe(self, audio, **options):
            order.append("transcribe")
            return iter([]), type("Info", (), {"language": "en", "duration": len(audio) / SR})()

    monkeypatch.setattr(ctranslate2, "set_random_seed", lambda seed: order.append(seed))
    monkeypatch.setattr(transcription, "hears_speech", lambda samples: True)
    monkeypatch.setattr(transcription, "resolve_model", lambda name: ("tiny.en", "/nowhere"))
    t = transcription.Transcriber()
    t._model = Model()
    t.transcribe(tone(2))
    t.transcribe(tone(2), temperatures=(0.0, 0.2))
    assert order == [transcription.SEED, "transcribe"] * 2


class TimedWords(FakeTranscriber):
    """Says two words per second, the same ones for the same second whatever audio it is heard in."""

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
        seconds = round(len(samples) / SR)
        self.calls.append((round(offset, 2), seconds, initial_prompt))
        words = " ".join(f"s{t}a s{t}b" for t in range(round(offset), round(offset) + seconds))
        return Result([Segment(offset, offset + seconds, f"w{round(offset)}x{seconds}. {words}")])


def test_windows_wait_while_chunks_wait_and_are_heard_once_the_queue_is_empty():
    """Behind (more chunks queued), a window is deferred, never dropped: hearing each chunk once keeps up with
    speech, and the windows are heard, oldest first, once no chunk waits (before: skipped, then dropped once the
    next chunk made it longer than 30 s, so those chunks kept only the text they got alone)."""
    fake = TimedWords()
    live = ChunkedTranscript(fake)
    live.add(0, 12 * SR, tone(12), behind=True)
    live.add(12 * SR, 24 * SR, tone(12), behind=True)  # 24 s: a window, but a chunk waits
    assert [c[:2] for c in fake.calls] == [(0.0, 12), (12.0, 12)]
    live.add(24 * SR, 32 * SR, tone(8), behind=True)  # over 30 s together: the window waits whole
    live.add(32 * SR, 44 * SR, tone(12))  # caught up: the oldest window is heard
    assert [c[:2] for c in fake.calls][2:] == [(24.0, 8), (32.0, 12), (0.0, 24)]
    assert said(live.segments) == ["w0x24.", "w24x8.", "w32x12."]
    assert live.waiting == 1
    live.catch_up()
    assert fake.calls[-1][:2] == (24.0, 20) and fake.calls[-1][2].startswith("w0x24.")
    assert said(live.segments) == ["w0x24.", "w24x20."]
    assert live.waiting == 0


def test_windows_still_waiting_at_stop_keep_the_chunks_text():
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    live.add(0, 12 * SR, tone(12), behind=True)
    live.add(12 * SR, 24 * SR, tone(12), behind=True)
    live.stop(0.7)
    assert live.waiting == 0 and live.catch_up() == []
    live.last(24 * SR, 34 * SR, tone(10), budget=0.7)
    assert [c[:2] for c in fake.calls] == [(0.0, 12), (12.0, 12), (24.0, 10)]
    assert said(live.segments) == ["w0x12.", "w12x12.", "w24x10."]


def test_a_machine_that_cannot_keep_up_keeps_a_few_windows_waiting_only(monkeypatch):
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "MAX_WAITING", 2)
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    for n in range(4):
        live.add(n * 20 * SR, (n + 1) * 20 * SR, tone(20) * 0, behind=True)  # silent: no call, 4 windows
    assert live.waiting == 2


def test_the_transcriber_thread_hears_deferred_windows_when_no_chunk_waits(tmp_path):
    import threading

    from voicejournal.speech.live import LiveTranscription

    fake = TimedWords()
    live = LiveTranscription(fake, tmp_path / "x.wav", SR)
    for n in range(4):  # all queued at once: each heard alone first, behind
        live.put(n * 12 * SR, (n + 1) * 12 * SR, tone(12))
    thread = threading.Thread(target=live.run)
    thread.start()
    for _ in range(200):
        if len(fake.calls) == 6:
            break
        threading.Event().wait(0.01)
    live.close()
    thread.join()
    assert [c[:2] for c in fake.calls] == [
        (0.0, 12),
        (12.0, 12),
        (24.0, 12),
        (36.0, 12),
        (0.0, 24),
        (24.0, 24),
    ]
    assert said(live.transcript.segments) == ["w0x24.", "w24x24."]


def test_the_transcriber_thread_hears_the_open_window_ahead_when_idle_and_uses_it_at_the_stop(tmp_path):
    import threading

    from voicejournal.speech.live import LiveTranscription

    fake = FakeTranscriber()
    live = LiveTranscription(fake, tmp_path / "x.wav", SR)
    thread = threading.Thread(target=live.run)
    thread.start()
    live.put(0, 5 * SR, tone(5))
    live.put(5 * SR, 10 * SR, tone(5))
    for _ in range(300):
        if len(fake.calls) == 3:
            break
        threading.Event().wait(0.01)
    live.transcript.hearing.compute = live.transcript.hearing.heard = 1000.0  # slow: no time for a last pass
    live.stop(0.0)
    live.put(10 * SR, 13 * SR, tone(3), last=True)
    live.close()
    thread.join()
    assert [c[:2] for c in fake.calls] == [(0.0, 5), (5.0, 5), (0.0, 10), (10.0, 3)]
    assert said(live.transcript.segments) == ["w0x10.", "w10x3."]


@dataclass
class Scripted(FakeTranscriber):
    """Says the sentences said in the audio it is given (times fixed below). The last, heard alone with no
    speech before it, is misheard, as tiny.en does with "Mood: seven out of ten." at the end of a recording;
    `merged`: heard with the sentence before, both come as one segment."""

    merged: bool = False
    said = (
        (0.0, 15.0, " I felt good today."),
        (16.0, 19.0, " I slept well."),
        (20.0, 22.0, " Mood: 7 out of 10."),
    )

    def transcribe(self, samples, offset=0.0, initial_prompt=None, word_timestamps=False, **options):
        self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
        end = offset + len(samples) / SR
        heard = [Segment(a, b, t) for a, b, t in self.said if a >= offset - 0.05 and b <= end + 0.05]
        if heard and heard[0].start == 20.0 and offset > 19.5:
            heard[0] = Segment(20.0, 22.0, " Wood, 7 out of 10.")
        if self.merged and len(heard) >= 2:
            heard[-2:] = [Segment(heard[-2].start, heard[-1].end, heard[-2].text + heard[-1].text)]
        return Result(heard)


def spoken_then_paused():
    """0-20 s: a sentence to 15 s, a pause, another from 16 to 19 s, a pause."""
    return np.concatenate([tone(15), np.zeros(SR, np.float32), tone(3), np.zeros(SR, np.float32)])


@pytest.mark.parametrize("merged", [False, True])
def test_at_stop_a_short_last_chunk_is_heard_with_the_seconds_before_it(merged):
    """Its window heard already, the chunk before cannot join the last (2 s): the last is heard with the end
    of the chunk before, from its pause (16 s on), and what that says again is dropped, as its own segment or
    the first words of one."""
    fake = Scripted(merged=merged)
    live = ChunkedTranscript(fake)
    live.add(0, 20 * SR, spoken_then_paused())  # 20 s: a window of its own
    live.stop(0.7)
    live.last(20 * SR, 22 * SR, tone(2), budget=0.7)
    assert fake.calls[-1][:2] == (15.0, 7)
    assert (
        " ".join(s.text.strip() for s in live.segments)
        == "I felt good today. I slept well. Mood: 7 out of 10."
    )
    assert live.final_pass == 7.0


def test_at_stop_a_last_chunk_is_heard_alone_when_no_seconds_before_it_fit():
    fake = Scripted()
    live = ChunkedTranscript(fake)
    live.add(0, 20 * SR, spoken_then_paused())
    live.hearing.compute = live.hearing.heard  # as slow as real time: 2 s of context would take 2 s
    live.stop(0.7)
    live.last(20 * SR, 22 * SR, tone(2), budget=0.7)
    assert fake.calls[-1][:2] == (20.0, 2)
    assert live.segments[-1].text == " Wood, 7 out of 10."


def test_the_last_pass_takes_no_second_look_beyond_its_budget(monkeypatch):
    """At stop the person waits: a sparse answer is heard afresh only when that fits the time left (the
    digits at the end of a 502 s live run, heard afresh and their rest again, made stop -> saved 7.2 s)."""
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "PROMPT_HINT", "Mood:")

    first, afresh, rest = (0.0, 8, True), (0.0, 8, False), (4.67, 3, True)  # (offset, seconds, prompted)
    # FIRST_RTF 0.15 with a margin of 1.5: a look at 8 s is taken to need 1.8 s, at the 3.3 s rest 0.75 s
    heard = {}
    for budget in (0.7, 2.0, 10.0):
        slow = SparseWhenPrompted(rtf=0.08)  # the first look at 8 s takes 0.64 s
        monkeypatch.setattr(chunked.time, "perf_counter", lambda slow=slow: slow.clock[0])
        ChunkedTranscript(slow).last(0, 8 * SR, tone(8), budget=budget)
        heard[budget] = [(o, n, p is not None) for o, n, p in slow.calls]
    assert heard[0.7] == [first] and heard[2.0] == [first, rest]
    assert heard[10.0][:2] == [first, afresh]


def test_after_a_stop_a_chunk_still_to_hear_gets_no_second_look_beyond_the_budget(monkeypatch):
    """The chunks waiting at stop (a busy machine) are heard alone, and their second looks wait no longer
    than the last pass may."""
    from voicejournal.speech import chunked

    monkeypatch.setattr(chunked, "PROMPT_HINT", "Mood:")

    looks = {}
    for stopped in (False, True):
        slow = SparseWhenPrompted(rtf=0.08)
        monkeypatch.setattr(chunked.time, "perf_counter", lambda slow=slow: slow.clock[0])
        live = ChunkedTranscript(slow)
        if stopped:
            live.stop(0.7)
        live.add(0, 8 * SR, tone(8))
        looks[stopped] = [p is not None for _, _, p in slow.calls]
    assert looks[True] == [True] and looks[False][:2] == [True, False]  # afresh only while recording


def test_at_stop_only_the_seconds_added_to_the_last_chunk_count_against_the_budget():
    """The last chunk is heard anyway; 3 s before it at 0.15 s per second (1.5 x for safety) fit 0.7 s."""
    fake = Scripted()
    live = ChunkedTranscript(fake)
    live.add(0, 20 * SR, spoken_then_paused())
    live.hearing.compute = 0.15 * live.hearing.heard
    live.stop(0.7)
    live.last(20 * SR, 22 * SR, tone(2), budget=0.7)
    assert fake.calls[-1][0] == pytest.approx(16.9, abs=0.1)
    assert live.segments[-1].text == " Mood: 7 out of 10."


def test_at_stop_a_last_chunk_without_speech_is_not_heard_with_the_seconds_before_it():
    """People stop after a pause: that tail, heard with the seconds before it, only says the last sentence again
    another way, which no repeat test can drop ("Mood. San without 10. Mood. And with how good it can.")."""
    fake = Scripted()
    live = ChunkedTranscript(fake)
    live.add(0, 20 * SR, spoken_then_paused())
    live.stop(0.7)
    live.last(20 * SR, 22 * SR, tone(2, level=0.0005), budget=0.7)  # room tone, 46 dB below the speech
    assert [c[:2] for c in fake.calls] == [(0.0, 20), (20.0, 2)]
    assert live.final_pass == 0.0


def test_at_stop_a_rest_left_unheard_for_want_of_time_is_heard_in_place_of_a_silent_last_chunk():
    """ "Mood: seven out of ten." said just before the stop: the chunk holding it is being heard when the
    person stops, Whisper ends that look early and its second look has no time left; the last chunk is the
    pause before the stop. The rest is heard then, in the silent chunk's place (one call either way)."""

    @dataclass
    class StopsEarly(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
            self.calls.append((round(offset, 2), round(len(samples) / SR, 2), initial_prompt))
            heard = min(4.0, len(samples) / SR)  # hears only the first 4 s of whatever it is given
            return Result([Segment(offset, offset + heard, f"w{round(offset)}. x{round(offset)}")])

    fake = StopsEarly()
    live = ChunkedTranscript(fake)
    live.stop(0.0)  # stopped while the chunk was heard: no time for its second look
    chunk = np.concatenate([tone(10), np.zeros(SR // 2, dtype=np.float32)])
    live.add(0, len(chunk), chunk)
    assert [c[:2] for c in fake.calls] == [(0.0, 10.5)]
    live.last(len(chunk), len(chunk) + SR, tone(1, level=0.0005), budget=0.0)  # room tone only
    assert [c[:2] for c in fake.calls] == [(0.0, 10.5), (4.0, 6.5)]  # the rest, not the silent chunk
    assert fake.calls[1][2].startswith("w0.")  # with the text before it as prompt
    assert said(live.segments) == ["w0.", "w4."]
    assert live.hearing.heard == 10.5 + 6.5  # the pace counts the rest's seconds, not the chunk's again


def test_at_stop_a_last_chunk_with_speech_is_heard_even_when_a_rest_went_unheard():
    @dataclass
    class StopsEarly(FakeTranscriber):
        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
            self.calls.append((round(offset, 2), round(len(samples) / SR, 2), initial_prompt))
            heard = min(4.0, len(samples) / SR)
            return Result([Segment(offset, offset + heard, f"w{round(offset)}.")])

    fake = StopsEarly()
    live = ChunkedTranscript(fake)
    live.stop(0.0)
    chunk = np.concatenate([tone(10), np.zeros(SR // 2, dtype=np.float32)])
    live.add(0, len(chunk), chunk)
    live.last(len(chunk), len(chunk) + 2 * SR, tone(2), budget=0.0)
    assert [c[:2] for c in fake.calls] == [(0.0, 10.5), (10.5, 2.0)]  # the last words said come first


def test_at_stop_a_stretched_answer_with_no_time_to_hear_it_afresh_is_heard_in_place_of_a_silent_last_chunk():
    """The marker takes: "It went better than I thought." is in the prompt, Whisper writes it again and stops,
    and the stop leaves no time to hear the chunk afresh; the pause before the stop gives that time back."""

    fake = StopsAfterThePrompt()
    live = ChunkedTranscript(fake)
    quiet = np.zeros(SR, dtype=np.float32)
    live.add(0, 3 * SR, tone(3))
    live.stop(0.0)  # stopped while the next chunk is heard
    chunk = np.concatenate([tone(4), quiet, tone(2), quiet[: SR // 2]])
    live.add(3 * SR, 3 * SR + len(chunk), chunk)
    assert fake.calls[1:] == [(3.0, True, False)]  # no time for the second look
    end = 3 * SR + len(chunk)
    live.last(end, end + SR, tone(1, level=0.0005), budget=0.0)
    assert fake.calls[2:] == [(3.0, False, True)]  # taken now, and the silent chunk not heard
    assert [s.text for s in live.segments] == [
        "It went better than I thought.",
        "It went better than I thought.",
        "Mood: seven out of ten.",
    ]


# --- the open window heard ahead of a stop (look_ahead) ------------------------------------------------


def slow(live, seconds=12.0):
    """As slow as real time: at a stop, no pass over the chunks before the last one fits the budget."""
    live.hearing.compute, live.hearing.heard = seconds, seconds


def heard_ahead(*seconds):
    """A live transcript of chunks of these lengths, one after another, its open window heard ahead."""
    fake = FakeTranscriber()
    live = ChunkedTranscript(fake)
    at = 0
    for length in seconds:
        live.add(at * SR, (at + length) * SR, tone(length))
        at += length
    assert live.look_ahead()
    return fake, live


def stopped_slow(live, start, seconds=3):
    """The person stops with no time for a pass over the chunks before it; the last chunk (its segments)."""
    slow(live)
    live.stop(1.2)
    return live.last(start * SR, (start + seconds) * SR, tone(seconds), budget=1.2)


def test_the_open_window_heard_ahead_takes_its_chunks_place_at_the_stop():
    fake, live = heard_ahead(4, 4, 4)
    assert fake.calls[-1][:2] == (0.0, 12)
    # kept aside while recording goes on: the chunks show their own text until the stop
    assert said(live.segments) == ["w0x4.", "w4x4.", "w8x4."]
    assert not live.look_ahead() and len(fake.calls) == 4  # the same chunks are not heard twice
    changed = stopped_slow(live, 12)
    assert said(live.segments) == ["w0x12.", "w12x3."]
    assert said(changed) == ["w0x12.", "w12x3."]


def test_chunks_after_the_look_ahead_keep_their_own_text_when_there_is_no_time():
    _, live = heard_ahead(4, 4)
    live.add(8 * SR, 12 * SR, tone(4))  # the stop came before it could be heard ahead too
    stopped_slow(live, 12)
    assert said(live.segments) == ["w0x8.", "w8x4.", "w12x3."]


def test_a_window_that_closes_drops_what_was_heard_ahead():
    _, live = heard_ahead(8, 8)
    live.add(16 * SR, 24 * SR, tone(8))  # 24 s: the window closes (GROUP_SECONDS 20 here) and is heard
    assert said(live.segments) == ["w0x24."]
    stopped_slow(live, 24)
    assert said(live.segments) == ["w0x24.", "w24x3."]


def test_a_window_closed_as_it_was_heard_ahead_is_not_heard_twice():
    fake, live = heard_ahead(8, 8)
    live.add(16 * SR, 32 * SR, tone(16))  # too long to join them: their window closes as it was heard ahead
    assert [c[:2] for c in fake.calls] == [(0.0, 8), (8.0, 8), (0.0, 16), (16.0, 16)]
    assert said(live.segments) == ["w0x16.", "w16x16."]


def test_a_window_heard_ahead_with_another_prompt_is_heard_again():
    fake, live = heard_ahead(8, 8)
    live.segments.insert(0, Segment(-1.0, 0.0, "Earlier words."))  # the text before it changed meanwhile
    for span in live._pending:
        span.first += 1
    live.add(16 * SR, 32 * SR, tone(16))
    assert [c[:2] for c in fake.calls] == [(0.0, 8), (8.0, 8), (0.0, 16), (0.0, 16), (16.0, 16)]


def test_a_look_ahead_under_way_at_the_stop_is_kept():
    @dataclass
    class StoppedMeanwhile(FakeTranscriber):
        live: object = None

        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
            if self.live is not None and len(samples) > 5 * SR:
                self.live.stop(1.2)  # the person stops while the open window is heard
            return super().transcribe(samples, offset, initial_prompt, **options)

    fake = StoppedMeanwhile()
    live = ChunkedTranscript(fake)
    live.add(0, 4 * SR, tone(4))
    live.add(4 * SR, 8 * SR, tone(4))
    fake.live = live
    assert live.look_ahead()
    assert not live.look_ahead()  # stopped: nothing more is heard ahead
    slow(live)
    live.last(8 * SR, 11 * SR, tone(3), budget=1.2)
    assert said(live.segments) == ["w0x8.", "w8x3."]


def test_a_file_is_not_heard_ahead():
    fake = FakeTranscriber()
    done = ChunkedTranscript(fake, live=False)
    done.add(0, 4 * SR, tone(4))
    done.add(4 * SR, 8 * SR, tone(4))
    assert not done.look_ahead() and fake.calls == []


def test_a_file_whose_last_chunk_closes_the_window_keeps_that_window_s_text():
    """The last chunk made the chunks before it too long for one window: they were heard as one, then the last
    chunk alone, after them (it took their place before: a 103 s file lost 20 s of its words)."""
    fake = FakeTranscriber()
    done = ChunkedTranscript(fake, live=False)
    done.add(0, 8 * SR, tone(8))
    done.add(8 * SR, 16 * SR, tone(8))
    done.last(16 * SR, 31 * SR, tone(15))
    assert said(done.segments) == ["w0x16.", "w16x15."]


def test_the_last_chunk_follows_the_text_heard_ahead_whatever_its_length():
    @dataclass
    class Sentences(FakeTranscriber):
        """A chunk alone is one segment; a window, one for every 4 s: more segments than its chunks had."""

        def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
            self.calls.append((round(offset, 2), round(len(samples) / SR), initial_prompt))
            seconds = len(samples) / SR
            n = 1 if seconds <= 6 else round(seconds) // 4
            ends = [offset + 4 * i + 4 for i in range(n - 1)] + [offset + seconds]
            texts = [
                f"s{round(offset) + 4 * i}. " + " ".join(f"w{round(offset) + 4 * i}y{j}" for j in range(12))
                for i in range(n)
            ]
            return Result([Segment(offset + 4 * i, ends[i], texts[i]) for i in range(n)])

    fake = Sentences()
    live = ChunkedTranscript(fake)
    live.add(0, 6 * SR, tone(6))
    live.add(6 * SR, 12 * SR, tone(6))
    assert said(live.segments) == ["s0.", "s6."]
    assert live.look_ahead()  # 12 s together: three segments
    slow(live, 1000.0)
    live.stop(1.2)
    live.last(12 * SR, 16 * SR, tone(4), budget=1.2)
    assert said(live.segments) == ["s0.", "s4.", "s8.", "s12."]
