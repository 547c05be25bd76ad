"""Passages: transcripts cut at sentence boundaries into chunks the meaning model can read whole."""

from datetime import UTC, datetime

from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.core.passages import MAX_WORDS, cut, entry_passages, fingerprint


def spoken(sentences, seconds=5.0, **fields):
    return Entry(
        id="abcd",
        created=datetime(2026, 11, 2, 18, 0, tzinfo=UTC),
        status=DONE,
        segments=[Segment(i * seconds, (i + 1) * seconds, s) for i, s in enumerate(sentences)],
        text=" ".join(sentences),
        **fields,
    )


def test_a_short_entry_is_one_passage_with_its_start():
    passages = entry_passages(spoken(["I could not sleep.", "The deadline moved again."]))
    assert len(passages) == 1
    assert passages[0].text == "I could not sleep. The deadline moved again."
    assert passages[0].start == 0.0


def test_a_long_transcript_is_cut_at_sentence_ends_and_keeps_every_time():
    sentences = [f"Sentence number {i} is about the week and what happened at work today." for i in range(60)]
    passages = entry_passages(spoken(sentences))
    assert len(passages) > 1
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert [s for p in passages for _, s in p.sentences] == sentences  # whole sentences, none lost, in order
    assert [p.start for p in passages] == [p.sentences[0][0] for p in passages]
    assert passages[1].start == 5.0 * len(passages[0].sentences)
    assert [p.number for p in passages] == list(range(len(passages)))


def test_one_endless_sentence_is_cut_at_words_so_nothing_is_truncated_away():
    words = [f"w{i}" for i in range(400)]
    passages = cut([(12.5, " ".join(words))])
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert " ".join(p.text for p in passages).split() == words
    assert passages[0].start == 12.5


def test_written_entries_have_passages_without_times_and_the_title_counts():
    entry = Entry(
        id="w1",
        created=datetime(2026, 11, 2, tzinfo=UTC),
        status=DONE,
        text="I wrote this down.\nAnother line.",
        title="Sunday",
    )
    passages = entry_passages(entry)
    assert passages[0].text == "Sunday I wrote this down. Another line."
    assert passages[0].start is None


def test_an_entry_without_words_has_no_passages():
    assert entry_passages(Entry(id="p1", created=datetime(2026, 11, 2, tzinfo=UTC))) == []


def test_the_fingerprint_follows_the_words_only():
    entry = spoken(["I could not sleep."])
    before = fingerprint(entry_passages(entry))
    entry.tags, entry.mood = ["sleep"], 2
    assert fingerprint(entry_passages(entry)) == before
    entry.text, entry.edited = "I slept well.", True
    assert fingerprint(entry_passages(entry)) != before


def test_a_long_segment_is_cut_into_sentences_each_at_its_moment():
    said = "I could not sleep. The deadline moved again. I called my sister."
    entry = spoken([said], seconds=20.0)
    (passage,) = entry_passages(entry)
    assert [t for _, t in passage.sentences] == [
        "I could not sleep.",
        "The deadline moved again.",
        "I called my sister.",
    ]
    # each at its share of the segment's characters (from the space before it), not all at 0.0
    assert [s for s, _ in passage.sentences] == [0.0, 5.62, 13.75]
