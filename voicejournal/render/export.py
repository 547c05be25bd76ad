"""Transcripts as Markdown: one readable file per entry, or all of them in one file."""

from __future__ import annotations

from voicejournal.core.entry import Entry
from voicejournal.core.sentences import entry_segments, split_sentences
from voicejournal.core.wording import length_text, offset_text


def entry_filename(entry: Entry) -> str:
    """'2026-11-24-1510-a3f4.md': sorts by date, stays unique."""
    return f"{entry.created:%Y-%m-%d-%H%M}-{entry.id}.md"


def entry_markdown(entry: Entry, level: int = 1) -> str:
    """One entry: a heading with its date, a line of facts, then its transcript in paragraphs.

    Paragraphs of a recording start with their time in it, so a passage can be found with `play --at`.
    """
    heading = "#" * level
    lines = [
        f"{heading} {entry.created:%a %d %b %Y, %H:%M}" + (f" — {entry.title}" if entry.title else ""),
        "",
    ]
    facts = [entry.kind, f"id {entry.id}"]
    if entry.duration:
        facts.append(length_text(entry.duration))
    if entry.mood:
        facts.append(f"mood {entry.mood}/5")
    if entry.tags:
        facts.append("tags: " + ", ".join(entry.tags))
    if entry.themes:
        facts.append("themes: " + ", ".join(entry.themes))
    lines += ["_" + " · ".join(facts) + "_", ""]
    sentences = split_sentences(entry_segments(entry))
    if not sentences:
        lines += ["(no transcript)" if entry.status != "no_speech" else "(no speech in this recording)", ""]
    for i in range(0, len(sentences), 5):
        chunk = sentences[i : i + 5]
        text = " ".join(s.text for s in chunk)
        at = f"**[{offset_text(chunk[0].offset)}]** " if chunk[0].offset is not None else ""
        lines += [at + text, ""]
    if entry.notes:
        lines += ["Notes: " + entry.notes, ""]
    return "\n".join(lines)


def entry_file_markdown(entry: Entry) -> str:
    """One entry as a file: YAML front matter (date, id, kind, mood, tags…) and the transcript.

    The front matter is what Markdown tools (and `voicejournal import --from markdown`) read as the
    entry's date, title and tags. A written or corrected entry's text is written as it is, so importing
    the file gives back exactly the same entry; a recording's paragraphs start with their time in it.
    """
    from voicejournal.core.frontmatter import dump_front_matter

    meta: dict[str, object] = {"date": entry.created, "id": entry.id, "kind": entry.kind}
    if entry.title:
        meta["title"] = entry.title
    if entry.duration:
        meta["duration"] = length_text(entry.duration)
    if entry.mood:
        meta["mood"] = entry.mood
    if entry.tags:
        meta["tags"] = list(entry.tags)
    if entry.themes:
        meta["themes"] = list(entry.themes)
    heading = [f"# {' '.join(entry.title.split()) or '(untitled)'}", ""] if entry.title else []
    if entry.text.strip() and not (entry.segments and not entry.edited):
        body = entry.text + "\n\n" + (f"Notes: {entry.notes}\n\n" if entry.notes else "")
    else:  # a recording: paragraphs with their time in it, or "(no transcript)"
        body = entry_markdown(entry).split("\n", 4)[4]  # without the heading and facts line
    return (
        "---\n" + dump_front_matter(meta) + "---\n\n" + "\n".join(heading) + ("\n" if heading else "") + body
    )


def journal_markdown(entries: list[Entry]) -> str:
    """All entries, oldest first, in one document."""
    parts = ["# My voicejournal", ""]
    for entry in sorted(entries, key=lambda e: e.created):
        parts.append(entry_markdown(entry, level=2))
    return "\n".join(parts).rstrip() + "\n"
