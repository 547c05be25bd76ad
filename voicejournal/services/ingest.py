"""Bringing speech and text in: audio files, transcription, and written journals (jrnl, Markdown)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from voicejournal.core.entry import DONE, NO_SPEECH, PENDING, TEXT_ONLY, Entry
from voicejournal.errors import (
    AudioDecodeError,
    DiskFullError,
    DuplicateAudioError,
    EntryNotFoundError,
    UsageError,
    VoiceJournalError,
)
from voicejournal.services.entries import clean_tags, save_entries
from voicejournal.store.diskspace import disk_full

ProgressFn = Callable[[float, float], None]
# New entries saved together: big enough that each month file is written a handful of times per import,
# small enough that a stopped import keeps most of its work (running it again adds the rest). A very big
# import makes bigger batches, IMPORT_BATCHES at most: each batch rewrites journal.json once (the markers
# it filed), which grows with the import.
IMPORT_BATCH = 1000
IMPORT_BATCHES = 10


def add_file(
    journal,
    path: Path,
    tags: Iterable[str] = (),
    date: datetime | None = None,
    kind: str = "reflection",
    transcribe: bool = True,
    model: str | None = None,
    language: str | None = None,
    partial: bool = False,
    progress: ProgressFn | None = None,
    session: str | None = None,
    on_quiet: Callable[[float], None] | None = None,
) -> Entry:
    """Import one recording: store it as 16 kHz FLAC, save a pending entry, then transcribe it.

    `on_quiet(speech_db)` is called when its speech is too quiet to trust (speech/levels.too_quiet)."""
    from voicejournal.speech.audio import load_audio, sha256_file, write_flac
    from voicejournal.store.paths import input_path

    path = input_path(Path(path), "an audio file")
    session = journal.session_id(session)
    samples = load_audio(path, partial=partial)
    try:
        source_key = "sha256:" + sha256_file(path)
    except OSError as exc:
        raise AudioDecodeError(f"{path.name} cannot be read: {exc.strerror}.") from None
    created = date or datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    transcriber = journal.transcriber(model, language) if transcribe else None  # fail early if missing
    with journal.storage.transaction():
        duplicates = journal.storage.find_entries("source_key", source_key)
        if duplicates:
            raise DuplicateAudioError(path.name, duplicates[0]["id"])
        entry_id = journal.storage.new_id()
        rel, dest = journal.audio_destination(entry_id, created)
        try:
            write_flac(dest, samples, home=journal.home)
            entry = Entry(
                id=entry_id,
                created=created,
                kind=kind,
                status=PENDING,
                audio=rel,
                audio_sha256=sha256_file(dest, home=journal.home),
                duration=round(len(samples) / 16000, 2),
                tags=clean_tags(tags),
                source=path.name,
                source_key=source_key,
                session=session,
            )
            journal.save_entry(entry, new=True)
        except DiskFullError:
            if journal.storage.get_entry(entry_id) is not None:
                raise  # the entry was saved; only something derived from it was not
            dest.unlink(missing_ok=True)  # nothing half-saved: no recording without its entry
            raise disk_full(
                dest, f"{path.name} was not added (nothing of it was saved)", "add it again"
            ) from None
    if transcriber is not None:
        entry = _transcribe_into(journal, entry, transcriber, samples, progress)
    if on_quiet is not None:
        from voicejournal.speech.levels import block_levels, too_quiet

        quiet = too_quiet(block_levels(samples))
        if quiet is not None:
            on_quiet(quiet)
    return entry


def add_files(journal, paths: Iterable[Path], **options) -> list[AddResult]:
    """Import several recordings; one bad file does not stop the others."""
    results = []
    for path in paths:
        result = AddResult(Path(path))
        try:
            result.entry = add_file(
                journal, path, on_quiet=lambda db, r=result: setattr(r, "quiet_db", db), **options
            )
        except VoiceJournalError as exc:
            result.error = exc
        results.append(result)
    return results


def transcriber(journal, model: str | None = None, language: str | None = None):
    """A Transcriber for this model, loaded once per Journal."""
    from voicejournal.speech.transcription import Transcriber

    key = (model, language)
    if key not in journal.transcribers:
        journal.transcribers[key] = Transcriber(model, language)
    return journal.transcribers[key]


def _transcribe_into(journal, entry: Entry, transcriber, samples, progress: ProgressFn | None) -> Entry:
    result = transcriber.transcribe_recording(samples, progress=progress)
    with journal.storage.transaction():
        # Re-read: someone may have tagged or edited it meanwhile.
        current = journal.get(entry.id)
        _apply(current, result, force=False)
        journal.save_entry(current)
    return current


def _apply(entry: Entry, result, force: bool) -> bool:
    """Put a new transcript into the entry; the person's own edit stays unless `force`. True if kept."""
    entry.segments = result.segments
    kept = entry.edited and not force
    if not kept:
        entry.text = result.text
        entry.edited = False
    entry.language = result.language
    entry.model = result.model
    entry.status = DONE if result.segments else NO_SPEECH
    return kept


