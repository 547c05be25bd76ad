"""Sessions, goals, homework, questions and wins around the entries; the review and the share page."""

from __future__ import annotations

from datetime import datetime, timedelta

from voicejournal.core.entry import Entry
from voicejournal.errors import (
    EntryNotFoundError,
    UsageError,
)


def enrich_review(journal, entry: Entry) -> None:
    """File the entry's spoken markers; take its mood from them and link it to its session."""
    journal.planner.file_markers(entry.id, entry.created, review_fields(journal, entry))


def review_fields(journal, entry: Entry) -> list:
    """Take the entry's mood from its spoken markers and link it to its session; returns the markers."""
    from voicejournal.core.markers import extract_markers, spoken_mood
    from voicejournal.core.planning import SESSIONS, reflects_on_session, session_for

    markers = extract_markers(entry) if entry.text else []
    if entry.mood is None:
        entry.mood = spoken_mood(markers)
    if entry.session is None and reflects_on_session(entry):
        session = session_for(entry.created, journal.planner.records(SESSIONS))
        entry.session = session.id if session else None
    return markers


def session_id(journal, session_id: str | None) -> str | None:
    """Check that a session chosen by id (`--session`) exists; returns its id."""
    if session_id is None:
        return None
    key = session_id.strip().lower()
    if not any(s.id == key for s in journal.sessions()):
        raise EntryNotFoundError(session_id, what="session", hint="`voicejournal session list` shows them.")
    return key


def before_recording(journal, now: datetime | None = None, session: str | None = None):
    """(the session a recording made now reflects on — `session` when given by id — or None; the open
    homework), for `record`'s greeting."""
    from voicejournal.core.planning import session_for

    now = now or journal.now()
    if session is not None:
        chosen = session_id(journal, session)
        return next(s for s in journal.sessions() if s.id == chosen), journal.homework()
    return session_for(now, journal.sessions()), journal.homework()


def filed_from(journal, entry_id: str) -> list:
    """The questions, homework, goals and wins an entry filed by voice (to show after recording)."""
    from voicejournal.core.planning import MARKER_TABLES

    planner = journal.planner
    return [r for t in MARKER_TABLES.values() for r in planner.records(t) if r.entry == entry_id]


def forget_filed(journal, entry_id: str) -> None:
    """An entry is being deleted: drop what it filed, unless the person already acted on it."""
    journal.planner.forget_entry(entry_id)


def add_session(journal, day: str, at: str, with_name: str | None = None, note: str | None = None):
    """An appointment on `day` ('2026-12-03', 'tomorrow', 'thursday': the coming one) at `at` ('14:00',
    '2pm')."""
    from datetime import datetime as dt

    from voicejournal.core.dates import parse_appointment_day, parse_time_of_day

    start = dt.combine(parse_appointment_day(day), parse_time_of_day(at)).astimezone()
    with journal.storage.transaction():
        twin = next((s for s in journal.sessions() if s.start == start), None)
        if twin is not None:
            raise UsageError(
                f"There is already a session then ({twin.id}); `voicejournal session list` shows it."
            )
        session = journal.planner.add_session(start, with_name, note)
    link_reflections(journal, session)
    return session


def link_reflections(journal, session) -> None:
    """Recordings made in the hours after a session added later become its reflections."""

    from voicejournal.core.planning import REFLECTION_HOURS, reflects_on_session

    for entry in journal.entries(
        since=session.start, until=session.start + timedelta(hours=REFLECTION_HOURS)
    ):
        if entry.session is None and reflects_on_session(entry):
            entry.session = session.id
            journal.storage.update_entry(entry.id, entry.to_doc())


def sessions(journal) -> list:
    from voicejournal.core.planning import SESSIONS

    return journal.planner.records(SESSIONS)


def next_session(journal, now: datetime | None = None):
    from voicejournal.core.planning import next_session

    return next_session(journal.sessions(), now or journal.now())


def goals(journal, include_done: bool = False) -> list:
    from voicejournal.core.planning import GOALS

    return [g for g in journal.planner.records(GOALS) if include_done or g.done is None]


def goal_mentions(journal, goals: list) -> dict[str, list[Entry]]:
    """Entries that mention each goal, oldest first. The journal is read a month at a time, each text's
    words found once for every goal, and only the entries that mention one are built."""
    from voicejournal.core.entry import stored_text
    from voicejournal.core.planning import goal_in_words
    from voicejournal.core.text import words_of

    found: dict[str, list[Entry]] = {g.id: [] for g in goals}
    if not goals:
        return found
    for docs in journal.storage.entries_by_month():
        for doc in docs:
            text = stored_text(doc)
            if not text:
                continue
            present = words_of(text)
            named = [g.id for g in goals if goal_in_words(present, g)]
            if named:
                entry = Entry.from_doc(doc)
                for goal_id in named:
                    found[goal_id].append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: e.created)
    return found


def homework(journal, include_done: bool = False) -> list:
    from voicejournal.core.planning import HOMEWORK_TABLE

    return [h for h in journal.planner.records(HOMEWORK_TABLE) if include_done or h.done is None]


def questions(journal, include_asked: bool = False) -> list:
    from voicejournal.core.planning import QUESTIONS

    return [q for q in journal.planner.records(QUESTIONS) if include_asked or q.asked is None]


def wins(journal, since: datetime | None = None) -> list:
    from voicejournal.core.planning import WINS

    return [w for w in journal.planner.records(WINS) if since is None or w.created >= since]


def review(journal, since: datetime | None = None, now: datetime | None = None):
    """The pre-session brief since the last session (or `since`)."""
    from voicejournal.core.brief_builder import build_review, review_period
    from voicejournal.core.planning import GOALS, HOMEWORK_TABLE, QUESTIONS, SESSIONS, WINS

    now = now or journal.now()
    planner = journal.planner
    sessions = planner.records(SESSIONS)
    _, previous_start, _ = review_period(sessions, now, since)
    return build_review(
        _entries_between(journal, previous_start, now),
        now,
        sessions=sessions,
        goals=planner.records(GOALS),
        homework=planner.records(HOMEWORK_TABLE),
        questions=planner.records(QUESTIONS),
        wins=planner.records(WINS),
        since=since,
    )


def _entries_between(journal, start: datetime, end: datetime) -> list[Entry]:
    """The entries created from `start` to `end`, read from only the month files of that period (only the
    period's entries are built), in the order they are stored."""
    found = []
    for doc in journal.storage.docs_between(start, end):
        if not isinstance(doc.get("created"), str):
            continue
        entry = Entry.from_doc(doc)
        if start <= entry.created <= end:
            found.append(entry)
    return found


def share(journal, picks: list[str], since: datetime | None = None, now: datetime | None = None):
    """A page with only the picked items (see `review.build_share`)."""
    from voicejournal.core.planning import GOALS, HOMEWORK_TABLE, QUESTIONS, WINS
    from voicejournal.core.share import build_share

    planner = journal.planner
    return build_share(
        journal.review(since=since, now=now),
        picks,
        journal.get,
        questions=planner.records(QUESTIONS),
        homework=planner.records(HOMEWORK_TABLE),
        goals=planner.records(GOALS),
        wins=planner.records(WINS),
    )
