"""The pre-session review: everything since the last session, as a short, kind brief.

`build_review` turns entries and the planning records into a `Review` (pure data); `render_text`,
`render_markdown` and `render_html` present it. `build_share` keeps only what the person picked, for a
page they can hand to their therapist; nothing else is on it.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from voicejournal import clock as clk
from voicejournal.entry import Entry
from voicejournal.markers import entry_segments as segments_of
from voicejournal.markers import split_sentences
from voicejournal.planning import (
    Goal,
    Homework,
    Question,
    Session,
    Win,
    last_session,
    marker_key,
    mentions_goal,
    next_session,
)
from voicejournal.planning import session_for as reflection_session
from voicejournal.wording import count

DEFAULT_DAYS = 14  # the period when there is no session yet and no --since
MAX_ENTRIES_SHOWN = 12  # more than this and the brief lists the most telling ones


# --- the model ------------------------------------------------------------------------------------


@dataclass
class Quote:
    text: str
    entry_id: str
    created: datetime
    offset: float | None = None


@dataclass
class EntrySummary:
    id: str
    created: datetime
    kind: str
    duration: float
    mood: int | None
    themes: list[str]
    quotes: list[Quote]
    session: Session | None = None  # the session this entry reflects on
    words: int = 0
    score: float = 0.0


@dataclass
class OpenQuestion:
    question: Question
    carried: int  # sessions since it was filed


@dataclass
class HomeworkStatus:
    homework: Homework
    carried: int

    @property
    def done(self) -> bool:
        return self.homework.done is not None


@dataclass
class GoalProgress:
    goal: Goal
    mentions: int
    mentions_before: int
    latest: Quote | None
    notes: list  # GoalNote made in the period


@dataclass
class ThemeChange:
    name: str
    now: int
    before: int

    @property
    def arrow(self) -> str:
        return "↑" if self.now > self.before else "↓" if self.now < self.before else "="


@dataclass
class MoodPoint:
    when: datetime
    value: int
    entry_id: str


@dataclass
class MoodTrend:
    points: list[MoodPoint]  # in the period, oldest first
    before: list[MoodPoint]  # the equal-length period before

    @property
    def average(self) -> float | None:
        return _mean([p.value for p in self.points])

    @property
    def previous_average(self) -> float | None:
        return _mean([p.value for p in self.before])


@dataclass
class Review:
    start: datetime
    end: datetime
    previous_start: datetime
    since_session: Session | None
    next_session: Session | None
    sessions: list[Session]  # sessions within the period (after the one it starts from)
    entries: list[EntrySummary]  # shown, oldest first
    entry_count: int
    entry_kinds: Counter
    total_seconds: float
    questions: list[OpenQuestion]
    homework: list[HomeworkStatus]
    goals: list[GoalProgress]
    themes: list[ThemeChange]
    mood: MoodTrend
    wins: list[Win]
    theme_series: dict[str, list[int]] = field(default_factory=dict)  # theme -> counts per bucket
    buckets: list[datetime] = field(default_factory=list)  # bucket starts, from previous_start to end
    default_period: bool = False  # no session and no --since: the last DEFAULT_DAYS days

    @property
    def days(self) -> int:
        return max(1, (self.end.date() - self.start.date()).days)  # calendar days, as people count them

    @property
    def is_empty(self) -> bool:
        return not (self.entry_count or self.questions or self.homework or self.goals or self.wins)


# --- building -------------------------------------------------------------------------------------


def review_period(sessions: list[Session], now: datetime, since: datetime | None = None):
    """(start, previous_start, the session it starts from) for a review made at `now`."""
    session = None
    if since is None:
        session = last_session(sessions, now)
        start = session.start if session else now - timedelta(days=DEFAULT_DAYS)
    else:
        start = since
    start = min(start, now)
    length = max(now - start, timedelta(days=1))
    return start, start - length, session


def build_review(
    entries: list[Entry],
    now: datetime,
    sessions: list[Session] = (),
    goals: list[Goal] = (),
    homework: list[Homework] = (),
    questions: list[Question] = (),
    wins: list[Win] = (),
    since: datetime | None = None,
) -> Review:
    """The brief for the period since the last session (or `since`) up to `now`."""
    sessions = sorted(sessions, key=lambda s: s.start)
    start, previous_start, since_session = review_period(sessions, now, since)
    in_period = sorted((e for e in entries if start <= e.created <= now), key=lambda e: e.created)
    before = [e for e in entries if previous_start <= e.created < start]

    chosen = in_period
    if len(in_period) > MAX_ENTRIES_SHOWN:
        # A long period: a quick look (session, mood, themes, length) picks the entries to quote.
        ranked = sorted(in_period, key=lambda e: -_quick_score(e, sessions))[:MAX_ENTRIES_SHOWN]
        chosen = sorted(ranked, key=lambda e: e.created)
    shown = [_summarise(e, sessions) for e in chosen]

    def carried(created: datetime) -> int:
        return sum(1 for s in sessions if created < s.start <= now)

    # Said again in a later entry, a question or a piece of homework is still one item (the oldest).
    asked_texts = {marker_key("q", q.text) for q in questions if q.asked is not None}
    open_questions = [
        OpenQuestion(q, carried(q.created))
        for q in _once(sorted(questions, key=lambda q: q.created))
        if q.asked is None and marker_key("q", q.text) not in asked_texts
    ]
    homework_status = [
        HomeworkStatus(h, carried(h.created))
        for h in _once(sorted(homework, key=lambda h: (h.done is None, h.created)))
        if h.done is None or h.done >= start
    ]
    homework_status.sort(key=lambda s: (s.done, s.homework.due or date.max, s.homework.created))
    goal_progress = [
        _goal_progress(g, in_period, before, start)
        for g in sorted(goals, key=lambda g: g.created)
        if g.done is None or g.done >= start
    ]
    themes_now = _theme_counts(in_period)
    themes_before = _theme_counts(before)
    names = sorted(
        set(themes_now) | set(themes_before), key=lambda n: (-max(themes_now[n], themes_before[n]), n)
    )
    theme_changes = [ThemeChange(n, themes_now[n], themes_before[n]) for n in names[:8]]
    mood = MoodTrend(
        [MoodPoint(e.created, e.mood, e.id) for e in in_period if e.mood],
        [MoodPoint(e.created, e.mood, e.id) for e in sorted(before, key=lambda e: e.created) if e.mood],
    )
    period_wins = sorted((w for w in wins if start <= w.created <= now), key=lambda w: w.created)
    buckets, series = _theme_series(
        in_period + before, previous_start, now, [t.name for t in theme_changes[:5]]
    )
    return Review(
        start=start,
        end=now,
        previous_start=previous_start,
        since_session=since_session,
        next_session=next_session(sessions, now),
        sessions=[s for s in sessions if start < s.start <= now],
        entries=shown,
        entry_count=len(in_period),
        entry_kinds=Counter(e.kind for e in in_period),
        total_seconds=sum(e.duration or 0 for e in in_period),
        questions=open_questions,
        homework=homework_status,
        goals=goal_progress,
        themes=theme_changes,
        mood=mood,
        wins=period_wins,
        theme_series=series,
        buckets=buckets,
        default_period=since is None and since_session is None,
    )


def _once(records: list) -> list:
    """The first record of each text (the list's order decides which is first)."""
    seen, kept = set(), []
    for record in records:
        key = marker_key("x", record.text)
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _theme_counts(entries: list[Entry]) -> Counter:
    return Counter(theme for e in entries for theme in e.themes)


def _theme_series(entries, start: datetime, end: datetime, names: list[str]):
    span = end - start
    step = timedelta(days=1) if span <= timedelta(days=21) else timedelta(days=7)
    if span > timedelta(days=7 * 26):
        step = timedelta(days=30)
    count = max(1, math.ceil(span / step))
    buckets = [start + i * step for i in range(count)]
    series = {n: [0] * count for n in names}
    for e in entries:
        index = min(count - 1, int((e.created - start) / step))
        for theme in e.themes:
            if theme in series and index >= 0:
                series[theme][index] += 1
    return buckets, series


# Words that make a sentence telling: feelings, noticing, the person's own voice.
_FEELINGS = re.compile(
    r"\b(?:feel|feels|felt|feeling|afraid|scared|angry|anger|sad|sadness|guilt|guilty|relieved|relief|ashamed|"
    r"shame|lonely|alone|hurt|happy|proud|anxious|anxiety|worried|worry|overwhelmed|calm|frustrated|tired|"
    r"exhausted|hopeful|hope|upset|cried|crying|panic|nervous|grateful|stuck|numb|jealous|resent\w*|love|"
    r"hate|fear|safe|unsafe|embarrassed|disappointed|excited|peaceful)\b",
    re.I,
)
_INSIGHT = re.compile(
    r"\b(?:realis\w+|realiz\w+|noticed|notice|understood|understand|learned|learnt|because|always|never|"
    r"first\s+time|for\s+once|the\s+reason|i\s+think|it\s+turns\s+out|finally|managed|boundar\w+)\b",
    re.I,
)
_FILLER = re.compile(r"\b(?:um+|uh+|erm|like|you\s+know|i\s+mean|sort\s+of|kind\s+of)\b", re.I)
_MARKER_WORDS = re.compile(
    r"^\W*(?:(?:and|so|okay|ok|um|uh)\W+)*(?:a\s+)?(?:small\s+win|homework|question\s+for\s+(?:my|the)\s+"
    r"therapist)\s*[:,.\-–—]\s*",
    re.I,
)
_MARKER_SENTENCE = re.compile(
    r"^\W*(?:(?:and|so|okay|ok|um|uh)\W+)*(?:mood|homework|goal|new goal|small win|question for)\b", re.I
)


def _score_sentence(text: str, theme_words: set[str]) -> float:
    words = re.findall(r"[\w'’]+", text.lower())
    n = len(words)
    if n < 6 or _MARKER_SENTENCE.match(text):
        return 0.0
    score = 2.0 * min(2, len(_FEELINGS.findall(text)))
    score += 1.0 * min(2, len(_INSIGHT.findall(text)))
    score += 1.5 * min(2, sum(1 for w in words if w in theme_words))
    score += 0.5 if re.search(r"\b(?:i|my|me|i'm|i've)\b", text, re.I) else 0.0
    score += 1.0 if 10 <= n <= 35 else 0.0
    score -= 1.0 * len(_FILLER.findall(text))
    score -= 0.1 * max(0, n - 40)
    return score


def telling_sentences(entry: Entry, limit: int | None = None) -> tuple[list[Quote], float]:
    """The sentences that say most about an entry (extractive), in the order they were said."""
    sentences = split_sentences(segments_of(entry))
    if not sentences:
        return [], 0.0
    theme_words = {w.lower() for words in entry.themes.values() for w in words}
    scored = [(_score_sentence(s.text, theme_words), i, s) for i, s in enumerate(sentences)]
    if limit is None:
        minutes = (entry.duration or 0) / 60 or sum(len(s.text.split()) for s in sentences) / 130
        limit = 1 if minutes < 2 else 2 if minutes < 8 else 3
    best = sorted((t for t in scored if t[0] > 0), key=lambda t: (-t[0], t[1]))[:limit]
    if not best:  # nothing stood out: the opening words say what it is about
        best = [(0.0, 0, sentences[0])]
    best.sort(key=lambda t: t[1])
    quotes = [Quote(_clip(s.text), entry.id, entry.created, s.offset) for _, _, s in best]
    return quotes, sum(t[0] for t in best)


def _clip(text: str, words: int = 40) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]).rstrip(",;:") + " …"


