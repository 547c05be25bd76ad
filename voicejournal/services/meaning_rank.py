"""Ranking for search by meaning: how a query is read, and each hit's sentence closest to the query
(services/meaning finds the vectors and calls these)."""

from __future__ import annotations

from voicejournal.core.entry import Entry
from voicejournal.core.passages import entry_passages
from voicejournal.core.query import IndexedEntry, SearchHit

SNIPPET_HITS = 3  # the first hits show their sentence closest to the query (by the kept sign bits)
SNIPPET_TOKENS = 20  # without them (vectors saved before): each sentence judged by its first word pieces
SNIPPET_WORDS = 28
# A query is read as the average of these sentences about it: a bare "burnout" or "times I felt like
# giving up" then sits nearer a journal entry's way of speaking. Chosen on the tuning set only (recall@3
# 0.66 -> 0.73; benchmarks/meaning_bench.py prints the held-out figure). Both are neutral on purpose:
# "I am dealing with …" scored as well but pulled every struggle closer to a query about gardening.
QUERY_TEMPLATES = ("This entry is about {}.", "Today I talked about {}.")


# How a query's hits are ranked, chosen by the tuning set's MRR (recall@3 0.73 -> 0.75, MRR 0.62 -> 0.63;
# held-out, printed beside it: 0.62 -> 0.69, MRR 0.60 -> 0.65; the fresh set, only read as a whole:
# 0.60 -> 0.63, MRR 0.51 -> 0.57; benchmarks/meaning_bench.py). Passages are compared after moving them
# and the query CENTRE of the way away from the journal's mean vector (`VectorSet.centred_sims`); then the
# first RERANK entries get SENTENCE_WEIGHT of their score from their best passage's closest sentence (its
# kept sign bits), so one sentence that says it outweighs a passage that only sounds like it.
# A journal of fewer than CENTRE_FROM passages is not centred: the mean of a few entries is mostly
# those entries, and moving away from it would push the right one away too.
CENTRE = 0.3
CENTRE_FROM = 100
SENTENCE_WEIGHT = 0.3
RERANK = 30


def query_texts(query: str) -> tuple[str, ...]:
    """What is embedded for a query: QUERY_TEMPLATES filled with it."""
    text = query.strip().rstrip(".!?;:,").strip() or query.strip()
    return tuple(t.format(text) for t in QUERY_TEMPLATES)


def query_vector(model, query: str, embedded=None):
    """The unit vector a query is searched with: the mean of its `query_texts` embedded by `model` (or
    the rows `embedded` already holds for them)."""
    import numpy as np

    rows = embedded if embedded is not None else model.embed(list(query_texts(query)))
    vector = rows.mean(axis=0)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def centre_for(vectors) -> float:
    """How far the journal's passages are moved from their mean before scoring (see CENTRE)."""
    return CENTRE if len(vectors.matrix) >= CENTRE_FROM else 0.0


def sentence_score(bits, query) -> float | None:
    """How close a passage's closest sentence is to `query`, from the sentences' sign bits (the mean of
    the query's numbers taken with each sentence's signs, scaled as a cosine); None without bits."""
    import numpy as np

    if bits is None or not len(bits):
        return None
    signs = np.unpackbits(bits, axis=1)[:, : len(query)].astype(np.float32) * 2 - 1
    return float((signs @ query).max()) / float(np.sqrt(len(query)))


def reranked(ranked, vectors, query, allowed: dict | None = None):
    """`ranked` ((entry id, score, passage number), best first) with its first RERANK entries (of those
    `allowed`) scored again with their closest sentence (see SENTENCE_WEIGHT), then the rest as they were."""
    import numpy as np

    query = np.asarray(query, dtype=np.float32)
    ranked = iter(ranked)
    head = []
    for item in ranked:
        if allowed is None or item[0] in allowed:
            head.append(item)
            if len(head) == RERANK:
                break
    scored = []
    for entry_id, score, number in head:
        best = sentence_score(vectors.sentence_bits(entry_id, number), query)
        if best is not None:
            score = (1 - SENTENCE_WEIGHT) * score + SENTENCE_WEIGHT * best
        scored.append((entry_id, score, number))
    scored.sort(key=lambda item: -item[1])
    floor = scored[-1][1] if scored else 0.0
    yield from scored
    for entry_id, score, number in ranked:  # below the reranked ones, whatever their score
        yield entry_id, min(score, floor), number


def as_indexed(entry: Entry) -> IndexedEntry:
    preview = " ".join((entry.text or "").split())[:200]
    return IndexedEntry(
        entry.id, entry.created, entry.kind, entry.mood, list(entry.tags), list(entry.themes),
        entry.duration, entry.status, entry.title, preview,
    )  # fmt: skip


def rank_hits(
    journal, ranked, limit: int, allowed: dict | None, query_vector=None, vectors=None
) -> list[SearchHit]:
    """The first `limit` ranked entries (of those `allowed`, when filtered) as hits, each showing its best
    passage's sentence closest to the query (for the first few; the others show the passage's start).
    The sentences' sign bits kept in `vectors` pick it; for vectors saved without them, a short model run."""
    import numpy as np

    hits, picks = [], []
    for entry_id, score, number in ranked:
        if allowed is not None and entry_id not in allowed:
            continue
        entry = journal.get(entry_id)
        passages = entry_passages(entry)
        if not passages:
            continue
        number = min(number, len(passages) - 1)
        passage = passages[number]
        indexed = allowed[entry_id] if allowed is not None else as_indexed(entry)
        hits.append(SearchHit(indexed, score, passage.start, ""))
        picks.append((entry_id, number, list(passage.sentences)))
        if len(hits) == limit:
            break
    best = {h: pick[2][0] for h, pick in enumerate(picks)}
    if query_vector is not None:
        query = np.asarray(query_vector, dtype=np.float32)
        unkept = []
        for h, (entry_id, number, pick) in enumerate(picks[:SNIPPET_HITS]):
            bits = vectors.sentence_bits(entry_id, number) if vectors is not None else None
            if bits is None or len(bits) != len(pick):
                unkept += [(h, s) for s in pick]
                continue
            signs = np.unpackbits(bits, axis=1)[:, : len(query)].astype(np.float32) * 2 - 1
            best[h] = pick[int(np.argmax(signs @ query))]
        if unkept:
            from voicejournal.semantic.embedder import embedder

            sims = embedder().embed([text for _, (_, text) in unkept], max_tokens=SNIPPET_TOKENS) @ query
            top: dict[int, float] = {}
            for (h, sentence), sim in zip(unkept, sims, strict=True):
                if sim > top.get(h, -2.0):
                    top[h], best[h] = float(sim), sentence
    for h, hit in enumerate(hits):
        start, text = best[h]
        hit.start = start if start is not None else hit.start
        words = text.split()
        hit.snippet = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    return hits
