"""A plain `search`, `show ID` and `tag ID +a -b` run without Click (cli/quick.py) and print exactly what the
Click commands print."""

import shutil
import subprocess
import sys
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

from voicejournal.cli import main, quick
from voicejournal.cli.quick import quick_command
from voicejournal.core.entry import DONE, TEXT_ONLY, Entry, Segment
from voicejournal.journal import Journal

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def journal(vj_home):
    j = Journal(vj_home)
    day = datetime(2026, 6, 1, 18, 30, tzinfo=UTC)
    spoken = [
        (
            "Today the session was mostly about my sister.",
            "My sister never asks how I am.",
            "I felt anxious.",
        ),
        ("Work was exhausting.", "My sister sent a photo of the dog.", "I slept badly and woke at four."),
        (
            "A better week.",
            "The anxiety is quieter since the breathing exercise.",
            "I went to the gym twice.",
        ),
    ]
    for n, sentences in enumerate(spoken):
        entry = Entry(id=f"aa{n}{n}", created=day + timedelta(days=20 * n), status=DONE, tags=["family"] if n == 0 else [],
                      segments=[Segment(i * 6.0, (i + 1) * 6.0, s) for i, s in enumerate(sentences)],
                      text=" ".join(sentences), duration=18.0)  # fmt: skip
        j.save_entry(entry, new=True)
    typed = Entry(id="bb00", created=day + timedelta(days=50), status=TEXT_ONLY, kind="journal",
                  text="Typed on the train: my sister's wedding, and panic on the train home.")  # fmt: skip
    j.save_entry(typed, new=True)
    return j


def both_ways(args: list[str], home: Path) -> tuple[tuple, tuple]:
    """(exit code, stdout, stderr) through `main` (the quick path when it applies) and through Click alone,
    each on the journal as it was (a tag change is made twice, not once on top of the other)."""
    results = []
    kept = home.with_name("kept")
    shutil.copytree(home, kept)
    for through_click in (False, True):
        if through_click:
            shutil.rmtree(home)
            shutil.copytree(kept, home)
        click_only = mock.patch.object(quick, "quick_command", return_value=None)
        with CliRunner().isolation() as (stdout, stderr, _), click_only if through_click else nullcontext():
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code
        results.append((code, stdout.getvalue().decode(), stderr.getvalue().decode()))
    return results[0], results[1]


QUICK = [
    ["search", "sister"],
    ["search", "my sister"],
    ["search", "sister", "-dog"],
    ["search", "sister", "-"],
    ["search", '"my sister" train'],
    ["search", "anxious", "--json"],
    ["search", "--json", "sister", "--limit", "1"],
    ["search", "sister", "--limit", "2", "--limit", "1"],
    ["search", "sister", "--since", "2026-06-10", "--until", "2026-07-30"],
    ["search", "sister", "--tag", "family"],
    ["search", "sister", "--theme", "sleep", "--theme", "work"],
    ["search", "sister", "--theme", "sleep", "--json"],
    ["search", "sisterr"],  # nothing found, a word that does occur offered
    ["search", "trampoline"],  # nothing at all
    ["search", "sister", "--since", "2027-01-01"],  # nothing with these filters
    ["search", "-h", "sister"],
    ["search", "s*"],
    ["show", "aa00"],
    ["show", "--json", "aa11"],
    ["show", "bb00"],
    ["show", "zz99"],  # unknown id: the same one line, exit 1
    ["tag", "aa00", "+sister", "work"],
    ["tag", "aa00", "-family"],
    ["tag", "aa00", "-nothere"],  # not one of its tags: the same one line, exit 1
    ["tag", "zz99", "+x"],
]
CLICK = [
    ["search"],
    ["search", "-h"],
    ["search", "--help"],
    ["search", "sister", "--kind", "journal"],
    ["search", "sister", "--mood", "3"],
    ["search", "sister", "--limit=1"],
    ["search", "sister", "--limit", "0"],
    ["search", "sister", "--limit", "x"],
    ["search", "sister", "--limit"],
    ["search", "sister", "--since", "someday"],
    ["search", "sister", "--since", "-3"],
    ["search", "sister", "--bogus"],
    ["search", "--", "-sister"],
    ["--debug", "search", "sister"],
    ["list"],
    [],
    ["show"],
    ["show", "-h"],
    ["show", "aa00", "--related"],
    ["show", "aa00", "aa11"],
    ["show", "--", "aa00"],
    ["tag", "aa00"],
    ["tag", "aa00", "-h"],
    ["tag", "-x", "aa00"],
    ["tag", "aa00", "--help"],
]


@pytest.mark.parametrize("args", QUICK, ids=" ".join)
def test_quick_commands_print_what_click_prints(journal, vj_home, args):
    assert quick_command(args) is not None  # it is the quick path being compared
    quick, click = both_ways(args, vj_home)
    assert quick == click
    assert quick[0] == (1 if "zz99" in args or "-nothere" in args else 0)
    assert quick[1] or quick[2]


@pytest.mark.parametrize("args", CLICK, ids=lambda a: " ".join(a) or "(none)")
def test_everything_else_goes_to_click(journal, args):
    assert quick_command(args) is None


def test_completion_goes_to_click(monkeypatch):
    monkeypatch.setenv("_VOICEJOURNAL_COMPLETE", "bash_complete")
    assert quick_command(["search", "sis"]) is None


def test_quick_search_and_click_agree_on_errors(journal, vj_home):
    (vj_home / "index.sqlite").write_bytes(b"not a database")  # a damaged index is rebuilt, either way
    quick, click = both_ways(["search", "sister"], vj_home)
    assert quick == click and quick[0] == 0 and "aa00" in quick[1]


@pytest.mark.parametrize(
    "args",
    [
        ["search", "sister", "--theme", "family", "--since", "2026-01-01"],
        ["show", "aa00"],
        ["tag", "aa00", "+x"],
    ],
    ids=" ".join,
)
def test_a_fresh_process_never_imports_click_or_typing(journal, args):
    code = (
        "import sys\nfrom voicejournal.cli import main\n"
        f"try:\n    main({args!r})\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('click', 'typing') if m in sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert "aa00" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "[]"  # typing: 2-3 ms more, for TYPE_CHECKING alone


def test_echo_writes_utf8_to_a_stream_set_to_ascii(monkeypatch):
    import io

    from voicejournal.cli.output import echo

    raw = io.BytesIO()
    ascii_out = io.TextIOWrapper(raw, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", ascii_out)
    echo("2 entries · best first — café")
    echo("plain")
    assert raw.getvalue().decode("utf-8") == "2 entries · best first — café\nplain\n"
