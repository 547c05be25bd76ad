"""The search index and query language, over a small in-memory journal."""

import contextlib
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from voicejournal.core.entry import DONE, TEXT_ONLY, Entry, Segment
from voicejournal.core.query import EMPTY_QUERY, ONLY_EXCLUDED, Filters, make_snippet, parse_query
from voicejournal.core.text import word_family
from voicejournal.core.themes import detect_themes
from voicejournal.errors import UsageError
from voicejournal.store.index import SearchIndex
from voicejournal.store.index_rows import seg_rows

TZ = timezone(timedelta(hours=1))


class FakeStorage:
    """Just what the index reads: entries and a signature that changes with every write."""

    def __init__(self, home):
        self.home = home
        self.docs: dict[str, dict] = {}
        self.version = 0

    def entries_by_month(self):
        months = {}
        for doc in self.docs.values():
            months.setdefault(doc["created"][:7], []).append(doc)
        return (months[m] for m in sorted(months))

    def entry_ids(self):
        return {eid: doc["created"][:7] for eid, doc in self.docs.items()}

    def signature(self):
        return f"v{self.version}"

    def put(self, entry: Entry):
        self.docs[entry.id] = entry.to_doc()
        self.version += 1


def make_entry(eid, day, sentences, *, tags=(), kind="reflection", mood=None, seconds=7.0, **kw):
    segments = [Segment(i * seconds, (i + 1) * seconds, s) for i, s in enumerate(sentences)]
    text = " ".join(sentences)
    return Entry(
        id=eid,
        created=datetime(2026, 1, 1, 9, 0, tzinfo=TZ) + timedelta(days=day),
        kind=kind,
        status=DONE,
        segments=segments,
        text=text,
        tags=list(tags),
        themes=detect_themes(text),
        mood=mood,
        duration=len(sentences) * seconds,
        **kw,
    )


JOURNAL = [
    make_entry(
        "focus",
        10,
        [
            "I want to talk about my sister again.",
            "My sister called on Sunday and I didn't pick up.",
            "Every time my sister asks for money I feel anxious and I give in.",
            "My therapist says I need boundaries with my sister.",
        ],
        tags=["family"],
        mood=2,
    ),
    make_entry(
        "pass1",
        20,
        [
            "Work was long today and the boss moved the deadline again.",
            "I had lunch alone and read a book.",
            "My sister texted, but mostly I thought about the project.",
            "The evening was quiet and I went to bed early.",
        ],
        tags=["work"],
        mood=3,
    ),
    make_entry(
        "sleep",
        30,
        [
            "I have not slept properly for a week.",
            "Sleeping pills make me groggy so I stopped them.",
            "Last night I woke at three and lay awake until dawn.",
        ],
        mood=2,
    ),
    make_entry(
        "anxty",
        40,
        [
            "The anxiety before the interview was huge.",
            "My hands were shaking in the waiting room.",
            "Afterwards I felt relieved, and a bit proud of myself.",
        ],
        tags=["interview", "work"],
        mood=4,
    ),
    make_entry(
        "cafe",
        50,
        [
            "We met at the café near the station.",
            "She said the new flat is lovely and asked about my mum.",
        ],
        kind="journal",
    ),
    Entry(
        id="texta",
        created=datetime(2026, 3, 1, 21, 0, tzinfo=TZ),
        kind="journal",
        status=TEXT_ONLY,
        text="A written entry about the garden. Planting tulips with Dad made me calm!",
        tags=["imported"],
        themes={"family": ["dad"]},
        source="jrnl",
    ),
]


@pytest.fixture
def storage(tmp_path):
    s = FakeStorage(tmp_path)
    for e in JOURNAL:
        s.put(e)
    return s


@pytest.fixture
def index(storage):
    idx = SearchIndex(storage)
    yield idx
    idx.close()


def ids(result):
    return [h.id for h in result.hits]


def test_focused_entry_beats_passing_mention(index):
    result = index.search("sister")
    assert ids(result) == ["focus", "pass1"]
    assert result.total == 2
    assert result.hits[0].score > result.hits[1].score


def test_several_words_all_required(index):
    assert ids(index.search("sister money")) == ["focus"]
    assert ids(index.search("sister tulips")) == []


def test_exact_phrase(index):
    assert ids(index.search('"my sister called"')) == ["focus"]
    assert ids(index.search('"sister my"')) == []


