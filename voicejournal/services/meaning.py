"""Search by meaning: entries ranked by what they say, not the words they use (offline embeddings).

Every entry's words are cut into passages (`core/passages`), embedded (`semantic/embedder`) and kept in
`store/vectors` beside the search index. Saves keep the vectors in step in the same process
(`meaning_sync.before_write` / `after_write` around each write of entries); anything else that changed the
journal (a restore, a file written by hand, a save made while the vectors file was missing) is caught on
the next use by the journal's signature, and only entries whose words changed are embedded again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from voicejournal.core.entry import Entry
from voicejournal.core.passages import entry_passages, fingerprint
from voicejournal.core.query import SearchHit
from voicejournal.errors import JournalCorruptError, UsageError, VoiceJournalError
from voicejournal.services.meaning_rank import (
    centre_for,
    query_texts,
    query_vector,
    rank_hits,
    reranked,
)

ProgressFn = Callable[[int, int], None]  # (entries embedded, entries to embed), after each step
BATCH_ENTRIES = 32  # entries embedded per step of a backfill (the progress bar moves per step)
BULK_SAVE = 200  # a save of more entries than this leaves them to the next search (which shows progress)
QUIET_BACKFILL = 50  # a word search that finds nothing embeds at most this many entries to offer others
# What a word search that found nothing offers must be this close: on the tuning set every query's first
# hit scored >= 0.21 (its target >= 0.23 in 95 %), while a third of unrelated queries ("xylophone",
# "carburetor repair") scored below 0.2 over the same journal.
CLOSEST_FLOOR = 0.2


@dataclass
class MeaningResult:
    query: str
    hits: list[SearchHit]  # score: cosine similarity, 1 = the same meaning
    total: int  # entries that passed the filters


def _store(journal):
    from voicejournal.store.vectors import VectorStore

    return VectorStore(journal.home)


def _empty():
    from voicejournal.semantic.embedder import DIMENSIONS, MODEL_ID, MODEL_SHA256
    from voicejournal.store.vectors import VectorSet

    return VectorSet(MODEL_ID, MODEL_SHA256, DIMENSIONS)


def _load(journal):
    """The vectors as stored (cached in this process while the file is unchanged), or None."""
    from voicejournal.semantic.embedder import MODEL_ID, MODEL_SHA256

    store = _store(journal)
    try:
        stat = store.path.stat()
    except OSError:
        journal.vectors = None
        return None
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if journal.vectors is not None and journal.vectors[0] == key:
        return journal.vectors[1]
    vectors = store.load(MODEL_ID, MODEL_SHA256)
    if vectors is not None and vectors.entries and not vectors.months:
        # Written before vectors were kept per month: filed by month now, saved so at the next write.
        months = journal.storage.entry_ids()
        vectors.months.update({i: months.get(i, "unfiled") for i in vectors.entries})
        vectors.dirty.update(vectors.months.values())
    journal.vectors = (key, vectors) if vectors is not None else None
    return vectors


def _save(journal, vectors) -> None:
    store = _store(journal)
    store.save(vectors)
    try:
        stat = store.path.stat()
        journal.vectors = ((stat.st_size, stat.st_mtime_ns, stat.st_ino), vectors)
    except OSError:
        journal.vectors = None


def _embed_entries(entries: list[tuple[Entry, list]], progress: Callable[[int], None] | None = None):
    """([(id, digest, passage starts, vectors)], {id: (sentences per passage, their sign bits)}) for the
    (entry, its passages) given, as `VectorSet.put` takes them; `progress(n)` after each step."""
    import numpy as np

    from voicejournal.semantic.embedder import embedder

    model = embedder()
    items, sentences = [], {}
    for first in range(0, len(entries), BATCH_ENTRIES):
        batch = entries[first : first + BATCH_ENTRIES]
        vectors, per_sentence = model.embed_passages(
            [[text for _, text in p.sentences] for _, passages in batch for p in passages]
        )
        row = 0
        for entry, passages in batch:
            starts = [p.start for p in passages]
            items.append((entry.id, fingerprint(passages), starts, vectors[row : row + len(passages)]))
            if passages:
                rows = np.concatenate(per_sentence[row : row + len(passages)])
                sentences[entry.id] = ([len(p.sentences) for p in passages], np.packbits(rows > 0, axis=1))
            row += len(passages)
        if progress is not None:
            progress(len(batch))
    return items, sentences


def _month(entry: Entry) -> str:
    """The name of the month file an entry is stored in (its vectors are kept per month too)."""
    from voicejournal.store.month_files import shard_name

    return shard_name(entry.created.isoformat(timespec="seconds"))


def _months(journal, only: set[str] | None = None) -> Iterator[list[Entry]]:
    """The journal's entries, one month file at a time (a backfill of years never holds them all); with
    `only`, just the month files of those names."""
    for shard in journal.storage.shards():
        if only is not None and shard.name not in only:
            continue
        month = []
        for doc in journal.storage.shard_docs(shard):
            try:
                month.append(Entry.from_doc(doc))
            except (KeyError, TypeError, ValueError, JournalCorruptError):
                continue  # the index skips a malformed record too; `check` reports it
        yield month


def _changed(vectors, entries: list[Entry]) -> list[tuple[Entry, list]]:
    """(entry, its passages) of the entries whose vectors are missing or out of date."""
    pairs = [(e, entry_passages(e)) for e in entries]
    return [(e, passages) for e, passages in pairs if vectors.digest(e.id) != fingerprint(passages)]


def _stamps(signature: str) -> dict[str, str] | None:
    """Month file name -> its stamp, from a `Storage.signature()`; None if it cannot be read."""
    stamps = {}
    for part in signature.split("|") if signature else ():
        name, _, stamp = part.partition(":")
        if not stamp:
            return None
        stamps[name] = stamp
    return stamps if signature else None


def changed_months(old: str, new: str) -> set[str] | None:
    """The month files whose stamp differs between two signatures (new or changed ones), or None when
    every month must be read again: the old one is unknown, or a month file is gone."""
    before, after = _stamps(old), _stamps(new)
    if before is None or after is None or not set(before) <= set(after):
        return None
    return {name for name, stamp in after.items() if before.get(name) != stamp}


def _to_embed(journal, vectors, only: set[str] | None = None) -> int:
    """How many entries' vectors are missing or out of date."""
    return sum(len(_changed(vectors, month)) for month in _months(journal, only))