# Transcripts are saved a few at a time: each month file is written once per batch, not once per entry, and
# a kill loses at most the batch in progress (those entries are still pending, or still on their old model,
# so the next run does them again).
TRANSCRIBE_BATCH = 8
TRANSCRIBE_BATCH_SECONDS = 15.0


@dataclass
class TranscribeReport:
    """What `transcribe` did."""

    done: list[Entry] = field(default_factory=list)  # transcribed and saved
    kept: list[Entry] = field(default_factory=list)  # of those, edited by the person: their text was kept
    current: int = 0  # --all: already transcribed with this model, left as they were
    missing: list[Entry] = field(default_factory=list)  # --all: their recording is gone; left as they were


def transcribe(
    journal,
    ids: Iterable[str] = (),
    pending: bool = False,
    model: str | None = None,
    language: str | None = None,
    progress: Callable[[Entry, float, float], None] | None = None,
    everything: bool = False,
    force: bool = False,
) -> TranscribeReport:
    """(Re)transcribe the given entries, every pending one, or `everything` recorded (an upgrade to another
    model: entries already transcribed with it are left alone unless `force`). An entry the person edited
    keeps their text (its segments are renewed) unless `force`. `progress(entry, done, total)` counts
    seconds of audio over the whole run."""
    from voicejournal.speech.audio import load_audio

    report = TranscribeReport()
    targets = [journal.get(i) for i in ids]
    for entry in targets:
        if entry.status == TEXT_ONLY or not entry.audio:
            raise UsageError(f"Entry {entry.id} is a written entry with no recording to transcribe.")
    chosen = {t.id for t in targets}
    if pending or everything:
        found = []  # only the entries to hear again are built: a journal of years is read, not all made
        for docs in journal.storage.entries_by_month():
            for doc in docs:
                status = doc.get("status", PENDING)  # as `Entry` reads a record without one
                if doc.get("id") in chosen or not doc.get("audio") or status == TEXT_ONLY:
                    continue
                if everything or status == PENDING:
                    found.append(Entry.from_doc(doc))
        targets += sorted(found, key=lambda e: e.created)  # oldest first
    if not targets:
        return report
    transcriber = journal.transcriber(model, language)
    if everything and not force:
        report.current = sum(1 for e in targets if e.id not in chosen and e.model == transcriber.model_name)
        targets = [e for e in targets if e.id in chosen or e.model != transcriber.model_name]
    total = sum(e.duration for e in targets) or float(len(targets))
    before = 0.0
    batch: list = []
    last_save = time.monotonic()
    for entry in targets:
        audio = journal.audio_path(entry)
        if audio is None or not audio.exists():
            if entry.id not in chosen:
                report.missing.append(entry)
                continue
            raise AudioDecodeError(
                f"The recording of entry {entry.id} is missing ({entry.audio}); its text is kept as it is."
            )
        samples = load_audio(audio, partial=True, home=journal.home)
        length = entry.duration or 1.0
        step = None
        if progress:
            step = lambda d, t, e=entry, b=before, n=length: progress(e, b + n * d / (t or 1.0), total)  # noqa: E731
        batch.append((entry, transcriber.transcribe(samples, progress=step)))
        before += length
        if len(batch) >= TRANSCRIBE_BATCH or time.monotonic() - last_save >= TRANSCRIBE_BATCH_SECONDS:
            _save_transcripts(journal, batch, force, report)
            batch, last_save = [], time.monotonic()
    _save_transcripts(journal, batch, force, report)
    return report


