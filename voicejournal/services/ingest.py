"""Bringing speech and text in: audio files, transcription, and written journals (jrnl, Markdown)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from voicejournal.core.entry import DONE, NO_SPEECH, PENDING, TEXT_ONLY, Entry
from voicejournal.errors import (
    AudioDecodeError,
    DiskFullError,
    DuplicateAudioError,
    UsageError,
    VoiceJournalError,
)
from voicejournal.services.entries import clean_tags
from voicejournal.store.diskspace import disk_full

ProgressFn = Callable[[float, float], None]
# New entries saved together: big enough that each month file is written a handful of times per import,
# small enough that a stopped import keeps most of its work (running it again adds the rest).
IMPORT_BATCH = 1000


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
        current.segments = result.segments
        if not current.edited:
            current.text = result.text
        current.language = result.language
        current.model = result.model
        current.status = DONE if result.segments else NO_SPEECH
        journal.save_entry(current)
    return current


def transcribe(
    journal,
    ids: Iterable[str] = (),
    pending: bool = False,
    model: str | None = None,
    language: str | None = None,
    progress: Callable[[Entry, float, float], None] | None = None,
) -> list[Entry]:
    """(Re)transcribe the given entries, or every pending one."""
    from voicejournal.speech.audio import load_audio

    targets = [journal.get(i) for i in ids]
    if pending:
        targets += [
            e for e in journal.entries() if e.status == PENDING and e.id not in {t.id for t in targets}
        ]
    for entry in targets:
        if entry.status == TEXT_ONLY or not entry.audio:
            raise UsageError(f"Entry {entry.id} is a written entry with no recording to transcribe.")
    transcriber = journal.transcriber(model, language) if targets else None
    done = []
    for entry in targets:
        audio = journal.audio_path(entry)
        if audio is None or not audio.exists():
            raise AudioDecodeError(
                f"The recording of entry {entry.id} is missing ({entry.audio}); its text is kept as it is."
            )
        samples = load_audio(audio, partial=True, home=journal.home)
        step = (lambda d, t, e=entry: progress(e, d, t)) if progress else None
        done.append(_transcribe_into(journal, entry, transcriber, samples, step))
    return done


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
    from voicejournal.services.importing import ImportReport, read_jrnl, read_markdown
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
            known = {d.get("source_key") for d in journal.storage.all_entries() if d.get("source_key")}
        here = journal.storage.entry_ids()
        new = []
        for item in items:
            if item.source_key in known or item.origin_id in here:
                report.skipped += 1
                continue
            new.append(
                Entry(
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
            )
            known.add(item.source_key)
        new.sort(key=lambda e: e.created)  # a batch then covers a few neighbouring months
        done = 0
        for start in range(0, len(new), IMPORT_BATCH):
            batch = new[start : start + IMPORT_BATCH]
            save_new_entries(journal, batch)
            report.added.extend(batch)
            done += len(batch)
            if progress is not None:
                progress(done, len(new))
    return report


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
