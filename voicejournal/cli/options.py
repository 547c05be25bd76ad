"""Options and completions shared by several commands."""

from __future__ import annotations

import click

from voicejournal.cli.opening import open_journal
from voicejournal.core.kinds import KINDS


def date_option(name: str, end: bool = False, help: str = ""):
    def convert(ctx, param, value):
        if value is None:
            return None
        from voicejournal.core.dates import parse_date

        return parse_date(value, end=end)

    return click.option(name, callback=convert, metavar="DATE", help=help)


KIND_CHOICES = list(KINDS)


def json_option(help: str = "Print JSON for scripts."):
    """--json: results as JSON on stdout, for scripts."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def kind_option(help: str = "Only entries of this kind.", default: str | None = None):
    """--kind, with the kinds an entry can have."""
    return click.option("--kind", type=click.Choice(KIND_CHOICES), default=default, show_default=default is not None,
                        help=help)  # fmt: skip


def model_options(default_help: str = "default tiny.en"):
    """--model and --language for the commands that transcribe."""

    def decorate(f):
        f = click.option("--language", help="Spoken language code, e.g. en (default: detect).")(f)
        return click.option(
            "--model", envvar="VOICEJOURNAL_MODEL", help=f"Speech model name or folder ({default_help})."
        )(f)

    return decorate


# Commands whose arguments may start with "-" (search -word, tag ID -x): no short options there.
DASH_ARGS = {"help_option_names": ["--help"], "ignore_unknown_options": True, "max_content_width": 100}


def completion_from(fetch):
    """Shell completion from the journal's index; completion must never print an error."""

    def complete(ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        try:
            items = fetch(open_journal())
        except Exception:
            return []
        return [
            CompletionItem(value, help=help_text)
            for value, help_text in items
            if value.startswith(incomplete.lower() if param.name != "entry_id" else incomplete)
        ]

    return complete


complete_ids = completion_from(lambda j: j.index.recent_ids())


complete_tags = completion_from(lambda j: [(t, None) for t in j.index.tags()])


complete_themes = completion_from(lambda j: [(t.name, None) for t in j.theme_definitions()])


def complete_tag_changes(ctx, param, incomplete):
    """`tag ID +<TAB>` offers every tag, `-<TAB>` the entry's own tags."""
    from click.shell_completion import CompletionItem

    sign, word = (
        (incomplete[:1], incomplete[1:]) if incomplete[:1] in "+-" and incomplete else ("+", incomplete)
    )
    try:
        journal = open_journal()
        if sign == "-" and ctx.params.get("entry_id"):
            tags = journal.get(ctx.params["entry_id"]).tags
        else:
            tags = journal.index.tags()
    except Exception:
        return []
    return [CompletionItem(sign + t) for t in tags if t.startswith(word.lower())]


def no_unknown_options(words: tuple[str, ...]) -> None:
    """Arguments may start with "-" here (-word, -tag), so Click passes unknown options through:
    `-h` alone still means help, and a mistyped --option is an error rather than a word."""
    ctx = click.get_current_context()
    if tuple(words) == ("-h",):
        click.echo(ctx.get_help())
        ctx.exit(0)
    unknown = next((w for w in words if w.startswith("--")), None)
    if unknown:
        raise click.UsageError(f"No such option: {unknown}", ctx=ctx)


def mood_option():
    return click.option("--mood", type=Whole(1, 5), help="Only entries with this mood (1-5).")


def filter_options(short: bool = True):
    """--since, --until, --tag, --theme, --kind and --mood: the filters `list` and `search` share.

    `short=False` leaves out -t, for commands whose arguments may start with "-" (search -word).
    """
    tag_names = ["--tag", "-t", "tags"] if short else ["--tag", "tags"]
    options = [
        date_option("--since", help="Only entries on or after this date ('2026-11-01', '3 months ago')."),
        date_option("--until", end=True, help="Only entries on or before this date."),
        click.option(
            *tag_names,
            multiple=True,
            shell_complete=complete_tags,
            help="Only entries with this tag (repeatable).",
        ),  # fmt: skip
        click.option(
            "--theme",
            "themes",
            multiple=True,
            shell_complete=complete_themes,
            help="Only entries with this theme (repeatable; see `themes`).",
        ),  # fmt: skip
        kind_option(),
        mood_option(),
    ]

    def decorate(f):
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


class ListsByDefault(click.Group):
    """A group that lists when no subcommand is named: `voicejournal homework` is `homework list`, and
    `homework --all` is `homework list --all` (the group's own --help still shows the group)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0].startswith("-") and args[0] not in ctx.help_option_names):
            args = ["list", *args]
        return super().parse_args(ctx, args)


class _Between:
    """A number within bounds, refused in plain words ("use a number from 1 to 5, not 7") instead of click's
    "7 is not in the range 1<=x<=5"."""

    def plain_range(self) -> str:
        low, high = self.min, self.max
        if low is not None and high is not None:
            return (
                f"a number above {low:g}, up to {high:g}"
                if self.min_open
                else f"a number from {low:g} to {high:g}"
            )
        if low is not None:
            return f"a number above {low:g}" if self.min_open else f"{low:g} or more"
        return f"a number up to {high:g}"

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)  # click converts and checks the bounds
        except click.BadParameter:
            try:  # a number out of bounds is shown as typed, anything else quoted
                self._number_type.convert(self, value, param, ctx)
                shown = value
            except click.BadParameter:
                shown = repr(value)
            self.fail(f"use {self.plain_range()}, not {shown}.", param, ctx)


class Whole(_Between, click.IntRange):
    """click.IntRange with a plain-words refusal."""

    _number_type = click.types.IntParamType


class Amount(_Between, click.FloatRange):
    """click.FloatRange with a plain-words refusal."""

    _number_type = click.types.FloatParamType