def _save_transcripts(journal, batch: list, force: bool, report: TranscribeReport) -> None:
    """Save a batch of new transcripts: each month file written once, the index in one transaction."""
    if not batch:
        return
    with journal.storage.transaction():
        saved = []
        for entry, result in batch:
            try:  # re-read: someone may have tagged, edited or deleted it meanwhile
                current = journal.get(entry.id)
            except EntryNotFoundError:
                continue
            if _apply(current, result, force):
                report.kept.append(current)
            journal.enrich(current)
            saved.append(current)
        save_entries(journal, saved)
    report.done.extend(saved)


def import_text(
    journal,
    source: str,
    path: Path,
    kind: str = "journal",
    tags: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
):
    """Import a written journal (`source` "jrnl": its JSON export; "markdown": a folder of .md files).

    Every item becomes a text entry (no audio). Items imported before (same source key) are skipped, so
    running an import again after it was stopped finishes it without duplicates. The new entries are saved
    in batches (see `entries.save_new_entries`); `progress(done, total)` follows them.
    Returns an `importing.ImportReport`.
    """
    from voicejournal.services.entries import save_new_entries
    from voicejournal.services.importing import Added, ImportReport, read_jrnl, read_markdown
    from voicejournal.store.paths import input_path

    if source == "jrnl":
        input_path(path, "the JSON file jrnl exports (`jrnl --format json > journal.json`)")
    else:
        input_path(path, "Markdown", folder_ok=True)
    items, problems = read_jrnl(path) if source == "jrnl" else read_markdown(path)
    report = ImportReport(source=source, path=path, problems=problems)
    with journal.storage.transaction():
        # Skip what was imported before (same source key), and files this journal exported itself
        # (their front matter names an entry that is still here).
        if len(items) <= 20:  # a byte search per key beats parsing a big journal
            known = {i.source_key for i in items if journal.storage.find_entries("source_key", i.source_key)}
        else:
            storage = journal.storage  # a month at a time: the whole journal is never held at once
            known = {
                d["source_key"]
                for s in storage.shards()
                for d in storage.shard_docs(s)
                if d.get("source_key")
            }
        here = journal.storage.entry_ids()
        _forget_unsaved_markers(journal, here)
        new = []
        for item in items:
            if item.source_key in known or item.origin_id in here:
                report.skipped += 1
            else:
                new.append(item)
                known.add(item.source_key)
        del items
        # Oldest first, so a batch covers a few neighbouring months. Entries are made a batch at a time and
        # let go once saved, as are the items read: a decade of them is never held twice.
        new.sort(key=lambda i: i.created)
        new.reverse()  # popped from the end: oldest first, items of one instant in the order read
        total = len(new)
        size = max(IMPORT_BATCH, -(-total // IMPORT_BATCHES))
        while new:
            batch = [_text_entry(new.pop(), kind, tags) for _ in range(min(size, len(new)))]
            save_new_entries(journal, batch)
            report.added.extend(Added(e.id, e.created) for e in batch)
            if progress is not None:
                progress(len(report.added), total)
    return report


def _text_entry(item, kind: str, tags: Iterable[str]) -> Entry:
    return Entry(
        id="",  # given with the others by save_new_entries
        created=item.created,
        kind=item.kind or kind,
        mood=item.mood,
        status=TEXT_ONLY,
        text=item.text,
        title=item.title,
        tags=clean_tags([*item.tags, *tags]),
        source=item.source,
        source_key=item.source_key,
    )


def _forget_unsaved_markers(journal, here: dict[str, str]) -> None:
    """An import killed inside a batch may have filed the batch's spoken markers (questions, wins…) without
    saving its entries: such records point at no entry and nobody acted on them, so they go before the
    import files them again with the entries."""
    from voicejournal.core.planning import MARKER_TABLES

    records = (r for table in MARKER_TABLES.values() for r in journal.planner.records(table))
    for entry_id in {r.entry for r in records if r.entry and r.entry not in here}:
        journal.planner.forget_entry(entry_id)


@dataclass
class AddResult:
    """What happened to one file given to `add`."""

    path: Path
    entry: Entry | None = None
    error: VoiceJournalError | None = None
    quiet_db: float | None = None  # its speech level, when too quiet to trust

    @property
    def ok(self) -> bool:
        return self.error is None
