"""search, themes, tag, edit, delete, import and completion through the real CLI and the Journal API."""

import json
import os
import sqlite3
import stat
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.in_process import invoke
from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.journal import Journal
from voicejournal.store.storage import Storage

TZ = UTC


def spoken(journal, eid, day, sentences, seconds=6.0, tags=(), mood=None, audio=False):
    """Save a transcribed entry the way `add`/`record` do (themes and index follow automatically)."""
    created = datetime(2026, 6, 1, 18, 30, tzinfo=TZ) + timedelta(days=day)
    entry = Entry(
        id=eid,
        created=created,
        status=DONE,
        segments=[Segment(i * seconds, (i + 1) * seconds, s) for i, s in enumerate(sentences)],
        text=" ".join(sentences),
        tags=list(tags),
        mood=mood,
        duration=len(sentences) * seconds,
    )
    if audio:
        rel, path = journal.audio_destination(eid, created)
        path.write_bytes(b"fLaC fake")
        entry.audio = rel
    return journal.save_entry(entry, new=True)


@pytest.fixture
def journal(vj_home):
    j = Journal(vj_home)
    spoken(
        j,
        "aaa1",
        0,
        [
            "Today the session was mostly about my sister.",
            "I told my therapist that my sister never asks how I am.",
            "When my sister called on Sunday I felt anxious and did not pick up.",
            "We agreed I would practise saying no to her.",
        ],
        tags=["family"],
        mood=2,
        audio=True,
    )
    spoken(
        j,
        "bbb2",
        20,
        [
            "Work was exhausting, the deadline moved again.",
            "My sister sent a photo of the dog, which was sweet.",
            "I slept badly and woke up at four.",
        ],
        mood=3,
    )
    spoken(
        j,
        "ccc3",
        40,
        [
            "A better week.",
            "The anxiety is quieter since I started the breathing exercise.",
            "I went to the gym twice and I am proud of myself.",
        ],
        tags=["homework"],
        mood=4,
    )
    return j


# --- search -----------------------------------------------------------------------------------


def test_search_output_ranked_with_time_and_highlight(journal):
    code, stdout, stderr = invoke("search", "sister")
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == "2 entries · best first"
    assert lines[1] == (
        "2026-06-01  aaa1  family, anxiety, boun…  00:00  Today the session was mostly about my sister."
    )
    assert lines[2].startswith("2026-06-21  bbb2  ")
    assert lines[2].endswith("00:06  My sister sent a photo of the dog, which was sweet.")
    assert stderr == "Play a moment: voicejournal play aaa1 --at 00:00\n"


def test_search_json(journal):
    code, stdout, _ = invoke("search", "anxious", "--json")
    hits = json.loads(stdout)
    assert [h["id"] for h in hits] == ["ccc3", "aaa1"] or [h["id"] for h in hits] == ["aaa1", "ccc3"]
    by_id = {h["id"]: h for h in hits}
    assert (
        by_id["aaa1"]["snippet"] == "When my sister called on Sunday I felt **anxious** and did not pick up."
    )
    assert by_id["aaa1"]["start"] == 12.0 and by_id["aaa1"]["at"] == "00:12"
    assert by_id["ccc3"]["snippet"] == "The **anxiety** is quieter since I started the breathing exercise."
    assert set(by_id["aaa1"]) >= {"created", "kind", "mood", "tags", "themes", "score"}


def test_search_phrase_from_one_shell_argument(journal):
    # `voicejournal search "my sister"`: the shell hands one argument with a space: a phrase.
    _, stdout, _ = invoke("search", "my sister", "--json")
    assert {h["id"] for h in json.loads(stdout)} == {"aaa1", "bbb2"}
    _, stdout, _ = invoke("search", "sister called", "--json")
    assert [h["id"] for h in json.loads(stdout)] == ["aaa1"]
    _, stdout, _ = invoke("search", "called sister", "--json")
    assert json.loads(stdout) == []
    _, stdout, _ = invoke("search", "called", "sister", "--json")  # two words: both anywhere
    assert [h["id"] for h in json.loads(stdout)] == ["aaa1"]


