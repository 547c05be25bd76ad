"""The brief and the share page as Markdown (GitHub-flavoured: checklists, a table for themes)."""

from __future__ import annotations

import re

from voicejournal.core.brief import Review, Share
from voicejournal.core.wording import offset_text
from voicejournal.render.sections import Page, Section, brief_page, entry_facts, share_page
from voicejournal.render.text import NO_SESSION_HINT


def md(text: str) -> str:
    """User text made safe for Markdown (no accidental headings, links or emphasis)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def render_markdown(review: Review) -> str:
    return render_page_markdown(brief_page(review))


def render_share_markdown(share: Share) -> str:
    return render_page_markdown(share_page(share))


def render_page_markdown(page: Page) -> str:
    out: list[str] = [f"# {page.title}", ""]
    if page.empty:
        out += [*page.empty, ""]
        if page.next_line:
            out += [page.next_line, ""]
        return "\n".join(out)
    top = [f"**{page.headline}**"] if page.headline else []
    top += page.lines
    if page.next_line:
        top.append(page.next_line)
    if page.no_session:
        top.append(NO_SESSION_HINT)
    out += [line + "  " for line in top]
    out.append("")
    for section in page.sections:
        out += _section(section)
    return "\n".join(out).rstrip() + "\n"


def _section(section: Section) -> list[str]:
    key = section.key
    out = [f"## {section.title}", ""]
    if key == "themes":
        out += ["| theme | this period | the period before | |", "|---|---:|---:|:-:|"]
        out += [f"| {md(t.name)} | {t.now} | {t.before} | {t.arrow} |" for t in section.themes]
        return [*out, ""]
    if key == "mood":
        return [*out, section.mood_line, ""]
    if key == "entries":
        if section.detail:
            out += [f"_{section.detail[:1].upper()}{section.detail[1:]} entries._", ""]
        for e in section.entries:
            out += [f"### {' · '.join(entry_facts(e))}", ""]
            for q in e.quotes:
                at = f" ({offset_text(q.offset)})" if q.offset is not None else ""
                out += [f"> {md(q.text)}{at}", ">"]
            if out[-1] == ">":
                out.pop()
            out.append("")
        return out
    out += [md(text) + "\n" for text in section.texts]
    for it in section.items:
        said = f' — "{md(it.said)}"' if it.said else ""
        if key == "goals":
            line = f"- **{md(it.text)}**" + (f" — {it.state}" if it.state else "")
            if it.said:
                line += f': "{md(it.said)}" ({it.said_when})'
            out.append(line + (f" _({it.when})_" if it.when else ""))
            out += [f"  - {when}: {md(note)}" for when, note in it.notes]
        elif it.done is not None:
            box = "x" if it.done else " "
            when = f" _({it.when})_" if it.when and not it.done else ""
            out.append(f"- [{box}] {md(it.text)}{said}{when}")
        elif key == "questions":
            out.append(f"- [ ] {md(it.text)}" + (f" — _{it.when}_" if it.when else ""))
        elif key == "quotes":
            out += [f"> {md(it.text)} ({it.when})", ""]
        else:
            out.append(f'- "{md(it.text)}"' + (f" — {it.when}" if it.when else ""))
    if section.items and out[-1] != "":
        out.append("")
    return out