def _bring_in_step(journal, vectors, progress: ProgressFn | None = None) -> None:
    """Embed what changed, month by month, and drop the vectors of entries that are gone. Only the month
    files changed since the vectors were last in step are read (all of them when that is unknown)."""
    only = changed_months(vectors.signature, journal.storage.signature())
    total = _to_embed(journal, vectors, only) if progress is not None else 0
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    present: set[str] = set()
    for month in _months(journal, only):
        present.update(e.id for e in month)
        todo = _changed(vectors, month)
        vectors.remove([e.id for e, _ in todo])  # an entry whose words are all gone has no vectors
        if todo:
            items, sentences = _embed_entries(todo, step if total else None)
            vectors.put(items, {e.id: _month(e) for e, _ in todo}, sentences)
    if only is not None:  # the other months are as they were: their ids come from the id map
        present.update(journal.storage.entry_ids())
    vectors.remove([i for i in list(vectors.entries) if i not in present])


def current(journal, progress: ProgressFn | None = None, limit: int | None = None):
    """The vectors of every entry, brought in step first when the journal changed; None only when more
    than `limit` entries would need embedding (a quiet caller does not start a long backfill)."""
    signature = journal.storage.signature()
    vectors = _load(journal)
    if vectors is not None and vectors.signature == signature:
        if vectors.dirty:  # read in the first layout (one file): written per month from now on
            with journal.storage.transaction():
                _save(journal, vectors)
        return vectors
    vectors = vectors or _empty()
    if (
        limit is not None
        and _to_embed(journal, vectors, changed_months(vectors.signature, signature)) > limit
    ):
        return None
    # The long part runs without the lock, so recording and saving go on meanwhile…
    _bring_in_step(journal, vectors, progress)
    with journal.storage.transaction():  # …and what changed during it is caught up under the lock.
        _bring_in_step(journal, vectors)
        vectors.signature = journal.storage.signature()
        _save(journal, vectors)
    return vectors


def forget(journal) -> None:
    """Shred the vectors (the next use embeds every entry again)."""
    with journal.storage.transaction():
        _store(journal).drop()
        journal.vectors = None


# --- keeping in step with saves --------------------------------------------------------------


def follow_write(journal, before: str, upsert: list[Entry], remove: list[str]) -> None:
    """After entries were written or deleted (same transaction), when there are vectors (`before`: the
    journal's signature before the write) and words changed: embed the changed entries, drop the deleted
    (see `meaning_sync.after_write`). A deleted entry's vectors always leave the file; the file is marked in
    step only if it was before. Vectors are derived data: if the model cannot run, they are marked stale
    and the save goes on.
    """
    vectors = _load(journal)  # None: damaged or another model's (the next search rebuilds it)
    if vectors is None:
        return
    fresh = vectors.signature == before
    changed = _changed(vectors, upsert)
    if not vectors.remove(remove + [e.id for e, _ in changed]) and not changed:
        return  # words unchanged: the file is not rewritten (see above)
    signature = journal.storage.signature() if fresh else vectors.signature
    if len(changed) > BULK_SAVE:
        signature = vectors.signature  # a big import stays quick: the next search embeds them, with a bar
    elif changed:
        try:
            items, sentences = _embed_entries(changed)
            vectors.put(items, {e.id: _month(e) for e, _ in changed}, sentences)
        except Exception:  # derived data never fails a save: the entry is already stored
            signature = ""  # caught up (and any problem shown) by the next search by meaning
    vectors.signature = signature
    _save(journal, vectors)


