"""Search by meaning through the real CLI: ranking, filters, --json, related entries, the index command,
and the vectors kept in step with edits, deletes, re-transcription, imports and restores."""

import json
import re
import sys

import pytest

from tests.in_process import invoke
from tests.integration.test_search_cli import spoken
from voicejournal.journal import Journal
from voicejournal.semantic.embedder import MODEL_ID, MODEL_SHA256
from voicejournal.store.sealing import is_encrypted_blob
from voicejournal.store.storage import Storage
from voicejournal.store.vectors import HEAD_MAGIC, MAGIC, VECTORS_FILE, VectorStore

GIVING_UP = "times I felt like giving up"


@pytest.fixture
def journal(vj_home):
    j = Journal(vj_home)
    spoken(j, "quit", 0, [
        "The session was short today.",
        "I just wanted to quit everything.",
        "Nothing seemed worth the effort anymore, not even getting up.",
    ], tags=["work"])  # fmt: skip
    spoken(j, "sxep", 3, ["Slept ten hours straight and woke up rested.", "Made pancakes for breakfast."])
    spoken(j, "mums", 6, [
        "Mum called and within five minutes we were shouting again.",
        "She said I never visit and I hung up and cried in the car.",
    ], tags=["family"])  # fmt: skip
    spoken(j, "pjnt", 9, ["I repotted the basil on the windowsill.", "The tomatoes are finally red."])
    return j


def meaning_ids(*args):
    code, stdout, stderr = invoke("search", "--meaning", *args, "--json")
    assert code == 0, stderr
    return [h["id"] for h in json.loads(stdout)]


def stored(vj_home):
    return VectorStore(vj_home).load(MODEL_ID, MODEL_SHA256)


def test_search_by_meaning_ranks_with_sentence_time_and_similarity(journal):
    code, stdout, stderr = invoke("search", "--meaning", GIVING_UP)
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == "4 entries · closest in meaning first · similarity 0-1"
    # date, id, labels, where the closest sentence starts in the recording, similarity, the sentence (picked
    # by the sentences' kept sign bits, not the passage's first sentence)
    assert re.fullmatch(
        r"2026-06-01  quit  work, the therapy its…  00:06  0\.\d\d  I just wanted to quit everything\.",
        lines[1],
    )
    assert stderr == "Play a moment: voicejournal play quit --at 00:06\n"
    [hit, *_] = json.loads(invoke("search", "--meaning", GIVING_UP, "--json")[1])
    assert hit["id"] == "quit" and hit["at"] == "00:06" and hit["start"] == 6.0
    assert hit["sentence"] == "I just wanted to quit everything."
    assert 0.3 < hit["similarity"] <= 1.0
    assert meaning_ids("arguments with my mother")[0] == "mums"


def test_meaning_search_takes_the_same_filters_as_search(journal):
    assert meaning_ids(GIVING_UP, "--tag", "family") == ["mums"]
    assert set(meaning_ids(GIVING_UP, "--since", "2026-06-05")) == {"mums", "pjnt"}
    assert meaning_ids(GIVING_UP, "--limit", "1") == ["quit"]
    code, _, stderr = invoke("search", "--meaning", GIVING_UP, "--tag", "nosuchtag")
    assert code == 0 and stderr == f"Nothing found for: {GIVING_UP}. Try without some of the filters.\n"


def test_bad_meaning_queries_are_one_clear_line(journal):
    code, stdout, stderr = invoke("search", "--meaning", "  ")
    assert code == 1 and stdout == ""
    assert (
        stderr == 'Say what to look for, e.g. voicejournal search --meaning "times I felt like giving up".\n'
    )
    code, _, stderr = invoke("show", "zzzz", "--related")
    assert code == 1 and stderr == "No entry with id 'zzzz'. `voicejournal list` shows recent ids.\n"


def test_an_empty_journal_says_so(vj_home):
    code, stdout, stderr = invoke("search", "--meaning", GIVING_UP)
    assert code == 0 and stdout == ""
    assert (
        stderr == "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`.\n"
    )


def test_word_search_that_finds_nothing_offers_the_closest_by_meaning(journal):
    code, stdout, stderr = invoke("search", "feeling defeated")
    assert code == 0
    assert stderr.startswith('Nothing found for: "feeling defeated".\nClosest by meaning:\n')
    assert stdout.splitlines()[0].startswith("2026-06-01  quit  ")


