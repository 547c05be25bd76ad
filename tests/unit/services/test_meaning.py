"""Keeping the meaning vectors in step (Journal API): a big save leaves the embedding to the next search,
and a model that fails never fails a save."""

from datetime import UTC, datetime, timedelta

import pytest

from voicejournal.core.entry import DONE, Entry
from voicejournal.journal import Journal
from voicejournal.semantic.embedder import MODEL_ID, MODEL_SHA256
from voicejournal.services import meaning, meaning_rank
from voicejournal.services.entries import save_new_entries
from voicejournal.store.vectors import VectorStore


def written(text, day=0):
    return Entry(
        id="", created=datetime(2026, 6, 1, tzinfo=UTC) + timedelta(days=day), status=DONE, text=text
    )


@pytest.fixture
def journal(vj_home):
    j = Journal(vj_home, now=lambda: datetime(2026, 12, 1, tzinfo=UTC))
    save_new_entries(j, [written("I just wanted to quit everything today.")])
    meaning.current(j)  # the vectors exist from here on
    return j


def stored(journal):
    return VectorStore(journal.home).load(MODEL_ID, MODEL_SHA256)


def test_a_big_save_leaves_its_entries_to_the_next_search(journal, monkeypatch):
    monkeypatch.setattr(meaning, "BULK_SAVE", 1)
    new = save_new_entries(journal, [written("Lay awake until four.", 1), written("Mum and I argued.", 2)])
    assert len(stored(journal).entries) == 1  # not embedded during the import…
    steps = []
    result = meaning.search_meaning(
        journal, "nights I couldn't sleep", progress=lambda d, t: steps.append((d, t))
    )
    assert result.hits[0].id == new[0].id and steps[-1] == (2, 2)  # …but by the next search, with progress
    assert stored(journal).signature == journal.storage.signature()


def test_a_failing_model_never_fails_a_save(journal, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("onnxruntime fell over")

    monkeypatch.setattr(meaning, "_embed_entries", broken)
    [entry] = save_new_entries(journal, [written("Lay awake until four.", 1)])
    assert journal.get(entry.id).text == "Lay awake until four."
    assert stored(journal).signature == ""  # stale: caught up later
    monkeypatch.undo()
    assert meaning.search_meaning(journal, "nights I couldn't sleep").hits[0].id == entry.id


def test_a_tag_leaves_the_vectors_file_alone_and_the_next_search_reads_one_month(journal, monkeypatch):
    other = save_new_entries(journal, [written("Lay awake until four.", 40)])[0]  # July: another month
    meaning.current(journal)
    path = VectorStore(journal.home).path
    before = path.stat().st_mtime_ns, path.stat().st_ino
    journal.tag(other.id, add=["sleep"])
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before  # not read, not rewritten
    read = []
    months = meaning._months
    monkeypatch.setattr(meaning, "_months", lambda j, only=None: (read.append(only), months(j, only))[1])
    assert meaning.search_meaning(journal, "nights I couldn't sleep").hits[0].id == other.id
    assert read and all(only == {"2026-07.json"} for only in read)  # only the month just written
    assert stored(journal).signature == journal.storage.signature()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("a.json:1:2:3|b.json:1:2:3", "a.json:1:2:3|b.json:9:2:3", {"b.json"}),
        ("a.json:1:2:3", "a.json:1:2:3|b.json:1:2:3", {"b.json"}),
        ("a.json:1:2:3", "a.json:1:2:3", set()),
        ("a.json:1:2:3|b.json:1:2:3", "a.json:1:2:3", None),  # a month file gone: read every month
        ("", "a.json:1:2:3", None),  # never in step
        ("garbage", "a.json:1:2:3", None),
    ],
)
def test_changed_months(old, new, expected):
    assert meaning.changed_months(old, new) == expected


class RecordingModel:
    """Stands in for the embedder: remembers what it was asked to embed, returns fixed vectors."""

    def __init__(self):
        self.texts = []

    def embed(self, texts):
        import numpy as np

        self.texts += texts
        return np.array([[3.0, 0.0], [0.0, 4.0]][: len(texts)], dtype=np.float32)


def test_a_query_is_searched_as_the_mean_of_its_templates_scaled_to_length_one():
    model = RecordingModel()
    vector = meaning_rank.query_vector(model, "  burnout. ")
    assert model.texts == ["This entry is about burnout.", "Today I talked about burnout."]
    assert vector.tolist() == pytest.approx([0.6, 0.8])  # (1.5, 2) / 2.5


