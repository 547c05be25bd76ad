"""The review, sessions, goals, homework, questions, wins and backups through the real CLI.

The HTML brief is rendered by headless Chromium (apt package `chromium`, installed by .ci/setup).
"""

import functools
import json
import re
import shutil
import subprocess
import zipfile

import pytest

from tests.month import HOMEWORK_DONE_NOTE, MANUAL_QUESTION, NOW, at, build_month
from voicejournal.core.wording import day
from voicejournal.journal import Journal

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def at_now(time_machine):
    """This process stands at the scripted month's NOW too, so the dates expected here (`day()` shows
    the year only when it is not this one) are the ones the CLI prints."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def run_cli(run_cli):
    """Every command here runs at NOW: the review's period, "tomorrow" and "due today" never follow
    the real date."""
    return functools.partial(run_cli, now=NOW)


@pytest.fixture
def month(vj_home):
    return build_month(Journal(vj_home, now=lambda: NOW))


def chromium(tmp_path, url, *args, timeout=120):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.fail("Chromium is needed to check the HTML review: apt-get install chromium (see .ci/setup).")
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         *args, url],
        capture_output=True, timeout=timeout,
    )  # fmt: skip


def test_review_text_through_the_cli(run_cli, month):
    proc = run_cli("review", check=True)
    lines = proc.stdout.splitlines()
    assert lines[0] == f"Since your session on {day(at(24, 14))} (7 days): 4 reflections, 16 min"
    assert "Questions to bring (4)" in lines
    assert "  • Can we talk about the job interview next month?   carried from 2 sessions ago" in lines
    assert f'  ✓ Breathing exercise every evening before bed — "{HOMEWORK_DONE_NOTE}"' in lines
    assert "  3 · 3 · 4 · 3   average 3.2 of 5   (previous period average 2.5)" in lines
    assert proc.stderr == ""


def test_review_markdown_and_json(run_cli, month, tmp_path):
    target = tmp_path / "brief.md"
    proc = run_cli("review", "--format", "markdown", "-o", str(target), check=True)
    assert proc.stderr.strip() == f"Wrote the review to {target}."
    md = target.read_text()
    assert "## Questions to bring (4)" in md and f"- [ ] {MANUAL_QUESTION} — _" in md
    data = json.loads(run_cli("review", "--json", check=True).stdout)
    assert [q["carried"] for q in data["questions"]] == [2, 0, 0, 0]
    assert data["mood"]["values"] == [3, 3, 4, 3]
    assert data["entry_count"] == 4


def test_review_html_in_a_real_browser(run_cli, month, tmp_path):
    page = tmp_path / "brief.html"
    run_cli("review", "-o", str(page), check=True)  # .html picks the format
    html = page.read_text()
    assert "<svg" in html and "<script" not in html
    png = tmp_path / "brief.png"
    shot = chromium(tmp_path, page.as_uri(), f"--screenshot={png}", "--window-size=900,2600")
    assert png.exists(), shot.stderr.decode()[-2000:]
    assert png.stat().st_size > 50_000  # text, charts and colour, not a blank page
    with png.open("rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    dom = chromium(tmp_path, page.as_uri(), "--dump-dom").stdout.decode()
    text = re.sub(r"<[^>]+>", " ", dom)
    text = re.sub(r"\s+", " ", text)
    assert "Before your session" in text
    assert "Questions to bring (4)" in text
    assert "Can we talk about the job interview next month? carried from 2 sessions ago" in text
    assert f"“{HOMEWORK_DONE_NOTE}”" in dom or HOMEWORK_DONE_NOTE in text
    assert "Small wins" in text and "What you said" in text
    assert "Mood over time" in dom and "Themes over time" in dom


def test_share_writes_only_the_picked_items(run_cli, month, tmp_path):
    questions = json.loads(run_cli("question", "list", "--json", check=True).stdout)
    pick = next(q for q in questions if q["text"].startswith("Is it normal"))
    target = tmp_path / "for-dr-rivera.html"
    proc = run_cli("review", "--share", "--pick", f"question:{pick['id']}", "-o", str(target), check=True)
    assert proc.stderr.strip() == f"Wrote {target} with only what you picked: 1 question."
    page = target.read_text()
    assert pick["text"] in page
    for private in ("job interview", "letter to Dad", "sister", "Mood", "midnight"):
        assert private not in page
    proc = run_cli("review", "--share")
    assert proc.returncode == 1
    assert proc.stderr == (
        "Nothing picked to share. Add --pick question:ID (or entry:ID, quote:ID@MM:SS…); "
        "`voicejournal question list` shows ids.\n"
    )


def test_planning_commands(run_cli):
    assert run_cli("session", "add", "2026-12-03", "2pm", "--with", "Dr. Rivera", check=True).stderr == (
        "Added the session on Thu 3 Dec, 14:00 with Dr. Rivera ("
        + json.loads(run_cli("session", "list", "--json").stdout)[0]["id"]
        + ").\n"
    )
    # As people say it: the day in words, "at", the time; one quoted argument works the same.
    at = {"now": "2026-12-01T18:00:00", "tz": "Europe/Berlin"}  # a Tuesday
    assert "Added the session on Tue 8 Dec, 15:00 (" in run_cli("session", "add", "next", "tuesday", "at", "3pm",
                                                                 check=True, **at).stderr  # fmt: skip
    assert (
        "Added the session on Fri 4 Dec, 09:30 ("
        in run_cli("session", "add", "friday 9.30", check=True, **at).stderr
    )
    run_cli("goal", "add", "Sleep before midnight", "--words", "sleep, bed", check=True)
    [g] = json.loads(run_cli("goal", "list", "--json", check=True).stdout)
    assert (g["text"], g["words"], g["mentions"]) == ("Sleep before midnight", ["sleep", "bed"], [])
    run_cli("goal", "note", g["id"], "three nights in a row", check=True)
    assert "three nights in a row" in run_cli("goal", "list", check=True).stdout
    assert run_cli("goal", "done", g["id"], check=True).stderr.startswith("Well done")
    assert json.loads(run_cli("goal", "list", "--json").stdout) == []
    assert len(json.loads(run_cli("goal", "list", "--all", "--json").stdout)) == 1
    run_cli("homework", "add", "Write the letter to Dad", "--due", "2026-12-03", check=True)
    [h] = json.loads(run_cli("homework", "list", "--json", check=True).stdout)
    assert h["due"] == "2026-12-03"
    run_cli("homework", "done", h["id"], "--note", "hard but done", check=True)
    [h] = json.loads(run_cli("homework", "list", "--all", "--json", check=True).stdout)
    assert h["note"] == "hard but done" and h["done"]
    run_cli("question", "add", "Can we meet every two weeks?", check=True)
    [q] = json.loads(run_cli("question", "list", "--json", check=True).stdout)
    run_cli("question", "asked", q["id"], check=True)
    assert json.loads(run_cli("question", "list", "--json").stdout) == []
    run_cli("win", "add", "Went to the gym twice", check=True)
    [w] = json.loads(run_cli("win", "list", "--json", check=True).stdout)
    assert w["text"] == "Went to the gym twice"


@pytest.mark.parametrize(
    "args, message",
    [
        (("goal", "done", "zzzz"), "No goal with id 'zzzz'. `voicejournal goal list` shows them."),
        (("homework", "done", "zzzz"), "No homework with id 'zzzz'. `voicejournal homework list` shows it."),
        (("question", "asked", "zzzz"), "No question with id 'zzzz'. `voicejournal question list` shows them."),
        (("goal", "note", "zzzz", "hi"), "No goal with id 'zzzz'. `voicejournal goal list` shows them."),
        (("session", "add", "2026-02-30", "14:00"),
         "Could not understand the date '2026-02-30'. Try 2026-11-02, 'yesterday' or '3 weeks ago'."),
        (("session", "add", "2026-12-03", "25:00"), "Could not understand the time '25:00'. Try 14:00 or 2pm."),
        (("session", "add", "next", "tuesday"),
         "Give the DATE and TIME of the session (`voicejournal session add 2026-12-03 14:00`), or a calendar "
         "file with --from-ics FILE."),
        (("homework", "add", "Letter", "--due", "someday"),
         "Could not understand the date 'someday'. Try 2026-11-02, 'yesterday' or '3 weeks ago'."),
        (("review", "--since", "the other day"),
         "Could not understand the date 'the other day'. Try 2026-11-02, 'yesterday' or '3 weeks ago'."),
        (("question", "add", "  "), "The question is empty; write a few words."),
        (("session", "add", "2026-12-03", "14:00", "--note", "x"),
         "There is already a session then (ID); `voicejournal session list` shows it."),
        (("review", "--share", "--pick", "diary:1"),
         "Unknown pick 'diary:1'. Use question:ID, entry:ID, quote:ID@MM:SS, homework:ID, goal:ID, win:ID or mood."),
        (("import", "missing.zip"), "missing.zip does not exist."),
    ],
)  # fmt: skip
def test_bad_input_gets_one_clear_line(run_cli, args, message):
    if "--note" in args:  # the same session twice
        run_cli("session", "add", "2026-12-03", "2pm", check=True)
        message = message.replace("ID", json.loads(run_cli("session", "list", "--json").stdout)[0]["id"])
    proc = run_cli(*args)
    assert (proc.returncode, proc.stderr, proc.stdout) == (1, message + "\n", "")


def test_empty_review_through_the_cli(run_cli):
    proc = run_cli("review", check=True)
    assert proc.stdout == (
        "Nothing new in the last 14 days: no entries, questions or homework yet.\n"
        'To start: `voicejournal record`, or `voicejournal question add "…"` for your next session.\n'
    )


# --- backups -----------------------------------------------------------------------------------


def _snapshot(home):
    """Every record and every audio file's bytes, independent of ids' storage order."""
    journal = Journal(home)
    entries = sorted(journal.storage.all_entries(), key=lambda d: d["id"])
    tables = {t: sorted(journal.storage.all(t), key=lambda d: d.get("id", ""))
              for t in ("sessions", "goals", "homework", "questions", "wins")}  # fmt: skip
    audio = {p.relative_to(home).as_posix(): p.read_bytes() for p in sorted((home / "audio").rglob("*.flac"))}
    return entries, tables, audio


@pytest.fixture
def full_journal(run_cli, speech, vj_home, month):
    """The scripted month plus two real recordings."""
    for text, created in (
        ("My session today was about my mother.", at(24, 16)),
        ("Work was calmer this week.", at(30, 8)),
    ):
        run_cli("add", str(speech(text)), "--no-transcribe", "--date", created.isoformat(), check=True)
    return vj_home


def test_backup_round_trip_is_exact(run_cli, full_journal, tmp_path):
    backup = tmp_path / "backup.zip"
    proc = run_cli("export", str(backup), check=True)
    assert re.fullmatch(
        rf"Backed up 12 entries and 2 recordings to {re.escape(str(backup))} \(\d+\.\d MB\); "
        r"every file checked against its checksum\.\n",
        proc.stderr,
    )
    with zipfile.ZipFile(backup) as zf:
        names = zf.namelist()
    assert "manifest.json" in names and "journal.json" in names
    assert not [n for n in names if n.endswith((".lock", ".bak"))]
    fresh = tmp_path / "new-home"
    proc = run_cli("import", str(backup), env={"VOICEJOURNAL_HOME": str(fresh)}, check=True)
    assert proc.stderr == f"Restored 12 entries and 2 recordings from {backup}.\n"
    before, after = _snapshot(full_journal), _snapshot(fresh)
    assert after[0] == before[0]  # every entry, field for field
    assert after[1] == before[1]  # sessions, goals, homework, questions, wins
    assert after[2] == before[2] and len(after[2]) == 2  # audio byte for byte
    review_before = run_cli("review", "--json", check=True).stdout
    review_after = run_cli("review", "--json", env={"VOICEJOURNAL_HOME": str(fresh)}, check=True).stdout
    assert json.loads(review_after)["questions"] == json.loads(review_before)["questions"]
    # Importing the same backup again into a journal that has it all: nothing is duplicated.
    proc = run_cli("import", str(backup), check=True)
    assert proc.stderr == f"Merged {backup}: added 0 entries and 0 other items; skipped 29 already here.\n"
    assert _snapshot(full_journal) == before
    # Exporting over an existing file is refused.
    proc = run_cli("export", str(backup))
    assert proc.stderr == f"{backup} already exists; choose another name or move it away first.\n"


def test_merge_adds_what_is_missing(run_cli, full_journal, tmp_path):
    backup = tmp_path / "backup.zip"
    run_cli("export", str(backup), check=True)
    other = tmp_path / "other"
    env = {"VOICEJOURNAL_HOME": str(other)}
    run_cli("question", "add", "Something only here", env=env, check=True)
    proc = run_cli("import", str(backup), env=env, check=True)
    assert proc.stderr.startswith(f"Merged {backup}: added 12 entries and ")
    entries, tables, audio = _snapshot(other)
    assert len(entries) == 12 and len(audio) == 2
    assert "Something only here" in [q["text"] for q in tables["questions"]]
    assert audio == _snapshot(full_journal)[2]


def test_damaged_backup_changes_nothing(run_cli, full_journal, tmp_path):
    backup = tmp_path / "backup.zip"
    run_cli("export", str(backup), check=True)
    before = _snapshot(full_journal)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    proc = run_cli("import", str(cut))
    assert (proc.returncode, proc.stderr) == (
        1,
        "cut.zip is not a usable voicejournal backup (the zip file is damaged or cut short); nothing was changed.\n",
    )
    flipped = tmp_path / "flipped.zip"
    data = bytearray(backup.read_bytes())
    with zipfile.ZipFile(backup) as zf:
        info = zf.getinfo(next(n for n in zf.namelist() if n.endswith(".flac")))
    data[info.header_offset + 30 + len(info.filename) + 5000] ^= 0xFF  # one byte of stored audio
    flipped.write_bytes(bytes(data))
    proc = run_cli("import", str(flipped))
    assert (proc.returncode, proc.stderr) == (  # zip's own CRC notices before the manifest's sha256 does
        1,
        "flipped.zip is not a usable voicejournal backup (the zip file is damaged or cut short); "
        "nothing was changed.\n",
    )
    other = tmp_path / "notes.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes.txt", "hello")
    proc = run_cli("import", str(other))
    assert (
        proc.stderr
        == "notes.zip is not a usable voicejournal backup (it has no manifest); nothing was changed.\n"
    )
    assert _snapshot(full_journal) == before


def test_markdown_export_through_the_cli(run_cli, month, tmp_path):
    proc = run_cli("export", "--format", "markdown", str(tmp_path / "md"), check=True)
    assert proc.stderr == f"Wrote 10 Markdown files to {tmp_path / 'md'}.\n"
    assert len(list((tmp_path / "md").glob("*.md"))) == 10


def test_spoken_markers_from_a_real_recording(run_cli, speech):
    """Speech -> the real model -> a filed question and the mood, with the moment it was said."""
    wav = speech(
        "Today my session was about work. Question for my therapist. Is it normal to feel tired after "
        "every session? ... My mood today is six out of ten.",
        speed=140,
    )
    run_cli("add", str(wav), "--date", at(31, 12).isoformat(), check=True)  # today, before NOW
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    assert entry["mood"] == 3  # six out of ten
    [q] = json.loads(run_cli("question", "list", "--json", check=True).stdout)
    assert "normal" in q["text"].lower() and "tired" in q["text"].lower()
    assert q["entry"] == entry["id"] and 0 < q["offset"] < 6
    assert "Questions to bring (1)" in run_cli("review", check=True).stdout


def test_session_on_a_weekday_is_the_coming_one(run_cli):
    # Tue 1 Dec 2026: "thursday" is in two days, "tuesday" today, "next tuesday" a week on.
    at = {"now": "2026-12-01T09:00:00", "tz": "Europe/Berlin"}
    for when, said in (("thursday", "Thu 3 Dec"), ("tuesday", "Tue 1 Dec"), ("next tuesday", "Tue 8 Dec")):
        proc = run_cli("session", "add", when, "14:00", check=True, **at)
        assert proc.stderr.startswith(f"Added the session on {said}, 14:00 ("), proc.stderr
    starts = [s["start"][:16] for s in json.loads(run_cli("session", "list", "--json", **at).stdout)]
    assert sorted(starts) == ["2026-12-01T14:00", "2026-12-03T14:00", "2026-12-08T14:00"]
