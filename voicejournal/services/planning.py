"""Planning in the journal: adding, finding and finishing sessions, goals, homework, questions and wins."""

from __future__ import annotations

from datetime import date, datetime

from voicejournal import clock
from voicejournal.clock import Clock
from voicejournal.core.markers import Marker
from voicejournal.core.planning import (
    GOALS,
    HOMEWORK_TABLE,
    MARKER_TABLES,
    QUESTIONS,
    RECORDS,
    SESSIONS,
    WINS,
    Goal,
    GoalNote,
    Homework,
    Question,
    Session,
    Win,
    marker_key,
    record_from_marker,
)
from voicejournal.errors import EntryNotFoundError, UsageError

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

    def __init__(self, storage, now: Clock = clock.now):
        self.storage = storage
        self.now = now  # the journal's clock: a record made without a time is made now

    # generic ------------------------------------------------------------------------------------

    def records(self, table: str) -> list:
        cls = RECORDS[table]
        items = [cls.from_doc(d) for d in self.storage.all(table)]
        return sorted(items, key=lambda r: r.start if table == SESSIONS else r.created)

    def find(self, table: str, record_id: str):
        """A record by id or unique id prefix; a clear error otherwise."""
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

    def add_session(
        self, start: datetime, with_name: str | None = None, note: str | None = None, uid: str | None = None
    ) -> Session:
        return self._new(SESSIONS, lambda i: Session(i, start, with_name or None, note or None, uid))

    def update_session(self, session: Session) -> Session:
        self._save(SESSIONS, session)
        return session

    # goals --------------------------------------------------------------------------------------

    def add_goal(self, text: str, now: datetime | None = None, words: list[str] | None = None) -> Goal:
        now = now or self.now()
        text = _required(text, "goal")
        return self._new(GOALS, lambda i: Goal(i, text, now, words=[w.lower() for w in words or ()]))

    def note_goal(self, goal_id: str, text: str, now: datetime | None = None) -> Goal:
        now = now or self.now()
        text = _required(text, "note")
        with self.storage.transaction():
            goal = self.find(GOALS, goal_id)
            goal.notes.append(GoalNote(now, text))
            self._save(GOALS, goal)
        return goal

    def finish_goal(self, goal_id: str, now: datetime | None = None) -> Goal:
        now = now or self.now()
        with self.storage.transaction():
            goal = self.find(GOALS, goal_id)
            goal.done = goal.done or now
            self._save(GOALS, goal)
        return goal

    # homework -----------------------------------------------------------------------------------

    def add_homework(self, text: str, now: datetime | None = None, due: date | None = None) -> Homework:
        now = now or self.now()
        text = _required(text, "homework")
        return self._new(HOMEWORK_TABLE, lambda i: Homework(i, text, now, due=due))

    def finish_homework(
        self, homework_id: str, now: datetime | None = None, note: str | None = None
    ) -> Homework:
        now = now or self.now()
        with self.storage.transaction():
            item = self.find(HOMEWORK_TABLE, homework_id)
            item.done = item.done or now
            if note:
                item.note = note.strip()
            self._save(HOMEWORK_TABLE, item)
        return item

    # questions and wins -------------------------------------------------------------------------

    def add_question(self, text: str, now: datetime | None = None) -> Question:
        now = now or self.now()
        text = _required(text, "question")
        return self._new(QUESTIONS, lambda i: Question(i, text, now))

    def mark_asked(self, question_id: str, now: datetime | None = None) -> Question:
        now = now or self.now()
        with self.storage.transaction():
            question = self.find(QUESTIONS, question_id)
            question.asked = question.asked or now
            self._save(QUESTIONS, question)
        return question

    def add_win(self, text: str, now: datetime | None = None) -> Win:
        now = now or self.now()
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

    def file_new_markers(self, items: list[tuple[datetime, list[Marker]]]) -> None:
        """File the markers of many new entries (created, markers) at once: ids allocated together and
        each table written once (`file_markers` for one entry, which also handles re-filing)."""
        wanted = []
        for created, markers in items:
            seen = set()
            for marker in markers:
                key = marker_key(marker.kind, marker.text)
                if marker.kind in MARKER_TABLES and (marker.kind, key) not in seen:
                    seen.add((marker.kind, key))
                    wanted.append((marker, created))
        with self.storage.transaction():
            by_table: dict[str, list[dict]] = {}
            for (marker, created), record_id in zip(wanted, self.storage.new_ids(len(wanted)), strict=True):
                record = record_from_marker(marker, record_id, created)
                by_table.setdefault(MARKER_TABLES[marker.kind], []).append(record.to_doc())
            self.storage.insert_tables(by_table)

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
    text = " ".join((text or "").split())
    if not text:
        raise UsageError(f"The {what} is empty; write a few words.")
    return text
