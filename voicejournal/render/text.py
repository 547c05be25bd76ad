"""The brief in the terminal: a rich renderable (colours, hanging indents) and its plain-text form."""

from __future__ import annotations

from voicejournal.core.brief import Review
from voicejournal.core.wording import offset_text
from voicejournal.render.sections import Page, Section, brief_page, entry_facts, theme_summary

TERMINAL_HINT = "Printable page: --format html -o brief.html   ·   pick items to share: --share"
NO_SESSION_HINT = "No session on record yet; add yours with `voicejournal session add DATE TIME`."


def render_text(review: Review):
    """A rich renderable for the terminal."""
    return render_page_text(brief_page(review), hint=TERMINAL_HINT)


def render_plain(review: Review, width: int = 100) -> str:
    """The text brief without colours (for tests and pipes)."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False).print(
        render_text(review)
    )
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def render_page_text(page: Page, hint: str = ""):
    from rich.console import Group
    from rich.markup import escape
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    lines: list = []

    def heading(text: str) -> None:
        lines.append(Text(""))
        lines.append(Text(text, style="bold"))

    def row(markup: str, indent: int = 0) -> None:
        # Wrapped lines keep their indent, so a long quote stays readable.
        lines.append(
            Padding(Text.from_markup(markup), (0, 0, 0, indent)) if indent else Text.from_markup(markup)
        )

    def item(bullet: str, markup: str, indent: int = 2) -> None:
        # A hanging indent: wrapped lines start under the text, not under the bullet.
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row(Text.from_markup(bullet), Text.from_markup(markup))
        lines.append(Padding(grid, (0, 0, 0, indent)))

    if page.empty:
        for text in page.empty:
            row(escape(text))
        if page.next_line:
            row(escape(page.next_line))
        return Group(*lines)

    row(f"[bold]{escape(page.headline)}[/]")
    for line in page.lines:
        row(f"[dim]{escape(line)}[/]")
    if page.next_line:
        row(f"[dim]{escape(page.next_line)}[/]")
    if page.no_session:
        row(f"[dim]{escape(NO_SESSION_HINT)}[/]")
    for section in page.sections:
        _section(section, heading, row, item, escape)
    if page.review is not None and not page.review.entry_count:
        lines.append(Text(""))
        row("[dim]No entries since then.[/]")
    if hint:
        lines.append(Text(""))
        row(f"[dim]{escape(hint)}[/]")
    return Group(*lines)


def _section(section: Section, heading, row, item, escape) -> None:
    key = section.key
    if key == "themes":
        heading(f"Themes vs {section.compared}")
        row(escape(theme_summary(section.themes)), 2)
        return
    if key == "entries":
        heading(section.title + (f" ({section.detail})" if section.detail else ""))
        for e in section.entries:
            row(f"[bold]{escape(' · '.join(entry_facts(e)))}[/]  [dim]{e.id}[/]", 2)
            for q in e.quotes:
                at = f" [dim]({offset_text(q.offset)})[/]" if q.offset is not None else ""
                row(f'"{escape(q.text)}"{at}', 4)
        return
    heading(section.title)
    if key == "mood":
        row(escape(section.mood_line), 2)
    for text in section.texts:
        row(escape(text), 2)
    for it in section.items:
        text = escape(it.text)
        if key == "goals":
            line = text + (f" — {escape(it.state)}" if it.state else "")
            if it.said:
                line += f', [italic]"{escape(it.said)}"[/] [dim]({escape(it.said_when)})[/]'
            if it.when:
                line += f" [dim]({escape(it.when)})[/]"
            row(line, 2)
            for when, note in it.notes:
                row(f"[dim]{escape(when)}:[/] {escape(note)}", 6)
        elif it.done is True:
            said = f' — "{escape(it.said)}"' if it.said else ""
            item("[green]✓[/]", f"{text}{said}")
        elif it.done is False:
            said = f' — "{escape(it.said)}"' if it.said else ""
            item("○", text + said + (f" [dim]({escape(it.when)})[/]" if it.when else ""))
        elif key in ("wins", "quotes"):
            item("•", f'"{text}"' + (f" [dim]— {escape(it.when)}[/]" if it.when else ""))
        else:
            item("•", text + (f"   [dim]{escape(it.when)}[/]" if it.when else ""))
