"""`search`, `show ID` and `tag ID +a -b` without Click: the commands people run most, in about half the time.

Importing Click (and the inspect, typing and uuid modules it brings) is ~25 ms of a fresh `search`
process's ~50. `quick_command` reads these three command lines the way Click's parser does: `search WORDS…`
with --since, --until, --tag, --theme, --limit and --json (options may come between the words, each takes
the next argument as its value, a word may start with "-"); `show ID` with --json; `tag ID CHANGES…`. It
returns the command to run, which prints exactly what the Click command prints (both call cli/found.py or
cli/one_entry.py; tests/unit/cli/test_quick.py holds them side by side). Anything else (another command,
--help, -h alone, another option, --opt=value, "--", a value or an id that looks like an option, a date or
number Click would refuse, shell completion) returns None, and Click runs the command line as usual, with
its own messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

MANY = {"--tag": "tags", "--theme": "themes"}
ONE = ("--since", "--until", "--limit")


def quick_command(args: list[str]) -> Callable[[], None] | None:
    """The command `args` ask for, ready to run, or None when Click should read them."""
    if not args or "_VOICEJOURNAL_COMPLETE" in os.environ:
        return None
    reader = {"search": quick_search, "show": quick_show, "tag": quick_tag}.get(args[0])
    return reader(args[1:]) if reader else None


def quick_show(args: list[str]) -> Callable[[], None] | None:
    """`show ID`, `show ID --json` (either order)."""
    as_json = "--json" in args
    rest = [a for a in args if a != "--json"]
    if len(rest) != 1 or rest[0].startswith("-"):
        return None
    from voicejournal.cli.one_entry import show_entry

    return partial(show_entry, rest[0], as_json)


def quick_tag(args: list[str]) -> Callable[[], None] | None:
    """`tag ID CHANGES…`: +word or word adds, -word removes."""
    if (
        len(args) < 2
        or args[0].startswith("-")
        or args[1:] == ["-h"]
        or any(a.startswith("--") for a in args)
    ):
        return None
    from voicejournal.cli.one_entry import tag_entry

    return partial(tag_entry, args[0], tuple(args[1:]))


def quick_search(args: list[str]) -> Callable[[], None] | None:
    """`search WORDS…` with the options above."""
    words: list[str] = []
    values: dict[str, list[str]] = {"tags": [], "themes": []}
    single: dict[str, str] = {}
    as_json = False
    rest = iter(args)
    for arg in rest:
        if arg == "--json":
            as_json = True
        elif arg in MANY or arg in ONE:
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return None
            if arg in MANY:
                values[MANY[arg]].append(value)
            else:
                single[arg] = value  # given twice, Click keeps the last
        elif arg.startswith("--"):
            return None
        else:
            words.append(arg)
    if not words or words == ["-h"]:
        return None
    limit = single.get("--limit")
    if limit is not None and not (limit.isascii() and limit.isdigit() and int(limit) >= 1):
        return None
    since, until = single.get("--since"), single.get("--until")
    if since is not None or until is not None:
        from voicejournal.core.dates import parse_date
        from voicejournal.errors import VoiceJournalError

        try:
            since = None if since is None else parse_date(since)
            until = None if until is None else parse_date(until, end=True)
        except VoiceJournalError:
            return None  # Click says what is wrong with it, as for any other command
    from voicejournal.cli.found import run_search

    return partial(
        run_search,
        tuple(words),
        since=since,
        until=until,
        tags=tuple(values["tags"]),
        themes=tuple(values["themes"]),
        limit=None if limit is None else int(limit),
        as_json=as_json,
    )
