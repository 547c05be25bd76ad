"""The meaning vectors file: rows per entry and passage, scoring, and a file that is rebuilt rather than
trusted when it is damaged or made by another model."""

import numpy as np

from voicejournal.store.vectors import VECTORS_FILE, VectorSet, VectorStore


def unit(*values):
    v = np.zeros(4, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def vector_set():
    vectors = VectorSet("model-a", "sha-a", 4, "sig-1")
    vectors.put([
        ("aaaa", "d1", [0.0, 30.0], np.stack([unit(1, 0), unit(0, 1)])),
        ("bbbb", "d2", [None], np.stack([unit(1, 1)])),
        ("cccc", "d3", [5.0], np.stack([unit(0, 0, 1)])),
    ])  # fmt: skip
    return vectors


def test_best_ranks_entries_by_their_closest_passage():
    ranked = list(vector_set().best(unit(0, 1)))
    assert [r[0] for r in ranked] == ["aaaa", "bbbb", "cccc"]
    assert ranked[0][2] == 1 and abs(ranked[0][1] - 1.0) < 1e-6  # the second passage of aaaa
    assert abs(ranked[1][1] - np.sqrt(0.5)) < 1e-3  # kept as float16
    several = list(vector_set().best(np.stack([unit(0, 0, 1), unit(0, 1)])))  # the closest of several
    assert {r[0] for r in several[:2]} == {"aaaa", "cccc"}


def test_centred_sims_are_the_cosines_after_moving_away_from_the_mean():
    vectors = vector_set()
    query = unit(1, 2, 0.5)
    rows = vectors.matrix.astype(np.float32)  # float16 in memory too, as on disk
    mean = rows.mean(axis=0)
    assert np.allclose(vectors.mean(), mean, atol=1e-6)
    moved = rows - 0.3 * mean
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    q = (query - 0.3 * mean) / np.linalg.norm(query - 0.3 * mean)
    assert np.allclose(vectors.centred_sims(query, 0.3), moved @ q, atol=2e-3)
    ranked = list(vectors.best(query, centre=0.3))
    sims = moved @ q
    best = {"aaaa": max(sims[0], sims[1]), "bbbb": sims[2], "cccc": sims[3]}
    assert [r[0] for r in ranked] == sorted(best, key=lambda i: -best[i])
    assert np.allclose([r[1] for r in ranked], sorted(best.values(), reverse=True), atol=2e-3)


def test_put_replaces_and_remove_drops_an_entry_rows():
    vectors = vector_set()
    vectors.put([("aaaa", "d1b", [1.0], np.stack([unit(0, 0, 0, 1)]))])
    assert vectors.entries["aaaa"] == ("d1b", [1.0]) and len(vectors.matrix) == 3
    assert vectors.remove(["bbbb", "zzzz"]) and not vectors.remove(["zzzz"])
    assert list(vectors.entries) == ["cccc", "aaaa"] and np.allclose(vectors.rows("aaaa"), [unit(0, 0, 0, 1)])


def test_round_trip_and_refusals(vj_home):
    vj_home.mkdir()
    store = VectorStore(vj_home)
    store.save(vector_set())
    loaded = store.load("model-a", "sha-a")
    assert loaded.signature == "sig-1" and loaded.entries == vector_set().entries
    assert np.allclose(loaded.matrix, vector_set().matrix, atol=1e-3)  # float16 on disk
    assert np.allclose(loaded.known_sum, vector_set().total())  # each month file keeps its rows' sum
    assert (vj_home / VECTORS_FILE).stat().st_mode & 0o077 == 0
    assert store.load("model-b", "sha-a") is None and store.load("model-a", "sha-b") is None  # rebuilt
    (vj_home / VECTORS_FILE).write_bytes((vj_home / VECTORS_FILE).read_bytes()[:-10])  # cut short
    assert store.load("model-a", "sha-a") is None
    (vj_home / VECTORS_FILE).write_bytes(b"not vectors")
    assert store.load("model-a", "sha-a") is None
    store.drop()
    assert not store.exists() and store.load("model-a", "sha-a") is None


def by_month():
    vectors = VectorSet("model-a", "sha-a", 4, "sig-1")
    vectors.put(
        [("aaaa", "d1", [0.0], np.stack([unit(1)])), ("bbbb", "d2", [None], np.stack([unit(0, 1)]))],
        {"aaaa": "2026-06.json", "bbbb": "2026-07.json"},
    )
    return vectors


def test_vectors_are_kept_per_month_and_a_change_rewrites_only_its_month(vj_home, writes):
    vj_home.mkdir()
    store = VectorStore(vj_home)
    store.save(by_month())
    assert sorted(writes) == [VECTORS_FILE, f"{VECTORS_FILE}-2026-06.json", f"{VECTORS_FILE}-2026-07.json"]
    loaded = store.load("model-a", "sha-a")
    assert loaded.months == {"aaaa": "2026-06.json", "bbbb": "2026-07.json"} and not loaded.dirty
    assert np.allclose(loaded.rows("bbbb"), [unit(0, 1)], atol=1e-3)
    writes.clear()
    loaded.put([("cccc", "d3", [1.0], np.stack([unit(0, 0, 1)]))], {"cccc": "2026-07.json"})
    store.save(loaded)
    assert sorted(writes) == [VECTORS_FILE, f"{VECTORS_FILE}-2026-07.json"]  # June is left alone
    assert set(store.load("model-a", "sha-a").entries) == {"aaaa", "bbbb", "cccc"}
    writes.clear()
    loaded.remove(["aaaa"])  # June's last entry: its file goes
    store.save(loaded)
    assert sorted(writes) == [VECTORS_FILE] and not store.month_path("2026-06.json").exists()
    store.month_path("2026-07.json").write_bytes(b"damaged")
    assert store.load("model-a", "sha-a") is None  # rebuilt, never half-trusted
    store.drop()
    assert not any(p.name.startswith(VECTORS_FILE) for p in vj_home.iterdir())


def test_vectors_written_as_one_file_before_months_are_still_read(vj_home):
    from voicejournal.store.vectors import MAGIC, pack_block

    vj_home.mkdir()
    (vj_home / VECTORS_FILE).write_bytes(pack_block(vector_set()))
    loaded = VectorStore(vj_home).load("model-a", "sha-a")
    assert (vj_home / VECTORS_FILE).read_bytes().startswith(MAGIC)
    assert loaded.entries == vector_set().entries and loaded.months == {}  # the caller files them by month


def test_the_sentences_sign_bits_are_kept_per_passage(vj_home):
    vj_home.mkdir()
    vectors = by_month()
    bits = np.arange(3 * 48, dtype=np.uint8).reshape(3, 48)
    vectors.put(
        [("cccc", "d3", [0.0, 9.0], np.stack([unit(1), unit(0, 1)]))],
        {"cccc": "2026-06.json"},
        {"cccc": ([2, 1], bits)},
    )
    VectorStore(vj_home).save(vectors)
    loaded = VectorStore(vj_home).load("model-a", "sha-a")
    assert np.array_equal(loaded.sentence_bits("cccc", 0), bits[:2])
    assert np.array_equal(loaded.sentence_bits("cccc", 1), bits[2:])
    assert loaded.sentence_bits("cccc", 2) is None and loaded.sentence_bits("aaaa", 0) is None  # not kept
    loaded.remove(["cccc"])
    assert "cccc" not in loaded.sentences


def test_an_empty_set_has_a_zero_mean_and_scores_nothing():
    empty = VectorSet("model-a", "sha-a", 4)
    assert empty.mean().tolist() == [0.0] * 4 and list(empty.best(unit(1), centre=0.3)) == []
    vectors = vector_set()
    cold = vectors.centred_sims(unit(1, 2), 0.3)
    vectors.warm()  # float32 rows made ahead: the same scores
    assert np.allclose(vectors.centred_sims(unit(1, 2), 0.3), cold, atol=1e-6)
