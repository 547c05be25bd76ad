"""A recording in a journal that keeps meaning vectors: saved first, its vectors made after the transcript."""

import json

import pytest

from tests.integration.test_record import SPEECH, at_least, heard, recorder, wait_for_audio
from voicejournal.semantic.embedder import MODEL_ID, MODEL_SHA256
from voicejournal.store.vectors import VectorStore

pytestmark = [pytest.mark.integration, pytest.mark.mic]
__all__ = ["recorder"]  # the fixture, shared with test_record


def test_a_recording_gets_its_meaning_vectors_once_its_transcript_is_shown(
    recorder, speech, virtual_mic, run_cli, vj_home
):
    run_cli("write", "I felt calm after the walk this morning.", check=True)
    run_cli("index", check=True)  # the journal keeps vectors from here on
    [typed] = json.loads(run_cli("list", "--json", check=True).stdout)
    start, finish = recorder
    wav = speech(SPEECH)
    proc = start()
    wait_for_audio(vj_home, proc, at_least(0.1))
    virtual_mic(wav)
    wait_for_audio(vj_home, proc, heard(wav))
    code, out, err = finish(proc)
    assert code == 0, err
    assert "mother" in out.lower() and "Transcript ready (" in err
    ids = {e["id"] for e in json.loads(run_cli("list", "--json", check=True).stdout)}
    assert len(ids) == 2 and set(VectorStore(vj_home).load(MODEL_ID, MODEL_SHA256).entries) == ids
    assert typed["id"] in ids
