"""Every count a message prints reads as English: 0 entries, 1 entry, 2 entries (the real messages)."""

import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.audio_helpers import write_wav
from tests.in_process import invoke
from voicejournal.core.entry import TEXT_ONLY, Entry
from voicejournal.journal import Journal

N = [0, 1, 2]
ENTRIES = {0: "0 entries", 1: "1 entry", 2: "2 entries", 3: "3 entries"}
RECORDINGS = {0: "0 recordings", 1: "1 recording", 2: "2 recordings"}


def written(
    journal: Journal, n: int, text: str = "Talked about my sister at work.", kind="journal"
) -> list[str]:
    ids = []
    for i in range(n):
        entry = Entry(
            id=journal.new_entry_id(),
            created=datetime(2026, 11, 2 + i, 18, 0, tzinfo=UTC),
            kind=kind,
            status=TEXT_ONLY,
            text=text,
        )
        ids.append(journal.save_entry(entry, new=True).id)
    return ids


def recorded(journal: Journal, n: int, tmp_path, day: datetime) -> None:
    for i in range(n):
        wav = write_wav(tmp_path / f"r{i}.wav", np.full(8000, 0.01 * (i + 1)))
        journal.add_file(wav, transcribe=False, date=day + timedelta(hours=i))


@pytest.mark.parametrize("n", N)
def test_backup_and_restore_counts(n, tmp_path, vj_home, monkeypatch):
    recorded(Journal(), n, tmp_path, datetime(2026, 11, 10, tzinfo=UTC))  # n entries, n recordings
    code, _, stderr = invoke("export", str(tmp_path / "b.zip"))
    assert code == 0, stderr
    assert stderr.startswith(f"Backed up {ENTRIES[n]} and {RECORDINGS[n]} to ")
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(tmp_path / "restored"))
    code, _, stderr = invoke("import", str(tmp_path / "b.zip"))
    assert code == 0, stderr
    assert stderr == f"Restored {ENTRIES[n]} and {RECORDINGS[n]} from {tmp_path / 'b.zip'}.\n"


@pytest.mark.parametrize("n", N)
def test_merge_counts(n, tmp_path, vj_home, monkeypatch):
    written(Journal(), n)
    invoke("export", str(tmp_path / "b.zip"))
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(tmp_path / "other"))
    written(Journal(tmp_path / "other"), 1, text="Already here.")
    code, _, stderr = invoke("import", str(tmp_path / "b.zip"))
    assert code == 0, stderr
    assert re.fullmatch(rf"Merged .*b\.zip: added {ENTRIES[n]} and \d+ other items?[;.].*\n", stderr)


@pytest.mark.parametrize("n", N)
def test_markdown_export_and_import_counts(n, tmp_path, vj_home, monkeypatch):
    written(Journal(), n)
    code, _, stderr = invoke("export", "--format", "markdown", str(tmp_path / "md"))
    assert stderr == f"Wrote {n} Markdown file{'' if n == 1 else 's'} to {tmp_path / 'md'}.\n"
    (tmp_path / "md" / "2026-10-01.md").write_text("One more, so the folder is never empty.\n")
    monkeypatch.setenv("VOICEJOURNAL_HOME", str(tmp_path / "other"))
    code, _, stderr = invoke("import", "--from", "markdown", str(tmp_path / "md"))
    assert stderr.startswith(f"Imported {ENTRIES[n + 1]} from md.\n")
    Journal(tmp_path / "other").delete(Journal(tmp_path / "other").entries()[0].id)
    code, _, stderr = invoke("import", "--from", "markdown", str(tmp_path / "md"))
    again = f"; {n} already imported before" if n else ""
    assert stderr.startswith(f"Imported 1 entry from md{again}.\n")


@pytest.mark.parametrize("n", [1, 2])
def test_search_and_share_counts(n, tmp_path, vj_home):
    ids = written(Journal(), n)
    code, stdout, _ = invoke("search", "sister")
    assert stdout.splitlines()[0] == f"{ENTRIES[n]} · best first"
    picks = [a for i in ids for a in ("--pick", f"entry:{i}")]
    code, _, stderr = invoke("review", "--share", *picks, "-o", str(tmp_path / "s.html"))
    assert stderr == f"Wrote {tmp_path / 's.html'} with only what you picked: {ENTRIES[n]}.\n"


@pytest.mark.parametrize("n", N)
def test_retheme_counts(n, vj_home):
    journal = Journal()
    written(journal, n, text="The cat was ill.")
    written(journal, 1, text="Nothing about pets.")
    code, _, stderr = invoke("themes", "define", "pets", "cat")
    assert stderr == f"Theme 'pets' is now: cat. Re-themed {ENTRIES[n]}.\n"


@pytest.mark.parametrize("n", [1, 2])
def test_goal_note_counts(n, vj_home):
    code, _, stderr = invoke("goal", "add", "Sleep before midnight")
    goal_id = re.match(r"Added goal (\w+):", stderr).group(1)
    for i in range(n):
        invoke("goal", "note", goal_id, f"note {i}")
    code, stdout, _ = invoke("goal", "list")
    assert f"{n} note{'' if n == 1 else 's'}" in stdout
    assert "1 notes" not in stdout


@pytest.mark.parametrize("n", N)
def test_check_and_retention_counts(n, tmp_path, vj_home):
    journal = Journal()
    recorded(journal, n, tmp_path, datetime(2020, 1, 5, tzinfo=UTC))
    written(journal, 1)
    code, stdout, _ = invoke("check")
    assert re.match(rf"Checked \d+ journal files?, {ENTRIES[n + 1]}, {RECORDINGS[n]}\.\n", stdout)
    code, _, stderr = invoke("config", "set", "audio-retention", f"{max(n, 1)}m")
    assert f"recordings older than {max(n, 1)} month{'s' if n == 2 else ''} are deleted" in stderr
    code, _, stderr = invoke("retention", "--dry-run")
    if n:
        assert stderr.startswith(f"{RECORDINGS[n]} would be deleted (their transcripts stay).")
        code, _, stderr = invoke("retention")
        assert stderr == f"Deleted {RECORDINGS[n]}; their transcripts are kept.\n"
    else:
        assert stderr.startswith("No recording is older than the limit")


@pytest.mark.parametrize(("n", "kind", "said"), [(1, "reflection", "1 reflection"),
                                                 (2, "reflection", "2 reflections"), (1, "journal", "1 entry"),
                                                 (2, "journal", "2 entries")])  # fmt: skip
def test_review_headline_counts(n, kind, said, vj_home):
    from voicejournal.render.text import render_plain

    journal = Journal(now=lambda: datetime(2026, 11, 10, 12, 0, tzinfo=UTC))
    written(journal, n, kind=kind)
    brief = journal.review(since=datetime(2026, 11, 1, tzinfo=UTC))
    assert render_plain(brief).splitlines()[0] == f"Since Sun 1 Nov (9 days): {said}"
