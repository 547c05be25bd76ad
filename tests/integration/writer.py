"""A writer process for the crash and concurrency tests: adds, edits and deletes entries in a loop.

Prints `BEGIN op id` before and `DONE op id` after every write, flushed, so the test knows exactly what
was committed when it kills this process. With a kill point (`writer.py SEED COUNT mix 37:before`, see
pause.py) it stops inside a write, at the 37th fsync/replace made between a BEGIN and its DONE, and prints
`PAUSED ...` for the test to kill it there.
"""

import random
import sys
from datetime import UTC, datetime, timedelta

from voicejournal.core.entry import Entry, Segment
from voicejournal.journal import Journal

WORDS = [
    "session",
    "mother",
    "work",
    "sleep",
    "anxious",
    "family",
    "boundaries",
    "talked",
    "felt",
    "week",
    "therapist",
    "again",
]


def sentence(rng):
    return " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."


def say(line: str) -> None:
    print(line, flush=True)
    busy[0] = line.startswith("BEGIN")


busy = [False]  # between a BEGIN and its DONE: the fsyncs and replaces there are kill points


def main(seed: int, count: int, mix: bool) -> None:
    rng = random.Random(seed)
    journal = Journal()
    mine: list[str] = []
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for _ in range(count):
        op = rng.choice(["add", "add", "edit", "delete"]) if (mix and mine) else "add"
        if op == "add":
            with journal.storage.transaction():
                entry_id = journal.new_entry_id()
                say(f"BEGIN add {entry_id}")
                segments = [Segment(i * 4.0, i * 4.0 + 3.5, sentence(rng)) for i in range(20)]
                entry = Entry(
                    id=entry_id,
                    created=base + timedelta(minutes=rng.randrange(40_000)),
                    status="done",
                    segments=segments,
                    text=" ".join(s.text for s in segments),
                )
                journal.save_entry(entry, new=True)
            mine.append(entry_id)
        elif op == "edit":
            entry_id = rng.choice(mine)
            say(f"BEGIN edit {entry_id}")
            with journal.storage.transaction():
                entry = journal.get(entry_id)
                entry.tags = entry.tags + [f"t{rng.randrange(1000)}"]
                journal.save_entry(entry)
        else:
            entry_id = mine.pop(rng.randrange(len(mine)))
            say(f"BEGIN delete {entry_id}")
            journal.storage.remove_entry(entry_id)
        say(f"DONE {op} {entry_id}")


if __name__ == "__main__":
    if len(sys.argv) > 4:
        from tests.integration.pause import install

        install(sys.argv[4], lambda line: print(line, flush=True), lambda: busy[0])
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "mix")
