"""One check for the graph rewrites (int8_graph, fused_graph): a rewritten model must mean what the packaged
one means, text by text."""

import numpy as np

TEXTS = [
    "I just wanted to quit everything today.",
    "Lay awake until four again, staring at the ceiling, and the deadline kept coming back.",
    "ok",
    "My sister called about the holidays and I felt guilty for not going home. " * 6,
]


def session_pair(packaged: bytes, rewritten: bytes, basic: bool = True) -> tuple:
    """Sessions of the packaged and the rewritten model, quiet; with `basic`, only ORT's basic graph
    optimisations (as the embedder runs the fused graphs)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if basic:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return ort.InferenceSession(packaged, options), ort.InferenceSession(rewritten, options)


def agreement(packaged, rewritten) -> list[float]:
    """The cosine between the two sessions' vectors (mean-pooled, unit length) for each of TEXTS."""
    from voicejournal.semantic.embedder import embedder, mean_pool

    tokenizer = embedder().tokenizer
    out = []
    for text in TEXTS:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        a = mean_pool(packaged.run(None, feeds)[0], feeds["attention_mask"])[0]
        b = mean_pool(rewritten.run(None, feeds)[0], feeds["attention_mask"])[0]
        out.append(float(a @ b))
    return out


def assert_agrees(packaged, rewritten, at_least: float) -> None:
    """Each of TEXTS gets vectors at least `at_least` alike from both sessions."""
    for text, cosine in zip(TEXTS, agreement(packaged, rewritten), strict=True):
        assert cosine > at_least, (text, cosine)