def _linked_session(entry: Entry, sessions: list[Session]) -> Session | None:
    if entry.session:
        session = next((s for s in sessions if s.id == entry.session), None)
        if session:
            return session
    return reflection_session(entry.created, sessions)


def _quick_score(entry: Entry, sessions: list[Session]) -> float:
    score = 3.0 if _linked_session(entry, sessions) else 0.0
    score += 2.0 if entry.mood in (1, 5) else 1.0 if entry.mood else 0.0
    score += min(3, len(entry.themes)) + min(3.0, len(entry.text) / 600)
    return score


def _summarise(entry: Entry, sessions: list[Session]) -> EntrySummary:
    quotes, score = telling_sentences(entry)
    session = _linked_session(entry, sessions)
    return EntrySummary(
        id=entry.id,
        created=entry.created,
        kind=entry.kind,
        duration=entry.duration or 0.0,
        mood=entry.mood,
        themes=list(entry.themes),
        quotes=quotes,
        session=session,
        words=len(entry.text.split()),
        score=score + (3 if session else 0) + (2 if entry.mood else 0),
    )


def _goal_progress(goal: Goal, period: list[Entry], before: list[Entry], start: datetime) -> GoalProgress:
    hits = [e for e in period if mentions_goal(e.text, goal)]
    latest = None
    if hits:
        entry = hits[-1]
        sentences = [
            s
            for s in split_sentences(segments_of(entry))
            if not re.match(r"\W*(?:new\s+)?goal\b", s.text, re.I)
        ]
        best = [s for s in sentences if mentions_goal(s.text, goal)]
        if best:
            said = _MARKER_WORDS.sub("", best[-1].text)
            said = said[:1].upper() + said[1:]
            latest = Quote(_clip(said, 25), entry.id, entry.created, best[-1].offset)
    return GoalProgress(
        goal=goal,
        mentions=len(hits),
        mentions_before=sum(1 for e in before if mentions_goal(e.text, goal)),
        latest=latest,
        notes=[n for n in goal.notes if n.created >= start],
    )


