"""Therapy appointments."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from voicejournal import clock as clk
from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import ListsByDefault, json_option
from voicejournal.cli.output import (
    err,
    out,
    print_json,
    when,
)


def _today_label(moment: datetime) -> str:
    from voicejournal.core.wording import clock as clock_of
    from voicejournal.core.wording import day

    return f"{day(moment)}, {clock_of(moment)}"


@click.group(cls=ListsByDefault)
def session():
    """Your therapy appointments. A recording made within a few hours after one is its reflection.

    \b
    Examples:
      voicejournal session add 2026-12-03 14:00 --with "Dr. Rivera"
      voicejournal session next
    """


@session.command(name="add")
@click.argument("when", metavar="DATE TIME", nargs=-1)
@click.option("--with", "with_name", metavar="NAME", help="Who the session is with.")
@click.option("--note", help="A note about it.")
@click.option(
    "--from-ics",
    "ics",
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="Import the appointments in a calendar export (.ics) instead; importing it again adds nothing.",
)
@click.option("--match", metavar="TEXT", help="With --from-ics: only events whose title contains TEXT.")
def session_add(when, with_name, note, ics, match):
    """Add a session on DATE (2026-12-03, tomorrow, next tuesday) at TIME (14:00, 2pm), or import your
    appointments from a calendar (--from-ics; weekly ones are added for the next six months).

    \b
    Examples:
      voicejournal session add 2026-12-03 14:00 --with "Dr. Rivera"
      voicejournal session add next tuesday at 3pm
      voicejournal session add --from-ics ~/Downloads/therapy.ics
    """
    from voicejournal.errors import UsageError

    if ics is not None:
        if when or with_name or note:
            raise UsageError(
                "--from-ics takes the sessions from the file; leave out DATE, TIME, --with and --note."
            )
        _import_ics(ics, match)
        return
    if match:
        raise UsageError("--match only goes with --from-ics FILE.")
    from voicejournal.core.dates import split_appointment

    day_and_time = split_appointment(when)
    if day_and_time is None:
        raise UsageError(
            "Give the DATE and TIME of the session (`voicejournal session add 2026-12-03 14:00`), "
            "or a calendar file with --from-ics FILE."
        )
    s = open_journal().add_session(*day_and_time, with_name, note)
    who = f" with {s.with_name}" if s.with_name else ""
    err().print(f"Added the session on {_today_label(s.start)}{who} ({s.id}).", markup=False)


def _import_ics(path: Path, match: str | None) -> None:
    from voicejournal.core.wording import count
    from voicejournal.services.ics import import_ics

    report = import_ics(open_journal(), path, match=match)
    status = err()
    for s in report.added:
        who = f" with {s.with_name}" if s.with_name else (f" ({s.note})" if s.note else "")
        status.print(f"Added the session on {_today_label(s.start)}{who} ({s.id}).", markup=False)
    for s in report.updated:
        status.print(f"Updated the session {s.id}: now {_today_label(s.start)}.", markup=False)
    summary = f"{path.name}: {count(len(report.added), 'session')} added"
    if report.updated:
        summary += f", {len(report.updated)} updated"
    if report.unchanged:
        summary += f", {report.unchanged} already in your journal"
    status.print(summary + ".", markup=False)
    if report.all_day:
        status.print(
            f"Left out {count(report.all_day, 'all-day event')}: a session needs a time; add it with "
            "`voicejournal session add DATE TIME`.",
            markup=False,
        )
    for problem in report.problems:
        status.print(f"Left out {problem}.", markup=False)


@session.command(name="export")
@click.option("--ics", "ics", is_flag=True, help="As an iCalendar file for calendar apps (the only format).")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Write to this file (default: standard output)."
)
@click.option("--no-homework", is_flag=True, help="Leave out homework (open items with a due date).")
def session_export(ics, output, no_homework):
    """Your sessions, and open homework with a due date as all-day to-dos, for your calendar app.

    Only the time and who a session is with go in, and homework titles: never what you said or wrote.
    Importing the file again updates the same events instead of adding copies.

    \b
    Examples:
      voicejournal session export --ics -o sessions.ics
      voicejournal session export --ics --no-homework > sessions.ics
    """
    from voicejournal.core.wording import count
    from voicejournal.services.ics import export_ics, write_ics

    journal = open_journal()
    if output is None or str(output) == "-":
        click.get_binary_stream("stdout").write(export_ics(journal, homework=not no_homework)[0])
        return
    sessions, todos = write_ics(journal, output, homework=not no_homework)
    what = count(sessions, "session") + (f" and {count(todos, 'homework to-do')}" if todos else "")
    err().print(f"Wrote {what} to {output}; import it into your calendar app.", markup=False)


@session.command(name="list")
@json_option()
def session_list(as_json):
    """List sessions, oldest first; upcoming ones are marked.

    \b
    Example:
      voicejournal session list
    """
    from rich.markup import escape

    sessions = open_journal().sessions()
    if as_json:
        print_json([s.to_doc() for s in sessions])
        return
    if not sessions:
        err().print(
            "No sessions yet. Add one with `voicejournal session add 2026-12-03 14:00`.", markup=False
        )
        return
    now = clk.now()
    console = out()
    for s in sessions:
        upcoming = "[bold]next[/] " if s.start > now else "     "
        who = f"  with {escape(s.with_name)}" if s.with_name else ""
        note = f"  [dim]{escape(s.note)}[/]" if s.note else ""
        console.print(f"{upcoming}{when(s.start)}  [bold]{s.id}[/]{who}{note}")


@session.command(name="next")
@json_option()
def session_next(as_json):
    """Show the next session.

    \b
    Example:
      voicejournal session next
    """
    s = open_journal().next_session()
    if as_json:
        print_json(s.to_doc() if s else None)
        return
    if s is None:
        err().print(
            "No upcoming session. Add one with `voicejournal session add 2026-12-03 14:00`.", markup=False
        )
        return
    days = (s.start.date() - clk.today()).days
    soon = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    who = f" with {s.with_name}" if s.with_name else ""
    out().print(f"Next session: {_today_label(s.start)}{who} ({soon})", markup=False)