def test_exclusions(index):
    assert ids(index.search("sister -boss")) == ["focus"]
    assert ids(index.search('sister -"asks for money"')) == ["pass1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("anxious", ["anxty", "focus"]),  # anxious <-> anxiety
        ("anxiety", ["anxty", "focus"]),
        ("sleep", ["sleep"]),  # slept, sleeping
        ("slept", ["sleep"]),
        ("SISTER", ["focus", "pass1"]),
        ("cafe", ["cafe"]),  # accents
        ("café", ["cafe"]),
        ("didn't", ["focus"]),
        ("mom", ["cafe"]),  # mum / mom
        ("tulip", ["texta"]),
    ],
)
def test_word_forms_case_accents_punctuation(index, query, expected):
    assert sorted(ids(index.search(query))) == sorted(expected)


def test_tags_are_searched(index):
    assert ids(index.search("interview")) == ["anxty"]
    assert ids(index.search("imported")) == ["texta"]


def test_snippet_and_time_offset(index):
    hit = index.search("money").hits[0]
    assert hit.start == 14.0
    assert hit.snippet == "Every time my sister asks for **money** I feel anxious and I give in."
    hit = index.search('"lay awake"').hits[0]
    assert hit.start == 14.0
    assert "**lay awake**" in hit.snippet


def test_best_sentence_is_the_one_with_most_matches(index):
    hit = index.search("sister anxious").hits[0]
    assert hit.id == "focus"
    assert hit.snippet == "Every time my **sister** asks for money I feel **anxious** and I give in."


def test_written_entry_has_no_time(index):
    hit = index.search("calm").hits[0]
    assert hit.id == "texta"
    assert hit.start is None
    assert hit.snippet == "Planting tulips with Dad made me **calm**!"


def test_filters(index):
    since = datetime(2026, 1, 15, tzinfo=TZ)
    assert ids(index.search("sister", Filters(since=since))) == ["pass1"]
    assert ids(index.search("sister", Filters(until=since))) == ["focus"]
    assert ids(index.search("sister", Filters(tags=("work",)))) == ["pass1"]
    assert ids(index.search("sister", Filters(mood=2))) == ["focus"]
    assert ids(index.search("sister", Filters(kind="journal"))) == []
    assert ids(index.search("anxious", Filters(themes=("progress and wins",)))) == ["anxty"]


def test_limit_keeps_total(index):
    result = index.search("sister", limit=1)
    assert ids(result) == ["focus"] and result.total == 2


def test_list_from_index(index):
    assert [e.id for e in index.list()] == ["texta", "cafe", "anxty", "sleep", "pass1", "focus"]
    assert [e.id for e in index.list(Filters(themes=("sleep",)))] == ["sleep", "pass1"]
    assert [e.id for e in index.list(Filters(tags=("work",)), limit=1)] == ["anxty"]
    first = index.list(Filters(kind="journal"))[-1]
    assert first.id == "cafe" and first.preview.startswith("We met at the café")


def test_suggestions_when_nothing_matches(index):
    result = index.search("sistr")
    assert result.hits == [] and result.total == 0
    assert result.suggestions == ["sister"]
    assert index.search("xylophone").suggestions == []


def test_theme_rows(index):
    rows, per_month = index.theme_rows()
    assert ("sleep", "2026-01", 2) in rows
    assert per_month == {"2026-01": 3, "2026-02": 2, "2026-03": 1}


# --- the index is derived --------------------------------------------------------------------


def test_missing_index_is_built(storage, index):
    assert not index.path.exists()
    index.search("sister")
    assert index.path.exists() and index.rebuilt
    assert index.path.stat().st_mode & 0o077 == 0


def test_stale_index_is_rebuilt(storage, tmp_path):
    SearchIndex(storage).search("sister")
    storage.put(make_entry("new01", 60, ["My sister visited with the kids."]))
    idx = SearchIndex(storage)
    assert "new01" in ids(idx.search("sister"))
    assert idx.rebuilt


def test_fresh_index_is_not_rebuilt(storage):
    SearchIndex(storage).search("sister")
    idx = SearchIndex(storage)
    idx.search("sister")
    assert not idx.rebuilt


def test_corrupt_index_is_rebuilt(storage):
    idx = SearchIndex(storage)
    idx.search("sister")
    idx.close()
    idx.path.write_bytes(b"this is not a database" * 100)
    idx = SearchIndex(storage)
    assert ids(idx.search("sister")) == ["focus", "pass1"]
    assert idx.rebuilt


