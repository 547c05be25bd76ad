"""The pre-session review over a scripted month, through the Journal API, in every format."""

import re
from collections import Counter
from datetime import timedelta

import pytest

from tests.month import HOMEWORK_DONE_NOTE, MANUAL_QUESTION, MANUAL_WIN, NOW, at, build_month
from voicejournal.core.brief import MAX_ENTRIES_SHOWN
from voicejournal.core.entry import DONE, Entry, Segment
from voicejournal.core.wording import day
from voicejournal.errors import EntryNotFoundError, UsageError
from voicejournal.journal import Journal
from voicejournal.render.html import render_html, render_share_html
from voicejournal.render.markdown import render_markdown, render_share_markdown
from voicejournal.render.text import render_plain


@pytest.fixture(autouse=True)
def at_now(time_machine):
    """Every review here is made at the scripted month's NOW, whatever the real date (the dates the
    brief prints, such as a year shown only when it is not this one, follow the clock too)."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def journal(vj_home):
    return Journal(vj_home, now=lambda: NOW)


@pytest.fixture
def month(journal):
    return build_month(journal)


def test_review_covers_the_period_since_the_last_session(journal, month):
    review = journal.review()
    assert review.since_session.start == at(24, 14)
    assert review.next_session.start == at(32, 14)
    assert review.entry_count == 4
    assert [e.id for e in review.entries] == month["entries"][-4:]
    # Questions: unasked ones from any time, oldest first, with how long they have been carried.
    assert [(q.question.text, q.carried) for q in review.questions] == [
        ("Can we talk about the job interview next month?", 2),
        ("Is it normal to feel relieved and guilty at the same time?", 0),
        (MANUAL_QUESTION, 0),
        ("I should bring up the thing with my mother at the next session", 0),
    ]
    assert [(h.homework.text, h.done, h.homework.note) for h in review.homework] == [
        ("Write the letter to Dad, but don't send it", False, None),
        ("Breathing exercise every evening before bed", True, HOMEWORK_DONE_NOTE),
    ]
    goals = {g.goal.text: g for g in review.goals}
    assert goals["Sleep before midnight"].mentions == 1
    assert (
        goals["Sleep before midnight"].latest.text
        == "I managed to sleep before midnight three nights in a row."
    )
    assert goals["Say no to extra work at least once a week"].mentions == 1
    # Themes against the 7 days before, counted from what each entry carries (set by the themes detector
    # on save when there is one, else the scripted ones).
    stored = journal.entries(since=at(17, 14))
    now = Counter(t for e in stored if e.created >= at(24, 14) for t in e.themes)
    before = Counter(t for e in stored if e.created < at(24, 14) for t in e.themes)
    expected = sorted(set(now) | set(before), key=lambda n: (-max(now[n], before[n]), n))[:8]
    assert [(t.name, t.now, t.before) for t in review.themes] == [(n, now[n], before[n]) for n in expected]
    assert ("family", 3, 0) in [(t.name, t.now, t.before) for t in review.themes]
    # The first reflection had no --mood: "Mood, I'd say six out of ten" gave it a 3.
    assert [p.value for p in review.mood.points] == [3, 3, 4, 3]
    assert review.mood.previous_average == 2.5
    assert [w.text for w in review.wins] == [
        "I managed to sleep before midnight three nights in a row",
        MANUAL_WIN,
        "I said no to the extra project and nothing terrible happened",
    ]
    assert review.entries[0].session.id == review.since_session.id


def test_text_brief_reads_like_the_sketch(journal, month):
    text = render_plain(journal.review())
    lines = text.splitlines()
    assert lines[0] == f"Since your session on {day(at(24, 14))} (7 days): 4 reflections, 16 min"
    assert lines[1] == f"Next session: {day(at(32, 14))}, 14:00 with Dr. Rivera (tomorrow)"
    assert "Questions to bring (4)" in lines
    assert "  • Can we talk about the job interview next month?   carried from 2 sessions ago" in lines
    assert (
        f"  • Is it normal to feel relieved and guilty at the same time?   {day(at(24, 15))}, at 0:13"
        in lines
    )
    assert "  ○ Write the letter to Dad, but don't send it (due today)" in lines
    assert f'  ✓ Breathing exercise every evening before bed — "{HOMEWORK_DONE_NOTE}"' in lines
    assert "Themes vs the 7 days before" in lines
    assert "family ↑ (3 vs 0)" in text
    assert "  3 · 3 · 4 · 3   average 3.2 of 5   (previous period average 2.5)" in lines
    assert f'  • "{MANUAL_WIN}" — {day(at(27, 11))}' in lines
    assert (
        '    "My sister called and I didn\'t pick up, and then I felt guilty the whole evening." (0:07)'
        in lines
    )
    assert "sleep problems" not in text  # asked before: not carried
    assert "Traceback" not in text and "None" not in text


def test_markdown_brief(journal, month):
    md = render_markdown(journal.review())
    assert md.startswith("# Before your session\n\n**Since your session on")  # the next one is known
    assert "## Questions to bring (4)" in md
    assert "- [ ] Can we talk about the job interview next month? — _carried from 2 sessions ago_" in md
    assert f'- [x] Breathing exercise every evening before bed — "{HOMEWORK_DONE_NOTE}"' in md
    assert "- [ ] Write the letter to Dad, but don't send it _(due today)_" in md
    assert "| family | 3 | 0 | ↑ |" in md
    assert "## Small wins" in md and "## What you said" in md
    assert "> I managed to sleep before midnight three nights in a row. (0:00)" in md


def test_html_brief_is_one_self_contained_page(journal, month):
    page = render_html(journal.review())
    assert page.startswith("<!doctype html>")
    for fetches in ("<script", "<link", "src=", "href=", "url(", "@import", "https://"):
        assert fetches not in page
    assert page.count("<svg") == 2  # mood and themes charts
    assert "Questions to bring (4)" in page
    assert "don&#39;t send it" in page  # every user text is escaped
    assert "@media print" in page


def test_user_text_cannot_break_the_page_or_the_markup(journal):
    journal.planner.add_question("<script>alert(1)</script> [bold]is *this* ok?[/]", NOW - timedelta(hours=1))
    review = journal.review()
    assert "<script>" not in render_html(review)
    assert "[bold]is *this* ok?[/]" in render_plain(review)
    assert r"\<script\>alert(1)\</script\> \[bold\]is \*this\* ok?\[/\]" in render_markdown(review)


def test_empty_review_is_friendly(journal):
    journal.add_session((NOW - timedelta(days=3)).date().isoformat(), "14:00", "Dr. Rivera")
    review = journal.review()
    assert review.is_empty
    text = render_plain(review)
    assert text.splitlines() == [
        f"Nothing new since your session on {day(NOW - timedelta(days=3))}: no entries, questions or homework yet.",
        'To start: `voicejournal record`, or `voicejournal question add "…"` for your next session.',
    ]
    assert "Nothing new since your session" in render_html(review)
    assert "Nothing new since your session" in render_markdown(review)


def test_without_any_session_the_last_two_weeks_are_reviewed(journal):
    journal.planner.add_win("Went for a run", NOW - timedelta(days=2))
    review = journal.review()
    assert review.default_period and review.days == 14
    assert render_plain(review).splitlines()[0] == "The last 14 days: no entries yet"


def test_since_replaces_the_last_session(journal, month):
    review = journal.review(since=at(1, 0))
    assert review.entry_count == 10
    assert len(review.sessions) == 4  # every session in the month is listed
    sessions = ", ".join(day(at(d, 14)) for d in (3, 10, 17, 24))
    assert render_plain(review).splitlines()[1] == f"Sessions in this period: {sessions}"


def test_a_long_period_shows_the_most_telling_entries(journal):
    for i in range(MAX_ENTRIES_SHOWN + 5):
        text = "Nothing much happened today." if i % 2 else "I felt so guilty and anxious after the call."
        entry = Entry(id=journal.new_entry_id(), created=NOW - timedelta(days=1, hours=i), status=DONE,
                      segments=[Segment(0, 5, text)], text=text)  # fmt: skip
        journal.save_entry(entry, new=True)
    review = journal.review()
    assert review.entry_count == MAX_ENTRIES_SHOWN + 5
    assert len(review.entries) == MAX_ENTRIES_SHOWN
    assert f"What you said (the {MAX_ENTRIES_SHOWN} most telling of {MAX_ENTRIES_SHOWN + 5})" in render_plain(
        review
    )


def test_saving_an_entry_files_markers_takes_mood_and_links_the_session(journal):
    session = journal.add_session((NOW - timedelta(days=1)).date().isoformat(), "10:00")
    segments = [Segment(0, 4, "Question for my therapist:"), Segment(4, 9, " can we talk about my dad?"),
                Segment(9, 12, " Mood is a four.")]  # fmt: skip
    entry = Entry(id=journal.new_entry_id(), created=session.start + timedelta(hours=2), status=DONE,
                  segments=segments, text="x")  # fmt: skip
    entry.text = " ".join(s.text.strip() for s in segments)
    journal.save_entry(entry, new=True)
    saved = journal.get(entry.id)
    assert (saved.mood, saved.session) == (4, session.id)
    [q] = journal.questions()
    assert (q.text, q.entry, q.offset) == ("Can we talk about my dad?", entry.id, 0.0)
    journal.save_entry(saved)  # saving again files nothing twice
    assert len(journal.questions()) == 1
    assert [type(r).__name__ for r in journal.filed_from(entry.id)] == ["Question"]
    saved.mood = 2  # the person's own mood wins over the spoken one
    journal.save_entry(saved)
    assert journal.get(entry.id).mood == 2
    journal.forget_filed(entry.id)
    assert journal.questions() == []


def test_what_record_shows_before_recording(journal):
    hour_ago = NOW - timedelta(hours=1)
    session = journal.add_session(hour_ago.date().isoformat(), hour_ago.strftime("%H:%M"), "Dr. Rivera")
    journal.planner.add_homework("Breathing exercise every evening", NOW)
    linked, open_homework = journal.before_recording(NOW)
    assert linked.id == session.id
    assert [h.text for h in open_homework] == ["Breathing exercise every evening"]


def test_a_session_added_later_claims_its_reflection(journal):
    created = NOW - timedelta(days=2)
    entry = Entry(id=journal.new_entry_id(), created=created, status=DONE, segments=[Segment(0, 3, "Hard one.")],
                  text="Hard one.")  # fmt: skip
    journal.save_entry(entry, new=True)
    before = created - timedelta(hours=1)
    session = journal.add_session(before.date().isoformat(), before.strftime("%H:%M"))
    assert journal.get(entry.id).session == session.id


def test_share_holds_only_what_was_picked(journal, month):
    review = journal.review()
    question = review.questions[1].question
    sister = month["entries"][-3]
    share = journal.share([f"question:{question.id}", f"quote:{sister}@0:07"])
    page = render_share_html(share)
    assert question.text in page
    assert "My sister called and I didn&#39;t pick up" in page
    for private in ("job interview", "letter to Dad", "Breathing", "midnight", "Mood", "family", MANUAL_WIN,
                    "anxious"):  # fmt: skip
        assert private not in page, private
    md = render_share_markdown(share)
    assert md.startswith(f"# Notes for my session on {day(at(32, 14))} with Dr. Rivera\n")
    assert "- [ ] Is it normal to feel relieved and guilty at the same time?" in md
    whole = render_share_html(journal.share([f"entry:{sister}", "mood"]))
    assert "the whole evening" in whole and "<svg" in whole


def test_share_bad_picks(journal, month):
    with pytest.raises(UsageError) as err:
        journal.share(["feelings:1"])
    assert str(err.value) == (
        "Unknown pick 'feelings:1'. Use question:ID, entry:ID, quote:ID@MM:SS, homework:ID, goal:ID, win:ID or mood."
    )
    with pytest.raises(EntryNotFoundError) as err:
        journal.share(["question:zzzz"])
    assert str(err.value) == "No question with id 'zzzz'. `voicejournal question list` shows them."
    with pytest.raises(EntryNotFoundError) as err:
        journal.share(["entry:zzzz"])
    assert str(err.value) == "No entry with id 'zzzz'. `voicejournal list` shows recent ids."
    with pytest.raises(UsageError) as err:
        journal.share([f"quote:{month['entries'][0]}@soon"])
    assert str(err.value) == "'soon' is not a time in the recording; write it like 02:13."


def test_markdown_export_of_transcripts(journal, month, tmp_path):
    files = journal.export_markdown(tmp_path / "out")
    assert len(files) == 10
    first = files[0].read_text()
    assert re.match(
        r"---\ndate: \d{4}-\d\d-\d\dT15:10:00[+-]\d\d:\d\d\nid: \w+\nkind: reflection\nduration: 4 min\n"
        r"mood: 2\nthemes: \[work.*\]\n---\n\n\*\*\[0:00\]\*\* Okay, first reflection after the session\. ",
        first,
    )
    [single] = journal.export_markdown(tmp_path / "all.md")
    text = single.read_text()
    assert text.count("\n## ") == 10
    assert re.search(
        r"\n## \w{3} \d\d \w{3} \d{4}, 15:10\n\n_reflection · id \w+ · 4 min · mood 2/5 · themes: work[\w, ]*_",
        text,
    )
    with pytest.raises(UsageError) as err:
        journal.export_markdown(tmp_path / "nowhere" / "all.md")
    assert (
        str(err.value)
        == f"The folder {tmp_path / 'nowhere'} does not exist; create it first or choose another place."
    )


def test_interactive_share_picker(journal, month, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from voicejournal.cli import review as review_command
    from voicejournal.cli import root as cli

    monkeypatch.setattr(review_command, "interactive", lambda: True)
    target = tmp_path / "share.html"
    result = CliRunner().invoke(cli.cli, ["review", "--share", "-o", str(target)], input="1 3\n")
    assert result.exit_code == 0, result.output
    assert "What would you like to share?" in result.output
    assert "   1. Question: Can we talk about the job interview next month?" in result.output
    page = target.read_text()
    assert "Can we talk about the job interview next month?" in page
    assert MANUAL_QUESTION in page
    assert "relieved and guilty" not in page
    result = CliRunner().invoke(cli.cli, ["review", "--share", "-o", str(target)], input="99\n")
    assert result.exit_code == 2 and "'99' is not one of the numbers shown." in result.output


def test_a_question_said_twice_is_brought_once(journal):
    for days_ago in (3, 1):
        text = "Question for my therapist: can we talk about my dad?"
        entry = Entry(id=journal.new_entry_id(), created=NOW - timedelta(days=days_ago), status=DONE,
                      segments=[Segment(0, 4, text)], text=text)  # fmt: skip
        journal.save_entry(entry, new=True)
    review = journal.review()
    assert [q.question.text for q in review.questions] == ["Can we talk about my dad?"]
    assert review.questions[0].question.created.date() == (NOW - timedelta(days=3)).date()  # the first time
    journal.planner.mark_asked(review.questions[0].question.id, NOW)
    assert journal.review().questions == []  # asking it once answers both
