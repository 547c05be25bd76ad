"""Therapy appointments."""

from __future__ import annotations

from datetime import datetime

import click

from voicejournal import clock as clk
from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import json_option
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


@click.group()
def session():
    """Your therapy appointments. A recording made within a few hours after one is its reflection.

    \b
    Examples:
      voicejournal session add 2026-12-03 14:00 --with "Dr. Rivera"
      voicejournal session next
    """


@session.command(name="add")
@click.argument("day", metavar="DATE")
@click.argument("at", metavar="TIME")
@click.option("--with", "with_name", metavar="NAME", help="Who the session is with.")
@click.option("--note", help="A note about it.")
def session_add(day, at, with_name, note):
    """Add a session on DATE (2026-12-03, tomorrow) at TIME (14:00, 2pm).

    \b
    Example:
      voicejournal session add 2026-12-03 14:00 --with "Dr. Rivera"
    """
    s = open_journal().add_session(day, at, with_name, note)
    who = f" with {s.with_name}" if s.with_name else ""
    err().print(f"Added the session on {_today_label(s.start)}{who} ({s.id}).", markup=False)


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
