"""Therapy planning records: sessions, goals, homework, questions and wins.

Dataclasses above the storage boundary, plain dicts in the journal's small tables below it, and the two
links between them and the entries: a recording made within a few hours after a session is that session's
reflection, and an entry that mentions a goal's words counts as progress on that goal.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from voicejournal.markers import GOAL, HOMEWORK, QUESTION, WIN, Marker

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

    def to_doc(self) -> dict:
        return _compact({"id": self.id, "start": self.start.isoformat(timespec="seconds"),
                         "with": self.with_name, "note": self.note})  # fmt: skip

    @classmethod
    def from_doc(cls, doc: dict) -> Session:
        return cls(doc["id"], datetime.fromisoformat(doc["start"]), doc.get("with"), doc.get("note"))


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


def last_session(sessions: list[Session], now: datetime) -> Session | None:
    past = [s for s in sessions if s.start <= now]
    return max(past, key=lambda s: s.start) if past else None


def next_session(sessions: list[Session], now: datetime) -> Session | None:
    future = [s for s in sessions if s.start > now]
    return min(future, key=lambda s: s.start) if future else None


_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each every few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just least less let
    like make me more most much my myself no nor not now of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then there these
    they this those through to too try under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves day days week weeks time times each per get
    go going keep start stop less more better"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def content_words(text: str) -> list[str]:
    """The words of a goal that show it is being talked about ("Sleep before midnight" -> sleep, midnight)."""
    words = re.findall(r"[a-z][a-z'’]+", text.lower())
    seen: list[str] = []
    for word in words:
        word = word.replace("’", "'")
        if word not in _STOPWORDS and len(word) > 2 and word not in seen:
            seen.append(word)
    return seen


_IRREGULAR = {
    "said": "say", "says": "say", "slept": "sleep", "went": "go", "gone": "go", "felt": "feel", "ran": "run",
    "ate": "eat", "wrote": "write", "written": "write", "spoke": "speak", "thought": "think", "made": "make",
    "did": "do", "done": "do", "got": "get", "told": "tell", "kept": "keep", "left": "leave", "met": "meet",
    "called": "call", "walked": "walk", "woke": "wake", "drank": "drink",
}  # fmt: skip


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = _IRREGULAR.get(word, word)
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=4096)
def word_stems(text: str) -> frozenset[str]:
    """The stems of a text's words (cached: a review asks this for every goal of every entry)."""
    return frozenset(_stem(w) for w in re.findall(r"[a-z][a-z']+", text.lower().replace("’", "'")))


def mentions_goal(text: str, goal: Goal) -> bool:
    """Whether a transcript talks about a goal.

    With the person's own words any one of them counts; with words taken from the goal's text, at least
    two of them (or the only one) must appear, so "sleep before midnight" is not matched by any sleep.
    """
    if not text:
        return False
    present = word_stems(text)
    if goal.words:
        return any(_stem(w.lower()) in present for w in goal.words)
    wanted = [_stem(w) for w in content_words(goal.text)]
    if not wanted:
        return False
    hits = sum(1 for w in wanted if w in present)
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


# --- the tables -----------------------------------------------------------------------------------

_HINTS = {
    SESSIONS: ("session", "`voicejournal session list` shows them."),
    GOALS: ("goal", "`voicejournal goal list` shows them."),
    HOMEWORK_TABLE: ("homework", "`voicejournal homework list` shows it."),
    QUESTIONS: ("question", "`voicejournal question list` shows them."),
    WINS: ("win", "`voicejournal win list` shows them."),
}