def test_damaged_tables_are_rebuilt(storage):
    idx = SearchIndex(storage)
    idx.search("sister")
    idx.close()
    conn = sqlite3.connect(idx.path)
    conn.execute("DROP TABLE segs")
    conn.commit()
    conn.close()
    idx = SearchIndex(storage)
    assert ids(idx.search("sister")) == ["focus", "pass1"]


def test_incremental_upsert_and_remove(storage):
    idx = SearchIndex(storage)
    idx.search("sister")
    idx.rebuilt = False
    assert idx.is_fresh()
    entry = make_entry("new02", 61, ["My sister and I finally talked about Dad."])
    storage.put(entry)
    idx.upsert(entry, storage.signature())
    assert idx.is_fresh()
    assert "new02" in ids(idx.search('"finally talked"'))
    entry.text = "Edited: we argued instead."
    entry.edited = True
    storage.put(entry)
    idx.upsert(entry, storage.signature())
    assert ids(idx.search("finally")) == []
    assert ids(idx.search("argued")) == ["new02"]
    del storage.docs["new02"]
    storage.version += 1
    idx.remove("new02", storage.signature())
    assert ids(idx.search("argued")) == []
    assert not idx.rebuilt


def test_edited_entry_keeps_times_for_sentences(storage):
    entry = make_entry("edit1", 70, ["I fell a sleep at ten.", "Then the dream about the lake."], seconds=5)
    entry.text = "I fell asleep at ten. Then the dream about the lake."
    entry.edited = True
    storage.put(entry)
    hit = SearchIndex(storage).search("lake").hits[0]
    assert hit.start == 5.0 and hit.snippet == "Then the dream about the **lake**."


def test_a_hit_inside_a_long_segment_is_its_own_sentence_at_its_own_moment(storage):
    # A 24 s window often comes back from Whisper as one segment holding several sentences.
    said = "I slept badly again. Work was loud all day. Then my sister called about the lake house."
    entry = make_entry("window", 71, [said], seconds=24.0)
    storage.put(entry)
    hit = SearchIndex(storage).search("lake").hits[0]
    assert hit.snippet == "Then my sister called about the **lake** house."
    assert hit.start == round(24.0 * (said.index("Then") - 1) / len(said), 2) == 11.86  # not the window's 0.0


def test_an_edited_sentence_keeps_the_moment_of_the_heard_sentence_inside_a_long_segment(storage):
    said = "I slept badly again. Work was loud all day. Then the dream about the lake."
    entry = make_entry("edit2", 72, [said], seconds=24.0)
    entry.text = "I slept badly again. Work was loud all day. Then the dream about the lake house."
    entry.edited = True
    storage.put(entry)
    hit = SearchIndex(storage).search("lake").hits[0]
    assert hit.snippet == "Then the dream about the **lake** house."
    assert hit.start == round(24.0 * (said.index("Then") - 1) / len(said), 2)  # not the segment's 0.0


def test_a_sentence_is_kept_as_its_place_in_the_text_or_else_as_its_words():
    body = "Evening walk\nI walked home. Then the rain came."
    rows = seg_rows(body, [(0.0, "I walked home."), (3.0, "Then the rain came."), (5.0, "Not  in it.")])
    assert rows == [(0.0, (13, 14, None)), (3.0, (28, 19, None)), (5.0, (None, None, "Not  in it."))]
    assert body[13 : 13 + 14] == "I walked home." and body[28 : 28 + 19] == "Then the rain came."


def test_hit_sentences_read_back_from_the_text_after_a_title_and_from_their_own_words(storage):
    titled = make_entry(
        "title", 73, ["I walked home.", "Then the rain came."], seconds=4, title="Evening walk"
    )
    heard = make_entry("heard", 74, ["We sailed out at dawn."], seconds=6)
    # The text no longer holds the heard sentence (as a text changed by hand would not):
    heard.text = "We sailed out at first light."
    storage.put(titled)
    storage.put(heard)
    index = SearchIndex(storage)
    hit = index.search("rain").hits[0]
    assert (hit.id, hit.start, hit.snippet) == ("title", 4.0, "Then the **rain** came.")
    hit = index.search("sailed").hits[0]
    assert hit.id == "heard" and hit.start == 0.0 and "**sailed**" in hit.snippet
    sql = "SELECT at, len, text FROM segs WHERE rowid / 4096 = (SELECT rowid FROM entries WHERE id = ?)"
    assert index.connection().execute(sql, ("title",)).fetchall() == [(13, 14, None), (28, 19, None)]
    assert index.connection().execute(sql, ("heard",)).fetchall() == [(None, None, "We sailed out at dawn.")]


