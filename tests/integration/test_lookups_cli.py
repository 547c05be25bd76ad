"""show and tag through the real CLI: the same lines into a pipe as before, without loading rich there."""

from datetime import datetime, timedelta, timezone

from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.journal import Journal

NOW = "2026-12-01T18:00:00"
CREATED = datetime(2026, 11, 30, 20, 15, tzinfo=timezone(timedelta(hours=1)))


def test_show_prints_the_text_as_it_is_said(run_cli, vj_home):
    journal = Journal(vj_home)
    said = ["I wrote [bold]notes[/] :smile: today.", "Then\tI slept."]
    journal.save_entry(
        Entry(id="ab12", created=CREATED, status=DONE, kind="reflection", model="tiny.en", duration=9.0,
              segments=[Segment(0, 4, said[0]), Segment(4.5, 9, said[1])], text=" ".join(said)),
        new=True,
    )  # fmt: skip
    journal.tag("ab12", add=["[sleep]"])

    shown = run_cli("show", "ab12", now=NOW, tz="Europe/Berlin", check=True).stdout

    assert shown.splitlines() == [
        "ab12  2026-11-30 20:15  ·  reflection  ·  9 s  ·  model tiny.en",
        "Tags: [sleep]",
        "Themes: sleep",
        "",
        "00:00  I wrote [bold]notes[/] :smile: today.",
        "00:04  Then I slept.",  # one sentence a line, its spaces as one
    ]
    journal.edit_text("ab12", "I wrote notes today.")
    shown = run_cli("show", "ab12", now=NOW, tz="Europe/Berlin", check=True).stdout
    assert shown.splitlines()[-3:] == [
        "I wrote notes today.",
        "",
        "(edited by you; `--json` shows what was heard originally)",
    ]


def test_tag_prints_the_tags_and_keeps_what_the_text_gave(run_cli, vj_home):
    journal = Journal(vj_home)
    text = "I slept badly. Question for my therapist: why do I wake at four?"
    journal.save_entry(
        Entry(id="cd34", created=CREATED, status=DONE, segments=[Segment(0, 5, text)], text=text), new=True
    )
    before = journal.get("cd34")

    proc = run_cli("tag", "cd34", "+Night", "+#sleep", check=True)

    assert proc.stdout == "cd34: night, sleep\n"
    after = Journal(vj_home).get("cd34")
    assert (after.themes, after.mood, after.session) == (before.themes, before.mood, before.session)
    assert [q.text for q in Journal(vj_home).questions()] == ["Why do I wake at four?"]
    wrong = run_cli("tag", "cd34", "-work")
    assert (wrong.returncode, wrong.stderr) == (1, "Entry cd34 has no tag 'work'. Its tags: night, sleep.\n")
