"""`voicejournal write`: typed notes, from the command line, standard input or the person's editor."""

import json
import os
import pty
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import cli_command

pytestmark = pytest.mark.integration

NOW = "2026-12-01T18:00:00"
TZ = "Europe/Berlin"
NOTE = "Felt heard today. Question for my therapist: why do I freeze at work?"
EMPTY = (
    "The note is empty, so nothing was saved. Type it after `voicejournal write`, or run "
    "`voicejournal write` alone to open your editor.\n"
)


def entries(run_cli) -> list[dict]:
    return json.loads(run_cli("list", "--json", check=True).stdout)


def test_a_typed_note_is_saved_themed_searched_and_filed(run_cli):
    run_cli("session", "add", "2026-12-01", "16:00", "--with", "Dr. Rivera", now=NOW, tz=TZ, check=True)
    done = run_cli("write", NOTE, "--tag", "Bus", "--mood", "4", now=NOW, tz=TZ)
    assert done.returncode == 0, done.stderr
    [entry] = entries(run_cli)
    assert (
        done.stderr.splitlines()[0]
        == f"Saved your note as entry {entry['id']} · `voicejournal show {entry['id']}`"
    )
    assert 'Question filed: "Why do I freeze at work?"' in done.stderr
    assert entry["kind"] == "journal" and entry["status"] == "text" and entry.get("audio") is None
    assert entry["text"] == NOTE and entry["tags"] == ["bus"] and entry["mood"] == 4
    assert entry["created"] == "2026-12-01T18:00:00+01:00"
    assert "work" in entry["themes"]
    # Typed two hours after the session: it is that session's reflection, like a recording.
    [session] = json.loads(run_cli("session", "list", "--json", check=True).stdout)
    assert entry["session"] == session["id"]
    # Searched by its words (and word forms) like a transcript.
    found = run_cli("search", "freezing", "--json", check=True).stdout
    assert [h["id"] for h in json.loads(found)] == [entry["id"]]
    # Reviewed like a recorded one: the question is carried, the note is quoted.
    review = run_cli("review", now=NOW, tz=TZ, check=True).stdout
    assert "Why do I freeze at work?" in review
    assert "Felt heard today." in review


def test_words_need_no_quotes_and_markers_are_filed(run_cli):
    run_cli("write", "Small", "win:", "I", "spoke", "up", "in", "the", "meeting", check=True)
    [entry] = entries(run_cli)
    assert entry["text"] == "Small win: I spoke up in the meeting"
    wins = run_cli("win", "list", check=True).stdout
    assert "I spoke up in the meeting" in wins
    run_cli("write", "Homework: call my sister on Sunday", check=True)
    assert "Call my sister on Sunday" in run_cli("homework", "list", check=True).stdout


def test_standard_input_is_read_when_piped(run_cli):
    done = run_cli(
        "write", "--date", "2026-11-30T21:15", input="Homework: walk every evening\n\nMore lines.\n"
    )
    assert done.returncode == 0, done.stderr
    [entry] = entries(run_cli)
    assert entry["text"] == "Homework: walk every evening\n\nMore lines."
    assert entry["created"].startswith("2026-11-30T21:15:00")
    assert run_cli("homework", "list", check=True).stdout.split("  ")[1] == "Walk every evening"


def test_bytes_that_are_not_utf8_do_not_stop_the_note(run_cli, vj_home):
    argv, env = cli_command("write")
    env["VOICEJOURNAL_HOME"] = str(vj_home)
    done = subprocess.run(argv, input="café with my sister".encode("latin-1"), capture_output=True, env=env)
    assert done.returncode == 0, done.stderr
    assert entries(run_cli)[0]["text"] == "caf\ufffd with my sister"


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_an_empty_text_is_refused_and_nothing_saved(run_cli, text):
    done = run_cli("write", input=text)
    assert (done.returncode, done.stderr) == (1, EMPTY)
    assert run_cli("write", "  ").stderr == EMPTY
    assert entries(run_cli) == []


def test_bad_inputs_get_one_line(run_cli):
    bad_date = run_cli("write", "--date", "the day after never", "hello")
    assert (bad_date.returncode, bad_date.stderr) == (
        1,
        "Could not understand the date 'the day after never'. Try 2026-11-02, 'yesterday' or '3 weeks ago'.\n",
    )
    no_session = run_cli("write", "--session", "zzzz", "hello")
    assert (no_session.returncode, no_session.stderr) == (
        1,
        "No session with id 'zzzz'. `voicejournal session list` shows them.\n",
    )
    broken = run_cli("write", "--date", "next\nfriday", "hello")  # a line break typed in: still one line
    assert (broken.returncode, broken.stderr) == (
        1,
        "Could not understand the date 'next friday'. Try 2026-11-02, 'yesterday' or '3 weeks ago'.\n",
    )
    assert entries(run_cli) == []


# --- the editor, on a real terminal ----------------------------------------------------------------


def write_in_editor(tmp_path, vj_home, script: str):
    """Run `voicejournal write` with a terminal as standard input and a scripted $EDITOR."""
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\npath = sys.argv[1]\n" + textwrap.dedent(script))
    argv, env = cli_command("write", "--tag", "typed")
    env.update(EDITOR=f"{sys.executable} {editor}", VOICEJOURNAL_HOME=str(vj_home))
    env.pop("VISUAL", None)
    main, terminal = pty.openpty()
    try:
        done = subprocess.run(argv, stdin=terminal, capture_output=True, text=True, env=env, timeout=120)
    finally:
        os.close(terminal)
        os.close(main)
    return done


def test_the_editor_opens_when_there_is_no_text(run_cli, tmp_path, vj_home):
    done = write_in_editor(
        tmp_path,
        vj_home,
        """
        assert open(path).read() == ""
        open(path, "w").write("Written on the bus.\\nQuestion for my therapist: is this avoidance?\\n")
        """,
    )
    assert done.returncode == 0, done.stderr
    [entry] = entries(run_cli)
    assert entry["text"] == "Written on the bus.\nQuestion for my therapist: is this avoidance?"
    assert entry["tags"] == ["typed"]
    assert 'Question filed: "Is this avoidance?"' in done.stderr
    assert list((vj_home / ".editing").iterdir()) == []  # the draft was shredded


def test_an_editor_that_fails_saves_nothing(run_cli, tmp_path, vj_home):
    done = write_in_editor(tmp_path, vj_home, 'open(path, "w").write("half a thought")\nsys.exit(3)\n')
    assert done.returncode == 1
    assert done.stderr.endswith("stopped with an error (exit 3); nothing was saved.\n")
    assert len(done.stderr.splitlines()) == 1
    assert entries(run_cli) == []


def test_a_file_left_unchanged_saves_nothing(run_cli, tmp_path, vj_home):
    done = write_in_editor(tmp_path, vj_home, "pass\n")
    assert (done.returncode, done.stderr) == (
        1,
        "You closed the editor without saving, so nothing was saved.\n",
    )
    emptied = write_in_editor(tmp_path, vj_home, 'open(path, "w").write("\\n\\n")\n')
    assert (emptied.returncode, emptied.stderr) == (1, EMPTY)
    assert entries(run_cli) == []
