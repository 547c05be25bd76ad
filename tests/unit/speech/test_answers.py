"""A re-heard rest of a chunk does not write again what was just written (speech/answers, speech/chunked)."""

from dataclasses import dataclass, field

import numpy as np

from voicejournal.core.entry import Segment
from voicejournal.speech.answers import new_words, punctuated, repeated_start, skipped_words, unlooped
from voicejournal.speech.chunked import ChunkedTranscript

SR = 16000


def w(text):
    """Folded words, as chunked compares them."""
    return text.split()


def test_the_longest_run_of_written_last_words_at_the_rest_start_is_the_repeat():
    written = w("i went to the shop and bought some bread")
    assert repeated_start(written, w("bought some bread and milk")) == 3
    assert repeated_start(written, w("some bread and milk")) == 2
    assert repeated_start(written, w("and milk")) == 0


def test_a_first_word_cut_by_where_the_rest_begins_is_dropped_with_the_repeat():
    written = w("we walked along the river")
    assert repeated_start(written, w("long the river then home")) == 3  # "long": "along" cut
    assert repeated_start(written, w("a b the river")) == 0  # two words before it: not a repeat


def test_one_word_again_or_one_word_in_four_misheard_is_not_taken_for_more():
    assert repeated_start(w("i said no"), w("no one came")) == 0  # one word twice happens
    written = w("go forward ten metres and turn left")
    assert repeated_start(written, w("forward ten meters and turn left at the gate")) == 6
    assert repeated_start(written, w("forward two meters and turn right")) == 0


def test_a_long_run_of_the_last_words_after_a_misheard_start_drops_all_before_it():
    # The end of a window stretched over pauses, then its rest heard from too early: the rest wrote again what
    # the window had ("for a still liner" for "forced aligner"), then its last words as they were.
    written = w("montreal forced liner another word here's some more word word word")
    heard = w(
        "for a still liner montreal for a still liner word another word here's some more word word word word"
    )
    assert repeated_start(written, heard) == len(heard) - 1  # one more "word" is all the rest adds
    # A short run after other words is not taken for a repeat: a person says a few words again.
    assert repeated_start(w("i told her i love you"), w("and then again i love you")) == 0
    # Nor a long one further on than LATE_CUT_WORDS: that much new speech came before it.
    many = "so many new things happened since then that i could talk for hours about them "
    assert repeated_start(written, w(many + "another word here's some more word word word")) == 0
    more = [Segment(142.1, 145.6, " for a still liner."), Segment(145.6, 151.8, " Montreal for a still liner. Word. "
            "Another word. Here's some more word. Word. Word. Word. Word.")]  # fmt: skip
    kept = new_words("Montreal forced liner. Another word? Here's some more word. Word. Word.", more)
    assert [s.text for s in kept] == [" Word. Word."]


def test_the_repeated_words_are_taken_off_the_rest_segments():
    more = [Segment(10.0, 11.0, " the shop."), Segment(11.0, 14.0, " And then I went home.")]
    kept = new_words("I walked to the shop.", more)
    assert [s.text for s in kept] == [" And then I went home."]
    kept = new_words("I walked to the", [Segment(10.0, 14.0, " to the shop, then home.")])
    assert [(s.start, s.text) for s in kept] == [(10.0, " shop, then home.")]


def test_a_rest_segment_written_already_as_a_whole_is_dropped_but_not_a_word_inside_another():
    written = "Please call Stella. I did not go."
    assert new_words(written, [Segment(5, 6, " Please call Stella.")]) == []
    assert [s.text for s in new_words(written, [Segment(5, 6, " No.")])] == [" No."]  # "no" is in "not"


def test_digits_heard_one_by_one_and_as_a_number_are_the_same_words():
    # The end of a live run: the chunk alone wrote the digits spaced, the last pass as numbers.
    written = "Ask her to bring these things. Please call Stella. 1 0 0 0 1 9 0 2 1 0"
    kept = new_words(written, [Segment(500.0, 504.0, " 10001. 90210. 01803.")])
    assert [s.text for s in kept] == [" 01803."]
    assert new_words("Call 1 0 0 0 1.", [Segment(5, 6, " 10001.")]) == []
    # A window that wrote "10001" for a chunk's "1-0-0-0-1" left nothing out.
    assert skipped_words([Segment(0, 3, " Call 1-0-0-0-1.")], [Segment(0, 3, " Call 10001.")]) == 0
    assert skipped_words([Segment(0, 3, " Call 1-0-0-0-1 now.")], [Segment(0, 3, " Call now.")]) == 5


@dataclass
class SlowSpeaker:
    """Whisper on a chunk said slowly: its one segment of 6 words runs to 9 s, past the 6 s the words
    can take by `spoken_until`; the rest from 6.67 s is heard as the sentence's last words and a new one."""

    calls: list = field(default_factory=list)
    model_name: str = "fake"

    def transcribe(self, samples, offset=0.0, initial_prompt=None, **options):
        self.calls.append(round(offset, 2))
        if offset == 0.0:
            return Result([Segment(0.0, 9.0, " I walked slowly down to the river.")])
        return Result([Segment(offset, 11.0, " to the river. It was cold.")])