# --- words for people -----------------------------------------------------------------------------


def day(dt: datetime | date) -> str:
    """'Mon 24 Nov' (with the year when it is not this year's)."""
    today = clk.today()
    text = f"{dt:%a} {dt.day} {dt:%b}"
    return text if dt.year == today.year else f"{text} {dt.year}"


def clock(dt: datetime) -> str:
    return f"{dt:%H:%M}"


def offset_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def length_text(seconds: float) -> str:
    if seconds <= 0:
        return "written"
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


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
    text = f"{when}: {count(review.entry_count, 'reflection' if kinds == {'reflection'} else 'entry')}"
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
    return (
        ""
        if carried == 0
        else f"carried from {'the last session' if carried == 1 else f'{carried} sessions ago'}"
    )


def question_source(item: OpenQuestion) -> str:
    if item.carried:
        return carried_text(item.carried)
    q = item.question
    where = day(q.created)
    if q.offset is not None:
        where += f", at {offset_text(q.offset)}"
    return where if q.entry else f"{where} (added)"


def due_text(hw: Homework, today: date) -> str:
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
    """'Wed 18 Nov 15:10', '6 min', 'family, guilt', 'mood 3', 'after the session'."""
    facts = [f"{day(e.created)} {clock(e.created)}", length_text(e.duration)]
    if themes and e.themes:
        facts.append(", ".join(e.themes[:3]))
    if e.mood:
        facts.append(f"mood {e.mood}")
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
        parts.append(f"average {mood_text(mood.average)}")
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


def goal_line(g: GoalProgress) -> str:
    if g.goal.done:
        state = f"done {day(g.goal.done)}"
    elif g.mentions:
        state = f"mentioned {g.mentions}×" + (f" ({g.mentions_before}× before)" if g.mentions_before else "")
    else:
        state = "not mentioned this time"
    return state


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


# --- text (rich) ----------------------------------------------------------------------------------