def test_a_save_rewrites_only_its_month_vectors(journal, writes):
    save_new_entries(journal, [written("Lay awake until four.", 40)])  # July
    writes.clear()
    save_new_entries(journal, [written("Mum called and we argued again.", 2)])  # June
    vector_files = sorted(name for name in writes if name.startswith("index.sqlite-vectors"))
    assert vector_files == ["index.sqlite-vectors", "index.sqlite-vectors-2026-06.json"]
    assert len(stored(journal).entries) == 3 and stored(journal).signature == journal.storage.signature()


def test_vectors_written_as_one_file_are_filed_by_month_at_the_next_use(journal):
    from voicejournal.store.vectors import pack_block

    vectors = stored(journal)
    VectorStore(journal.home).path.write_bytes(pack_block(vectors))  # the first layout: one file
    journal.vectors = None
    meaning.current(journal)  # in step: nothing to embed, but filed by month
    assert stored(journal).months == dict.fromkeys(vectors.entries, "2026-06.json")
    VectorStore(journal.home).path.write_bytes(pack_block(vectors))
    journal.vectors = None
    [entry] = save_new_entries(journal, [written("Lay awake until four.", 40)])
    again = stored(journal)
    assert again.months == {**dict.fromkeys(vectors.entries, "2026-06.json"), entry.id: "2026-07.json"}
    assert meaning.search_meaning(journal, "nights I couldn't sleep").hits[0].id == entry.id


def test_a_hit_sentence_is_picked_by_the_kept_bits_or_else_by_a_model_run(vj_home):
    from voicejournal.core.entry import Segment

    j = Journal(vj_home, now=lambda: datetime(2026, 12, 1, tzinfo=UTC))
    said = [
        "The session was short today.",
        "I repotted the basil.",
        "Nothing seemed worth the effort anymore.",
    ]
    entry = written(" ".join(said))
    entry.segments = [Segment(6.0 * i, 6.0 * i + 5, s) for i, s in enumerate(said)]
    [saved] = save_new_entries(j, [entry])
    [hit] = meaning.search_meaning(j, "times I felt like giving up").hits
    assert (hit.snippet, hit.start) == (said[2], 12.0) and stored(j).sentence_bits(saved.id, 0) is not None
    vectors = stored(j)
    vectors.sentences.clear()  # vectors saved before the bits were kept
    vectors.dirty.add("2026-06.json")
    VectorStore(j.home).save(vectors)
    j.vectors = None
    [hit] = meaning.search_meaning(j, "times I felt like giving up").hits
    assert (hit.snippet, hit.start) == (said[2], 12.0)


class KeptBits:
    """Sentence sign bits per entry, as `VectorSet.sentence_bits` hands them out."""

    def __init__(self, signs: dict):
        import numpy as np

        self.bits = {i: np.packbits(np.asarray(s) > 0, axis=1) for i, s in signs.items()}

    def sentence_bits(self, entry_id, passage):
        return self.bits.get(entry_id)


def test_the_first_hits_are_ranked_again_with_their_closest_sentence(monkeypatch):
    import numpy as np

    query = np.ones(8, dtype=np.float32) / np.sqrt(8)
    kept = KeptBits({
        "near": [[1] * 8, [-1] * 8],  # one sentence says just what the query says
        "vague": [[1] * 6 + [-1] * 2],  # its sentence only partly does
        "late": [[1] * 8],
    })  # fmt: skip
    monkeypatch.setattr(meaning_rank, "RERANK", 3)
    ranked = [("vague", 0.50, 0), ("near", 0.45, 0), ("plain", 0.40, 0), ("late", 0.39, 0)]
    out = list(meaning_rank.reranked(ranked, kept, query))
    assert [r[0] for r in out] == ["near", "vague", "plain", "late"]  # "late" was not in the first 3
    assert out[0][1] == pytest.approx(0.7 * 0.45 + 0.3 * 1.0) and out[1][1] == pytest.approx(
        0.7 * 0.5 + 0.3 * 0.5
    )
    assert out[2][1] == 0.40 and out[3][1] <= out[2][1]  # no bits kept: its score as it was
    allowed = {"plain": None, "late": None}
    assert [r[0] for r in meaning_rank.reranked(ranked, kept, query, allowed)][:2] == ["late", "plain"]
