"""Sessions and calendars: appointments (and homework due dates) out to an iCalendar file, and
appointments in from one, so a person neither retypes them nor forgets them.

Only what the person typed for a session goes out (its time and with whom) and the titles of open
homework; never a transcript or a note. Every item has a stable UID, so importing the file again
updates the calendar's events instead of duplicating them, and importing a calendar twice adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from voicejournal.errors import UsageError

SESSION_MINUTES = 50  # a session's length in calendars (voicejournal stores only its start)
PAST_DAYS = 90  # a weekly appointment is expanded from this long ago (for the review period)…
AHEAD_DAYS = 183  # …to about six months ahead
TITLE = "Therapy session"
_WITH = re.compile(rf"^{TITLE}(?: with (?P<who>.+))?$", re.I)
_OWN_UID = re.compile(r"^session-(?P<id>[a-z0-9_-]+)@voicejournal$")


def session_uid(session) -> str:
    """The UID a session has in calendars: its calendar's own, or one made from its id."""
    return session.uid or f"session-{session.id}@voicejournal"


def export_ics(journal, homework: bool = True) -> tuple[bytes, int, int]:
    """(the iCalendar file, sessions in it, homework to-dos in it): every session as an event and,
    with `homework`, each open homework with a due date as an all-day to-do."""
    from icalendar import Calendar, Event, Todo

    calendar = Calendar()
    calendar.add("prodid", "-//voicejournal//sessions//EN")
    calendar.add("version", "2.0")
    stamp = journal.now().astimezone(UTC).replace(microsecond=0)
    sessions = journal.sessions()
    for s in sessions:
        event = Event()
        event.add("uid", session_uid(s))
        event.add("dtstamp", stamp)
        start = s.start.astimezone(UTC)  # UTC: every calendar reads it the same way
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=SESSION_MINUTES))
        event.add("summary", f"{TITLE} with {s.with_name}" if s.with_name else TITLE)
        calendar.add_component(event)
    todos = [h for h in journal.homework() if h.due is not None] if homework else []
    for h in todos:
        todo = Todo()
        todo.add("uid", f"homework-{h.id}@voicejournal")
        todo.add("dtstamp", stamp)
        todo.add("summary", h.text)
        todo.add("due", h.due)  # a date: an all-day to-do
        todo.add("status", "NEEDS-ACTION")
        calendar.add_component(todo)
    return calendar.to_ical(), len(sessions), len(todos)


def write_ics(journal, path: Path, homework: bool = True) -> tuple[int, int]:
    """Write `export_ics` to a file (outside the journal); returns (sessions, homework to-dos)."""
    from voicejournal.store.fs import atomic_write_bytes
    from voicejournal.store.paths import output_file, writing

    data, sessions, todos = export_ics(journal, homework)
    output_file(Path(path), example="sessions.ics")
    with writing(Path(path)):
        atomic_write_bytes(Path(path), data, keep_backup=False)
    return sessions, todos


@dataclass
class Appointment:
    """One appointment read from a calendar: `key` identifies it (its UID, and the instance of a
    recurring one) across imports."""

    key: str
    start: datetime
    with_name: str | None = None
    note: str | None = None


@dataclass
class IcsImport:
    path: Path
    added: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    all_day: int = 0  # events with a day but no time: a session needs a time
    problems: list[str] = field(default_factory=list)


def import_ics(journal, path: Path, match: str | None = None) -> IcsImport:
    """Add the appointments in a calendar file as sessions (weekly ones expanded from PAST_DAYS ago to
    AHEAD_DAYS ahead, times in local time). Importing it again adds nothing: a session already imported
    (same UID) is updated when its time or title changed. `match`: only events whose title has it."""
    from voicejournal.services.sessions import link_reflections
    from voicejournal.store.paths import input_path

    path = input_path(Path(path), "a calendar file (.ics)")
    report = IcsImport(path)
    appointments = read_appointments(path.read_bytes(), journal.now(), report, path.name)
    if match:
        wanted = match.casefold()
        appointments = [a for a in appointments if wanted in _title(a).casefold()]
    new = []
    with journal.storage.transaction():
        sessions = journal.sessions()
        by_key = {s.uid: s for s in sessions if s.uid}
        by_id = {s.id: s for s in sessions}
        by_start = {s.start: s for s in sessions}
        planner = journal.planner
        for a in appointments:
            own = _OWN_UID.match(a.key)
            known = by_key.get(a.key) or (by_id.get(own["id"]) if own else None)
            if known is None and a.start in by_start:  # typed in by hand before: adopt it
                known = by_start[a.start]
                if known.uid is None:
                    known.uid = a.key
                    planner.update_session(known)
                report.unchanged += 1
                continue
            if known is None:
                session = planner.add_session(a.start, a.with_name, a.note, uid=a.key)
                by_key[a.key] = by_start[a.start] = session
                report.added.append(session)
                new.append(session)
            elif (known.start, known.with_name) != (a.start, a.with_name) or (
                a.note and known.note != a.note
            ):
                known.start, known.with_name, known.note = a.start, a.with_name, a.note or known.note
                report.updated.append(planner.update_session(known))
            else:
                report.unchanged += 1
    for session in new:
        link_reflections(journal, session)
    return report


