"""The JSON that `--json` prints for the review, a search and a check: one shape each, for scripts."""

from __future__ import annotations

from voicejournal.core.wording import timestamp


def search_json(result) -> list[dict]:
    """Each hit of a search, best first."""
    return [
        {
            "id": h.id,
            "created": h.entry.created.isoformat(timespec="seconds"),
            "kind": h.entry.kind,
            "mood": h.entry.mood,
            "tags": h.entry.tags,
            "themes": h.entry.themes,
            "score": round(h.score, 3),
            "start": h.start,
            "at": timestamp(h.start) if h.start is not None else None,
            "snippet": h.snippet,
        }
        for h in result.hits
    ]


def check_json(report) -> dict:
    """What `check` looked at, fixed and found."""
    return {
        "files": report.files,
        "entries": report.entries,
        "recordings": report.recordings,
        "fixed": [f.message for f in report.fixes],
        "problems": [f.message for f in report.problems],
    }


def review_json(brief) -> dict:
    """The brief's items, for scripts."""

    def iso(moment):
        return moment.isoformat(timespec="seconds") if moment else None

    return {
        "start": iso(brief.start),
        "end": iso(brief.end),
        "since_session": brief.since_session.to_doc() if brief.since_session else None,
        "next_session": brief.next_session.to_doc() if brief.next_session else None,
        "entries": [
            {
                "id": e.id,
                "created": iso(e.created),
                "duration": e.duration,
                "mood": e.mood,
                "themes": e.themes,
                "session": e.session.id if e.session else None,
                "quotes": [{"text": q.text, "offset": q.offset} for q in e.quotes],
            }
            for e in brief.entries
        ],  # fmt: skip
        "entry_count": brief.entry_count,
        "questions": [{**q.question.to_doc(), "carried": q.carried} for q in brief.questions],
        "homework": [{**h.homework.to_doc(), "carried": h.carried} for h in brief.homework],
        "goals": [
            {
                **g.goal.to_doc(),
                "mentions": g.mentions,
                "mentions_before": g.mentions_before,
                "latest": g.latest.text if g.latest else None,
            }
            for g in brief.goals
        ],  # fmt: skip
        "themes": [{"theme": t.name, "now": t.now, "before": t.before} for t in brief.themes],
        "mood": {
            "values": [p.value for p in brief.mood.points],
            "average": brief.mood.average,
            "previous_average": brief.mood.previous_average,
        },
        "wins": [w.to_doc() for w in brief.wins],
    }