# --- the query language ----------------------------------------------------------------------


def test_parse_query():
    q = parse_query('sister "didn\'t pick up" -money -"the boss"')
    assert q.terms == [["sister"], ["didn", "t", "pick", "up"]]
    assert q.excluded == [["money"], ["the", "boss"]]


@pytest.mark.parametrize(
    "text",
    [
        'unclosed "quote here',
        "AND OR NOT",
        "NEAR(a b)",
        "sister*",
        "col:umn",
        "^start",
        "a + b",
        "(((",
        '"""',
        "- sister",
        "--sister",
        "sister -",
        "'single quotes'",
        "émotions über naïve",
        "🙂 sister",
        "x" * 500,
    ],
)
def test_no_query_breaks_the_search(index, text):
    with contextlib.suppress(UsageError):
        index.search(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", EMPTY_QUERY),
        ("   ", EMPTY_QUERY),
        ("-work", ONLY_EXCLUDED),
        ('-"my boss"', ONLY_EXCLUDED),
        ("!!! ...", "There are no words to search for in '!!! ...'. " + EMPTY_QUERY),
    ],
)
def test_bad_queries_have_clear_messages(text, message):
    with pytest.raises(UsageError) as exc:
        parse_query(text)
    assert str(exc.value) == message


def test_word_family():
    assert set(word_family("anxious")) == {"anxious", "anxiety", "anxieties", "anxiously"}
    assert "slept" in word_family("sleeping")
    assert word_family("garden") == ("garden",)


def test_make_snippet_trims_long_sentences():
    words = [f"w{i}" for i in range(60)]
    words[30] = "\x01sister\x02"
    snippet = make_snippet(" ".join(words))
    assert snippet.startswith("…w20 ") and snippet.endswith("w47…")
    assert "**sister**" in snippet


def test_make_snippet_picks_the_sentence_with_the_match():
    text = "I went out. Then the \x01umbrella\x02 reminded me of my \x01sister\x02. Anyway, that was it."
    assert make_snippet(text) == "Then the **umbrella** reminded me of my **sister**."
    assert make_snippet("No match here. At all.") == "No match here."


def test_a_long_lived_index_notices_writes_by_others(storage):
    idx = SearchIndex(storage)
    assert ids(idx.search("sister")) == ["focus", "pass1"]
    storage.put(make_entry("late1", 80, ["My sister moved abroad."]))  # written by another process
    assert "late1" in ids(idx.search("sister"))


def test_a_big_rebuild_is_announced(tmp_path):
    storage = FakeStorage(tmp_path)
    for i in range(500):
        storage.put(make_entry(f"e{i:03d}", i % 300, ["A short note."]))
    told = []
    idx = SearchIndex(storage)
    idx.on_rebuild = told.append
    idx.list()
    assert told == [500]
    idx.list()
    assert told == [500]  # fresh now: no second rebuild


@pytest.mark.parametrize("limit", [1, 3, 5, 40])
def test_a_common_word_ranks_best_first_then_newest_as_with_filters(tmp_path, limit):
    storage = FakeStorage(tmp_path)
    for day in range(30):  # twins score the same: the newest come first
        storage.put(make_entry(f"tw{day:02d}", day, ["I talked with my sister."]))
    for day in range(30, 40):
        storage.put(
            make_entry(f"lo{day:02d}", day, ["My sister called. " + "We talked about the garden. " * 8])
        )
    storage.put(make_entry("best", 50, ["My sister, my sister, my sister."]))
    index = SearchIndex(storage, home=tmp_path)
    everything = Filters(since=datetime(2000, 1, 1, tzinfo=TZ))  # a filter: ranked by the joined query

    ranked = index.search("sister", limit=limit)
    joined = index.search("sister", everything, limit=limit)

    assert [(h.id, h.score) for h in ranked.hits] == [(h.id, h.score) for h in joined.hits]
    assert ranked.total == joined.total == 41
    newest_twins = [f"tw{day:02d}" for day in range(29, -1, -1)]
    assert ids(ranked) == (["best", *newest_twins, *[f"lo{d}" for d in range(39, 29, -1)]])[:limit]
    index.close()