def _title(a: Appointment) -> str:
    return a.note or (f"{TITLE} with {a.with_name}" if a.with_name else TITLE)


def read_appointments(data: bytes, now: datetime, report: IcsImport, name: str) -> list[Appointment]:
    """The timed events of an iCalendar file, recurring ones expanded; all-day and unreadable events
    are counted in `report` and left out."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError):
        raise UsageError(
            f"{name} is not a calendar file voicejournal can read; export an .ics file from your "
            "calendar app and import that."
        ) from None
    found: dict[str, Appointment] = {}
    overrides: dict[str, Appointment] = {}
    for event in calendar.walk("VEVENT"):
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        try:
            start = event.decoded("dtstart")
        except (KeyError, ValueError):
            report.problems.append(f"an event without a start ({_summary(event) or 'no title'})")
            continue
        if not isinstance(start, datetime):
            report.all_day += 1
            continue
        uid = str(event.get("uid", "")).strip() or _made_uid(start, _summary(event))
        who, note = _people(_summary(event))
        if event.get("recurrence-id") is not None:  # one moved instance of a recurring appointment
            instance = event.decoded("recurrence-id")
            if isinstance(instance, datetime):
                overrides[f"{uid}/{_utc(instance)}"] = Appointment(
                    f"{uid}/{_utc(instance)}", _local(start), who, note
                )
            continue
        if event.get("rrule") is None:
            found[uid] = Appointment(uid, _local(start), who, note)
            continue
        try:
            instances = _expand(event, start, now)
        except (ValueError, TypeError, OverflowError):
            report.problems.append(
                f"a repeating event whose rule cannot be read ({_summary(event) or 'no title'})"
            )
            continue
        for moment in instances:
            key = f"{uid}/{_utc(moment)}"
            found[key] = Appointment(key, _local(moment), who, note)
    for key, moved in overrides.items():
        if key in found:
            found[key] = moved
    return sorted(found.values(), key=lambda a: a.start)


def _expand(event, start: datetime, now: datetime) -> list[datetime]:
    """The instances of a recurring event from PAST_DAYS ago to AHEAD_DAYS ahead, without its EXDATEs."""
    from dateutil.rrule import rrulestr

    if start.tzinfo is None:  # a floating time: the same clock time wherever the person is
        start = start.astimezone()
    rules = event.get("rrule")
    rules = rules if isinstance(rules, list) else [rules]
    text = "\n".join("RRULE:" + r.to_ical().decode() for r in rules)
    ruleset = rrulestr(text, dtstart=start, forceset=True)
    for exdate in _dates(event.get("exdate")):
        ruleset.exdate(exdate if exdate.tzinfo else exdate.replace(tzinfo=start.tzinfo))
    low, high = now - timedelta(days=PAST_DAYS), now + timedelta(days=AHEAD_DAYS)
    return ruleset.between(low, high, inc=True)


def _dates(prop) -> list[datetime]:
    if prop is None:
        return []
    lists = prop if isinstance(prop, list) else [prop]
    return [d.dt for item in lists for d in item.dts if isinstance(d.dt, datetime)]


def _summary(event) -> str:
    return " ".join(str(event.get("summary", "")).split())


def _people(summary: str) -> tuple[str | None, str | None]:
    """(with whom, note) from an event's title: ours says "Therapy session with …"; another program's
    title is kept as the session's note."""
    found = _WITH.match(summary)
    if found:
        return found["who"], None
    return None, summary or None


def _local(moment: datetime) -> datetime:
    return moment.astimezone()  # a naive (floating) time is read as local time


def _utc(moment: datetime) -> str:
    return _local(moment).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _made_uid(start: datetime | date, summary: str) -> str:
    digest = hashlib.sha256(f"{start.isoformat()}|{summary}".encode()).hexdigest()[:16]
    return f"no-uid-{digest}"
