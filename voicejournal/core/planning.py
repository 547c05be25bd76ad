"""Therapy planning records: sessions, goals, homework, questions and wins (pure data and rules).

Dataclasses above the storage boundary, plain dicts in the journal's small tables below it, and the two
links between them and the entries: a recording made within a few hours after a session is that session's
reflection, and an entry that mentions a goal's words counts as progress on that goal.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from voicejournal.core.entry import TYPED
from voicejournal.core.markers import GOAL, HOMEWORK, QUESTION, WIN, Marker
from voicejournal.core.text import content_words, mentions, words_of

SESSIONS, GOALS, HOMEWORK_TABLE, QUESTIONS, WINS = "sessions", "goals", "homework", "questions", "wins"
REFLECTION_HOURS = 6  # a recording this long after a session started is that session's reflection


def _compact(doc: dict) -> dict:
    # Identity checks: an offset of 0.0 is a real value (0.0 == False).
    return {
        k: v
        for k, v in doc.items()
        if not (v is None or v is False or (isinstance(v, str | list | dict) and not v))
    }


def _doc_of(record, **overrides) -> dict:
    """A record as its stored dict: dates as ISO text, empty fields left out."""
    doc = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, datetime):
            value = value.isoformat(timespec="seconds")
        elif isinstance(value, date):
            value = value.isoformat()
        doc[f.name] = value
    doc.update(overrides)
    return _compact(doc)


def _record_of(cls, doc: dict, **overrides):
    """A record from its stored dict (dates parsed by each field's declared type)."""
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in doc:
            continue
        value = doc[f.name]
        if value and "datetime" in f.type:
            value = datetime.fromisoformat(value)
        elif value and "date" in f.type:
            value = date.fromisoformat(value)
        values[f.name] = value
    values.update(overrides)
    return cls(**values)


@dataclass
class Session:
    id: str
    start: datetime
    with_name: str | None = None
    note: str | None = None
    uid: str | None = None  # the calendar event it was imported from (`session add --from-ics`)

    def to_doc(self) -> dict:
        return _compact({"id": self.id, "start": self.start.isoformat(timespec="seconds"),
                         "with": self.with_name, "note": self.note, "uid": self.uid})  # fmt: skip

    @classmethod
    def from_doc(cls, doc: dict) -> Session:
        return cls(doc["id"], datetime.fromisoformat(doc["start"]), doc.get("with"), doc.get("note"),
                   doc.get("uid"))  # fmt: skip


@dataclass
class GoalNote:
    created: datetime
    text: str


@dataclass
class Goal:
    id: str
    text: str
    created: datetime
    words: list[str] = field(default_factory=list)  # chosen by the person; else derived from the text
    notes: list[GoalNote] = field(default_factory=list)
    done: datetime | None = None
    entry: str | None = None  # filed by voice in this entry…
    offset: float | None = None  # …at this time

    @property
    def match_words(self) -> list[str]:
        return self.words or content_words(self.text)

    def to_doc(self) -> dict:
        notes = [{"created": n.created.isoformat(timespec="seconds"), "text": n.text} for n in self.notes]
        return _doc_of(self, notes=notes)

    @classmethod
    def from_doc(cls, doc: dict) -> Goal:
        notes = [GoalNote(datetime.fromisoformat(n["created"]), n["text"]) for n in doc.get("notes", ())]
        return _record_of(cls, doc, notes=notes, words=list(doc.get("words", ())))


@dataclass
class Homework:
    id: str
    text: str
    created: datetime
    due: date | None = None
    done: datetime | None = None
    note: str | None = None  # how it went
    entry: str | None = None
    offset: float | None = None

    def to_doc(self) -> dict:
        return _doc_of(self)

    @classmethod
    def from_doc(cls, doc: dict) -> Homework:
        return _record_of(cls, doc)


@dataclass
class Question:
    id: str
    text: str
    created: datetime
    asked: datetime | None = None
    entry: str | None = None  # None: added by hand
    offset: float | None = None
    explicit: bool = True  # said with "Question for my therapist", typed, or only found by its phrasing

    def to_doc(self) -> dict:
        return _doc_of(self, explicit=None if self.explicit else "no")

    @classmethod
    def from_doc(cls, doc: dict) -> Question:
        return _record_of(cls, doc, explicit=doc.get("explicit") != "no")


@dataclass
class Win:
    id: str
    text: str
    created: datetime
    entry: str | None = None
    offset: float | None = None

    def to_doc(self) -> dict:
        return _doc_of(self)

    @classmethod
    def from_doc(cls, doc: dict) -> Win:
        return _record_of(cls, doc)


RECORDS = {SESSIONS: Session, GOALS: Goal, HOMEWORK_TABLE: Homework, QUESTIONS: Question, WINS: Win}
MARKER_TABLES = {QUESTION: QUESTIONS, HOMEWORK: HOMEWORK_TABLE, GOAL: GOALS, WIN: WINS}


# --- links ----------------------------------------------------------------------------------------


def session_for(
    created: datetime, sessions: list[Session], hours: float = REFLECTION_HOURS
) -> Session | None:
    """The session an entry made at `created` reflects on: one that started up to `hours` before it.

    `sessions` must be sorted by start (as `Planner.records` returns them).
    """
    index = bisect.bisect_right([s.start for s in sessions], created) - 1
    if index >= 0 and created <= sessions[index].start + timedelta(hours=hours):
        return sessions[index]
    return None


def reflects_on_session(entry) -> bool:
    """Whether an entry made in the hours after a session is that session's reflection: a recording
    (kind reflection) or a note typed then (`voicejournal write`), not an imported old journal."""
    return entry.kind == "reflection" or entry.source == TYPED


def last_session(sessions: list[Session], now: datetime) -> Session | None:
    past = [s for s in sessions if s.start <= now]
    return max(past, key=lambda s: s.start) if past else None


def next_session(sessions: list[Session], now: datetime) -> Session | None:
    future = [s for s in sessions if s.start > now]
    return min(future, key=lambda s: s.start) if future else None


def mentions_goal(text: str, goal: Goal) -> bool:
    """Whether a transcript talks about a goal.

    With the person's own words any one of them counts; with words taken from the goal's text, at least
    two of them (or the only one) must appear, so "sleep before midnight" is not matched by any sleep.
    """
    return bool(text) and goal_in_words(words_of(text), goal)


def goal_in_words(present: frozenset[str], goal: Goal) -> bool:
    """`mentions_goal` for a text whose folded words (`words_of`) are `present`: found once per text
    when many goals are looked for in it."""
    if goal.words:
        return any(mentions(present, w) for w in goal.words)
    wanted = content_words(goal.text)
    if not wanted:
        return False
    hits = sum(1 for w in wanted if mentions(present, w))
    return hits >= min(2, len(wanted))


# --- markers -> records ---------------------------------------------------------------------------


def record_from_marker(marker: Marker, record_id: str, created: datetime):
    """The question / homework / goal / win a spoken marker files (moods go on the entry itself)."""
    common = {"id": record_id, "text": marker.text, "created": created, "entry": marker.entry_id,
              "offset": marker.offset}  # fmt: skip
    if marker.kind == QUESTION:
        return Question(**common, explicit=marker.explicit)
    if marker.kind == HOMEWORK:
        return Homework(**common)
    if marker.kind == GOAL:
        return Goal(**common)
    if marker.kind == WIN:
        return Win(**common)
    raise ValueError(marker.kind)


def marker_key(kind: str, text: str) -> str:
    """Identity of a filed item within its entry, so transcribing again does not file it twice."""
    return kind + ":" + " ".join(re.findall(r"\w+", text.lower()))
