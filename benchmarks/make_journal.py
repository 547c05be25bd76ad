"""Make a synthetic journal of N realistic entries for the benchmarks.

    python benchmarks/make_journal.py 10000 benchmarks/.data/j10000

Each entry is a 300-600-word therapy-like transcript cut into timed segments, spread over about three
years, themed like real entries, and written straight into Storage's file format (one TinyDB file per
month) because going through `Journal.save_entry` 50,000 times would only measure the generator. The
same transcripts are also written as plain text files (`<dir>/text/<id>.txt`) for `grep -ri`.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voicejournal.core.entry import DONE, Entry, Segment  # noqa: E402
from voicejournal.core.themes import detect_themes  # noqa: E402
from voicejournal.store.month_files import PART_BYTES, into_parts, part_name  # noqa: E402
from voicejournal.store.storage import ID_ALPHABET, SCHEMA_VERSION  # noqa: E402


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


PEOPLE = [
    "my sister",
    "my mother",
    "my dad",
    "my partner",
    "my boss",
    "a colleague",
    "my best friend",
    "my brother",
    "my therapist",
    "my neighbour",
    "my son",
    "my daughter",
    "Sam",
    "Alex",
    "Priya",
    "Jordan",
    "my aunt",
    "my flatmate",
    "the new manager",
    "my grandmother",
]
PLACES = [
    "at work",
    "on the train",
    "in the kitchen",
    "at the supermarket",
    "in the park",
    "at my parents' house",
    "in the car",
    "at the gym",
    "in bed",
    "at the office",
    "on the phone",
    "at the café",
    "outside the school",
    "at the doctor's",
    "in the waiting room",
    "at the station",
    "at the party",
    "on the beach",
]
FEELINGS = [
    "anxious",
    "relieved",
    "tired",
    "angry",
    "sad",
    "calm",
    "guilty",
    "embarrassed",
    "hopeful",
    "overwhelmed",
    "lonely",
    "proud",
    "frustrated",
    "numb",
    "nervous",
    "grateful",
    "restless",
    "ashamed",
    "content",
    "irritated",
    "hurt",
    "confused",
    "excited",
    "exhausted",
]
TIMES = [
    "this morning",
    "last night",
    "on Sunday",
    "yesterday",
    "on Tuesday evening",
    "after lunch",
    "at three in the morning",
    "before the session",
    "over the weekend",
    "on the way home",
    "all week",
]
ACTIVITIES = [
    "going for a walk",
    "doing the breathing exercise",
    "writing in my journal",
    "cooking dinner",
    "cleaning the flat",
    "reading before bed",
    "calling my sister",
    "going to the gym",
    "watching a film",
    "working late",
    "taking my medication",
    "gardening",
    "painting",
    "swimming",
    "playing the piano",
    "meditating",
    "tidying the garage",
    "baking bread",
    "running by the river",
    "knitting",
]
THINGS = [
    "the deadline",
    "the argument",
    "the phone call",
    "the email",
    "the bill",
    "the appointment",
    "the interview",
    "the holiday",
    "the birthday",
    "the promotion",
    "the funeral",
    "the exam",
    "the move",
    "the wedding",
    "the diagnosis",
    "the presentation",
    "the rent",
    "the car repair",
]
TEMPLATES = [
    "I felt {feeling} {time} when {person} mentioned {thing}.",
    "{time_cap} I kept thinking about {thing} and I could not stop.",
    "We talked about {person} and why I always end up apologising.",
    "I noticed that I get {feeling} whenever {person} asks me for something.",
    "{time_cap} I was {place} and suddenly I felt {feeling}.",
    "My therapist asked what I would say to {person} if I could say anything.",
    "I tried {activity} {time} and it helped a little.",
    "I did not manage {activity} this week, which made me feel {feeling}.",
    "The homework was {activity} every day, and I did it four times.",
    "I slept badly {time} because of {thing}.",
    "I woke up at four and lay awake thinking about {person}.",
    "There was a moment {place} where I felt {feeling} and {feeling2} at the same time.",
    "I said no to {person} about {thing} and nothing terrible happened.",
    "I want to ask my therapist whether it is normal to feel {feeling} about {thing}.",
    "{person_cap} said something about {thing} that really stayed with me.",
    "I think the pattern is that I avoid {thing} until it becomes huge.",
    "It is strange, but {activity} is the only thing that calms me down.",
    "When I got home {time} I cried for a while and then I felt {feeling}.",
    "I am proud that I went {place} even though I was {feeling}.",
    "The panic came back {place}, my heart racing, and I had to step outside.",
    "My mood was low most of the week, maybe a two out of five.",
    "I had a good day {time}, I would say a four out of five.",
    "I keep comparing myself to {person} and it makes me feel {feeling}.",
    "{person_cap} and I had an argument about {thing} {time}.",
    "I noticed my shoulders were tense {place}.",
    "It has been a year since {thing} and I still think about it.",
    "I finally told {person} how I felt about {thing}.",
    "The new dose of my medication makes me {feeling} in the mornings.",
    "I spent the evening {activity} and felt more like myself.",
    "Question for next time: why do I feel {feeling} after seeing {person}?",
    "I am not sure the sessions are helping with {thing}, and I want to say that.",
    "Work has been a lot, the deadline moved again and my boss was {feeling}.",
    "I remembered something from when I was a child, about {person} and {thing}.",
    "Honestly I do not know what to say today, I just feel {feeling}.",
    "Maybe the goal for this month is {activity} three times a week.",
    "I had lunch {place} with {person} and it was nicer than I expected.",
    "I could not concentrate {time}, my mind kept going back to {thing}.",
    "It felt like a small win when I managed {activity} without overthinking it.",
    "I need to set a boundary with {person} about {thing}.",
    "Sometimes I wonder if {person} even notices how {feeling} I am.",
]
# A longer tail of words, so the index vocabulary is not unrealistically small.
NOUNS = _words(
    "apple bakery balcony bicycle blanket bookshop bracelet bridge bucket cabinet camera candle canal "
    "carpet castle cathedral cellar chimney cinema cliff clock cottage crossword cushion dentist desert "
    "diary dolphin drawer elevator envelope factory ferry festival fireplace forest fountain garage "
    "glacier greenhouse guitar hammock harbour helmet hospital island jacket kettle ladder lantern "
    "laundry library lighthouse locket market meadow microwave mirror museum necklace notebook orchard "
    "orchestra painting parcel passport pavement pharmacy piano pillow planet playground pottery "
    "puzzle quilt railway recipe restaurant ribbon river rooftop sandwich scarf sculpture shelter "
    "skateboard sketchbook snowfall sofa staircase statue suitcase sunflower telescope tent theatre "
    "ticket tractor trampoline tunnel umbrella valley violin volcano wardrobe waterfall whistle "
    "window workshop yoghurt zoo allotment aquarium bandstand barbecue blackbird bonfire bunting "
    "caravan carousel chessboard cobblestones compass crocus daffodil dormitory driftwood embroidery "
    "fairground fieldtrip figurine gazebo gingerbread gondola hedgehog hopscotch jigsaw kayak kite "
    "lemonade lullaby marmalade mosaic nightingale origami pancake pebble pinecone porridge postcard "
    "rainbow riverbank rosemary sailboat seashell snowdrop sparrow strawberry teacup thunderstorm "
    "toffee treehouse tulip typewriter vineyard watercolour wheelbarrow windmill woodland"
)
TEMPLATES.append("We also talked about the {noun} for a bit, which I had not expected.")
TEMPLATES.append("For some reason the {noun} reminded me of {person}.")
FILLER = _words(
    "and then, I mean, you know, so, anyway, basically, it was like, kind of, I guess, well, "
    "actually, honestly, sort of, right, okay",
    sep=", ",
)


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def sentence(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    person, time = rng.choice(PEOPLE), rng.choice(TIMES)
    text = template.format(
        feeling=rng.choice(FEELINGS),
        feeling2=rng.choice(FEELINGS),
        time=time,
        time_cap=_cap(time),
        person=person,
        person_cap=_cap(person),
        place=rng.choice(PLACES),
        activity=rng.choice(ACTIVITIES),
        thing=rng.choice(THINGS),
        noun=rng.choice(NOUNS),
    )
    if rng.random() < 0.3:
        text = (
            _cap(rng.choice(FILLER)) + ", " + (text if text.startswith("I ") else text[0].lower() + text[1:])
        )
    return text


_theme_cache: dict[str, dict[str, list[str]]] = {}


def themes_of(sentences: list[str]) -> dict[str, list[str]]:
    """Themes of the whole text, from a per-sentence cache (the generator repeats sentences a lot)."""
    merged: dict[str, list[str]] = {}
    for s in sentences:
        found = _theme_cache.get(s)
        if found is None:
            found = _theme_cache[s] = detect_themes(s)
        for theme, words in found.items():
            have = merged.setdefault(theme, [])
            have.extend(w for w in words if w not in have)
    return merged


def make_entry(rng: random.Random, entry_id: str, created: datetime) -> Entry:
    target = rng.randint(300, 600)
    sentences, words = [], 0
    while words < target:
        s = sentence(rng)
        sentences.append(s)
        words += len(s.split())
    segments, t = [], rng.uniform(0.0, 1.5)
    i = 0
    while i < len(sentences):
        n = rng.choice((1, 1, 2, 2, 3))
        text = " ".join(sentences[i : i + n])
        duration = len(text.split()) / rng.uniform(2.2, 2.8)  # people speak 130-170 words a minute
        segments.append(Segment(round(t, 2), round(t + duration, 2), text))
        t += duration + rng.uniform(0.2, 1.5)
        i += n
    return Entry(
        id=entry_id,
        created=created,
        kind=rng.choice(("reflection",) * 6 + ("homework", "question", "journal")),
        status=DONE,
        duration=round(t, 2),
        language="en",
        model="tiny.en",
        segments=segments,
        text=" ".join(s.text for s in segments),
        tags=rng.sample(
            ["family", "work", "session", "homework", "sleep", "goals"], k=rng.choice((0, 0, 1, 1, 2))
        ),
        themes=themes_of(sentences),
        mood=rng.choice((None, 1, 2, 3, 3, 4, 4, 5)),
    )


def make_journal(n: int, home: Path, seed: int = 7, years: float = 3.0) -> None:
    rng = random.Random(seed)
    home.mkdir(parents=True, exist_ok=True)
    (home / "entries").mkdir(exist_ok=True)
    (home / "text").mkdir(exist_ok=True)
    (home / "journal.json").write_bytes(orjson.dumps({"meta": {"1": {"schema": SCHEMA_VERSION}}}))
    end = datetime(2026, 11, 20, 20, 0, tzinfo=timezone(timedelta(hours=1)))
    span = years * 365 * 86400
    moments = sorted(end - timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
    ids: set[str] = set()
    shards: dict[str, dict[str, dict]] = {}
    for created in moments:
        while True:
            entry_id = "".join(rng.choice(ID_ALPHABET) for _ in range(4 if n < 20_000 else 5))
            if entry_id not in ids and not entry_id.isdigit():
                ids.add(entry_id)
                break
        entry = make_entry(rng, entry_id, created)
        doc = entry.to_doc()
        shard = shards.setdefault(doc["created"][:7], {})
        shard[str(len(shard) + 1)] = doc
        (home / "text" / f"{entry_id}.txt").write_text(entry.text + "\n")
    for month, docs in shards.items():  # a month past PART_BYTES continues in parts, as Storage writes it
        runs = into_parts(list(docs.values()), PART_BYTES, PART_BYTES)
        for part, run in enumerate(runs, start=1):
            table = {str(n): doc for n, doc in enumerate(run, start=1)}
            (home / "entries" / part_name(month, part)).write_bytes(orjson.dumps({"entries": table}))
    for path in [home, home / "entries", *(home / "entries").iterdir()]:
        path.chmod(0o700 if path.is_dir() else 0o600)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_journal.py N FOLDER")
    make_journal(int(sys.argv[1]), Path(sys.argv[2]))