class Planner:
    """Sessions, goals, homework, questions and wins in the journal's small tables."""

    def __init__(self, storage):
        self.storage = storage

    # generic ------------------------------------------------------------------------------------

    def records(self, table: str) -> list:
        cls = RECORDS[table]
        items = [cls.from_doc(d) for d in self.storage.all(table)]
        return sorted(items, key=lambda r: r.start if table == SESSIONS else r.created)

    def find(self, table: str, record_id: str):
        """A record by id or unique id prefix; a clear error otherwise."""
        from voicejournal.errors import EntryNotFoundError, UsageError

        what, hint = _HINTS[table]
        wanted = record_id.strip().lower()
        docs = self.storage.all(table)
        exact = [d for d in docs if d["id"] == wanted]
        found = exact or ([d for d in docs if d["id"].startswith(wanted)] if wanted else [])
        if not found:
            raise EntryNotFoundError(record_id, what=what, hint=hint)
        if len(found) > 1:
            ids = ", ".join(sorted(d["id"] for d in found))
            raise UsageError(f"'{record_id}' could be the {what} {ids}; type more of the id.")
        return RECORDS[table].from_doc(found[0])

    def _save(self, table: str, record, new: bool = False) -> None:
        if new:
            self.storage.insert(table, record.to_doc())
        else:
            self.storage.update(table, record.id, record.to_doc())

    def _new(self, table: str, make):
        with self.storage.transaction():
            record = make(self.storage.new_id())
            self._save(table, record, new=True)
        return record

    # sessions -----------------------------------------------------------------------------------

    def add_session(self, start: datetime, with_name: str | None = None, note: str | None = None) -> Session:
        return self._new(SESSIONS, lambda i: Session(i, start, with_name or None, note or None))

    # goals --------------------------------------------------------------------------------------

    def add_goal(self, text: str, now: datetime, words: list[str] | None = None) -> Goal:
        text = _required(text, "goal")
        return self._new(GOALS, lambda i: Goal(i, text, now, words=[w.lower() for w in words or ()]))

    def note_goal(self, goal_id: str, text: str, now: datetime) -> Goal:
        text = _required(text, "note")
        with self.storage.transaction():
            goal = self.find(GOALS, goal_id)
            goal.notes.append(GoalNote(now, text))
            self._save(GOALS, goal)
        return goal

    def finish_goal(self, goal_id: str, now: datetime) -> Goal:
        with self.storage.transaction():
            goal = self.find(GOALS, goal_id)
            goal.done = goal.done or now
            self._save(GOALS, goal)
        return goal

    # homework -----------------------------------------------------------------------------------

    def add_homework(self, text: str, now: datetime, due: date | None = None) -> Homework:
        text = _required(text, "homework")
        return self._new(HOMEWORK_TABLE, lambda i: Homework(i, text, now, due=due))

    def finish_homework(self, homework_id: str, now: datetime, note: str | None = None) -> Homework:
        with self.storage.transaction():
            item = self.find(HOMEWORK_TABLE, homework_id)
            item.done = item.done or now
            if note:
                item.note = note.strip()
            self._save(HOMEWORK_TABLE, item)
        return item

    # questions and wins -------------------------------------------------------------------------

    def add_question(self, text: str, now: datetime) -> Question:
        text = _required(text, "question")
        return self._new(QUESTIONS, lambda i: Question(i, text, now))

    def mark_asked(self, question_id: str, now: datetime) -> Question:
        with self.storage.transaction():
            question = self.find(QUESTIONS, question_id)
            question.asked = question.asked or now
            self._save(QUESTIONS, question)
        return question

    def add_win(self, text: str, now: datetime) -> Win:
        text = _required(text, "win")
        return self._new(WINS, lambda i: Win(i, text, now))

    # spoken markers -----------------------------------------------------------------------------

    def file_markers(self, entry_id: str, created: datetime, markers: list[Marker]) -> list:
        """File an entry's markers as records; filing the same entry again changes nothing twice.

        Items filed earlier from this entry that are no longer in its transcript (it was corrected or
        transcribed again) are removed, unless the person already acted on them (asked, done, notes).
        """
        filed = []
        with self.storage.transaction():
            for kind, table in MARKER_TABLES.items():
                wanted = [m for m in markers if m.kind == kind]
                existing = [r for r in self.records(table) if r.entry == entry_id]
                keys = {marker_key(kind, r.text): r for r in existing}
                seen = set()
                for marker in wanted:
                    key = marker_key(kind, marker.text)
                    if key in seen:
                        continue
                    seen.add(key)
                    if key in keys:
                        continue
                    record = record_from_marker(marker, self.storage.new_id(), created)
                    self._save(table, record, new=True)
                    filed.append(record)
                for key, record in keys.items():
                    if key not in seen and not _acted_on(record):
                        self.storage.remove(table, record.id)
        return filed

    def forget_entry(self, entry_id: str) -> None:
        """An entry was deleted: drop what it filed unless the person acted on it."""
        with self.storage.transaction():
            for table in MARKER_TABLES.values():
                for record in self.records(table):
                    if record.entry == entry_id and not _acted_on(record):
                        self.storage.remove(table, record.id)


def _acted_on(record) -> bool:
    return any(getattr(record, name, None) for name in ("asked", "done", "notes", "note"))


def _required(text: str, what: str) -> str:
    from voicejournal.errors import UsageError

    text = " ".join((text or "").split())
    if not text:
        raise UsageError(f"The {what} is empty; write a few words.")
    return text