def render_text(review: Review):
    """A rich renderable for the terminal."""
    from rich.console import Group
    from rich.markup import escape
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    lines: list = []
    today = review.end.date()

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

    if review.is_empty:
        for text in empty_message(review):
            row(escape(text))
        if review.next_session:
            row(escape(next_line(review)))
        return Group(*lines)

    row(f"[bold]{escape(headline(review))}[/]")
    if review.sessions:
        row(f"[dim]{escape(sessions_line(review))}[/]")
    if review.next_session:
        row(f"[dim]{escape(next_line(review))}[/]")
    if review.default_period:
        row("[dim]No session on record yet; add yours with `voicejournal session add DATE TIME`.[/]")

    if review.questions:
        heading(f"Questions to bring ({len(review.questions)})")
        for q in review.questions:
            item("•", f"{escape(q.question.text)}   [dim]{escape(question_source(q))}[/]")
    if review.homework:
        heading("Homework")
        for status in review.homework:
            hw = status.homework
            if status.done:
                note = f' — "{escape(hw.note)}"' if hw.note else ""
                item("[green]✓[/]", f"{escape(hw.text)}{note}")
            else:
                extra = ", ".join(x for x in (due_text(hw, today), carried_text(status.carried)) if x)
                item("○", escape(hw.text) + (f" [dim]({escape(extra)})[/]" if extra else ""))
    if review.goals:
        heading("Goals")
        for g in review.goals:
            text = f"{escape(g.goal.text)} — {escape(goal_line(g))}"
            if g.latest:
                text += f', [italic]"{escape(g.latest.text)}"[/] [dim]({day(g.latest.created)})[/]'
            row(text, 2)
            for note in g.notes:
                row(f"[dim]{day(note.created)}:[/] {escape(note.text)}", 6)
    if review.themes:
        label = "the period before" if not review.since_session else f"the {count(review.days, 'day')} before"
        heading(f"Themes vs {label}")
        row(escape(theme_summary(review.themes)), 2)
    summary = mood_summary(review.mood)
    if summary:
        heading("Mood")
        row(escape(summary), 2)
    if review.wins:
        heading("Small wins")
        for win in review.wins:
            item("•", f'"{escape(win.text)}" [dim]— {day(win.created)}[/]')
    if review.entry_count:
        shown = len(review.entries)
        title = "What you said" + (
            f" (the {shown} most telling of {review.entry_count})" if shown < review.entry_count else ""
        )
        heading(title)
        for e in review.entries:
            row(f"[bold]{escape(' · '.join(entry_facts(e)))}[/]  [dim]{e.id}[/]", 2)
            for q in e.quotes:
                at = f" [dim]({offset_text(q.offset)})[/]" if q.offset is not None else ""
                row(f'"{escape(q.text)}"{at}', 4)
    else:
        lines.append(Text(""))
        row("[dim]No entries since then.[/]")
    lines.append(Text(""))
    row("[dim]Printable page: --format html -o brief.html   ·   pick items to share: --share[/]")
    return Group(*lines)


def render_plain(review: Review, width: int = 100) -> str:
    """The text brief without colours (for tests and pipes)."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False).print(
        render_text(review)
    )
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


# --- markdown -------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """User text made safe for Markdown (no accidental headings, links or emphasis)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def render_markdown(review: Review) -> str:
    today = review.end.date()
    out: list[str] = ["# Before your next session", ""]
    if review.is_empty:
        out += [*empty_message(review), ""]
        if review.next_session:
            out += [next_line(review), ""]
        return "\n".join(out)
    out.append(f"**{headline(review)}**  ")
    if review.sessions:
        out.append(sessions_line(review) + "  ")
    if review.next_session:
        out.append(next_line(review) + "  ")
    out.append("")
    if review.questions:
        out += [f"## Questions to bring ({len(review.questions)})", ""]
        for item in review.questions:
            out.append(f"- [ ] {_md(item.question.text)} — _{question_source(item)}_")
        out.append("")
    if review.homework:
        out += ["## Homework", ""]
        for item in review.homework:
            hw = item.homework
            if item.done:
                note = f' — "{_md(hw.note)}"' if hw.note else ""
                out.append(f"- [x] {_md(hw.text)}{note}")
            else:
                extra = ", ".join(x for x in (due_text(hw, today), carried_text(item.carried)) if x)
                out.append(f"- [ ] {_md(hw.text)}" + (f" _({extra})_" if extra else ""))
        out.append("")
    if review.goals:
        out += ["## Goals", ""]
        for g in review.goals:
            line = f"- **{_md(g.goal.text)}** — {goal_line(g)}"
            if g.latest:
                line += f': "{_md(g.latest.text)}" ({day(g.latest.created)})'
            out.append(line)
            for note in g.notes:
                out.append(f"  - {day(note.created)}: {_md(note.text)}")
        out.append("")
    if review.themes:
        out += ["## Themes", "", "| theme | this period | the period before | |", "|---|---:|---:|:-:|"]
        for t in review.themes:
            out.append(f"| {_md(t.name)} | {t.now} | {t.before} | {t.arrow} |")
        out.append("")
    summary = mood_summary(review.mood)
    if summary:
        out += ["## Mood", "", summary, ""]
    if review.wins:
        out += ["## Small wins", ""]
        out += [f'- "{_md(w.text)}" — {day(w.created)}' for w in review.wins]
        out.append("")
    if review.entry_count:
        out += ["## What you said", ""]
        if len(review.entries) < review.entry_count:
            out += [f"_The {len(review.entries)} most telling of {review.entry_count} entries._", ""]
        for e in review.entries:
            out += [f"### {' · '.join(entry_facts(e))}", ""]
            for q in e.quotes:
                at = f" ({offset_text(q.offset)})" if q.offset is not None else ""
                out.append(f"> {_md(q.text)}{at}")
                out.append(">")
            if out[-1] == ">":
                out.pop()
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# --- html -----------------------------------------------------------------------------------------

_CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --accent:#2f6f73; --soft:#eef5f5; --warm:#b4581f; }
* { box-sizing: border-box; }
body { font: 17px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); margin: 0; background: #fbfbf8; }
main { max-width: 46rem; margin: 0 auto; padding: 2.2rem 1.4rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; font-weight: 650; letter-spacing: -.01em; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; color: var(--accent); border-bottom: 1px solid var(--line);
  padding-bottom: .25rem; }
p.lead { margin: 0; font-size: 1.05rem; }
p.sub, .muted { color: var(--muted); }
p.sub { margin: .2rem 0 0; }
ul { padding-left: 0; list-style: none; margin: 0; }
li { margin: .45rem 0; padding-left: 1.7rem; position: relative; }
li::before { position: absolute; left: .2rem; top: 0; color: var(--accent); }
ul.questions li::before { content: "☐"; }
ul.homework li.done::before { content: "✓"; color: #2e7d32; }
ul.homework li.open::before { content: "○"; }
ul.wins li::before { content: "★"; color: #c9a227; }
ul.goals li::before { content: "◆"; font-size: .8em; top: .2em; }
.when { color: var(--muted); font-size: .88rem; white-space: nowrap; }
q, blockquote { quotes: "“" "”"; }
blockquote { margin: .4rem 0 .6rem; padding: .1rem 0 .1rem 1rem; border-left: 3px solid var(--line); }
blockquote .when { margin-left: .4rem; }
.entry { margin: 1.2rem 0; break-inside: avoid; }
.entry h3 { font-size: .98rem; margin: 0 0 .2rem; font-weight: 600; }
.tag { display: inline-block; background: var(--soft); color: var(--accent); border-radius: 1rem;
  padding: 0 .55rem; font-size: .8rem; margin-left: .3rem; font-weight: 500; }
table.themes { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .95rem; }
table.themes th, table.themes td { text-align: left; padding: .3rem .5rem;
  border-bottom: 1px solid var(--line); }
table.themes td.n, table.themes th.n { text-align: right; font-variant-numeric: tabular-nums; }
.up, .down { color: var(--ink); }
figure { margin: .6rem 0 1rem; }
figcaption { color: var(--muted); font-size: .85rem; }
svg { max-width: 100%; height: auto; display: block; }
section { break-inside: avoid-page; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line);
  padding-top: .6rem; }
.empty { background: var(--soft); padding: 1rem 1.2rem; border-radius: .6rem; }
@media print {
  body { background: #fff; font-size: 12pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: list[str], footer: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n<footer>{footer}</footer>\n</main>\n</body>\n</html>\n"
    )


def _when(text: str) -> str:
    return f' <span class="when">{_e(text)}</span>' if text else ""


def mood_chart(review: Review, width: int = 680, height: int = 220) -> str:
    """Inline SVG: mood (1-5) per entry over this period and the one before, sessions marked."""
    points = review.mood.before + review.mood.points
    left, right, top, bottom = 44, 16, 18, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    t0, t1 = review.previous_start, review.end
    span = max((t1 - t0).total_seconds(), 1.0)

    def x(dt: datetime) -> float:
        return left + plot_w * min(1.0, max(0.0, (dt - t0).total_seconds() / span))

    def y(value: float) -> float:
        return top + plot_h * (5 - value) / 4

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Mood from 1 to 5 over time" font-family="sans-serif" font-size="12">',
        "<title>Mood over time</title>",
        f'<rect x="{x(review.start):.1f}" y="{top}" width="{x(t1) - x(review.start):.1f}" height="{plot_h}" '
        'fill="#eef5f5"/>',
    ]
    for value, label in ((1, "1 low"), (3, "3"), (5, "5 good")):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#d9e2ec"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="#616e7c">{label}</text>'
        )
    for s in [review.since_session, *review.sessions]:
        if s is not None:
            sx = x(s.start)
            out.append(
                f'<line x1="{sx:.1f}" x2="{sx:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#2f6f73" '
                'stroke-dasharray="4 3"/>'
            )
            out.append(
                f'<text x="{sx + 4:.1f}" y="{top + 11}" fill="#2f6f73">session {_e(day(s.start))}</text>'
            )
    # Each entry is a dot; a line joins them in time order.
    line = [(x(p.when), y(p.value)) for p in sorted(points, key=lambda p: p.when)]
    if len(line) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(line))
        out.append(
            f'<path d="{path}" fill="none" stroke="#2f6f73" stroke-width="2" stroke-linejoin="round"/>'
        )
    for p in points:
        color = "#2f6f73" if p.when >= review.start else "#9aa5b1"
        out.append(
            f'<circle cx="{x(p.when):.1f}" cy="{y(p.value):.1f}" r="4.5" fill="{color}">'
            f"<title>{_e(day(p.when))}: {p.value}</title></circle>"
        )
    for dt, anchor in ((t0, "start"), (review.start, "middle"), (t1, "end")):
        out.append(
            f'<text x="{x(dt):.1f}" y="{height - 14}" text-anchor="{anchor}" fill="#616e7c">'
            f"{_e(day(dt))}</text>"
        )
    if not points:
        out.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            'fill="#616e7c">No mood noted yet</text>'
        )
    out.append("</svg>")
    return "".join(out)


