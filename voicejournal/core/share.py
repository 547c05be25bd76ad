"""Sharing: only the items the person picked from the brief, for a page they hand to their therapist."""

from __future__ import annotations

from voicejournal.core.brief import Quote, Review, Share
from voicejournal.core.brief_builder import clip
from voicejournal.core.dates import parse_offset
from voicejournal.core.entry import Entry
from voicejournal.core.planning import Goal, Homework, Question, Win
from voicejournal.core.sentences import entry_segments as segments_of
from voicejournal.core.sentences import split_sentences
from voicejournal.core.wording import clock, day, length_text, offset_text
from voicejournal.errors import EntryNotFoundError, UsageError

PICK_KINDS = ("question", "entry", "quote", "homework", "goal", "win", "mood")
PICK_HELP = "Use question:ID, entry:ID, quote:ID@MM:SS, homework:ID, goal:ID, win:ID or mood."


def parse_pick(text: str) -> tuple[str, str]:
    """'question:q1' -> ('question', 'q1'); 'mood' -> ('mood', '')."""
    kind, _, value = text.strip().partition(":")
    kind = kind.lower()
    if kind == "mood" and not value:
        return kind, ""
    if kind not in PICK_KINDS or not value.strip():
        raise UsageError(f"Unknown pick '{text}'. {PICK_HELP}")
    if kind == "quote" and "@" not in value:
        raise UsageError(f"Pick a quote as quote:ENTRY@MM:SS (for example quote:a3f@02:13), not '{text}'.")
    return kind, value.strip()


def quote_at(entry: Entry, seconds: float) -> Quote:
    """The sentence being said at `seconds` into the entry."""
    sentences = split_sentences(segments_of(entry))
    if not sentences:
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
            items.append((f"quote:{where}", f'Quote, {day(q.created)}: "{clip(q.text, 14)}"'))
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
    key = wanted.lower()
    found = [r for r in records if r.id == key] or [r for r in records if r.id.startswith(key)]
    if not found:
        raise EntryNotFoundError(wanted, what=what, hint=hint)
    if len(found) > 1:
        raise UsageError(
            f"'{wanted}' could be the {what} {', '.join(r.id for r in found)}; type more of the id."
        )
    return found[0]


def paragraphs(entry: Entry, size: int = 5) -> list[str]:
    sentences = [s.text for s in split_sentences(segments_of(entry))]
    return [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