# --- finding ---------------------------------------------------------------------------------


def preload_model(query: str = "") -> None:
    """Start loading the model in another thread, embedding `query` there once it is loaded (see
    `semantic.embedder.preload`)."""
    from voicejournal.semantic.embedder import preload

    if query.strip():  # an empty query is refused at once: nothing to load for
        preload(query_texts(query))


def search_meaning(journal, query: str, limit: int = 20, progress: ProgressFn | None = None, **filters):
    """Entries ranked by closeness in meaning to `query`, each with its closest sentence and a similarity.

    Filters as for `search` (since, until, tags, themes, kind, mood). Returns a `MeaningResult`.
    """
    from voicejournal.semantic.embedder import embedder

    if not query.strip():
        raise UsageError(
            'Say what to look for, e.g. voicejournal search --meaning "times I felt like giving up".'
        )
    vectors = current(journal, progress=progress)
    return _ranked(journal, vectors, query, limit, filters, embedder)


def closest(journal, query: str, limit: int = 3, **filters) -> MeaningResult | None:
    """What a word search that found nothing offers instead (only hits at least CLOSEST_FLOOR close); None
    if that would mean a long backfill."""
    from voicejournal.semantic.embedder import embedder

    vectors = current(journal, limit=QUIET_BACKFILL)
    if vectors is None or not query.strip():
        return None
    result = _ranked(journal, vectors, query, limit, filters, embedder)
    result.hits = [hit for hit in result.hits if hit.score >= CLOSEST_FLOOR]
    return result


def _ranked(journal, vectors, query, limit, filters, embedder) -> MeaningResult:
    from voicejournal.semantic.embedder import embedded_early

    vectors.warm()  # while the model may still be loading on the other thread
    vector = query_vector(embedder(), query, embedded_early(query_texts(query)))
    allowed = None
    total = len(vectors.entries)
    if any(v for v in filters.values()):
        allowed = {e.id: e for e in journal.list_entries(**filters)}
        total = sum(1 for i in allowed if i in vectors.entries)
    ranked = reranked(vectors.best(vector, centre=centre_for(vectors)), vectors, vector, allowed)
    hits = rank_hits(journal, ranked, limit, allowed, vector, vectors)
    return MeaningResult(query, hits, total)


def related(journal, entry_id: str, limit: int = 5, progress: ProgressFn | None = None) -> list[SearchHit]:
    """The entries closest in meaning to one entry (the closest pair of its passages and theirs)."""
    import numpy as np

    entry = journal.get(entry_id)
    vectors = current(journal, progress=progress)
    if entry.id not in vectors.entries:
        return []
    own = vectors.rows(entry.id)
    ranked = (r for r in vectors.best(own) if r[0] != entry.id)
    centre = own.mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    return rank_hits(journal, ranked, limit, None, centre, vectors)


ECHO_SIMILARITY = 0.55  # passages this close say much the same thing (measured on the paraphrase set)


def echoes(journal, entry_ids: list[str], before, limit: int = 2) -> list[tuple[str, SearchHit]]:
    """For the review: (entry id, an earlier entry before `before` that says something similar), the
    closest pairs first. Uses the stored vectors only (no model run, no long backfill); empty if none."""
    if not _store(journal).exists():
        return []  # made by the first search by meaning; the review does not start that
    try:
        vectors = current(journal, limit=QUIET_BACKFILL)
        if vectors is None:
            return []
        earlier = {e.id: e for e in journal.list_entries(until=before)}
        pairs = []
        for entry_id in entry_ids:
            if entry_id in vectors.entries and earlier:
                ranked = (r for r in vectors.best(vectors.rows(entry_id)) if r[1] >= ECHO_SIMILARITY)
                pairs += [(entry_id, hit) for hit in rank_hits(journal, ranked, 1, earlier)]
    except VoiceJournalError:
        return []  # derived and optional: the review never fails for it
    pairs.sort(key=lambda pair: -pair[1].score)
    seen: set[str] = set()
    return [p for p in pairs if p[1].id not in seen and not seen.add(p[1].id)][:limit]
