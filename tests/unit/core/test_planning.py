"""Sessions, goals, homework, questions and wins: records, links and filing spoken markers."""

import contextlib
import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from voicejournal.core.markers import Marker
from voicejournal.core.planning import (
    GOALS,
    HOMEWORK_TABLE,
    QUESTIONS,
    SESSIONS,
    WINS,
    Goal,
    Homework,
    Question,
    Session,
    Win,
    last_session,
    mentions_goal,
    next_session,
    session_for,
)
from voicejournal.core.text import content_words
from voicejournal.errors import EntryNotFoundError, UsageError
from voicejournal.services.planning import Planner

TZ = timezone(timedelta(hours=1))
T0 = datetime(2026, 11, 24, 14, 0, tzinfo=TZ)


class MemoryStorage:
    """Just the small-table part of Storage."""

    def __init__(self):
        self.tables = {}
        self.ids = (f"r{n:02d}" for n in itertools.count())

    @contextlib.contextmanager
    def transaction(self):
        yield

    def all(self, table):
        return [dict(d) for d in self.tables.get(table, [])]

    def get(self, table, record_id):
        return next((d for d in self.all(table) if d["id"] == record_id), None)

    def insert(self, table, doc):
        self.tables.setdefault(table, []).append(dict(doc))

    def update(self, table, record_id, doc):
        self.tables[table] = [dict(doc) if d["id"] == record_id else d for d in self.tables[table]]

    def remove(self, table, record_id):
        self.tables[table] = [d for d in self.tables.get(table, []) if d["id"] != record_id]

    def new_id(self):
        return next(self.ids)


@pytest.fixture
def planner():
    return Planner(MemoryStorage())


def test_records_round_trip_through_docs():
    records = [
        Session("s1", T0, "Dr. Rivera", "talked about sleep"),
        Goal("g1", "Sleep before midnight", T0, words=["sleep"], done=T0 + timedelta(days=3)),
        Homework("h1", "Write the letter", T0, due=date(2026, 11, 27), note="hard", entry="a3f", offset=12.5),
        Question("q1", "Is it normal?", T0, asked=None, entry="a3f", offset=3.0, explicit=False),
        Win("w1", "Said no", T0),
    ]
    for record in records:
        assert type(record).from_doc(record.to_doc()) == record
    assert Session("s2", T0).to_doc() == {"id": "s2", "start": "2026-11-24T14:00:00+01:00"}


def test_reflection_links_to_the_session_it_follows():
    sessions = [Session("a", T0), Session("b", T0 + timedelta(days=7))]
    assert session_for(T0 + timedelta(hours=1), sessions).id == "a"
    assert session_for(T0 + timedelta(hours=5, minutes=59), sessions).id == "a"
    assert session_for(T0 + timedelta(hours=7), sessions) is None
    assert session_for(T0 - timedelta(minutes=5), sessions) is None
    now = T0 + timedelta(days=3)
    assert last_session(sessions, now).id == "a"
    assert next_session(sessions, now).id == "b"
    assert next_session(sessions, T0 + timedelta(days=8)) is None


def test_goal_mentions():
    goal = Goal("g", "Sleep before midnight", T0)
    assert content_words(goal.text) == ["sleep", "midnight"]
    assert mentions_goal("I managed to sleep before midnight three nights in a row.", goal)
    assert mentions_goal("Sleeping before Midnight is getting easier", goal)
    assert not mentions_goal("I could not sleep at all.", goal)
    own = Goal("g", "Sleep before midnight", T0, words=["bed", "slept"])
    assert mentions_goal("I was in bed by eleven.", own)
    assert not mentions_goal("", own)
    single = Goal("g", "Exercise", T0)
    assert mentions_goal("Did my exercise today", single)


def test_planner_adds_finds_and_marks(planner):
    session = planner.add_session(T0, "Dr. Rivera")
    assert planner.find(SESSIONS, session.id) == session
    goal = planner.add_goal("  Sleep before   midnight ", T0)
    assert goal.text == "Sleep before midnight"
    planner.note_goal(goal.id, "three nights in a row", T0 + timedelta(days=2))
    planner.finish_goal(goal.id, T0 + timedelta(days=5))
    stored = planner.find(GOALS, goal.id)
    assert [n.text for n in stored.notes] == ["three nights in a row"]
    assert stored.done == T0 + timedelta(days=5)
    hw = planner.add_homework("Breathing every evening", T0, due=date(2026, 11, 27))
    planner.finish_homework(hw.id, T0 + timedelta(days=3), note="5 of 7 nights")
    assert planner.find(HOMEWORK_TABLE, hw.id).note == "5 of 7 nights"
    q = planner.add_question("Can we talk about the job?", T0)
    planner.mark_asked(q.id, T0 + timedelta(days=7))
    assert planner.find(QUESTIONS, q.id).asked == T0 + timedelta(days=7)
    planner.add_win("Said no to the project", T0)
    assert [w.text for w in planner.records(WINS)] == ["Said no to the project"]


def test_planner_errors(planner):
    with pytest.raises(EntryNotFoundError) as err:
        planner.find(GOALS, "zzz")
    assert str(err.value) == "No goal with id 'zzz'. `voicejournal goal list` shows them."
    with pytest.raises(UsageError) as err:
        planner.add_question("   ", T0)
    assert str(err.value) == "The question is empty; write a few words."
    planner.add_win("one", T0)  # id r00
    planner.add_win("two", T0)  # id r01
    with pytest.raises(UsageError) as err:
        planner.find(WINS, "r0")
    assert str(err.value) == "'r0' could be the win r00, r01; type more of the id."
    assert planner.find(WINS, "R01").text == "two"


def test_filing_markers_is_idempotent_and_follows_corrections(planner):
    markers = [
        Marker("question", "Is it normal to feel relieved?", "e1", 4.0),
        Marker("homework", "Write the letter to Dad.", "e1", 13.0),
        Marker("goal", "Sleep before midnight.", "e1", 20.0),
        Marker("win", "I said no.", "e1", 25.0),
        Marker("mood", "Mood: six out of ten", "e1", 30.0, value=3),
    ]
    filed = planner.file_markers("e1", T0, markers)
    assert [type(r).__name__ for r in filed] == ["Question", "Homework", "Goal", "Win"]
    assert planner.file_markers("e1", T0, markers) == []
    q = planner.records(QUESTIONS)[0]
    assert (q.entry, q.offset, q.created) == ("e1", 4.0, T0)
    planner.mark_asked(q.id, T0)
    # The transcript was corrected: the question and the win are gone from it.
    planner.file_markers("e1", T0, markers[1:3])
    assert [r.text for r in planner.records(QUESTIONS)] == ["Is it normal to feel relieved?"]  # asked: kept
    assert planner.records(WINS) == []
    planner.forget_entry("e1")
    assert planner.records(HOMEWORK_TABLE) == [] and planner.records(GOALS) == []
    assert len(planner.records(QUESTIONS)) == 1