def test_nothing_is_offered_by_meaning_when_nothing_is_close(journal):
    code, stdout, stderr = invoke("search", "xylophone")
    assert (code, stdout, stderr) == (0, "", "Nothing found for: xylophone.\n")


def test_words_that_do_occur_and_the_closest_by_meaning_are_both_offered(journal):
    # A typo: the word that does occur is named, and the entry that means it is shown too.
    code, stdout, stderr = invoke("search", "wanted to quitt")
    assert code == 0
    assert stderr.startswith('Nothing found for: "wanted to quitt". Words that do occur: quit.\n')
    assert "\nClosest by meaning:\n" in stderr
    assert stdout.splitlines()[0].startswith("2026-06-01  quit  ")


def test_show_related(journal):
    code, stdout, stderr = invoke("show", "quit", "--related")
    assert code == 0, stderr
    assert stdout.splitlines()[0] == "Closest in meaning to quit · similarity 0-1"
    assert len(stdout.splitlines()) == 4  # the three others
    related = json.loads(invoke("show", "quit", "--related", "--json")[1])
    assert "quit" not in [h["id"] for h in related]
    assert related == sorted(related, key=lambda h: -h["similarity"])


def test_index_command_and_rebuild(journal, vj_home):
    code, _, stderr = invoke("index")
    assert code == 0 and stderr == "Search index and meaning vectors are up to date (4 entries with words).\n"
    (vj_home / VECTORS_FILE).write_bytes(b"garbage")
    code, _, stderr = invoke("index", "--rebuild")
    assert code == 0 and stderr == "Search index and meaning vectors are up to date (4 entries with words).\n"
    assert set(stored(vj_home).entries) == {"quit", "sxep", "mums", "pjnt"}


# --- keeping the vectors in step --------------------------------------------------------------


def test_saves_embed_in_the_same_process_once_vectors_exist(journal, vj_home):
    assert not (vj_home / VECTORS_FILE).exists()  # made by the first search by meaning, not before
    meaning_ids(GIVING_UP)
    spoken(Journal(vj_home), "axne", 12, ["Nobody texted all weekend and I did not say a word out loud."])
    vectors = stored(vj_home)
    assert "axne" in vectors.entries and vectors.signature == Storage(vj_home).signature()
    assert meaning_ids("feeling completely alone")[0] == "axne"


def test_edit_keeps_vectors_in_step(journal, vj_home, tmp_path):
    meaning_ids(GIVING_UP)
    before = stored(vj_home).digest("pjnt")
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text('I wanted to give up on everything and stay in bed forever.')\n")  # fmt: skip
    code, _, stderr = invoke("edit", "pjnt", env={"EDITOR": f"{sys.executable} {script}"})
    assert code == 0, stderr
    vectors = stored(vj_home)
    assert vectors.digest("pjnt") != before and vectors.signature == Storage(vj_home).signature()
    assert "pjnt" in meaning_ids(GIVING_UP)[:2]
    assert "pjnt" not in meaning_ids("gardening and growing vegetables")[:1]


def test_delete_removes_the_entry_vectors_from_the_file(journal, vj_home):
    meaning_ids(GIVING_UP)
    code, _, stderr = invoke("delete", "quit", "--yes")
    assert code == 0, stderr
    vectors = stored(vj_home)
    assert "quit" not in vectors.entries and len(vectors.matrix) == 3
    assert vectors.signature == Storage(vj_home).signature()
    assert "quit" not in meaning_ids(GIVING_UP)


def test_a_delete_while_the_vectors_are_stale_still_removes_its_vectors(journal, vj_home):
    meaning_ids(GIVING_UP)
    storage = Storage(vj_home)
    doc = storage.get_entry("sxep")
    doc["text"] = "Changed behind voicejournal's back."
    storage.update_entry("sxep", doc)  # the vectors are now stale (another writer)
    code, _, _ = invoke("delete", "quit", "--yes")
    assert code == 0 and "quit" not in stored(vj_home).entries
    assert meaning_ids(GIVING_UP)  # caught up on use
    assert stored(vj_home).signature == Storage(vj_home).signature()