def themes_chart(review: Review, width: int = 680) -> str:
    """Inline SVG: how often each main theme came up, day by day (or week by week)."""
    names = list(review.theme_series)
    if not names or not review.buckets:
        return ""
    label_w, top, row_h = 120, 26, 30
    n = len(review.buckets)
    cell = (width - label_w - 10) / n
    height = top + row_h * len(names) + 24
    peak = max(1, max(max(v) for v in review.theme_series.values()))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Themes over time" font-family="sans-serif" font-size="12">',
        "<title>Themes over time</title>",
    ]
    start_x = label_w + cell * sum(1 for b in review.buckets if b < review.start)
    out.append(
        f'<rect x="{start_x:.1f}" y="{top - 8}" width="{width - 10 - start_x:.1f}" '
        f'height="{row_h * len(names) + 8}" fill="#eef5f5"/>'
    )
    out.append(
        f'<text x="{start_x + 4:.1f}" y="{top - 12}" fill="#2f6f73">since {_e(day(review.start))}</text>'
    )
    for r, name in enumerate(names):
        cy = top + r * row_h + row_h / 2 - 4
        out.append(
            f'<text x="{label_w - 8}" y="{cy + 4:.1f}" text-anchor="end" fill="#1f2933">{_e(name)}</text>'
        )
        for i, mentions in enumerate(review.theme_series[name]):
            cx = label_w + cell * (i + 0.5)
            if mentions:
                radius = 3 + 8 * math.sqrt(mentions / peak)
                out.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{min(radius, cell / 2 + 2):.1f}" fill="#2f6f73" '
                    f'fill-opacity="{0.35 + 0.6 * mentions / peak:.2f}">'
                    f"<title>{_e(name)}: {mentions}</title></circle>"
                )
            else:
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="1.5" fill="#d9e2ec"/>')
    out.append(
        f'<text x="{label_w}" y="{height - 6}" fill="#616e7c">{_e(day(review.buckets[0]))}</text>'
        f'<text x="{width - 10}" y="{height - 6}" text-anchor="end" fill="#616e7c">'
        f"{_e(day(review.end))}</text>"
    )
    out.append("</svg>")
    return "".join(out)


def render_html(review: Review) -> str:
    """One self-contained, printable page: inline CSS and SVG, nothing fetched from anywhere."""
    today = review.end.date()
    title = "Before your next session" if review.next_session is None else "Before your session"
    body = [f"<h1>{_e(title)}</h1>"]
    if review.next_session:
        body.append(f'<p class="sub">{_e(next_line(review).removeprefix("Next session: "))}</p>')
    footer = (
        f"Made by voicejournal on {_e(day(review.end))}, {_e(clock(review.end))}. This page holds private "
        "journal notes; to share only chosen items use <code>voicejournal review --share</code>."
    )
    if review.is_empty:
        first, second = empty_message(review)
        body.append(f'<div class="empty"><p>{_e(first)}</p><p class="muted">{_e(second)}</p></div>')
        return _page(title, body, footer)
    body.append(f'<p class="lead">{_e(headline(review))}</p>')
    if review.sessions:
        body.append(f'<p class="sub">{_e(sessions_line(review))}</p>')
    if review.default_period:
        body.append(
            '<p class="sub">No session on record yet — add yours with '
            "<code>voicejournal session add</code>.</p>"
        )

    if review.questions:
        body.append(f"<section><h2>Questions to bring ({len(review.questions)})</h2><ul class=questions>")
        for item in review.questions:
            body.append(f"<li>{_e(item.question.text)}{_when(question_source(item))}</li>")
        body.append("</ul></section>")
    if review.homework:
        body.append("<section><h2>Homework</h2><ul class=homework>")
        for item in review.homework:
            hw = item.homework
            if item.done:
                note = f" — <q>{_e(hw.note)}</q>" if hw.note else ""
                body.append(f'<li class="done">{_e(hw.text)}{note}{_when("done " + day(hw.done))}</li>')
            else:
                extra = ", ".join(x for x in (due_text(hw, today), carried_text(item.carried)) if x)
                body.append(f'<li class="open">{_e(hw.text)}{_when(extra)}</li>')
        body.append("</ul></section>")
    if review.goals:
        body.append("<section><h2>Goals</h2><ul class=goals>")
        for g in review.goals:
            quote = f"<br><q>{_e(g.latest.text)}</q>{_when(day(g.latest.created))}" if g.latest else ""
            notes = "".join(
                f'<br><span class="when">{_e(day(n.created))}:</span> {_e(n.text)}' for n in g.notes
            )
            body.append(f"<li><strong>{_e(g.goal.text)}</strong> — {_e(goal_line(g))}{quote}{notes}</li>")
        body.append("</ul></section>")
    summary = mood_summary(review.mood)
    if summary:
        body.append("<section><h2>Mood</h2>")
        caption = mood_caption(review)
        body.append(f"<figure>{mood_chart(review)}<figcaption>{_e(caption)}</figcaption></figure></section>")
    if review.themes:
        body.append("<section><h2>Themes</h2>")
        chart = themes_chart(review)
        if chart:
            body.append(
                f"<figure>{chart}<figcaption>Bigger circles: talked about more often.</figcaption></figure>"
            )
        body.append(
            f'<table class="themes"><tr><th>theme</th><th class="n">since {_e(day(review.start))}</th>'
            f'<th class="n">the {count(review.days, "day")} before</th><th></th></tr>'
        )
        for t in review.themes:
            cls = "up" if t.arrow == "↑" else "down" if t.arrow == "↓" else ""
            word = {"↑": "came up more", "↓": "came up less", "=": "about the same"}[t.arrow]
            body.append(
                f'<tr><td>{_e(t.name)}</td><td class="n">{t.now}</td><td class="n">{t.before}</td>'
                f'<td class="{cls}">{t.arrow} {word}</td></tr>'
            )
        body.append("</table></section>")
    if review.wins:
        body.append("<section><h2>Small wins</h2><ul class=wins>")
        body += [f"<li>{_e(w.text)}{_when(day(w.created))}</li>" for w in review.wins]
        body.append("</ul></section>")
    if review.entry_count:
        body.append("<section><h2>What you said</h2>")
        if len(review.entries) < review.entry_count:
            body.append(
                f'<p class="sub">The {len(review.entries)} most telling of {review.entry_count} entries.</p>'
            )
        for e in review.entries:
            tags = "".join(f'<span class="tag">{_e(t)}</span>' for t in e.themes[:3])
            bits = entry_facts(e, themes=False)
            body.append(f'<div class="entry"><h3>{_e(" · ".join(bits))}{tags}</h3>')
            for q in e.quotes:
                body.append(f"<blockquote>{_e(q.text)}{_when(offset_text(q.offset))}</blockquote>")
            body.append("</div>")
        body.append("</section>")
    return _page(title, body, footer)


