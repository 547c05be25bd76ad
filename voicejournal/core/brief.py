"""The brief, as data: what `build_review` finds for the period, and what `build_share` keeps.

Renderers (voicejournal/render/) present these records; nothing here knows about text, Markdown or HTML.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from voicejournal.core.entry import Entry
from voicejournal.core.planning import Goal, Homework, Question, Session, Win
from voicejournal.core.wording import count

DEFAULT_DAYS = 14  # the period when there is no session yet and no --since
MAX_ENTRIES_SHOWN = 12  # more than this and the brief lists the most telling ones


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


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
        return mean([p.value for p in self.points])

    @property
    def previous_average(self) -> float | None:
        return mean([p.value for p in self.before])


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

    def summary(self) -> str:
        """What is on the page: '1 question, 2 quotes, 1 mood chart'."""
        counts = [
            (len(self.questions), "question"), (len(self.homework), "homework item"), (len(self.goals), "goal"),
            (len(self.wins), "win"), (len(self.quotes), "quote"), (len(self.entries), "entry"),
            (1 if self.mood else 0, "mood chart"),
        ]  # fmt: skip
        return ", ".join(count(n, what) for n, what in counts if n)
