"""A scripted month of journal life, used by the review tests (pure and through the CLI).

Four weekly sessions with Dr. Rivera at 14:00, a reflection after most of them, a few entries in
between, goals, homework and moods. Dates are relative to a fixed instant, NOW (Tuesday 1 December 2026,
18:00 local time), never to the real clock: the tests review at NOW (`Journal(now=...)` and
time-machine in-process, `run_cli(..., now=NOW)` through the CLI), so they pass on any day. The last
session was 7 days ago (Tue 24 Nov), the next one is tomorrow, and day 30 below is yesterday. NOW is after
14:00 so that the period since the last session is a little over 7 days and the 7 days before it begin
before the session of Tue 17 Nov (the themes comparison counts on that).
"""

from datetime import date, datetime, time, timedelta

NOW = datetime(2026, 12, 1, 18, 0).astimezone()
TODAY: date = NOW.date()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Day 1..30 of the scripted month (day 30 is yesterday, 31 is TODAY), local time."""
    moment = datetime.combine(TODAY - timedelta(days=31 - day), time(hour, minute))
    return moment.astimezone()


SESSION_PLAN = [
    (at(3, 14), "Dr. Rivera", None),
    (at(10, 14), "Dr. Rivera", None),
    (at(17, 14), "Dr. Rivera", "Talked about work stress"),
    (at(24, 14), "Dr. Rivera", "Sister, guilt, saying no"),
    (at(32, 14), "Dr. Rivera", None),
]

# (created, segments [(start, end, text)], themes {theme: [words]}, mood or None)
ENTRY_PLAN = [
    (
        at(3, 15, 10),
        [
            (0.0, 6.0, " Okay, first reflection after the session."),
            (6.0, 14.0, " We talked a lot about work and how I never say no when my manager asks for more."),
            (14.0, 20.0, " Goal: say no to extra work at least once a week."),
            (20.0, 26.0, " Mood, four out of ten."),
        ],
        {"work": ["work", "manager"]},
        None,
    ),
    (
        at(6, 22, 30),
        [
            (0.0, 7.0, " Couldn't sleep again, I was lying awake thinking about the deadline at work."),
            (7.0, 13.0, " I want to ask her whether the sleep problems are related to the work stress."),
        ],
        {"work": ["work", "deadline"], "sleep": ["sleep"]},
        2,
    ),
    (
        at(10, 15, 0),
        [
            (0.0, 8.0, " Session today was hard, we talked about my mother and the holidays."),
            (8.0, 15.0, " Homework: breathing exercise every evening before bed."),
            (15.0, 22.0, " I feel like I always have to be the one who keeps the peace in the family."),
        ],
        {"family": ["mother", "family"]},
        3,
    ),
    (
        at(14, 9, 15),
        [
            (0.0, 9.0, " Work was a disaster this week, three deadlines and my manager is stressed."),
            (9.0, 15.0, " Question for my therapist: can we talk about the job interview next month?"),
        ],
        {"work": ["work", "manager", "deadlines"]},
        2,
    ),
    (
        at(17, 15, 30),
        [
            (0.0, 8.0, " Short one. We mostly talked about work again, and the interview."),
            (8.0, 12.0, " I'm tired."),
        ],
        {"work": ["work"]},
        2,
    ),
    (
        at(20, 21, 0),
        [
            (0.0, 8.0, " The breathing exercise helped on Tuesday and Wednesday, not so much on Thursday."),
            (8.0, 16.0, " Work is still too much, I stayed late every day."),
        ],
        {"work": ["work"]},
        3,
    ),
    # --- since the last session (24 Nov, 14:00) ---
    (
        at(24, 15, 10),
        [
            (0.0, 7.0, " Today we talked about the argument with my sister,"),
            (7.0, 13.0, " and why I always end up apologising, even when I didn't do anything wrong."),
            (13.0, 18.0, " Um, question for my therapist,"),
            (18.0, 24.0, " is it normal to feel relieved and guilty at the same time?"),
            (24.0, 31.0, " Homework: write the letter to Dad, but don't send it."),
            (31.0, 36.0, " Mood, I'd say six out of ten."),
        ],
        {"family": ["sister", "dad"], "guilt": ["guilty", "apologising"]},
        None,
    ),
    (
        at(26, 8, 0),
        [
            (0.0, 7.0, " I managed to sleep before midnight three nights in a row."),
            (7.0, 14.0, " My sister called and I didn't pick up, and then I felt guilty the whole evening."),
        ],
        {"family": ["sister"], "guilt": ["guilty"], "sleep": ["sleep"]},
        3,
    ),
    (
        at(28, 18, 45),
        [
            (0.0, 9.0, " Small win: I said no to the extra project and nothing terrible happened."),
            (9.0, 17.0, " My manager just said okay. I was so anxious before, and then relieved."),
            (17.0, 24.0, " I should bring up the thing with my mother at the next session."),
        ],
        {"work": ["project", "manager"], "family": ["mother"]},
        4,
    ),
    (
        at(30, 19, 0),
        [
            (
                0.0,
                8.0,
                " Sunday was hard, I skipped the breathing exercise and felt the old panic coming back.",
            ),
            (8.0, 15.0, " But I noticed it and called a friend instead of staying in bed."),
            (15.0, 20.0, " Why do I always do this?"),
        ],
        {"sleep": ["bed"]},
        3,
    ),
]

GOAL_PLAN = [
    ("Sleep before midnight", at(3, 16)),
    # "say no to extra work" is filed by voice in the first entry
]

HOMEWORK_DONE_NOTE = "did it 5 of 7 nights, hardest on Sunday"
MANUAL_QUESTION = "Could we meet every two weeks in January?"
MANUAL_WIN = "Went to the gym twice"
LETTER_DUE = TODAY


def build_month(journal) -> dict:
    """Fill a Journal with the scripted month; returns the ids the tests look for."""
    from voicejournal.core.entry import DONE, Entry, Segment, segments_text

    planner = journal.planner
    for start, with_name, note in SESSION_PLAN:
        planner.add_session(start, with_name, note)
    for text, created in GOAL_PLAN:
        planner.add_goal(text, created)
    ids = []
    for created, segments, themes, mood in ENTRY_PLAN:
        segs = [Segment(*s) for s in segments]
        entry = Entry(
            id=journal.new_entry_id(),
            created=created,
            kind="reflection",
            status=DONE,
            segments=segs,
            text=segments_text(segs),
            duration=segments[-1][1] * 10,  # a longer talk than the lines quoted here
            themes=themes,
            mood=mood,
            language="en",
        )
        journal.save_entry(entry, new=True)
        ids.append(entry.id)
    ids_by = {"entries": ids}
    breathing = next(h for h in journal.homework() if "breathing" in h.text.lower())
    planner.finish_homework(breathing.id, at(29, 10), HOMEWORK_DONE_NOTE)
    letter = next(h for h in journal.homework() if "letter" in h.text.lower())
    letter.due = LETTER_DUE
    planner.storage.update("homework", letter.id, letter.to_doc())
    asked = next(q for q in journal.questions() if "sleep problems" in q.text)
    planner.mark_asked(asked.id, at(10, 14, 30))
    ids_by["manual_question"] = planner.add_question(MANUAL_QUESTION, at(27, 10)).id
    ids_by["manual_win"] = planner.add_win(MANUAL_WIN, at(27, 11)).id
    ids_by["breathing"], ids_by["letter"], ids_by["asked"] = breathing.id, letter.id, asked.id
    return ids_by