def test_search_exclusion_on_the_command_line(journal):
    code, stdout, _ = invoke("search", "sister", "-dog", "--json")
    assert code == 0
    assert [h["id"] for h in json.loads(stdout)] == ["aaa1"]


def test_search_filters(journal):
    def found(*args):
        code, stdout, stderr = invoke("search", *args, "--json")
        assert code == 0, stderr
        return [h["id"] for h in json.loads(stdout)]

    assert found("sister", "--since", "2026-06-10") == ["bbb2"]
    assert found("sister", "--until", "2026-06-10") == ["aaa1"]
    assert found("sister", "--tag", "family") == ["aaa1"]
    assert found("sister", "--theme", "sleep") == ["bbb2"]
    assert found("sister", "--mood", "3") == ["bbb2"]
    assert found("sister", "--kind", "journal") == []
    assert found("sister", "--limit", "1") == ["aaa1"]


def test_no_hits_suggests_close_words(journal):
    code, stdout, stderr = invoke("search", "sistre")
    assert code == 0 and stdout == ""
    assert stderr == "Nothing found for: sistre. Words that do occur: sister.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "-work"], "Add at least one word to look for: -words only leave entries out "
         "(e.g. `voicejournal search sleep -work`)."),
        (["search", "..."], "There are no words to search for in '...'. "
         'Say what to search for, e.g. `voicejournal search "my sister"`.'),
        (["search", "sister", "--since", "someday"],
         "Could not understand the date 'someday'. Try 2026-11-02, 'yesterday' or '3 weeks ago'."),
        (["search", "sister", "--theme", "cats"], "There is no theme 'cats'. Themes: anger, anxiety, "
         "body and health, boundaries, family, friendship, grief and loss, low mood, medication, "
         "progress and wins, relationships, self-esteem, sleep, the therapy itself, trauma, work."),
        (["tag", "zzzz", "+x"], "No entry with id 'zzzz'. `voicejournal list` shows recent ids."),
        (["edit", "zzzz"], "No entry with id 'zzzz'. `voicejournal list` shows recent ids."),
        (["delete", "zzzz", "--yes"], "No entry with id 'zzzz'. `voicejournal list` shows recent ids."),
        (["tag", "aaa1", "-nothere"], "Entry aaa1 has no tag 'nothere'. Its tags: family."),
        (["themes", "define", "cats", "!!"],
         "Give the theme 'cats' at least one word, e.g. `voicejournal themes define cats word another`."),
        (["themes", "words", "cats"], "There is no theme 'cats'. `voicejournal themes words` lists them all."),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line(journal, args, message):
    code, stdout, stderr = invoke(*args)
    assert code == 1
    assert stderr == message + "\n"
    assert "Traceback" not in stdout + stderr


@pytest.mark.parametrize(
    "query", ['"unclosed', "AND", "NEAR(x y)", "sister*", "a:b", "(", "^x", "--", "- -", "'", "ü", "🙂"]
)
def test_no_query_gives_a_traceback(journal, query):
    code, stdout, stderr = invoke("search", query)
    assert code in (0, 1, 2)  # 2: Click's own usage error ("--" leaves no words)
    assert "Traceback" not in stderr and "Something went wrong" not in stderr


# --- the index is derived ---------------------------------------------------------------------


def test_entry_written_behind_the_index_is_found(journal, vj_home):
    invoke("search", "sister")  # index exists and is fresh
    other = Storage(vj_home)  # another program writes the journal without touching the index
    entry = Entry(
        id="ddd4",
        created=datetime(2026, 8, 1, tzinfo=TZ),
        status=DONE,
        segments=[Segment(0, 3, "My sister again.")],
        text="My sister again.",
    )
    other.add_entry(entry.to_doc())
    _, stdout, _ = invoke("search", "sister", "--json")
    assert "ddd4" in [h["id"] for h in json.loads(stdout)]