# --- sharing --------------------------------------------------------------------------------------

PICK_KINDS = ("question", "entry", "quote", "homework", "goal", "win", "mood")
PICK_HELP = "Use question:ID, entry:ID, quote:ID@MM:SS, homework:ID, goal:ID, win:ID or mood."


@dataclass
class Share:
    """Only what the person picked: the page they hand to their therapist."""

    made: datetime
    next_session: Session | None = None
    questions: list[Question] = field(default_factory=list)
    homework: list[Homework] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    wins: list[Win] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    mood: MoodTrend | None = None
    review: Review | None = None  # for the mood chart only

    @property
    def is_empty(self) -> bool:
        picked = (self.questions, self.homework, self.goals, self.wins, self.quotes, self.entries, self.mood)
        return not any(picked)


def parse_pick(text: str) -> tuple[str, str]:
    """'question:q1' -> ('question', 'q1'); 'mood' -> ('mood', '')."""
    from voicejournal.errors import UsageError

    kind, _, value = text.strip().partition(":")
    kind = kind.lower()
    if kind == "mood" and not value:
        return kind, ""
    if kind not in PICK_KINDS or not value.strip():
        raise UsageError(f"Unknown pick '{text}'. {PICK_HELP}")
    if kind == "quote" and "@" not in value:
        raise UsageError(f"Pick a quote as quote:ENTRY@MM:SS (for example quote:a3f@02:13), not '{text}'.")
    return kind, value.strip()


def parse_offset(text: str) -> float:
    from voicejournal.errors import UsageError

    parts = text.strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise UsageError(f"'{text}' is not a time in the recording; write it like 02:13.") from None
    seconds = 0.0
    for n in numbers:
        seconds = seconds * 60 + n
    return seconds


def quote_at(entry: Entry, seconds: float) -> Quote:
    """The sentence being said at `seconds` into the entry."""
    sentences = split_sentences(segments_of(entry))
    if not sentences:
        from voicejournal.errors import UsageError

        raise UsageError(f"Entry {entry.id} has no transcript to quote.")
    chosen = sentences[0]
    for s in sentences:
        if s.offset is not None and s.offset <= seconds + 0.5:
            chosen = s
    return Quote(chosen.text, entry.id, entry.created, chosen.offset)


def share_candidates(review: Review) -> list[tuple[str, str]]:
    """What can be picked for sharing: (pick, label), for an interactive picker."""
    items = [(f"question:{q.question.id}", f"Question: {q.question.text}") for q in review.questions]
    items += [(f"homework:{h.homework.id}", f"Homework: {h.homework.text}") for h in review.homework]
    items += [(f"goal:{g.goal.id}", f"Goal: {g.goal.text}") for g in review.goals]
    items += [(f"win:{w.id}", f"Small win: {w.text}") for w in review.wins]
    if review.mood.points:
        items.append(("mood", "Mood chart"))
    for e in review.entries:
        for q in e.quotes:
            where = f"{q.entry_id}@{offset_text(q.offset or 0)}"
            items.append((f"quote:{where}", f'Quote, {day(q.created)}: "{_clip(q.text, 14)}"'))
    for e in review.entries:
        items.append(
            (
                f"entry:{e.id}",
                f"Whole entry of {day(e.created)} {clock(e.created)} ({length_text(e.duration)})",
            )
        )
    return items


