"""`show`: the transcript one sentence a line, each at the moment it begins."""

from datetime import UTC, datetime

from tests.in_process import invoke
from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.journal import Journal


def test_a_window_heard_as_one_segment_is_shown_sentence_by_sentence(vj_home):
    said = "I slept badly again. Work was loud all day. Then my sister called."
    journal = Journal(vj_home)
    entry = Entry(
        id=journal.new_entry_id(),
        created=datetime(2026, 11, 2, 18, 0, tzinfo=UTC),
        status=DONE,
        duration=30.0,
        segments=[Segment(2.0, 26.0, said), Segment(26.5, 29.0, "Mood: six out of ten.")],
        text=said + " Mood: six out of ten.",
    )
    journal.save_entry(entry, new=True)
    code, stdout, stderr = invoke("show", entry.id)
    assert code == 0, stderr
    lines = [line.strip() for line in stdout.splitlines() if line.strip().startswith("00:")]
    assert lines == [
        "00:02  I slept badly again.",
        "00:09  Work was loud all day.",  # 2 + 24 s x its share of the segment's characters
        "00:17  Then my sister called.",
        "00:26  Mood: six out of ten.",
    ]