def test_deleted_and_corrupt_index_rebuilt(journal, vj_home):
    index = vj_home / "index.sqlite"
    invoke("search", "sister")
    index.unlink()
    _, stdout, _ = invoke("search", "sister", "--json")
    assert len(json.loads(stdout)) == 2
    index.write_bytes(b"\x00garbage" * 500)
    _, stdout, _ = invoke("search", "sister", "--json")
    assert len(json.loads(stdout)) == 2
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    with sqlite3.connect(index) as conn:
        conn.execute("DELETE FROM docs")  # damaged but still a database: stale contents
        conn.execute("UPDATE info SET value = 'x' WHERE key = 'signature'")
    _, stdout, _ = invoke("search", "sister", "--json")
    assert len(json.loads(stdout)) == 2


def test_saves_keep_the_index_fresh_without_rebuilds(journal):
    journal.search("sister")
    assert journal.index.is_fresh()
    spoken(journal, "eee5", 50, ["Lunch with my sister went fine."])
    assert journal.index.is_fresh()
    journal.index.rebuilt = False
    assert "eee5" in [h.id for h in journal.search("lunch").hits]
    assert not journal.index.rebuilt


# --- themes ----------------------------------------------------------------------------------


def test_entries_are_themed_on_save_with_their_words(journal):
    entry = journal.get("bbb2")
    assert entry.themes == {
        "work": ["work", "deadline"],
        "sleep": ["slept", "woke up at"],
        "family": ["sister"],
    }
    assert journal.get("ccc3").themes == {
        "anxiety": ["anxiety"],
        "body and health": ["gym"],
        "progress and wins": ["proud of myself"],
    }


def test_themes_listing(journal, monkeypatch):
    code, stdout, _ = invoke("themes", "--since", "2026-06-01", "--json")
    assert code == 0
    rows = {r["theme"]: r for r in json.loads(stdout)}
    assert rows["family"]["total"] == 2
    assert rows["family"]["months"]["2026-06"] == 2
    code, stdout, _ = invoke("themes", "--since", "2026-06-01")
    assert stdout.splitlines()[0].startswith("Entries per theme and month, Jun 2026 – ")
    assert any(line.startswith("family ") for line in stdout.splitlines())


def test_define_theme_rethemes_existing_entries(journal):
    code, _, stderr = invoke("themes", "define", "Pets", "dog", "cat")
    assert code == 0
    assert stderr.strip() == "Theme 'pets' is now: dog, cat. Re-themed 1 entry."
    assert journal.get("bbb2").themes["pets"] == ["dog"]
    _, stdout, _ = invoke("list", "--theme", "pets")
    assert "bbb2" in stdout and "aaa1" not in stdout
    # Change it: entries that no longer match lose the theme.
    invoke("themes", "define", "pets", "hamster")
    assert "pets" not in Journal().get("bbb2").themes
    # New entries get the person's theme as they are saved.
    spoken(Journal(), "fff6", 60, ["The hamster escaped again."])
    assert Journal().get("fff6").themes == {"pets": ["hamster"]}


def test_list_theme_tag_kind_mood(journal):
    def listed(*args):
        code, stdout, stderr = invoke("list", *args)
        assert code == 0, stderr
        return [line.split()[2] for line in stdout.splitlines()]

    assert listed() == ["ccc3", "bbb2", "aaa1"]
    assert listed("--theme", "family") == ["bbb2", "aaa1"]
    assert listed("--theme", "Family", "--tag", "family") == ["aaa1"]
    assert listed("--mood", "4") == ["ccc3"]
    assert listed("--kind", "journal") == []
    code, stdout, _ = invoke("list", "--theme", "sleep", "--json")
    [entry] = json.loads(stdout)
    assert entry["id"] == "bbb2" and entry["segments"]


# --- tag, edit, delete -----------------------------------------------------------------------


