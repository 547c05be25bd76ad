"""The names of the entries files: one per month ("2026-11.json"), and further parts of a month that outgrew
PART_BYTES ("2026-11.2.json", "2026-11.3.json", …). Which part holds an entry is in the id map (idmap.py);
its month always follows from its `created` date."""

from __future__ import annotations

# New entries start a month's next part once its last part is this big: rewriting a part for one change
# (`tag`, `edit`) then costs a few milliseconds at most, however many entries the month holds.
PART_BYTES = 1 << 20


def shard_name(created_iso: str) -> str:
    """The month file (its first part) of an entry created then: '2026-11-24T…' -> '2026-11.json'."""
    return f"{created_iso[:7]}.json"


def month_of(file_name: str) -> str:
    """The month an entries file holds: '2026-11.json' and '2026-11.2.json' -> '2026-11'."""
    return file_name[:7]


def part_name(month: str, part: int) -> str:
    """'2026-11', 1 -> '2026-11.json'; 2 -> '2026-11.2.json'."""
    return f"{month}.json" if part == 1 else f"{month}.{part}.json"


def part_number(file_name: str) -> int:
    middle = file_name[8:-5]  # '2026-11.2.json' -> '2'; '2026-11.json' -> ''
    return int(middle) if middle else 1


def into_parts(docs: list[dict], room: int, limit: int) -> list[list[dict]]:
    """`docs` cut into runs for a month's parts: the first fills the `room` left in its last part (it may
    be empty: no room), each further one up to `limit` bytes (at least one entry, however big)."""
    import orjson

    runs: list[list[dict]] = [[]]
    used = limit - room
    for doc in docs:
        size = len(orjson.dumps(doc)) + 8  # and its TinyDB key
        if used + size > limit and used > 0:
            runs.append([])
            used = 0
        runs[-1].append(doc)
        used += size
    return runs
