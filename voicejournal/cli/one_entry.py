"""What `show ID` and `tag ID +a -b` print. Click-free, like cli/found.py: the Click commands in
cli/entries.py and the quick reader (cli/quick.py) both call these, so both print the same bytes."""

from __future__ import annotations

from voicejournal.cli.opening import open_journal
from voicejournal.cli.output import echo, length, print_json, print_styled, when
from voicejournal.core.wording import timestamp


def show_entry(entry_id: str, as_json: bool = False) -> None:
    entry = open_journal().get(entry_id)
    if as_json:
        print_json(entry.to_json())
        return
    facts = [when(entry.created), entry.kind]
    if entry.duration:
        facts.append(length(entry.duration))
    if entry.model:
        facts.append(f"model {entry.model}")
    if entry.mood:
        facts.append(f"mood {entry.mood}/5")
    lines = [[(entry.id, "bold"), ("  " + "  ·  ".join(facts), None)]]
    if entry.tags:
        lines.append([("Tags: " + ", ".join(entry.tags), None)])
    if entry.themes:
        lines.append([("Themes: " + ", ".join(entry.themes), None)])
    lines.append([])
    if entry.status == "pending":
        lines.append([(f"Not transcribed yet. Run `voicejournal transcribe {entry.id}`.", None)])
    elif entry.status == "no_speech":
        lines.append([("No speech was detected in this recording.", None)])
    elif entry.edited or not entry.segments:
        lines.append([(entry.text, None)])
        if entry.edited:
            lines += [[], [("(edited by you; `--json` shows what was heard originally)", "dim")]]
    else:
        from voicejournal.core.sentences import sentences_with_times  # a 24 s window is often one segment

        lines += [
            [(timestamp(start or 0.0), "dim"), (f"  {text}", None)]
            for start, text in sentences_with_times(entry)
        ]
    print_styled(lines)


def tag_entry(entry_id: str, changes: tuple[str, ...]) -> None:
    """+word (or a bare word) adds a tag, -word removes one."""
    add = [c[1:] if c.startswith("+") else c for c in changes if not c.startswith("-")]
    remove = [c[1:] for c in changes if c.startswith("-")]
    entry = open_journal().tag(entry_id, add=add, remove=remove)
    echo(f"{entry.id}: {', '.join(entry.tags) or 'no tags'}")
