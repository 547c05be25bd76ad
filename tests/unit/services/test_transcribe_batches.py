"""`transcribe --pending / --all` save transcripts in batches, lose at most the batch in progress when stopped,
and keep the person's own corrections unless forced.

The model is a stand-in here (its results are made up, instantly); tests/integration/test_transcribe_all.py
runs the real one through the CLI.
"""

from collections import Counter
from datetime import datetime

import numpy as np
import pytest

from tests.audio_helpers import write_wav
from voicejournal.core.entry import Segment
from voicejournal.journal import Journal
from voicejournal.services import ingest
from voicejournal.services.writing import write_entry
from voicejournal.speech.transcription import Transcript

MONTH = "2026-11.json"


class FakeTranscriber:
    """Hears "Words of recording N." in the Nth recording it is given; stops the run at `stop_at`."""

    def __init__(self, model_name="tiny.en", stop_at=None):
        self.model_name = model_name
        self.stop_at = stop_at
        self.calls = 0

    def transcribe(self, samples, progress=None):
        self.calls += 1
        if self.calls == self.stop_at:
            raise KeyboardInterrupt  # as a kill would stop it, in the middle of a recording
        if progress:
            progress(1.0, 1.0)
        text = f"Words of recording {self.calls} from the {self.model_name} model."
        return Transcript([Segment(0.0, 1.0, text)], "en", 1.0, self.model_name)


@pytest.fixture
def journal(vj_home, tmp_path):
    """A journal with ten recordings of November 2026, none transcribed yet."""
    journal = Journal(vj_home)
    rng = np.random.default_rng(5)
    for day in range(1, 11):
        wav = write_wav(tmp_path / f"note{day}.wav", rng.normal(0, 0.05, 8000))
        journal.add_file(wav, date=datetime(2026, 11, day, 20).astimezone(), transcribe=False)
    return journal


def use(journal, transcriber, model=None):
    journal.transcribers[(model, None)] = transcriber
    return transcriber


def test_pending_transcripts_are_saved_a_batch_at_a_time(journal, writes, monkeypatch):
    monkeypatch.setattr(ingest, "TRANSCRIBE_BATCH", 4)
    monkeypatch.setattr(ingest, "TRANSCRIBE_BATCH_SECONDS", 3600.0)
    use(journal, FakeTranscriber())
    writes.clear()

    report = journal.transcribe(pending=True)

    assert len(report.done) == 10 and report.kept == [] and report.current == 0
    assert writes[MONTH] == 3  # 4 + 4 + 2, not once per entry
    assert all(e.status == "done" and e.model == "tiny.en" for e in Journal(journal.home).entries())


def test_a_stop_loses_only_the_batch_in_progress_and_the_next_run_does_it(journal, monkeypatch):
    monkeypatch.setattr(ingest, "TRANSCRIBE_BATCH", 4)
    monkeypatch.setattr(ingest, "TRANSCRIBE_BATCH_SECONDS", 3600.0)
    use(journal, FakeTranscriber(stop_at=7))

    with pytest.raises(KeyboardInterrupt):
        journal.transcribe(pending=True)

    statuses = Counter(e.status for e in Journal(journal.home).entries())
    assert statuses == {"done": 4, "pending": 6}  # the first batch is saved; the second was in progress
    fresh = Journal(journal.home)
    use(fresh, FakeTranscriber())
    assert len(fresh.transcribe(pending=True).done) == 6
    assert {e.status for e in Journal(journal.home).entries()} == {"done"}


def test_all_upgrades_every_transcript_but_keeps_corrections_unless_forced(journal):
    use(journal, FakeTranscriber())
    journal.transcribe(pending=True)
    oldest = journal.entries()[-1]
    journal.edit_text(oldest.id, "My own words, corrected by hand.")

    base = use(journal, FakeTranscriber("base"), model="base")
    report = journal.transcribe(everything=True, model="base")

    assert len(report.done) == 10 and [e.id for e in report.kept] == [oldest.id]
    kept = journal.get(oldest.id)
    assert kept.text == "My own words, corrected by hand." and kept.edited
    assert kept.model == "base" and kept.original_text == "Words of recording 1 from the base model."
    others = [e for e in journal.entries() if e.id != oldest.id]
    assert all(e.model == "base" and e.text.endswith("from the base model.") for e in others)

    again = journal.transcribe(everything=True, model="base")  # a run stopped midway goes on from here
    assert again.done == [] and again.current == 10 and base.calls == 10

    forced = journal.transcribe(everything=True, model="base", force=True)
    assert len(forced.done) == 10 and forced.kept == []
    replaced = journal.get(oldest.id)
    assert not replaced.edited and replaced.text == "Words of recording 11 from the base model."


def test_all_leaves_written_entries_and_removed_recordings_alone(journal, vj_home):
    use(journal, FakeTranscriber())
    written = write_entry(journal, "A typed note about my week.", date=datetime(2026, 11, 20, 9).astimezone())
    gone = journal.entries()[1]  # [0] is the written note
    (vj_home / gone.audio).unlink()

    report = journal.transcribe(everything=True)

    assert [e.id for e in report.missing] == [gone.id]
    assert len(report.done) == 9 and all(e.audio for e in report.done)
    assert journal.get(gone.id).status == "pending" and journal.get(written.id).text == written.text