@dataclass
class Result:
    segments: list
    language: str = "en"


def test_a_slow_speakers_last_words_heard_again_are_written_once(monkeypatch):
    monkeypatch.setattr("voicejournal.speech.chunked.PROMPT_HINT", "")
    chunk = (0.1 * np.sin(2 * np.pi * 220 * np.arange(11 * SR) / SR)).astype(np.float32)
    fake = SlowSpeaker()
    live = ChunkedTranscript(fake)
    live.add(0, len(chunk), chunk)
    assert fake.calls == [0.0, 6.67]  # 7 words said slowly end by 6.67 s: the rest after it is heard again
    assert (
        " ".join(s.text.strip() for s in live.segments) == "I walked slowly down to the river. It was cold."
    )


def test_a_sentence_a_window_left_out_is_put_back_from_the_chunks_where_it_was_said():
    from voicejournal.speech.answers import put_back

    alone = [
        Segment(0.0, 5.0, " I went hme. Please call Stella."),
        Segment(5.0, 9.0, " Ask her to bring it."),
    ]
    window = [Segment(0.0, 9.0, " I went home. Ask her to bring it with her.")]
    kept = put_back(alone, window, 3)
    assert (
        " ".join(s.text.strip() for s in kept)
        == "I went home. Please call Stella. Ask her to bring it with her."
    )
    assert [s.start for s in kept] == sorted(s.start for s in kept) and kept[0].start == 0.0
    assert kept[-1].end == 9.0
    assert put_back(alone, window, 4) == window  # a run shorter than `run` is the window's to leave out


def test_words_put_back_take_the_place_of_what_the_window_wrote_there_instead():
    from voicejournal.speech.answers import put_back

    alone = [Segment(0.0, 6.0, " Go forward ten meters, then turn left at the gate.")]
    window = [Segment(0.0, 6.0, " Go fort. Turn left at the gate.")]
    text = " ".join(s.text.strip() for s in put_back(alone, window, 3))
    assert text == "Go forward ten meters, then Turn left at the gate."  # the rest is the window's


def test_a_word_whisper_repeats_on_and_on_is_cut_to_what_the_time_holds():
    looped = [Segment(10.0, 15.0, " Here's some more word" + " word" * 84 + ".")]
    # 5 s hold 15 words, and 8 repeats at most are kept
    assert unlooped(looped)[0].text == " Here's some more" + " word" * 8
    short = [Segment(10.0, 12.0, " and then" + " no" * 30)]
    assert unlooped(short)[0].text == " and then" + " no" * 4  # 2 s: 6 words, 2 of them said before
    phrase = [Segment(0.0, 30.0, " I know, I know," + " I know," * 20 + " okay.")]
    assert unlooped(phrase)[0].text == " I know, I know," + " I know," * 6 + " okay."


def test_a_segment_written_again_and_again_is_cut_back_and_the_empty_ones_go():
    before = Segment(0.0, 2.0, " We went out.")
    again = [Segment(2.0 + i, 3.0 + i, " Montreal forced a liner.") for i in range(12)]
    after = Segment(14.0, 16.0, " I have a thousand thoughts.")
    kept = unlooped([before, *again, after])
    # 12 s from the first repeat to the last hold 36 words, 9 repeats of 4: 8 at most
    assert [s.text for s in kept] == [" We went out.", *[" Montreal forced a liner."] * 8, after.text]
    assert kept[-1] is after


def test_a_person_repeating_a_word_a_few_times_keeps_every_one():
    said = [Segment(0.0, 4.0, " here's some more word word word word word")]
    assert unlooped(said) is said
    counted = [Segment(0.0, 6.0, " one two three four five six seven eight nine ten")]
    assert unlooped(counted) is counted
    no = [Segment(0.0, 1.0, " No."), Segment(1.0, 2.0, " No, no, no."), Segment(2.0, 3.0, " No.")]
    assert unlooped(no) is no  # 6 in a row


def test_a_prompt_does_not_end_in_text_written_without_punctuation():
    """Whisper writes as its prompt does: a long run without a mark would lead every later chunk to drop them."""
    bare = "feels like these days go on forever this is the acoustic corpus i'm talking pretty fast " * 3
    assert len(bare.split()) >= 40
    assert punctuated("Small win: I went out. " + bare) == "Small win: I went out."
    assert punctuated(bare) == ""
    # a long sentence with no comma is still written text (LJSpeech has one of 33 words), and a short tail is kept
    long_sentence = (
        "To the north and within easy reach is the romantic and fascinating town " * 2 + "of Sintra."
    )
    assert punctuated(long_sentence) == long_sentence
    assert punctuated("I went out. and then i came home") == "I went out. and then i came home"
