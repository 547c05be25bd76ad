"""The brief before a session, and the page of picked items to share."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voicejournal.cli.opening import (
    open_journal,
)
from voicejournal.cli.options import (
    date_option,
    json_option,
)
from voicejournal.cli.output import (
    err,
    interactive,
    print_json,
)
from voicejournal.errors import VoiceJournalError
from voicejournal.render.json import review_json


def _pick_interactively(candidates: list[tuple[str, str]]) -> list[str]:
    console = err()
    console.print("What would you like to share? Nothing else from your journal goes on the page.\n")
    for number, (_, label) in enumerate(candidates, 1):
        console.print(f"  {number:>2}. {label}", markup=False, soft_wrap=False, overflow="ellipsis")
    answer = click.prompt("\nNumbers to include (e.g. 1 3 4), Enter for none", default="", show_default=False,
                          err=True)  # fmt: skip
    chosen = []
    for part in answer.replace(",", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= len(candidates):
            raise click.BadParameter(f"'{part}' is not one of the numbers shown.")
        chosen.append(candidates[int(part) - 1][0])
    return chosen


@click.command()
@date_option("--since", help="Review since this date instead of since the last session.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "html"]), default=None,
    help="text (default in a terminal), markdown, or html (one printable file with charts).",
)  # fmt: skip
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file.")
@click.option(
    "--share", is_flag=True, help="Write a page with only the items you pick, to give your therapist."
)
@click.option("--pick", "picks", multiple=True, metavar="ITEM",
              help="With --share: question:ID, entry:ID, quote:ID@MM:SS, homework:ID, goal:ID, win:ID or mood.")  # fmt: skip
@json_option("Print the review's items as JSON for scripts.")
def review(since, fmt, output, share, picks, as_json):
    """Your brief before the next session: questions, homework, goals, themes, mood and wins.

    Covers everything since your last session (or --since).

    \b
    Examples:
      voicejournal review
      voicejournal review --format html -o brief.html
      voicejournal review --share --pick question:q2m9 --pick quote:a3f4@02:13 -o for-dr-rivera.html
    """

    journal = open_journal()
    if picks and not share:
        raise click.UsageError("--pick only works with --share.")
    if share:
        from voicejournal.core.share import share_candidates
        from voicejournal.render.html import render_share_html
        from voicejournal.render.markdown import render_share_markdown

        now = journal.now()
        if not picks:
            if not interactive():
                raise VoiceJournalError(
                    "Nothing picked to share. Add --pick question:ID (or entry:ID, quote:ID@MM:SS…); "
                    "`voicejournal question list` shows ids."
                )
            candidates = share_candidates(journal.review(since=since, now=now))
            if not candidates:
                raise VoiceJournalError("There is nothing to share since your last session yet.")
            picks = _pick_interactively(candidates)
            if not picks:
                err().print("Nothing picked; no page written.")
                return
        page = journal.share(list(picks), since=since, now=now)
        text = render_share_markdown(page) if fmt == "markdown" else render_share_html(page)
        suffix = ".md" if fmt == "markdown" else ".html"
        target = output or Path(f"share-{now:%Y-%m-%d}{suffix}")
        _write_output(target, text)
        err().print(f"Wrote {target} with only what you picked: {page.summary()}.", markup=False)
        return
    brief = journal.review(since=since)
    if as_json:
        print_json(review_json(brief))
        return
    fmt = fmt or ("html" if output and output.suffix.lower() in (".html", ".htm") else None)
    fmt = fmt or ("markdown" if output and output.suffix.lower() in (".md", ".markdown") else "text")
    if fmt == "html":
        from voicejournal.render.html import render_html

        text = render_html(brief)
    elif fmt == "markdown":
        from voicejournal.render.markdown import render_markdown

        text = render_markdown(brief)
    elif output or not sys.stdout.isatty():
        from voicejournal.render.text import render_plain

        text = render_plain(brief)
    else:
        from rich.console import Console

        from voicejournal.render.text import render_text

        Console(highlight=False).print(render_text(brief))  # wrapped lines keep their indent
        _print_echoes(journal, brief)
        return
    if output:
        _write_output(output, text)
        err().print(f"Wrote the review to {output}.", markup=False)
    else:
        click.echo(text, nl=False)
        if fmt == "text":
            _print_echoes(journal, brief)


def _print_echoes(journal, brief) -> None:
    """A modest pointer back in time: entries of this period that say what an earlier one said."""
    from voicejournal.services.meaning import echoes

    for entry_id, hit in echoes(journal, [e.id for e in brief.entries], brief.start):
        click.echo(
            f"You said something similar on {hit.entry.created:%a %d %b %Y} (entry {hit.id}, like entry "
            f"{entry_id}): “{hit.snippet}”"
        )


def _write_output(path: Path, text: str) -> None:
    from voicejournal.store.fs import atomic_write_bytes
    from voicejournal.store.paths import output_file, writing

    output_file(path, example=f"brief{path.suffix or '.html'}")
    with writing(path):
        atomic_write_bytes(path, text.encode("utf-8"), keep_backup=False)
