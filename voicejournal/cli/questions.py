"""Questions for the therapist, and small wins."""

from __future__ import annotations

import click

from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import (
    ListsByDefault,
    date_option,
    json_option,
)
from voicejournal.cli.output import (
    done_mark,
    err,
    out,
    print_json,
)


@click.group(cls=ListsByDefault)
def question():
    """Questions to bring to your therapist; unasked ones carry into every review.

    \b
    Examples:
      voicejournal question add "Can we talk about the job interview?"
      voicejournal question asked q2m9
    """


@question.command(name="add")
@click.argument("text")
def question_add(text):
    """Add a question for your next session.

    \b
    Example:
      voicejournal question add "Can we meet every two weeks?"
    """

    q = open_journal().planner.add_question(text)
    err().print(f"Added question {q.id}: {q.text}", markup=False)


@question.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include questions already asked.")
@json_option()
def question_list(show_all, as_json):
    """List questions not asked yet, oldest first, with where each came from.

    \b
    Example:
      voicejournal question list
    """
    from rich.markup import escape

    from voicejournal.core.wording import day, offset_text

    items = open_journal().questions(include_asked=show_all)
    if as_json:
        print_json([q.to_doc() for q in items])
        return
    if not items:
        err().print('No open questions. Add one with `voicejournal question add "…"`.', markup=False)
        return
    console = out()
    for q in items:
        source = (
            f"said in {q.entry} at {offset_text(q.offset)}"
            if q.entry and q.offset is not None
            else (f"from entry {q.entry}" if q.entry else "added")
        )
        asked = f", asked {day(q.asked)}" if q.asked else ""
        console.print(
            f"{done_mark(bool(q.asked), f'[bold]{q.id}[/]')}  {escape(q.text)}  "
            f"[dim]{day(q.created)}, {source}{asked}[/]"
        )


@question.command(name="asked")
@click.argument("question_ids", metavar="ID…", nargs=-1, required=True)
def question_asked(question_ids):
    """Mark questions as asked, so they stop carrying forward.

    \b
    Example:
      voicejournal question asked q2m9 q7b1
    """

    planner = open_journal().planner
    for question_id in question_ids:
        q = planner.mark_asked(question_id)
        err().print(f"Marked as asked: {q.text}", markup=False)


@click.group(cls=ListsByDefault)
def win():
    """Small wins: found in what you say ("I managed to…") or added by hand.

    \b
    Example:
      voicejournal win add "Went to the gym twice"
    """


@win.command(name="add")
@click.argument("text")
def win_add(text):
    """Add a small win.

    \b
    Example:
      voicejournal win add "Said no to the extra project"
    """

    w = open_journal().planner.add_win(text)
    err().print(f"Added a win ({w.id}): {w.text}", markup=False)


@win.command(name="list")
@date_option("--since", help="Only wins on or after this date.")
@json_option()
def win_list(since, as_json):
    """List small wins, newest first.

    \b
    Example:
      voicejournal win list --since "last month"
    """
    from rich.markup import escape

    from voicejournal.core.wording import day

    items = sorted(open_journal().wins(since=since), key=lambda w: w.created, reverse=True)
    if as_json:
        print_json([w.to_doc() for w in items])
        return
    if not items:
        err().print('No wins noted yet. Add one with `voicejournal win add "…"`.', markup=False)
        return
    console = out()
    for w in items:
        console.print(f"★ [bold]{w.id}[/]  {escape(w.text)}  [dim]{day(w.created)}[/]")
