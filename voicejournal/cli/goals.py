"""Goals and homework."""

from __future__ import annotations

import click

from voicejournal import clock as clk
from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import ListsByDefault, json_option
from voicejournal.cli.output import (
    done_mark,
    err,
    out,
    print_json,
)
from voicejournal.core.wording import count


@click.group(cls=ListsByDefault)
def goal():
    """Goals for your therapy; entries that mention one count as progress.

    \b
    Examples:
      voicejournal goal add "Sleep before midnight"
      voicejournal goal note g4k2 "three nights in a row"
    """


@goal.command(name="add")
@click.argument("text")
@click.option("--words", help="Words that show you talk about it, comma-separated (default: from the goal).")
def goal_add(text, words):
    """Add a goal.

    \b
    Example:
      voicejournal goal add "Sleep before midnight" --words "sleep,slept,bed"
    """

    word_list = [w.strip() for w in (words or "").split(",") if w.strip()]
    g = open_journal().planner.add_goal(text, words=word_list)
    err().print(f"Added goal {g.id}: {g.text}", markup=False)


@goal.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include goals marked done.")
@json_option()
def goal_list(show_all, as_json):
    """List goals with how often your entries mention them.

    \b
    Example:
      voicejournal goal list
    """
    from rich.markup import escape

    from voicejournal.core.wording import day

    journal = open_journal()
    goals = journal.goals(include_done=show_all)
    mentions = journal.goal_mentions(goals)
    if as_json:
        print_json([{**g.to_doc(), "mentions": [e.id for e in mentions[g.id]]} for g in goals])
        return
    if not goals:
        err().print(
            'No goals yet. Add one with `voicejournal goal add "Sleep before midnight"`.', markup=False
        )
        return
    console = out()
    for g in goals:
        hits = mentions[g.id]
        facts = [f"mentioned {len(hits)}×" + (f", last {day(hits[-1].created)}" if hits else "")]
        if g.notes:
            facts.append(count(len(g.notes), "note"))
        if g.done:
            facts.append(f"done {day(g.done)}")
        console.print(
            f"{done_mark(bool(g.done), f'[bold]{g.id}[/]')}  {escape(g.text)}  [dim]{'  ·  '.join(facts)}[/]"
        )
        for note in g.notes:
            console.print(f"        [dim]{day(note.created)}:[/] {escape(note.text)}")


@goal.command(name="note")
@click.argument("goal_id", metavar="ID")
@click.argument("text")
def goal_note(goal_id, text):
    """Add a dated note to a goal (how it is going).

    \b
    Example:
      voicejournal goal note g4k2 "managed it three nights in a row"
    """

    g = open_journal().planner.note_goal(goal_id, text)
    err().print(f"Noted on goal {g.id} ({g.text}).", markup=False)


@goal.command(name="done")
@click.argument("goal_id", metavar="ID")
def goal_done(goal_id):
    """Mark a goal as reached.

    \b
    Example:
      voicejournal goal done g4k2
    """

    g = open_journal().planner.finish_goal(goal_id)
    err().print(f"Well done — goal {g.id} ({g.text}) is marked as reached.", markup=False)


@click.group(cls=ListsByDefault)
def homework():
    """Homework from your sessions; open items are shown when you record and in the review.

    \b
    Examples:
      voicejournal homework add "Breathing exercise every evening" --due friday
      voicejournal homework done h7x2 --note "5 of 7 nights, hardest on Sunday"
    """


def _due_option(ctx, param, value):
    from voicejournal.core.dates import parse_due

    return None if value is None else parse_due(value)


@homework.command(name="add")
@click.argument("text")
@click.option("--due", callback=_due_option, metavar="DATE", help="When it is due (2026-12-03, friday).")
def homework_add(text, due):
    """Add homework.

    \b
    Example:
      voicejournal homework add "Write the letter to Dad" --due 2026-12-03
    """

    h = open_journal().planner.add_homework(text, due=due)
    due_text = f" (due {h.due:%a %d %b})" if h.due else ""
    err().print(f"Added homework {h.id}: {h.text}{due_text}", markup=False)


@homework.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include homework already done.")
@json_option()
def homework_list(show_all, as_json):
    """List open homework (and, with --all, what is done and how it went).

    \b
    Example:
      voicejournal homework list --all
    """
    from rich.markup import escape

    from voicejournal.core.wording import day
    from voicejournal.render.sections import due_text

    items = open_journal().homework(include_done=show_all)
    if as_json:
        print_json([h.to_doc() for h in items])
        return
    if not items:
        err().print(
            "No open homework." + ("" if show_all else " `--all` also shows what is done."), markup=False
        )
        return
    today = clk.today()
    console = out()
    for h in items:
        extra = f"done {day(h.done)}" if h.done else due_text(h, today)
        note = f' — "{escape(h.note)}"' if h.note else ""
        console.print(
            f"{done_mark(bool(h.done), f'[bold]{h.id}[/]')}  {escape(h.text)}{note}  [dim]{extra}[/]"
        )


@homework.command(name="done")
@click.argument("homework_id", metavar="ID")
@click.option("--note", help="How it went.")
def homework_done(homework_id, note):
    """Mark homework as done, with a note on how it went.

    \b
    Example:
      voicejournal homework done h7x2 --note "did it 5 of 7 nights"
    """

    h = open_journal().planner.finish_homework(homework_id, note=note)
    err().print(f"Marked homework {h.id} as done: {h.text}", markup=False)