def test_retranscription_keeps_vectors_in_step(run_cli, speech, vj_home):
    wav = speech("My mother called after the session and we argued about Christmas.")
    run_cli("add", str(wav), "--no-transcribe", check=True)
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    run_cli("search", "--meaning", "an argument with mum", check=True)
    assert stored(vj_home).digest(entry["id"]) is None  # not transcribed yet: no words, no vectors
    run_cli("transcribe", entry["id"], check=True)
    assert stored(vj_home).digest(entry["id"]) is not None
    assert stored(vj_home).signature == Storage(vj_home).signature()
    hits = json.loads(run_cli("search", "--meaning", "an argument with mum", "--json", check=True).stdout)
    assert hits[0]["id"] == entry["id"] and "mother" in hits[0]["sentence"].lower()


def test_import_embeds_the_new_entries_in_the_same_transaction(journal, vj_home, tmp_path):
    meaning_ids(GIVING_UP)
    path = tmp_path / "journal.json"
    path.write_text(json.dumps({"tags": {}, "entries": [
        {"title": "", "body": "I felt so homesick, missing the smell of grandma's kitchen back in Porto.",
         "date": "2025-10-02", "time": "21:10", "tags": [], "starred": False},
    ]}))  # fmt: skip
    code, _, stderr = invoke("import", "--from", "jrnl", str(path))
    assert code == 0, stderr
    vectors = stored(vj_home)
    assert len(vectors.entries) == 5 and vectors.signature == Storage(vj_home).signature()
    top = json.loads(invoke("search", "--meaning", "missing where I come from", "--json")[1])[0]
    assert top["start"] is None and "homesick" in top["sentence"]


def test_restore_brings_the_vectors_back_in_step(journal, vj_home, tmp_path):
    backup = tmp_path / "backup.zip"
    assert invoke("export", str(backup))[0] == 0
    meaning_ids(GIVING_UP)
    assert invoke("delete", "quit", "--yes")[0] == 0
    assert "quit" not in meaning_ids(GIVING_UP)
    code, _, stderr = invoke("import", str(backup))
    assert code == 0, stderr
    assert meaning_ids(GIVING_UP)[0] == "quit"
    assert stored(vj_home).signature == Storage(vj_home).signature()


def test_encrypted_journal_keeps_its_vectors_sealed(run_cli, vj_home):
    spoken(Journal(vj_home), "quit", 0, ["I just wanted to quit everything."])
    env = {"VOICEJOURNAL_PASSPHRASE": "correct horse battery staple"}
    run_cli("encrypt", env=env, check=True)
    proc = run_cli("search", "--meaning", GIVING_UP, "--json", env=env, check=True)
    assert json.loads(proc.stdout)[0]["id"] == "quit"
    found = sorted(p.name for p in vj_home.iterdir() if p.name.startswith(VECTORS_FILE))
    assert found == [VECTORS_FILE, f"{VECTORS_FILE}-2026-06.json"]  # the head and the month's vectors
    for name in found:
        blob = (vj_home / name).read_bytes()
        assert is_encrypted_blob(blob) and MAGIC not in blob and HEAD_MAGIC not in blob


def test_review_points_to_an_earlier_entry_that_said_something_similar(run_cli, vj_home):
    j = Journal(vj_home)
    spoken(
        j,
        "quit",
        0,
        [
            "I just wanted to quit everything.",
            "Nothing seemed worth the effort anymore, not even getting up.",
        ],
    )
    spoken(j, "pjnt", 9, ["I repotted the basil on the windowsill.", "The tomatoes are finally red."])
    spoken(j, "new1", 180, ["Some days I want to give up on all of it.", "What is the point of trying."])
    review = run_cli(
        "review", "--since", "2026-11-20", now="2026-12-01T18:00:00", tz="Europe/Berlin", check=True
    )
    assert "You said something similar" not in review.stdout  # no vectors yet: the review does not make them
    run_cli("index", check=True)
    review = run_cli(
        "review", "--since", "2026-11-20", now="2026-12-01T18:00:00", tz="Europe/Berlin", check=True
    )
    assert review.stdout.splitlines()[-1] == (
        "You said something similar on Mon 01 Jun 2026 (entry quit, like entry new1): "
        "“I just wanted to quit everything.”"
    )
    assert review.stdout.count("You said something similar") == 1  # the basil is not similar to anything