def test_tag_add_and_remove(journal):
    code, stdout, _ = invoke("tag", "aaa1", "+Sister", "+#therapy", "-family")
    assert code == 0 and stdout == "aaa1: sister, therapy\n"
    assert journal.get("aaa1").tags == ["sister", "therapy"]
    _, stdout, _ = invoke("search", "sister", "--tag", "therapy", "--json")
    assert [h["id"] for h in json.loads(stdout)] == ["aaa1"]


def test_edit_keeps_what_was_heard(journal, tmp_path):
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('dog', 'puppy'))\n")  # fmt: skip
    code, _, stderr = invoke("edit", "bbb2", env={"EDITOR": f"{sys.executable} {script}"})
    assert code == 0, stderr
    assert (
        stderr
        == "Saved your corrections to bbb2. The words first heard are kept (`voicejournal show --json`).\n"
    )
    entry = Journal().get("bbb2")
    assert entry.edited and "puppy" in entry.text and "dog" in entry.original_text
    _, stdout, _ = invoke("search", "puppy", "--json")
    [hit] = json.loads(stdout)
    assert hit["id"] == "bbb2" and hit["at"] == "00:06"  # the corrected sentence keeps its time
    _, stdout, _ = invoke("search", "dog", "--json")
    assert json.loads(stdout) == []


def test_edit_without_changes(journal):
    code, _, stderr = invoke("edit", "bbb2", env={"EDITOR": "true"})
    assert code == 0 and stderr == "No changes; entry bbb2 is as it was.\n"
    assert not Journal().get("bbb2").edited


def test_delete_asks_and_removes_audio(journal, vj_home):
    audio = vj_home / journal.get("aaa1").audio
    assert audio.exists()
    code, _, stderr = invoke("delete", "aaa1", input="n\n")
    assert code == 1 and stderr.endswith("Nothing was deleted. (--yes deletes without asking.)\n")
    assert stderr.startswith(
        "Delete entry aaa1 (2026-06-01 18:30, 24 s: 'Today the session was mostly about my sister"
    )
    assert audio.exists()
    code, _, stderr = invoke("delete", "aaa1", input="y\n")
    assert code == 0 and stderr.endswith("Deleted entry aaa1 and its recording.\n")
    assert not audio.exists()
    _, stdout, _ = invoke("search", "sister", "--json")
    assert [h["id"] for h in json.loads(stdout)] == ["bbb2"]
    code, _, stderr = invoke("delete", "bbb2", "--yes")
    assert code == 0 and stderr == "Deleted entry bbb2.\n"


# --- import of written journals --------------------------------------------------------------

JRNL = {
    "tags": {"@work": 1},
    "entries": [
        {"title": "Hard day at work.", "body": "My boss moved the deadline and I felt anxious.",
         "date": "2025-10-02", "time": "21:10", "tags": ["@work"], "starred": False},
        {"title": "Called my sister.", "body": "We talked about Mum.", "date": "2025-11-10", "time": "08:00",
         "tags": [], "starred": True},
        {"title": "", "body": "", "date": "2025-11-11", "time": "08:00", "tags": [], "starred": False},
    ],
}  # fmt: skip


def test_import_jrnl_is_idempotent(tmp_path):
    path = tmp_path / "journal.json"
    path.write_text(json.dumps(JRNL))
    code, _, stderr = invoke("import", "--from", "jrnl", str(path))
    assert code == 0
    assert stderr.splitlines() == [
        "Entry 3 of journal.json (2025-11-11) is empty; skipped.",
        "Imported 2 entries from journal.json.",
        "See them with `voicejournal list --kind journal`.",
    ]
    code, _, stderr = invoke("import", "--from", "jrnl", str(path))
    assert "Imported 0 entries from journal.json; 2 already imported before." in stderr
    entries = Journal().entries()
    assert len(entries) == 2
    work = next(e for e in entries if e.tags == ["work"])
    assert work.status == "text" and work.audio is None and work.kind == "journal"
    assert work.created.strftime("%Y-%m-%d %H:%M") == "2025-10-02 21:10"
    assert set(work.themes) == {"work", "anxiety"}
    assert next(e for e in entries if e.tags == ["starred"]).title == "Called my sister."
    _, stdout, _ = invoke("search", "boss", "--json")
    [hit] = json.loads(stdout)
    assert hit["start"] is None and hit["snippet"] == "My **boss** moved the deadline and I felt anxious."


