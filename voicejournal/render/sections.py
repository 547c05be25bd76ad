"""The brief's sections, defined once: titles, items and their wording, for every format to lay out.

`brief_sections(review)` and `share_sections(share)` decide what a page says and in which order;
render/text.py, render/markdown.py and render/html.py only decide how it looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voicejournal.core.brief import EntrySummary, MoodTrend, OpenQuestion, Review, Share, ThemeChange
from voicejournal.core.planning import Homework, Session
from voicejournal.core.share import paragraphs
from voicejournal.core.wording import clock, count, day, length_text, offset_text


@dataclass
class Item:
    """One line of a section: the person's words, and what is said about them."""

    text: str
    when: str = ""  # muted: where it came from, when it is due
    done: bool | None = None  # a checklist item (done or open); None for a plain one
    said: str = ""  # their own words, quoted (a homework note, a goal's latest mention)
    said_when: str = ""
    state: str = ""  # a goal's progress ("mentioned 2×")
    notes: list[tuple[str, str]] = field(default_factory=list)  # (day, text) under the item


@dataclass
class Section:
    key: str  # questions, homework, goals, themes, mood, wins, entries, quotes, paragraphs
    title: str
    items: list[Item] = field(default_factory=list)
    detail: str = ""  # "the 12 most telling of 30": said after the title or as a line below it
    compared: str = ""  # themes: the period they are compared with
    themes: list[ThemeChange] = field(default_factory=list)
    mood: MoodTrend | None = None
    mood_line: str = ""
    caption: str = ""
    entries: list[EntrySummary] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # whole paragraphs (a shared entry)


@dataclass
class Page:
    """A whole brief or share page: what goes at the top, then the sections."""

    title: str
    headline: str = ""
    lines: list[str] = field(default_factory=list)  # under the headline
    next_line: str = ""
    no_session: bool = False  # no session on record yet: say how to add one
    empty: list[str] = field(default_factory=list)  # nothing in the period: what to say instead
    sections: list[Section] = field(default_factory=list)
    footer: str = ""
    review: Review | None = None  # for the charts


# --- the words of the brief -----------------------------------------------------------------------


def session_label(session: Session, with_time: bool = True) -> str:
    text = day(session.start) + (f", {clock(session.start)}" if with_time else "")
    return text + (f" with {session.with_name}" if session.with_name else "")


def headline(review: Review) -> str:
    """'Since your session on Mon 24 Nov (9 days): 3 reflections, 24 min'."""
    if review.since_session:
        when = f"Since your session on {day(review.since_session.start)} ({count(review.days, 'day')})"
        if review.since_session.start.date() == review.end.date():
            when = f"Since your session today at {clock(review.since_session.start)}"
    elif review.default_period:
        when = f"The last {count(review.days, 'day')}"
    else:
        when = f"Since {day(review.start)} ({count(review.days, 'day')})"
    if not review.entry_count:
        return f"{when}: no entries yet"
    kinds = set(review.entry_kinds)
    noun = ("reflection", "reflections") if kinds == {"reflection"} else ("entry", "entries")
    text = f"{when}: {count(review.entry_count, *noun)}"
    if review.total_seconds > 0:
        text += f", {length_text(review.total_seconds)}"
    return text


def sessions_line(review: Review) -> str | None:
    """With --since over several weeks: the sessions inside the period."""
    if not review.sessions:
        return None
    return "Sessions in this period: " + ", ".join(day(s.start) for s in review.sessions)


def next_line(review: Review) -> str | None:
    if not review.next_session:
        return None
    days = (review.next_session.start.date() - review.end.date()).days
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return f"Next session: {session_label(review.next_session)} ({when})"


def carried_text(carried: int) -> str:
    if carried == 0:
        return ""
    return f"carried from {'the last session' if carried == 1 else f'{carried} sessions ago'}"


def question_source(item: OpenQuestion) -> str:
    if item.carried:
        return carried_text(item.carried)
    q = item.question
    where = day(q.created)
    if q.offset is not None:
        where += f", at {offset_text(q.offset)}"
    return where if q.entry else f"{where} (added)"


def due_text(hw: Homework, today) -> str:
    if hw.due is None:
        return ""
    if hw.due == today:
        return "due today"
    if hw.due < today:
        return f"was due {day(hw.due)}"
    if (hw.due - today).days < 7:
        return f"due {hw.due:%a}"
    return f"due {day(hw.due)}"


def entry_facts(e: EntrySummary, themes: bool = True) -> list[str]:
    """'Wed 18 Nov 15:10', '6 min', 'family, guilt', 'mood 3/5', 'after the session'."""
    facts = [f"{day(e.created)} {clock(e.created)}", length_text(e.duration)]
    if themes and e.themes:
        facts.append(", ".join(e.themes[:3]))
    if e.mood:
        facts.append(f"mood {e.mood}/5")
    if e.session:
        facts.append("after the session")
    return facts


def mood_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def mood_summary(mood: MoodTrend) -> str | None:
    if not mood.points and not mood.before:
        return None
    parts = []
    if mood.points:
        values = [p.value for p in mood.points]
        shown = values if len(values) <= 12 else values[-12:]
        parts.append((" · ".join(str(v) for v in shown)) + (" …" if len(values) > 12 else ""))
        parts.append(f"average {mood_text(mood.average)} of 5")
    else:
        parts.append("no mood noted this time")
    if mood.previous_average is not None:
        parts.append(f"(previous period average {mood_text(mood.previous_average)})")
    return "   ".join(parts)


