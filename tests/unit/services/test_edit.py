"""`edit` keeps the transcript private: a 0700 folder in the journal home, shredded after, no passphrase."""

import json
import os
import stat
import sys
from datetime import UTC, datetime

import pytest

from voicejournal.core.entry import TEXT_ONLY, Entry
from voicejournal.journal import Journal

PASSPHRASE = "correct horse battery staple"
EDITOR = """\
import json, os, pathlib, stat, sys
path = pathlib.Path(sys.argv[1])
mode = lambda p: stat.S_IMODE(p.stat().st_mode)
log = {"path": str(path), "text": path.read_text(), "env": sorted(os.environ),
       "modes": [mode(path), mode(path.parent), mode(path.parent.parent)]}
pathlib.Path(os.environ["EDITOR_LOG"]).write_text(json.dumps(log))
(path.parent / ".transcript.txt.swp").write_text("swap file of an editor")
path.write_text(path.read_text().replace("sister", "brother"))
"""


@pytest.fixture
def editor(tmp_path):
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    log = tmp_path / "editor.json"
    return {"EDITOR": f"{sys.executable} {script}", "EDITOR_LOG": str(log)}, log


@pytest.fixture
def entry_id(vj_home):
    journal = Journal()
    entry = Entry(
        id=journal.new_entry_id(),
        created=datetime(2026, 11, 2, 18, 0, tzinfo=UTC),
        kind="journal",
        status=TEXT_ONLY,
        text="I called my sister.",
    )
    return journal.save_entry(entry, new=True).id


@pytest.mark.parametrize("encrypted", [False, True])
def test_edit_is_private(run_cli, vj_home, editor, entry_id, encrypted):
    env, log = editor
    env["VOICEJOURNAL_PASSPHRASE"] = PASSPHRASE
    if encrypted:
        run_cli("encrypt", "--no-keyring", env=env, check=True)
    leftover = vj_home / ".editing" / "999999999-killed" / "transcript.txt"  # an edit killed earlier
    leftover.parent.mkdir(parents=True)
    leftover.write_text("I called my sister.")
    proc = run_cli("edit", entry_id, env=env)
    assert proc.returncode == 0, proc.stderr
    notice = (
        f"Your journal is encrypted; while your editor is open the transcript is a readable file in "
        f"{vj_home / '.editing'}. It is shredded when you close the editor.\n"
    )
    assert proc.stderr == (notice if encrypted else "") + f"Saved your corrections to {entry_id}.\n"
    seen = json.loads(log.read_text())
    path = seen["path"]
    assert path.startswith(str(vj_home / ".editing") + os.sep) and seen["text"] == "I called my sister.\n"
    assert seen["modes"] == [0o600, 0o700, 0o700]
    assert "VOICEJOURNAL_PASSPHRASE" not in seen["env"] and "EDITOR_LOG" in seen["env"]
    assert list((vj_home / ".editing").iterdir()) == []  # this edit's file, its swap file, the leftover
    shown = json.loads(run_cli("show", entry_id, "--json", env=env, check=True).stdout)
    assert shown["text"] == "I called my brother."


def test_edit_when_the_editor_fails_or_is_missing(run_cli, vj_home, entry_id):
    proc = run_cli("edit", entry_id, env={"EDITOR": "false"})
    assert proc.returncode == 1
    assert proc.stderr == "The editor 'false' stopped with an error (exit 1); nothing was changed.\n"
    proc = run_cli("edit", entry_id, env={"EDITOR": "no-such-editor-here"})
    assert proc.returncode == 1
    assert proc.stderr == (
        "Could not start the editor 'no-such-editor-here'. Set EDITOR to the one you use, e.g. EDITOR=nano.\n"
    )
    assert list((vj_home / ".editing").iterdir()) == []
    assert stat.S_IMODE((vj_home / ".editing").stat().st_mode) == 0o700


def test_markdown_export_of_an_encrypted_journal_says_the_files_are_readable(run_cli, tmp_path, entry_id):
    env = {"VOICEJOURNAL_PASSPHRASE": PASSPHRASE}
    proc = run_cli("export", "--format", "markdown", str(tmp_path / "plain"), env=env, check=True)
    assert proc.stderr == f"Wrote 1 Markdown file to {tmp_path / 'plain'}.\n"
    run_cli("encrypt", "--no-keyring", env=env, check=True)
    proc = run_cli("export", "--format", "markdown", str(tmp_path / "md"), env=env, check=True)
    assert proc.stderr == (
        f"Wrote 1 Markdown file to {tmp_path / 'md'}.\n"
        f"Your journal is encrypted, but these Markdown files are not: anyone who can open {tmp_path / 'md'} "
        "can read them. Delete them when you no longer need them, or keep them on an encrypted disk.\n"
    )
    assert "I called my sister." in next((tmp_path / "md").glob("*.md")).read_text()
