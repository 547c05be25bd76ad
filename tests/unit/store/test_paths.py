"""A bad path the person gives gets one clear line naming it and what to do, exit 1: never an internal error.

The cases fail for root too: /proc takes no new files, and a file where a folder is expected stops anyone.
"""

from datetime import UTC, datetime

import pytest

from voicejournal.core.entry import TEXT_ONLY, Entry
from voicejournal.journal import Journal

ELSEWHERE = "choose a folder you can write to, such as your home folder."
PROC = "/proc does not take new files (it is not an ordinary folder), so {} cannot be written; " + ELSEWHERE
MISSING = "The folder {} does not exist; create it first or choose another place."
BLOCKED = "{} is a file, not a folder, so nothing can be written to {}; " + ELSEWHERE
SHARE = ("review", "--share", "--pick", "mood", "-o")

CASES = [
    # export (a backup zip)
    (("export", "/proc/b.zip"), PROC.format("/proc/b.zip")),
    (("export", "{t}/nope/b.zip"), MISSING.format("{t}/nope")),
    (("export", "{t}/afile/b.zip"), BLOCKED.format("{t}/afile", "{t}/afile/b.zip")),
    (("export", "{t}/adir"), "{t}/adir is a folder; give a file name in it, e.g. {t}/adir/backup.zip."),
    # export --format markdown (a folder, or one .md file)
    (("export", "--format", "markdown", "/proc/md"), PROC.format("/proc/md")),
    (("export", "--format", "markdown", "/proc/all.md"), PROC.format("/proc/all.md")),
    (("export", "--format", "markdown", "{t}/afile/md"),
     "{t}/afile is a file, not a folder, so {t}/afile/md cannot be made; " + ELSEWHERE),
    (("export", "--format", "markdown", "{t}/afile/x.md"), BLOCKED.format("{t}/afile", "{t}/afile/x.md")),
    (("export", "--format", "markdown", "{t}/nope/x.md"), MISSING.format("{t}/nope")),
    (("export", "--format", "markdown", "{t}/afile"), "{t}/afile is a file; give a folder, or a file name ending in .md."),
    (("export", "--format", "markdown", "{t}/adir.md"),
     "{t}/adir.md is a folder; give a file name in it, e.g. {t}/adir.md/all-entries.md."),
    (("export", "--format", "markdown", "{t}/adir"),
     "{t}/adir/2026-11-02-0000-ab12.md is a folder, so it cannot be written as a file; move it away or choose "
     "another name."),
    # import (a backup zip, a jrnl export, Markdown)
    (("import", "{t}/adir"), "{t}/adir is a folder, not a backup .zip made by `voicejournal export`."),
    (("import", "{t}/afile/x.zip"), "{t}/afile is a file, not a folder, so {t}/afile/x.zip does not exist."),
    (("import", "--from", "jrnl", "{t}/adir"),
     "{t}/adir is a folder, not the JSON file jrnl exports (`jrnl --format json > journal.json`)."),
    (("import", "--from", "jrnl", "{t}/afile/x.json"),
     "{t}/afile is a file, not a folder, so {t}/afile/x.json does not exist."),
    (("import", "--from", "markdown", "{t}/afile/x"), "{t}/afile is a file, not a folder, so {t}/afile/x does not exist."),
    # add (recordings)
    (("add", "{t}/adir"), "{t}/adir is a folder, not an audio file."),
    (("add", "{t}/afile/x.wav"), "{t}/afile is a file, not a folder, so {t}/afile/x.wav does not exist."),
    # review -o and the share page
    (("review", "-o", "/proc/b.html"), PROC.format("/proc/b.html")),
    (("review", "-o", "{t}/nope/b.html"), MISSING.format("{t}/nope")),
    (("review", "-o", "{t}/afile/b.html"), BLOCKED.format("{t}/afile", "{t}/afile/b.html")),
    (("review", "-o", "{t}/adir"), "{t}/adir is a folder; give a file name in it, e.g. {t}/adir/brief.html."),
    ((*SHARE, "/proc/s.html"), PROC.format("/proc/s.html")),
    ((*SHARE, "{t}/adir"), "{t}/adir is a folder; give a file name in it, e.g. {t}/adir/brief.html."),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_paths_get_one_clear_line(run_cli, tmp_path, vj_home, args, message):
    journal = Journal()
    entry = Entry(
        id="ab12", created=datetime(2026, 11, 2, tzinfo=UTC), kind="journal", status=TEXT_ONLY, text="Hi."
    )
    journal.save_entry(entry, new=True)
    (tmp_path / "afile").write_text("a file, not a folder")
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir.md").mkdir()
    (tmp_path / "adir" / "2026-11-02-0000-ab12.md").mkdir()  # where the export of entry ab12 would go
    before = sorted(p.name for p in tmp_path.rglob("*"))
    proc = run_cli(*[a.format(t=tmp_path) for a in args])
    assert (proc.returncode, proc.stderr) == (1, message.format(t=tmp_path) + "\n")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing half-written left behind
