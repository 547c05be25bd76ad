"""Building the brief: what happened since the last session, and the sentences that say most of it."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, datetime, timedelta

from voicejournal.core.brief import (
    DEFAULT_DAYS,
    MAX_ENTRIES_SHOWN,
    EntrySummary,
    GoalProgress,
    HomeworkStatus,
    MoodPoint,
    MoodTrend,
    OpenQuestion,
    Quote,
    Review,
    ThemeChange,
)
from voicejournal.core.entry import Entry
from voicejournal.core.planning import (
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
from voicejournal.core.planning import session_for as reflection_session
from voicejournal.core.sentences import entry_segments as segments_of
from voicejournal.core.sentences import split_sentences


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
    quotes = [Quote(clip(s.text), entry.id, entry.created, s.offset) for _, _, s in best]
    return quotes, sum(t[0] for t in best)


def clip(text: str, words: int = 40) -> str:
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
            latest = Quote(clip(said, 25), entry.id, entry.created, best[-1].offset)
    return GoalProgress(
        goal=goal,
        mentions=len(hits),
        mentions_before=sum(1 for e in before if mentions_goal(e.text, goal)),
        latest=latest,
        notes=[n for n in goal.notes if n.created >= start],
    )
