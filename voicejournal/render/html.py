"""The brief and the share page as one self-contained HTML page, from Jinja2 templates (autoescaped)."""

from __future__ import annotations

from functools import cache

from voicejournal.core.brief import Review, Share
from voicejournal.core.wording import day, offset_text
from voicejournal.render.charts import mood_chart, themes_chart
from voicejournal.render.sections import THEME_WORDS, Page, brief_page, entry_facts, share_page


def render_html(review: Review) -> str:
    """One self-contained, printable page: inline CSS and SVG, nothing fetched from anywhere."""
    return render_page_html(brief_page(review))


def render_share_html(share: Share) -> str:
    return render_page_html(share_page(share))


def render_page_html(page: Page) -> str:
    return _environment().get_template("page.html.j2").render(page=page)


@cache
def _environment():
    import re

    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup, escape

    def code(text: str) -> Markup:
        """Escape, then show `commands` as code."""
        return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))

    env = Environment(
        loader=PackageLoader("voicejournal", "templates"),
        autoescape=select_autoescape(["html", "j2", "svg"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["code"] = code
    env.globals.update(
        mood_chart=mood_chart,
        themes_chart=themes_chart,
        day=day,
        offset_text=offset_text,
        entry_facts=entry_facts,
        theme_words=THEME_WORDS,
    )
    return env
