"""`transcribe --all` through the CLI with the real model: every recording transcribed again, the person's
corrections kept unless --force, and what was left alone said in one line."""

import json

import pytest

from voicejournal.journal import Journal

pytestmark = pytest.mark.integration

CORRECTED = "My mother called after the session, and I felt calmer."


def entries(run_cli):
    return {e["id"]: e for e in json.loads(run_cli("list", "--json", check=True).stdout)}


def test_transcribe_all_keeps_corrections_unless_forced(run_cli, speech, vj_home):
    run_cli("add", str(speech("My mother called after the session.", name="a.wav")), check=True)
    run_cli("add", str(speech("I slept badly before the exam.", name="b.wav")), "--no-transcribe", check=True)
    by_source = {e["source"]: e for e in entries(run_cli).values()}
    first, second = by_source["a.wav"]["id"], by_source["b.wav"]["id"]
    Journal(vj_home).edit_text(first, CORRECTED)

    proc = run_cli("transcribe", "--all", check=True)  # only the pending one is not on tiny.en yet

    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"Transcribed {second} with tiny.en: ") and lines[0].endswith(" words.")
    assert lines[1:] == ["Left 1 entry already transcribed with this model (--force does them again)."]
    assert "slept" in entries(run_cli)[second]["text"].lower()

    proc = run_cli("transcribe", first, check=True)  # again, by id: the correction stays
    assert proc.stderr.splitlines()[1] == (
        f"Kept your own corrections in 1 entry ({first}); their new timings are saved. "
        "`--force` replaces corrected transcripts too."
    )
    kept = entries(run_cli)[first]
    assert kept["text"] == CORRECTED and kept["edited"] and "mother" in kept["segments"][0]["text"].lower()

    proc = run_cli("transcribe", "--all", "--force", check=True)
    assert sorted(line.split()[1] for line in proc.stderr.splitlines()) == sorted([first, second])
    forced = entries(run_cli)[first]
    assert not forced["edited"] and forced["text"] != CORRECTED and "mother" in forced["text"].lower()

    again = run_cli("transcribe", "--all", check=True)
    assert again.stderr.splitlines() == [
        "Nothing to transcribe: 2 entries already transcribed with this model (--force does them again)."
    ]


def test_transcribe_without_ids_or_a_choice_is_refused_and_nothing_recorded_is_said(run_cli):
    proc = run_cli("transcribe")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == "Error: Name entry ids, or use --pending or --all."
    empty = run_cli("transcribe", "--all", check=True)
    assert empty.stderr.splitlines() == ["Nothing to transcribe: no entry has a recording."]
