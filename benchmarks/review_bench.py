"""`voicejournal review` over a 10,000-entry journal, in fresh processes (target: <= 1 s, text and HTML).

The journal is synthetic: three years of entries (about nine a week) with Whisper-like transcripts,
themes and moods, weekly sessions, goals, homework, questions and wins. It is written straight in the
storage's file format (one TinyDB file per month), which is much faster than saving entries one by one.

    .venv/bin/python benchmarks/review_bench.py [--entries 10000] [--runs 5]
"""

import argparse
import random
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import orjson
from common import ROOT, report, time_command, voicejournal

sys.path.insert(0, str(ROOT))

SENTENCES = [
    "Today we talked about the argument with my sister and why I always end up apologising.",
    "Work was a lot this week, three deadlines and my manager was stressed.",
    "I managed to sleep before midnight three nights in a row.",
    "My mother called again and I felt guilty for not picking up.",
    "The breathing exercise helped a bit on Tuesday.",
    "I noticed that I get anxious before every meeting with my boss.",
    "Question for my therapist: is it normal to feel relieved and guilty at the same time?",
    "Small win: I said no to the extra project and nothing terrible happened.",
    "I want to ask her about the medication dose.",
    "We went for a long walk and I felt calm for the first time in weeks.",
    "I keep thinking about the relationship and whether it is good for me.",
    "Honestly I'm tired, I don't know what else to say today.",
    "Mood, I'd say six out of ten.",
    "I should bring up the thing with my father next session.",
]
THEMES = {
    "family": ["sister", "mother", "father"],
    "work": ["work", "manager", "deadlines"],
    "sleep": ["sleep", "tired"],
    "guilt": ["guilty"],
    "anxiety": ["anxious"],
    "relationship": ["relationship"],
}
ALPHABET = "0123456789abcdefghijkmnpqrstuvwxyz"


def make_journal(home: Path, count: int, now: datetime, seed: int = 7) -> None:
    rng = random.Random(seed)
    (home / "entries").mkdir(parents=True)
    ids = set()

    def new_id() -> str:
        while True:
            candidate = "".join(rng.choice(ALPHABET) for _ in range(4 if len(ids) < 500_000 else 5))
            if candidate not in ids and not candidate.isdigit():
                ids.add(candidate)
                return candidate

    span = timedelta(days=3 * 365)
    shards: dict[str, dict] = {}
    for i in range(count):
        created = now - span + span * (i + rng.random()) / count
        created = created.replace(microsecond=0)
        chosen = rng.sample(SENTENCES, rng.randint(4, 10))
        segments, t = [], 0.0
        for sentence in chosen:
            length = len(sentence.split()) * 0.4
            segments.append([round(t, 2), round(t + length, 2), " " + sentence])
            t += length + rng.random()
        text = " ".join(s[2].strip() for s in segments).lower()
        themes = {name: [w for w in words if w in text] for name, words in THEMES.items()}
        doc = {
            "id": new_id(),
            "created": created.isoformat(timespec="seconds"),
            "kind": "reflection",
            "status": "done",
            "audio": f"audio/{created:%Y}/{created:%m}/x.flac",
            "duration": round(t * 6, 2),
            "language": "en",
            "model": "tiny.en",
            "segments": segments,
            "themes": {k: v for k, v in themes.items() if v},
        }
        if rng.random() < 0.7:
            doc["mood"] = rng.randint(1, 5)
        shard = shards.setdefault(f"{created:%Y-%m}", {"entries": {}})
        shard["entries"][str(len(shard["entries"]) + 1)] = doc
    for name, data in shards.items():
        (home / "entries" / f"{name}.json").write_bytes(orjson.dumps(data))

    def table(docs: list[dict]) -> dict:
        return {str(i + 1): d for i, d in enumerate(docs)}

    sessions = [
        {"id": new_id(), "start": (now - timedelta(days=7 * k, hours=3)).isoformat(timespec="seconds"),
         "with": "Dr. Rivera"}
        for k in range(1, 150)
    ]  # fmt: skip
    sessions.append({"id": new_id(), "start": (now + timedelta(days=1)).isoformat(timespec="seconds")})
    ago = lambda days: (now - timedelta(days=days)).isoformat(timespec="seconds")  # noqa: E731
    journal = {
        "meta": {"1": {"schema": 1}},
        "sessions": table(sessions),
        "goals": table([{"id": new_id(), "text": t, "created": ago(300)} for t in
                        ("Sleep before midnight", "Say no to extra work", "Call a friend every week")]),
        "homework": table([{"id": new_id(), "text": f"Breathing exercise, week {k}", "created": ago(7 * k),
                            **({"done": ago(7 * k - 5), "note": "most evenings"} if k > 1 else {})}
                           for k in range(1, 100)]),
        "questions": table([{"id": new_id(), "text": f"Question number {k} for my therapist?",
                             "created": ago(3 * k), **({"asked": ago(3 * k - 2)} if k > 6 else {})}
                            for k in range(1, 300)]),
        "wins": table([{"id": new_id(), "text": f"Small win {k}", "created": ago(2 * k)} for k in range(1, 400)]),
    }  # fmt: skip
    (home / "journal.json").write_bytes(orjson.dumps(journal))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        make_journal(home, args.entries, datetime.now().astimezone())
        env = {"VOICEJOURNAL_HOME": str(home)}
        html = Path(tmp) / "brief.html"
        lines = [
            f"review over {args.entries:,} entries (fresh process, median of {args.runs} runs; target <= 1000 ms)"
        ]
        cases = [
            ("review (text)", voicejournal("review")),
            ("review --format html", voicejournal("review", "--format", "html", "-o", str(html))),
            ("review --since '3 months ago'", voicejournal("review", "--since", "3 months ago")),
            ("review --since '3 months ago' html", voicejournal("review", "--since", "3 months ago", "--format",
                                                                "html", "-o", str(html))),
        ]  # fmt: skip
        for label, command in cases:
            html.unlink(missing_ok=True)
            figures = time_command(command, runs=args.runs, env=env)
            lines.append(
                f"  {label:<36} {figures['median_ms']:7.1f} ms (min {figures['min_ms']:.1f}, "
                f"max {figures['max_ms']:.1f})"
            )
    report("review", lines)


if __name__ == "__main__":
    main()