def mood_caption(review: Review) -> str:
    mood = review.mood
    parts = []
    if mood.points:
        values = ", ".join(str(p.value) for p in mood.points[-12:])
        parts.append(f"Since {day(review.start)} (shaded): {values}, average {mood_text(mood.average)}.")
    else:
        parts.append(f"No mood noted since {day(review.start)}.")
    if mood.before:
        parts.append(
            f"The {count(review.days, 'day')} before (grey): average {mood_text(mood.previous_average)}."
        )
    return " ".join(parts)


def theme_summary(themes: list[ThemeChange]) -> str:
    def one(t: ThemeChange) -> str:
        return (
            f"{t.name} {t.arrow} ({t.now})"
            if t.arrow == "="
            else f"{t.name} {t.arrow} ({t.now} vs {t.before})"
        )

    return "   ".join(one(t) for t in themes)


THEME_WORDS = {"↑": "came up more", "↓": "came up less", "=": "about the same"}


def goal_line(g) -> str:
    if g.goal.done:
        return f"done {day(g.goal.done)}"
    if g.mentions:
        return f"mentioned {g.mentions}×" + (f" ({g.mentions_before}× before)" if g.mentions_before else "")
    return "not mentioned this time"


def empty_message(review: Review) -> list[str]:
    since = (
        f"since your session on {day(review.since_session.start)}"
        if review.since_session
        else f"in the last {count(review.days, 'day')}"
        if review.default_period
        else f"since {day(review.start)}"
    )
    return [
        f"Nothing new {since}: no entries, questions or homework yet.",
        'To start: `voicejournal record`, or `voicejournal question add "…"` for your next session.',
    ]


# --- the sections ---------------------------------------------------------------------------------


def brief_page(review: Review) -> Page:
    """Everything the brief says, in order."""
    title = "Before your next session" if review.next_session is None else "Before your session"
    page = Page(title=title, next_line=next_line(review) or "", review=review)
    page.footer = (
        f"Made by voicejournal on {day(review.end)}, {clock(review.end)}. This page holds private "
        "journal notes; to share only chosen items use `voicejournal review --share`."
    )
    if review.is_empty:
        page.empty = empty_message(review)
        return page
    page.headline = headline(review)
    if review.sessions:
        page.lines.append(sessions_line(review))
    page.no_session = review.default_period
    page.sections = brief_sections(review)
    return page


def brief_sections(review: Review) -> list[Section]:
    today = review.end.date()
    sections = []
    if review.questions:
        items = [Item(q.question.text, when=question_source(q)) for q in review.questions]
        sections.append(Section("questions", f"Questions to bring ({len(review.questions)})", items))
    if review.homework:
        items = []
        for status in review.homework:
            hw = status.homework
            if status.done:
                items.append(Item(hw.text, when=f"done {day(hw.done)}", done=True, said=hw.note or ""))
            else:
                extra = ", ".join(x for x in (due_text(hw, today), carried_text(status.carried)) if x)
                items.append(Item(hw.text, when=extra, done=False))
        sections.append(Section("homework", "Homework", items))
    if review.goals:
        items = [
            Item(
                g.goal.text,
                state=goal_line(g),
                said=g.latest.text if g.latest else "",
                said_when=day(g.latest.created) if g.latest else "",
                notes=[(day(n.created), n.text) for n in g.notes],
            )
            for g in review.goals
        ]
        sections.append(Section("goals", "Goals", items))
    if review.themes:
        compared = (
            "the period before" if not review.since_session else f"the {count(review.days, 'day')} before"
        )
        sections.append(Section("themes", "Themes", compared=compared, themes=review.themes))
    summary = mood_summary(review.mood)
    if summary:
        sections.append(
            Section("mood", "Mood", mood=review.mood, mood_line=summary, caption=mood_caption(review))
        )
    if review.wins:
        items = [Item(w.text, when=day(w.created)) for w in review.wins]
        sections.append(Section("wins", "Small wins", items))
    if review.entry_count:
        shown = len(review.entries)
        detail = f"the {shown} most telling of {review.entry_count}" if shown < review.entry_count else ""
        sections.append(Section("entries", "What you said", detail=detail, entries=review.entries))
    return sections


def share_page(share: Share) -> Page:
    """Only what the person picked, in the brief's order."""
    title = "Notes for my session"
    if share.next_session:
        title += f" on {session_label(share.next_session, with_time=False)}"
    page = Page(title=title, lines=[f"Picked from my journal on {day(share.made)}."], review=share.review)
    page.footer = "Shared from my voicejournal: only the items above, chosen by me."
    sections = page.sections
    if share.questions:
        items = [Item(q.text) for q in share.questions]
        sections.append(Section("questions", "Questions I'd like to bring", items))
    if share.homework:
        items = [Item(h.text, done=bool(h.done), said=h.note or "") for h in share.homework]
        sections.append(Section("homework", "Homework", items))
    if share.goals:
        sections.append(
            Section("goals", "Goals", [Item(g.text, when="done" if g.done else "") for g in share.goals])
        )
    if share.wins:
        sections.append(
            Section("wins", "Small wins", [Item(w.text, when=day(w.created)) for w in share.wins])
        )
    if share.mood:
        caption = mood_caption(share.review) if share.review else ""
        sections.append(
            Section(
                "mood", "Mood", mood=share.mood, mood_line=mood_summary(share.mood) or "", caption=caption
            )
        )
    if share.quotes:
        items = [Item(q.text, when=day(q.created)) for q in share.quotes]
        sections.append(Section("quotes", "Things I said", items))
    for entry in share.entries:
        title = f"{day(entry.created)}, {clock(entry.created)}"
        sections.append(Section("paragraphs", title, texts=paragraphs(entry)))
    return page