def test_import_markdown_folder(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2026-11-20.md").write_text(
        "---\ntitle: After therapy\ndate: 2026-11-20 19:30\ntags: [therapy, homework]\n---\n"
        "My therapist asked about my sleep. I slept badly.\n"
    )
    (folder / "2026_11_21 a walk.md").write_text("# A walk\n\nWent for a walk with a friend.\n")
    (folder / "ideas.md").write_text("No date anywhere.\n")
    code, _, stderr = invoke("import", "--from", "markdown", str(folder))
    assert code == 0
    assert stderr.splitlines()[:2] == [
        "ideas.md has no date in its name or front matter (e.g. 2026-11-02.md); skipped.",
        "Imported 2 entries from notes.",
    ]
    code, _, stderr = invoke("import", "--from", "markdown", str(folder))
    assert "Imported 0 entries from notes; 2 already imported before." in stderr
    walk, therapy = Journal().entries()
    assert therapy.title == "After therapy" and therapy.tags == ["therapy", "homework"]
    assert therapy.created.strftime("%Y-%m-%d %H:%M") == "2026-11-20 19:30"
    assert walk.title == "A walk" and walk.text == "Went for a walk with a friend."
    assert set(therapy.themes) == {"sleep", "the therapy itself"}


@pytest.mark.parametrize(
    ("source", "content", "message"),
    [
        ("jrnl", "not json", "bad.json is not a jrnl JSON export. Export it with `jrnl --format json > journal.json`."),
        ("jrnl", "[1, 2]", "bad.json is not a jrnl JSON export (it has no list of entries). "
         "Export it with `jrnl --format json > journal.json`."),
    ],
)  # fmt: skip
def test_import_bad_files(tmp_path, source, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, _, stderr = invoke("import", "--from", source, str(path))
    assert code == 1 and stderr == message + "\n"


def test_import_missing_path(tmp_path):
    code, _, stderr = invoke("import", "--from", "markdown", str(tmp_path / "nope"))
    assert code == 1 and stderr == f"{tmp_path / 'nope'} does not exist.\n"


# --- shell completion ------------------------------------------------------------------------


def complete(run_cli, words):
    env = {
        "_VOICEJOURNAL_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    proc = run_cli(env=env)
    assert proc.returncode == 0, proc.stderr
    return [line.split(",", 1)[-1] for line in proc.stdout.splitlines()]


def test_completion_of_commands_ids_tags_and_themes(run_cli, journal):
    assert "search" in complete(run_cli, "voicejournal sea")
    assert complete(run_cli, "voicejournal show a") == ["aaa1"]
    assert complete(run_cli, "voicejournal delete b") == ["bbb2"]
    assert set(complete(run_cli, "voicejournal tag aaa1 +")) == {"+family", "+homework"}
    assert complete(run_cli, "voicejournal tag aaa1 -") == ["-family"]
    assert complete(run_cli, "voicejournal search x --tag hom") == ["homework"]
    assert complete(run_cli, "voicejournal search x --theme sl") == ["sleep"]
    proc = run_cli(env={"_VOICEJOURNAL_COMPLETE": "bash_source"})
    assert "complete -o nosort -F _voicejournal_completion voicejournal" in proc.stdout


def test_every_new_command_has_help(run_cli):
    for command in ("search", "themes", "tag", "edit", "delete", "import"):
        code, stdout, _ = invoke(command, "--help")
        assert code == 0 and "Example" in stdout, command


@pytest.mark.integration
def test_spoken_entry_is_searchable_with_its_moment(run_cli, speech):
    wav = speech("I went to the shop. Then my mother called and we argued about the holidays.")
    proc = run_cli("add", str(wav), "--date", "2026-11-02")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("search", "mother", "--json", check=True)
    [hit] = json.loads(proc.stdout)
    assert "**mother**" in hit["snippet"].lower()
    assert hit["start"] is not None and hit["start"] >= 0
    assert "family" in hit["themes"]
    assert os.path.exists(os.path.join(os.environ["VOICEJOURNAL_HOME"], "index.sqlite"))


def test_themes_on_an_empty_journal_and_in_the_future():
    code, stdout, stderr = invoke("themes")
    assert code == 0 and stdout == ""
    assert stderr == "No themes yet in this period. Themes appear as entries are transcribed or imported.\n"
    code, _, stderr = invoke("themes", "--since", "2099-01-01")
    assert code == 0 and "No themes yet" in stderr


def test_list_with_filters_that_match_nothing(journal):
    code, stdout, stderr = invoke("list", "--theme", "trauma")
    assert code == 0 and stdout == "" and stderr == "No entries match these filters.\n"


def test_relative_dates_in_filters(vj_home, time_machine):
    now = datetime(2026, 12, 1, 0, 30).astimezone()  # half an hour into a new day, week and month
    time_machine.move_to(now, tick=False)
    journal = Journal(vj_home)
    recent = Entry(
        id="rec1",
        created=now - timedelta(days=2),
        status=DONE,
        segments=[Segment(0, 4, "Talked to my sister about the move.")],
        text="Talked to my sister about the move.",
    )
    journal.save_entry(recent, new=True)
    spoken(journal, "old1", 0, ["My sister visited in June."])

    def found(*args):
        code, stdout, stderr = invoke("search", "sister", *args, "--json")
        assert code == 0, stderr
        return [h["id"] for h in json.loads(stdout)]

    assert found("--since", "3 days ago") == ["rec1"]
    assert found("--since", "last week") == ["rec1"]
    assert found("--until", "3 days ago") == ["old1"]
    assert found("--until", "yesterday", "--since", "yesterday") == []


def test_a_mistyped_option_is_not_a_search_word(journal):
    code, _, stderr = invoke("search", "sister", "--sinse", "2026-01-01")
    assert code == 2 and "No such option: --sinse" in stderr


def test_markdown_export_imports_back_without_duplicates(journal, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    code, _, stderr = invoke("export", "--format", "markdown", str(folder))
    assert code == 0, stderr
    code, _, stderr = invoke("import", "--from", "markdown", str(folder))
    assert "Imported 0 entries from out; 3 already imported before." in stderr
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(tmp_path / "elsewhere"))
    code, _, stderr = invoke("import", "--from", "markdown", str(folder))
    assert "Imported 3 entries from out." in stderr
    moved = {e.text: e for e in Journal().entries()}
    original = journal.get("bbb2")
    copy = moved[original.text]
    assert (copy.kind, copy.mood, copy.created) == (original.kind, original.mood, original.created)
    assert copy.themes == original.themes


def test_dash_h_alone_is_help():
    code, stdout, _ = invoke("search", "-h")
    assert code == 0 and stdout.startswith("Usage: voicejournal search")


def test_search_an_empty_journal():
    code, stdout, stderr = invoke("search", "sister")
    assert code == 0 and stdout == ""
    assert (
        stderr == "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`.\n"
    )


def test_export_takes_its_destination_as_an_argument_or_with_dash_o(journal, tmp_path):
    code, _, stderr = invoke("export", "-o", str(tmp_path / "backup.zip"))
    assert code == 0, stderr
    assert (
        stderr.startswith("Backed up 3 entries and 1 recording to ") and (tmp_path / "backup.zip").is_file()
    )
    code, _, stderr = invoke("export", str(tmp_path / "a.zip"), "-o", str(tmp_path / "b.zip"))
    assert code == 2 and "Error: Give one destination: DESTINATION or --output, not both." in stderr
    code, _, stderr = invoke("export")
    assert code == 2 and "Error: Where should it go? For example: voicejournal export backup.zip" in stderr