def build_share(
    review: Review,
    picks: list[str],
    get_entry,
    questions: list[Question] = (),
    homework: list[Homework] = (),
    goals: list[Goal] = (),
    wins: list[Win] = (),
) -> Share:
    """A page with only the picked items; an unknown id is an error, never silently dropped."""
    share = Share(made=review.end, next_session=review.next_session)
    tables = {
        "question": (questions, share.questions, "`voicejournal question list` shows them."),
        "homework": (homework, share.homework, "`voicejournal homework list` shows it."),
        "goal": (goals, share.goals, "`voicejournal goal list` shows them."),
        "win": (wins, share.wins, "`voicejournal win list` shows them."),
    }
    for pick in picks:
        kind, value = parse_pick(pick)
        if kind == "mood":
            share.mood, share.review = review.mood, review
        elif kind == "entry":
            entry = get_entry(value)
            if all(e.id != entry.id for e in share.entries):
                share.entries.append(entry)
        elif kind == "quote":
            entry_id, _, at = value.partition("@")
            quote = quote_at(get_entry(entry_id), parse_offset(at))
            if quote not in share.quotes:
                share.quotes.append(quote)
        else:
            records, chosen, hint = tables[kind]
            record = _by_id(records, value, kind, hint)
            if record not in chosen:
                chosen.append(record)
    return share


def _by_id(records, wanted: str, what: str, hint: str):
    from voicejournal.errors import EntryNotFoundError, UsageError

    key = wanted.lower()
    found = [r for r in records if r.id == key] or [r for r in records if r.id.startswith(key)]
    if not found:
        raise EntryNotFoundError(wanted, what=what, hint=hint)
    if len(found) > 1:
        raise UsageError(
            f"'{wanted}' could be the {what} {', '.join(r.id for r in found)}; type more of the id."
        )
    return found[0]


def render_share_html(share: Share) -> str:
    title = "Notes for my session"
    if share.next_session:
        title += f" on {session_label(share.next_session, with_time=False)}"
    body = [f"<h1>{_e(title)}</h1>", f'<p class="sub">Picked from my journal on {_e(day(share.made))}.</p>']
    if share.questions:
        body.append("<section><h2>Questions I'd like to bring</h2><ul class=questions>")
        body += [f"<li>{_e(q.text)}</li>" for q in share.questions]
        body.append("</ul></section>")
    if share.homework:
        body.append("<section><h2>Homework</h2><ul class=homework>")
        for hw in share.homework:
            note = f" — <q>{_e(hw.note)}</q>" if hw.note else ""
            body.append(f'<li class="{"done" if hw.done else "open"}">{_e(hw.text)}{note}</li>')
        body.append("</ul></section>")
    if share.goals:
        body.append("<section><h2>Goals</h2><ul class=goals>")
        body += [f"<li>{_e(g.text)}{_when('done' if g.done else '')}</li>" for g in share.goals]
        body.append("</ul></section>")
    if share.wins:
        body.append("<section><h2>Small wins</h2><ul class=wins>")
        body += [f"<li>{_e(w.text)}{_when(day(w.created))}</li>" for w in share.wins]
        body.append("</ul></section>")
    if share.mood and share.review:
        caption = _e(mood_caption(share.review))
        body.append(
            f"<section><h2>Mood</h2><figure>{mood_chart(share.review)}<figcaption>{caption}</figcaption>"
        )
        body.append("</figure></section>")
    if share.quotes:
        body.append("<section><h2>Things I said</h2>")
        body += [f"<blockquote>{_e(q.text)}{_when(day(q.created))}</blockquote>" for q in share.quotes]
        body.append("</section>")
    for entry in share.entries:
        body.append(f"<section><h2>{_e(day(entry.created))}, {_e(clock(entry.created))}</h2>")
        for paragraph in _paragraphs(entry):
            body.append(f"<p>{_e(paragraph)}</p>")
        body.append("</section>")
    return _page(title, body, "Shared from my voicejournal: only the items above, chosen by me.")


def render_share_markdown(share: Share) -> str:
    title = "Notes for my session"
    if share.next_session:
        title += f" on {session_label(share.next_session, with_time=False)}"
    out = [f"# {title}", ""]
    if share.questions:
        out += ["## Questions I'd like to bring", "", *[f"- {_md(q.text)}" for q in share.questions], ""]
    if share.homework:
        out += ["## Homework", ""]
        for h in share.homework:
            note = f' — "{_md(h.note)}"' if h.note else ""
            out.append(f"- [{'x' if h.done else ' '}] {_md(h.text)}{note}")
        out.append("")
    if share.goals:
        out += ["## Goals", "", *[f"- {_md(g.text)}" for g in share.goals], ""]
    if share.wins:
        out += ["## Small wins", "", *[f"- {_md(w.text)} ({day(w.created)})" for w in share.wins], ""]
    if share.mood:
        out += ["## Mood", "", mood_summary(share.mood) or "", ""]
    if share.quotes:
        out += ["## Things I said", ""]
        for q in share.quotes:
            out += [f"> {_md(q.text)} ({day(q.created)})", ""]
    for entry in share.entries:
        out += [
            f"## {day(entry.created)}, {clock(entry.created)}",
            "",
            *[_md(p) + "\n" for p in _paragraphs(entry)],
        ]
    return "\n".join(out).rstrip() + "\n"


def _paragraphs(entry: Entry, size: int = 5) -> list[str]:
    sentences = [s.text for s in split_sentences(segments_of(entry))]
    return [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
