"""The Journal: every use case of voicejournal, usable from Python without the CLI."""

from __future__ import annotations

import errno
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from voicejournal import clock
from voicejournal.clock import Clock
from voicejournal.core.entry import DONE, KINDS, NO_SPEECH, PENDING, TEXT_ONLY, Entry, segments_text
from voicejournal.errors import (
    AudioDecodeError,
    DiskFullError,
    DuplicateAudioError,
    EntryNotFoundError,
    JournalCorruptError,
    UsageError,
    VoiceJournalError,
)
from voicejournal.store.diskspace import HOW_TO_FREE, disk_full, free_bytes, human_size, is_disk_full
from voicejournal.store.home import ensure_private_dir, home_dir, private_umask
from voicejournal.store.storage import Storage

AUDIO_DIR = "audio"

ProgressFn = Callable[[float, float], None]

if TYPE_CHECKING:
    from voicejournal.speech.recording import Recorder, RecordingResult


@dataclass
class AddResult:
    """What happened to one file given to `add`."""

    path: Path
    entry: Entry | None = None
    error: VoiceJournalError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Journal:
    """A journal in a home folder: entries, their audio, and everything derived from them."""

    def __init__(self, home: Path | None = None, now: Clock | None = None):
        private_umask()
        self.home = Path(home) if home else home_dir()
        self.now: Clock = now or clock.now  # the one clock: tests pass a fixed instant
        self.storage = Storage(self.home)
        self.storage.remove_import_leftovers()
        self._transcribers: dict[tuple[str | None, str | None], object] = {}
        self.waiting_for_space: list[Path] = []  # recordings `recover` had no room to save

    # --- entries -------------------------------------------------------------------------------

    def get(self, entry_id: str) -> Entry:
        """The entry with this id, or the only one whose id starts with it."""
        key = entry_id.strip().lower()
        if not key:
            raise EntryNotFoundError(entry_id)
        doc = self.storage.get_entry(key)
        if doc is None and len(key) < 4:
            matches = [d for d in self.storage.all_entries() if d["id"].startswith(key)]
            if len(matches) > 1:
                ids = ", ".join(sorted(d["id"] for d in matches)[:5])
                raise UsageError(f"'{entry_id}' matches several entries ({ids}); type more of the id.")
            doc = matches[0] if matches else None
        if doc is None:
            raise EntryNotFoundError(entry_id)
        return Entry.from_doc(doc)

    def entries(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        tags: Iterable[str] = (),
        kind: str | None = None,
    ) -> list[Entry]:
        """Entries matching every filter given, newest first."""
        wanted = {t.lower() for t in tags}
        found = []
        for doc in self.storage.all_entries():
            entry = Entry.from_doc(doc)
            if since and entry.created < since:
                continue
            if until and entry.created > until:
                continue
            if kind and entry.kind != kind:
                continue
            if wanted and not wanted <= {t.lower() for t in entry.tags}:
                continue
            found.append(entry)
        found.sort(key=lambda e: e.created, reverse=True)
        return found

    def new_entry_id(self) -> str:
        return self.storage.new_id()

    def audio_path(self, entry: Entry) -> Path | None:
        """Where the entry's recording is; JournalCorruptError if it would lead outside the journal."""
        if not entry.audio:
            return None
        from voicejournal.core.validate import inside_home, is_audio_path

        path = inside_home(self.home, entry.audio) if is_audio_path(entry.audio, entry.id) else None
        if path is None:
            raise JournalCorruptError(
                f"Entry {entry.id} points at a recording outside the journal ({entry.audio}); it was left "
                "alone. Remove the entry from its journal file by hand, or restore a good backup."
            )
        return path

    def audio_destination(self, entry_id: str, created: datetime) -> tuple[str, Path]:
        """Where an entry's FLAC lives: audio/YYYY/MM/<id>.flac (relative path, absolute path)."""
        rel = f"{AUDIO_DIR}/{created:%Y}/{created:%m}/{entry_id}.flac"
        folder = self.home / AUDIO_DIR / f"{created:%Y}" / f"{created:%m}"
        ensure_private_dir(folder)
        return rel, self.home / rel

    def enrich(self, entry: Entry) -> None:
        """Derive what comes from the text (themes, markers…) before an entry is saved."""
        self.detect_entry_themes(entry)
        self._enrich_review(entry)

    def save_entry(self, entry: Entry, new: bool = False) -> Entry:
        """Store a new or changed entry (derived fields are refreshed first)."""
        self.enrich(entry)
        with self.storage.transaction():
            index_fresh = self.index.is_fresh()  # before the write: only then can it follow incrementally
            if new:
                self.storage.add_entry(entry.to_doc())
            else:
                self.storage.update_entry(entry.id, entry.to_doc())
            if index_fresh:
                self.index.upsert(entry, self.storage.signature())
        return entry

    # --- importing audio files ------------------------------------------------------------------

    def add_file(
        self,
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
    ) -> Entry:
        """Import one recording: store it as 16 kHz FLAC, save a pending entry, then transcribe it."""
        from voicejournal.speech.audio import load_audio, sha256_file, write_flac
        from voicejournal.store.paths import input_path

        path = input_path(Path(path), "an audio file")
        session = self.session_id(session)
        samples = load_audio(path, partial=partial)
        try:
            source_key = "sha256:" + sha256_file(path)
        except OSError as exc:
            raise AudioDecodeError(f"{path.name} cannot be read: {exc.strerror}.") from None
        created = date or datetime.fromtimestamp(path.stat().st_mtime).astimezone()
        transcriber = self.transcriber(model, language) if transcribe else None  # fail early if missing
        with self.storage.transaction():
            duplicates = self.storage.find_entries("source_key", source_key)
            if duplicates:
                raise DuplicateAudioError(path.name, duplicates[0]["id"])
            entry_id = self.storage.new_id()
            rel, dest = self.audio_destination(entry_id, created)
            try:
                write_flac(dest, samples, home=self.home)
                entry = Entry(
                    id=entry_id,
                    created=created,
                    kind=kind,
                    status=PENDING,
                    audio=rel,
                    audio_sha256=sha256_file(dest, home=self.home),
                    duration=round(len(samples) / 16000, 2),
                    tags=_clean_tags(tags),
                    source=path.name,
                    source_key=source_key,
                    session=session,
                )
                self.save_entry(entry, new=True)
            except DiskFullError:
                if self.storage.get_entry(entry_id) is not None:
                    raise  # the entry was saved; only something derived from it was not
                dest.unlink(missing_ok=True)  # nothing half-saved: no recording without its entry
                raise disk_full(
                    dest, f"{path.name} was not added (nothing of it was saved)", "add it again"
                ) from None
        if transcriber is not None:
            entry = self._transcribe_into(entry, transcriber, samples, progress)
        return entry

    def add_files(self, paths: Iterable[Path], **options) -> list[AddResult]:
        """Import several recordings; one bad file does not stop the others."""
        results = []
        for path in paths:
            try:
                results.append(AddResult(Path(path), self.add_file(path, **options)))
            except VoiceJournalError as exc:
                results.append(AddResult(Path(path), error=exc))
        return results

    # --- transcription --------------------------------------------------------------------------

    def transcriber(self, model: str | None = None, language: str | None = None):
        """A Transcriber for this model, loaded once per Journal."""
        from voicejournal.speech.transcription import Transcriber

        key = (model, language)
        if key not in self._transcribers:
            self._transcribers[key] = Transcriber(model, language)
        return self._transcribers[key]

    def _transcribe_into(self, entry: Entry, transcriber, samples, progress: ProgressFn | None) -> Entry:
        result = transcriber.transcribe(samples, progress=progress)
        with self.storage.transaction():
            # Re-read: someone may have tagged or edited it meanwhile.
            current = self.get(entry.id)
            current.segments = result.segments
            if not current.edited:
                current.text = result.text
            current.language = result.language
            current.model = result.model
            current.status = DONE if result.segments else NO_SPEECH
            self.save_entry(current)
        return current

    def transcribe(
        self,
        ids: Iterable[str] = (),
        pending: bool = False,
        model: str | None = None,
        language: str | None = None,
        progress: Callable[[Entry, float, float], None] | None = None,
    ) -> list[Entry]:
        """(Re)transcribe the given entries, or every pending one."""
        from voicejournal.speech.audio import load_audio

        targets = [self.get(i) for i in ids]
        if pending:
            targets += [
                e for e in self.entries() if e.status == PENDING and e.id not in {t.id for t in targets}
            ]
        for entry in targets:
            if entry.status == TEXT_ONLY or not entry.audio:
                raise UsageError(f"Entry {entry.id} is a written entry with no recording to transcribe.")
        transcriber = self.transcriber(model, language) if targets else None
        done = []
        for entry in targets:
            audio = self.audio_path(entry)
            if audio is None or not audio.exists():
                raise AudioDecodeError(
                    f"The recording of entry {entry.id} is missing ({entry.audio}); its text is kept as it is."
                )
            samples = load_audio(audio, partial=True, home=self.home)
            step = (lambda d, t, e=entry: progress(e, d, t)) if progress else None
            done.append(self._transcribe_into(entry, transcriber, samples, step))
        return done

    # --- search & themes ---------------------------------------------------------------------------
    # Owned by the search/themes work (issue 5): the derived index, themes, tag/edit/delete, text import.

    @property
    def index(self):
        """The derived full-text index beside the journal (rebuilt by itself when missing or stale)."""
        if getattr(self, "_index", None) is None:
            from voicejournal.store.index import SearchIndex

            self._index = SearchIndex(self.storage)
        return self._index

    def user_themes(self) -> list[dict]:
        from voicejournal.services.themes import user_theme_docs

        if getattr(self, "_user_themes", None) is None:
            self._user_themes = user_theme_docs(self.storage)
        return self._user_themes

    def detect_entry_themes(self, entry: Entry) -> None:
        """Set the entry's themes from its (edited, if so) text, title and notes."""
        from voicejournal.core.themes import detect_themes

        text = "\n".join(p for p in (entry.title, entry.text, entry.notes) if p)
        entry.themes = detect_themes(text, self.user_themes())

    def search(self, query: str, limit: int = 20, **filters):
        """Ranked full-text search; returns a `search.SearchResult` (hits best first).

        Filters (as for `list_entries`): since, until (datetimes), tags, themes (names), kind, mood.
        """
        return self.index.search(query, self._filters(**filters), limit=limit)

    def list_entries(self, limit: int | None = None, **filters):
        """Entries matching the filters, newest first, from the index (`search.IndexedEntry`, fast)."""
        return self.index.list(self._filters(**filters), limit=limit)

    def _filters(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        tags: Iterable[str] = (),
        themes: Iterable[str] = (),
        kind: str | None = None,
        mood: int | None = None,
    ):
        from voicejournal.core.query import Filters

        return Filters(since, until, tuple(_clean_tags(tags)), self._known_themes(themes), kind, mood)

    def entries_by_ids(self, ids: list[str]) -> list[Entry]:
        """Full entries for ids from the index, in the same order."""
        if len(ids) <= 20:
            return [self.get(i) for i in ids]
        docs = {d["id"]: d for d in self.storage.all_entries()}
        return [Entry.from_doc(docs[i]) for i in ids if i in docs]

    def _known_themes(self, names: Iterable[str]) -> tuple[str, ...]:
        from voicejournal.core.themes import normalize_theme_name, theme_set

        names = list(names)
        if not names:
            return ()
        known = {t.name for t in theme_set(self.user_themes())}
        wanted = []
        for name in names:
            clean = normalize_theme_name(name)
            if clean not in known:
                listed = ", ".join(sorted(known))
                raise UsageError(f"There is no theme '{name}'. Themes: {listed}.")
            wanted.append(clean)
        return tuple(wanted)

    def theme_overview(self, since: datetime | None = None, months: int = 6):
        """Themes with entries per month and rising/fading, over `months` months or since a date.

        Returns (list of `themes.ThemeTrend`, the months shown as "YYYY-MM").
        """
        from voicejournal.core.themes import month_range, theme_trends

        now = self.now()
        if since is None:
            start_index = now.year * 12 + now.month - 1 - (months - 1)
            since = datetime(start_index // 12, start_index % 12 + 1, 1).astimezone()
        rows, per_month = self.index.theme_rows(since)
        shown = month_range(f"{since:%Y-%m}", f"{max(since, now):%Y-%m}")
        return theme_trends(rows, per_month, shown), shown

    def theme_definitions(self) -> list:
        """Every theme (built-in and the person's own), as `themes.Theme`."""
        from voicejournal.core.themes import theme_set

        return theme_set(self.user_themes())

    def define_theme(self, name: str, words: Iterable[str]) -> tuple[dict, int]:
        """Add or change a theme and re-theme every entry; returns (definition, entries changed)."""
        from voicejournal.services.themes import define_theme

        with self.storage.transaction():
            doc = define_theme(self.storage, name, words)
            self._user_themes = None
            changed = self.retheme(only=doc["name"])
        return doc, changed

    def retheme(self, only: str | None = None) -> int:
        """Detect the themes of every entry again (or just theme `only`); returns how many changed."""
        from voicejournal.core.themes import detect_themes

        changed = 0
        with self.storage.transaction():
            index_fresh = self.index.is_fresh()
            updated = []
            for doc in self.storage.all_entries():
                entry = Entry.from_doc(doc)
                before = dict(entry.themes)
                if only is None:
                    self.detect_entry_themes(entry)
                else:
                    text = "\n".join(p for p in (entry.title, entry.text, entry.notes) if p)
                    found = detect_themes(text, self.user_themes(), only=[only]).get(only)
                    entry.themes.pop(only, None)
                    if found:
                        entry.themes[only] = found
                if entry.themes != before:
                    updated.append(entry)
                    changed += 1
            self.storage.update_entries([entry.to_doc() for entry in updated])
            if index_fresh and updated:
                signature = self.storage.signature()
                for entry in updated:
                    self.index.upsert(entry, signature)
        return changed

    def tag(self, entry_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Entry:
        """Add and remove tags of one entry."""
        with self.storage.transaction():
            entry = self.get(entry_id)
            dropped = set(_clean_tags(remove))
            unknown = dropped - set(entry.tags)
            if unknown:
                raise UsageError(
                    f"Entry {entry.id} has no tag '{sorted(unknown)[0]}'. "
                    f"Its tags: {', '.join(entry.tags) or 'none'}."
                )
            entry.tags = _clean_tags([t for t in entry.tags if t not in dropped] + list(add))
            return self.save_entry(entry)

    def edit_text(self, entry_id: str, text: str) -> Entry:
        """Replace an entry's text with a corrected one; what the recognizer heard stays in its segments."""
        with self.storage.transaction():
            entry = self.get(entry_id)
            new = text.strip()
            if not new:
                raise UsageError(
                    f"The new text of entry {entry.id} is empty, so nothing was changed. "
                    f"To remove the entry: `voicejournal delete {entry.id}`."
                )
            entry.text = new
            # Back to exactly what was heard counts as not edited; segments always keep the original.
            entry.edited = not (entry.segments and new == entry.original_text)
            return self.save_entry(entry)

    def delete(self, entry_id: str) -> Entry:
        """Remove an entry and its recording, leaving none of its words or sound behind in the home."""
        from voicejournal.store import fs
        from voicejournal.store.storage import shard_name

        with self.storage.transaction():
            entry = self.get(entry_id)
            audio = self.audio_path(entry)  # refuses a recording outside the journal before anything changes
            index_fresh = self.index.is_fresh()
            self.storage.remove_entry(entry.id)
            self.forget_filed(entry.id)  # questions, homework… it filed by voice, unless acted on
            # Each save keeps the previous version as .bak: that copy still holds the deleted words.
            _renew_bak(self.storage.entries_dir / shard_name(entry.created.isoformat()))
            _renew_bak(self.storage.journal_path)
            if index_fresh:
                self.index.remove(entry.id, self.storage.signature())
            else:
                self.index.drop()  # an old index still holds the words; the next search rebuilds it
        # The entry goes first: a crash in between leaves a stray file, never an entry without its audio.
        if audio is not None:
            fs.shred(audio)
        return entry

    def import_text(self, source: str, path: Path, kind: str = "journal", tags: Iterable[str] = ()):
        """Import a written journal (`source` "jrnl": its JSON export; "markdown": a folder of .md files).

        Every item becomes a text entry (no audio). Items imported before (same source key) are skipped.
        Returns an `importing.ImportReport`.
        """
        from voicejournal.services.importing import ImportReport, read_jrnl, read_markdown
        from voicejournal.store.paths import input_path

        if source == "jrnl":
            input_path(path, "the JSON file jrnl exports (`jrnl --format json > journal.json`)")
        else:
            input_path(path, "Markdown", folder_ok=True)
        items, problems = read_jrnl(path) if source == "jrnl" else read_markdown(path)
        report = ImportReport(source=source, path=path, problems=problems)
        with self.storage.transaction():
            # Skip what was imported before (same source key), and files this journal exported itself
            # (their front matter names an entry that is still here).
            if len(items) <= 20:  # a byte search per key beats parsing a big journal
                known = {i.source_key for i in items if self.storage.find_entries("source_key", i.source_key)}
                here = {i.origin_id for i in items if i.origin_id and self.storage.get_entry(i.origin_id)}
            else:
                docs = self.storage.all_entries()
                known = {d.get("source_key") for d in docs if d.get("source_key")}
                here = {d["id"] for d in docs}
            for item in items:
                if item.source_key in known or item.origin_id in here:
                    report.skipped += 1
                    continue
                entry = Entry(
                    id=self.storage.new_id(),
                    created=item.created,
                    kind=item.kind or kind,
                    mood=item.mood,
                    status=TEXT_ONLY,
                    text=item.text,
                    title=item.title,
                    tags=_clean_tags([*item.tags, *tags]),
                    source=item.source,
                    source_key=item.source_key,
                )
                self.save_entry(entry, new=True)
                known.add(item.source_key)
                report.added.append(entry)
        return report

    # --- end of search & themes ----------------------------------------------------------------
    # --- recording -----------------------------------------------------------------------------

    def record(
        self,
        device: str | int | None = None,
        tags: Iterable[str] = (),
        mood: int | None = None,
        kind: str = "reflection",
        transcribe: bool = True,
        model: str | None = None,
        language: str | None = None,
        max_minutes: float | None = 30.0,
        monitor: Callable[[Recorder], None] | None = None,
        session: str | None = None,
    ) -> RecordOutcome:
        """Record from the microphone until stopped, then save the entry (transcribed while recording).

        `monitor(recorder)` runs while recording (the CLI's live display) and should return once
        `recorder.stopped`; without it this blocks until `recorder.stop()`, a signal handler, the
        time limit or a device error stops it. The audio streams to audio/incoming/<id>.wav, so a
        crash loses at most the last second (see `recover`).
        """
        from voicejournal.speech.recording import Recorder, incoming_dir
        from voicejournal.store import files, keyfile

        if mood is not None and not 1 <= mood <= 5:
            raise UsageError("Mood is a number from 1 (low) to 5 (good).")
        session = self.session_id(session)
        transcriber = self.transcriber(model, language) if transcribe else None  # a missing model fails now
        folder = ensure_private_dir(incoming_dir(self.home))
        entry_id = self.storage.new_id()
        while (folder / f"{entry_id}.wav").exists():
            entry_id = self.storage.new_id()
        wav = folder / f"{entry_id}.wav"
        created = self.now()
        meta = {
            "created": created.isoformat(timespec="seconds"),
            "tags": _clean_tags(tags),
            "mood": mood,
            "kind": kind,
            "session": session,
        }
        sidecar = wav.with_suffix(".json")
        encrypted = keyfile.writes_encrypted(
            self.home
        )  # then the audio and the sidecar are sealed from the start
        recorder = Recorder(
            wav,
            device=device,
            transcriber=transcriber,
            max_seconds=max_minutes * 60 if max_minutes else None,
            encrypt_home=self.home if encrypted else None,
        )
        try:
            if encrypted:
                files.write_bytes(self.home, sidecar, json.dumps(meta).encode())
            else:
                sidecar.write_text(json.dumps(meta))
            recorder.start()
        except (OSError, DiskFullError) as exc:
            self._discard(sidecar)
            self._discard(wav)
            if isinstance(exc, DiskFullError) or exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise disk_full(folder, "recording cannot start") from None
            raise
        except BaseException:
            self._discard(sidecar)
            raise
        try:
            if monitor is not None:
                monitor(recorder)
            while not recorder.wait(0.5):
                pass
        finally:
            result = recorder.finish(release=False)
            try:
                entry = self._save_recording(entry_id, created, meta, result, transcribe)
            except (DiskFullError, AudioDecodeError):
                stopped = "stopped at" if isinstance(result.error, DiskFullError) else "lasted"
                raise disk_full(
                    wav,
                    f"the recording ({stopped} {result.duration:.0f} s) could not be saved as an entry yet. What "
                    f"was captured is kept safe in {wav} and is saved by the first command run once there is room",
                    "run any voicejournal command",
                ) from None
            finally:
                recorder.release()
        saved_after = time.monotonic() - (recorder.stop_time or time.monotonic())
        outcome = RecordOutcome(entry, result, saved_after)
        if entry is not None and isinstance(result.error, DiskFullError):
            raise disk_full(
                self.home,
                f"the recording stopped at {result.duration:.0f} s. What was captured is saved as entry {entry.id}",
                "record again",
            )
        return outcome

    def _discard(self, path: Path) -> None:
        """Remove an incoming recording (or its sidecar) once saved; overwritten first in an encrypted journal,
        where it was the only readable copy."""
        from voicejournal.store import fs, keyfile

        if keyfile.writes_encrypted(self.home):
            fs.shred(path)
        else:
            path.unlink(missing_ok=True)

    def _save_recording(self, entry_id, created, meta, result, transcribe) -> Entry | None:
        """The finished incoming WAV -> audio/YYYY/MM/<id>.flac and an entry; then the WAV goes."""
        wav, sidecar = result.path, result.path.with_suffix(".json")
        if result.frames == 0:
            self._discard(wav)
            self._discard(sidecar)
            return None
        segments = result.segments if transcribe else None
        with self.storage.transaction():
            saved = self.storage.find_entries("source_key", f"microphone:{entry_id}")
            if not saved:
                return self._store_incoming(
                    wav, entry_id, created, meta, result.duration, segments, result.language, result.model
                )
            # Already saved (recovered by another process): add the transcript if it lacks one.
            current = Entry.from_doc(saved[0])
            if current.status == PENDING and segments is not None:
                current.segments = list(segments)
                current.text = segments_text(current.segments)
                current.status = DONE if current.segments else NO_SPEECH
                current.language, current.model = result.language, result.model
                self.save_entry(current)
            self._discard(wav)
            self._discard(sidecar)
            return current

    def _store_incoming(
        self, wav: Path, entry_id: str, created: datetime, meta: dict, duration: float,
        segments=None, language: str | None = None, model: str | None = None, recovered: bool = False,
    ) -> Entry:  # fmt: skip
        """Inside a transaction: an incoming WAV becomes a FLAC and a new entry (PENDING without
        segments); then the WAV and its sidecar are removed. Only a `recovered` one may be cut short."""
        from voicejournal.speech.recording import wav_to_flac

        key = f"microphone:{entry_id}"
        if self.storage.get_entry(entry_id) is not None:  # the id was taken meanwhile
            entry_id = self.storage.new_id()
        rel, dest = self.audio_destination(entry_id, created)
        wav_to_flac(wav, dest, partial=recovered)
        try:
            return self._file_incoming(
                wav, key, entry_id, created, meta, duration, rel, dest, segments, language, model
            )
        except DiskFullError:
            if self.storage.get_entry(entry_id) is None:
                dest.unlink(missing_ok=True)  # the incoming file stays; the FLAC is made again later
            raise

    def _file_incoming(
        self, wav: Path, key: str, entry_id: str, created: datetime, meta: dict, duration: float, rel: str,
        dest: Path, segments, language: str | None, model: str | None,
    ) -> Entry:  # fmt: skip
        from voicejournal.speech.audio import sha256_file

        status = PENDING if segments is None else DONE if segments else NO_SPEECH
        entry = Entry(
            id=entry_id,
            created=created,
            kind=meta.get("kind") if meta.get("kind") in KINDS else "reflection",
            status=status,
            audio=rel,
            audio_sha256=sha256_file(dest),
            duration=round(duration, 2),
            language=language if segments is not None else None,
            model=model if segments is not None else None,
            segments=list(segments or []),
            text=segments_text(segments or []),
            tags=list(meta.get("tags") or []),
            mood=meta.get("mood"),
            session=meta.get("session"),
            source="microphone",
            source_key=key,
        )
        self.save_entry(entry, new=True)
        self._discard(wav)
        self._discard(wav.with_suffix(".json"))
        return entry

    def recover(self) -> list[Entry]:
        """Turn recordings a crash or kill left in audio/incoming into pending entries.

        Cheap when there is nothing to do (one stat). Recordings still being made by another
        process are left alone. Each recovered file becomes a normal PENDING entry; none is dropped.
        One that does not fit on a full disk stays where it is, listed in `waiting_for_space`.
        """
        from voicejournal.speech.recording import incoming_dir, recover_incoming

        folder = incoming_dir(self.home)
        if not folder.is_dir():
            return []
        recovered = []
        self.waiting_for_space = []
        with self.storage.transaction():
            for wav in recover_incoming(self.home):
                try:
                    entry = self._recover_one(wav)
                except DiskFullError:
                    self.waiting_for_space.append(wav)  # kept as it is; a later command saves it
                    continue
                if entry is not None:
                    recovered.append(entry)
            for sidecar in folder.glob("*.json"):  # a sidecar whose recording never started
                try:
                    old = time.time() - sidecar.stat().st_mtime > 60  # (a new one may be starting now)
                except FileNotFoundError:
                    continue
                if old and not sidecar.with_suffix(".wav").exists():
                    self._discard(sidecar)
        return recovered

    def _recover_one(self, wav: Path) -> Entry | None:
        from voicejournal.speech.recording import incoming_frames, is_sealed_stream
        from voicejournal.store import files

        entry_id = wav.stem
        sidecar = wav.with_suffix(".json")
        try:
            meta = json.loads(files.read_bytes(self.home, sidecar))
        except (OSError, ValueError, VoiceJournalError):
            meta = {}
        frames = incoming_frames(self.home, wav)
        saved = self.storage.find_entries("source_key", f"microphone:{entry_id}")
        if frames == 0 and not saved and is_sealed_stream(wav) and time.time() - wav.stat().st_mtime < 60:
            return None  # (one starting in another process holds its lock only once its stream is set up)
        if saved or frames == 0:  # a leftover of a saved recording, or one that never got a sound
            self._discard(wav)
            self._discard(sidecar)
            return None
        duration = frames / 16000
        try:
            created = datetime.fromisoformat(meta["created"])
        except (KeyError, TypeError, ValueError):
            created = datetime.fromtimestamp(wav.stat().st_mtime - duration).astimezone()
        return self._store_incoming(wav, entry_id, created, meta, duration, recovered=True)

    def play(
        self, entry_id: str, at: float = 0.0, on_start: Callable[[Entry, float], None] | None = None
    ) -> Entry:
        """Play an entry's recording through the default output from `at` seconds; blocks until done."""
        from voicejournal.speech.recording import check_output, play_file

        entry = self.get(entry_id)
        audio = self.audio_path(entry)
        if audio is None:
            raise UsageError(f"Entry {entry.id} is a written entry; it has no recording to play.")
        if not audio.exists():
            raise AudioDecodeError(f"The recording of entry {entry.id} is missing ({entry.audio}).")
        if entry.duration and at >= entry.duration:
            raise UsageError(
                f"Entry {entry.id} is only {entry.duration:.0f} s long; choose a time before that with --at."
            )
        check_output()
        if on_start:
            on_start(entry, at)
        play_file(audio, at)
        return entry

    def set_mood(self, entry_id: str, mood: int | None) -> Entry:
        """Record how the person felt (1-5), or clear it."""
        if mood is not None and not 1 <= mood <= 5:
            raise UsageError("Mood is a number from 1 (low) to 5 (good).")
        with self.storage.transaction():
            entry = self.get(entry_id)
            entry.mood = mood
            self.save_entry(entry)
        return entry

    def prompts(self) -> list[dict]:
        """Reflection prompts: the built-in ones (id None) then the person's own."""
        own = [{"id": p["id"], "text": p["text"]} for p in self.storage.all("prompts") if p.get("text")]
        return [{"id": None, "text": t} for t in DEFAULT_PROMPTS] + own

    def add_prompt(self, text: str) -> dict:
        text = " ".join(text.split())
        if not text:
            raise UsageError("A prompt needs some words, e.g. 'What do I want to remember?'.")
        with self.storage.transaction():
            doc = {"id": self.storage.new_id(3), "text": text}
            self.storage.insert("prompts", doc)
        return doc

    def remove_prompt(self, prompt_id: str) -> None:
        with self.storage.transaction():
            if self.storage.get("prompts", prompt_id) is None:
                raise EntryNotFoundError(
                    prompt_id, what="prompt of yours", hint="`voicejournal prompts` lists them."
                )
            self.storage.remove("prompts", prompt_id)

    def next_prompt(self) -> str:
        """The next prompt in rotation (each `record --prompt` shows the following one)."""
        with self.storage.transaction():
            texts = [p["text"] for p in self.prompts()]
            state = self.storage.get("settings", "prompt_rotation")
            index = int(state.get("next", 0)) % len(texts) if state else 0
            doc = {"id": "prompt_rotation", "next": (index + 1) % len(texts)}
            if state:
                self.storage.update("settings", "prompt_rotation", doc)
            else:
                self.storage.insert("settings", doc)
        return texts[index]

    # --- end recording -------------------------------------------------------------------------

    # --- review ---------------------------------------------------------------------------------
    # Sessions, goals, homework, questions, wins, spoken markers, the pre-session review, backups.

    @property
    def planner(self):
        from voicejournal.services.planning import Planner

        return Planner(self.storage)

    def _enrich_review(self, entry: Entry) -> None:
        """File the entry's spoken markers; take its mood from them and link it to its session."""
        from voicejournal.core.markers import extract_markers, spoken_mood
        from voicejournal.core.planning import SESSIONS, session_for

        markers = extract_markers(entry) if entry.text else []
        if entry.mood is None:
            entry.mood = spoken_mood(markers)
        planner = self.planner
        if entry.session is None and entry.kind == "reflection":
            session = session_for(entry.created, planner.records(SESSIONS))
            entry.session = session.id if session else None
        planner.file_markers(entry.id, entry.created, markers)

    def session_id(self, session_id: str | None) -> str | None:
        """Check that a session chosen by id (`--session`) exists; returns its id."""
        if session_id is None:
            return None
        key = session_id.strip().lower()
        if not any(s.id == key for s in self.sessions()):
            raise EntryNotFoundError(
                session_id, what="session", hint="`voicejournal session list` shows them."
            )
        return key

    def before_recording(self, now: datetime | None = None):
        """(the session a recording made now reflects on, or None; the open homework), for `record`."""
        from voicejournal.core.planning import session_for

        now = now or self.now()
        return session_for(now, self.sessions()), self.homework()

    def filed_from(self, entry_id: str) -> list:
        """The questions, homework, goals and wins an entry filed by voice (to show after recording)."""
        from voicejournal.core.planning import MARKER_TABLES

        planner = self.planner
        return [r for t in MARKER_TABLES.values() for r in planner.records(t) if r.entry == entry_id]

    def forget_filed(self, entry_id: str) -> None:
        """An entry is being deleted: drop what it filed, unless the person already acted on it."""
        self.planner.forget_entry(entry_id)

    def add_session(self, day: str, at: str, with_name: str | None = None, note: str | None = None):
        """An appointment on `day` ('2026-12-03', 'tomorrow') at `at` ('14:00', '2pm')."""
        from datetime import datetime as dt

        from voicejournal.core.dates import parse_day, parse_time_of_day

        start = dt.combine(parse_day(day), parse_time_of_day(at)).astimezone()
        with self.storage.transaction():
            twin = next((s for s in self.sessions() if s.start == start), None)
            if twin is not None:
                raise UsageError(
                    f"There is already a session then ({twin.id}); `voicejournal session list` shows it."
                )
            session = self.planner.add_session(start, with_name, note)
        self._link_reflections(session)
        return session

    def _link_reflections(self, session) -> None:
        """Recordings made in the hours after a session added later become its reflections."""
        from datetime import timedelta

        from voicejournal.core.planning import REFLECTION_HOURS

        for entry in self.entries(
            since=session.start, until=session.start + timedelta(hours=REFLECTION_HOURS)
        ):
            if entry.session is None and entry.kind == "reflection":
                entry.session = session.id
                self.storage.update_entry(entry.id, entry.to_doc())

    def sessions(self) -> list:
        from voicejournal.core.planning import SESSIONS

        return self.planner.records(SESSIONS)

    def next_session(self, now: datetime | None = None):
        from voicejournal.core.planning import next_session

        return next_session(self.sessions(), now or self.now())

    def goals(self, include_done: bool = False) -> list:
        from voicejournal.core.planning import GOALS

        return [g for g in self.planner.records(GOALS) if include_done or g.done is None]

    def goal_mentions(self, goals: list) -> dict[str, list[Entry]]:
        """Entries that mention each goal, oldest first."""
        from voicejournal.core.planning import mentions_goal

        entries = sorted(self.entries(), key=lambda e: e.created)
        return {g.id: [e for e in entries if mentions_goal(e.text, g)] for g in goals}

    def homework(self, include_done: bool = False) -> list:
        from voicejournal.core.planning import HOMEWORK_TABLE

        return [h for h in self.planner.records(HOMEWORK_TABLE) if include_done or h.done is None]

    def questions(self, include_asked: bool = False) -> list:
        from voicejournal.core.planning import QUESTIONS

        return [q for q in self.planner.records(QUESTIONS) if include_asked or q.asked is None]

    def wins(self, since: datetime | None = None) -> list:
        from voicejournal.core.planning import WINS

        return [w for w in self.planner.records(WINS) if since is None or w.created >= since]

    def review(self, since: datetime | None = None, now: datetime | None = None):
        """The pre-session brief since the last session (or `since`)."""
        from voicejournal.core.brief_builder import build_review, review_period
        from voicejournal.core.planning import GOALS, HOMEWORK_TABLE, QUESTIONS, SESSIONS, WINS

        now = now or self.now()
        planner = self.planner
        sessions = planner.records(SESSIONS)
        _, previous_start, _ = review_period(sessions, now, since)
        return build_review(
            self._entries_between(previous_start, now),
            now,
            sessions=sessions,
            goals=planner.records(GOALS),
            homework=planner.records(HOMEWORK_TABLE),
            questions=planner.records(QUESTIONS),
            wins=planner.records(WINS),
            since=since,
        )

    def _entries_between(self, start: datetime, end: datetime) -> list[Entry]:
        # Dates are compared on the stored ISO text first: only the period's entries are built.
        low, high = start.isoformat(timespec="seconds")[:10], end.isoformat(timespec="seconds")[:10]
        found = []
        for doc in self.storage.all_entries():
            if low <= doc["created"][:10] <= high:
                entry = Entry.from_doc(doc)
                if start <= entry.created <= end:
                    found.append(entry)
        return found

    def share(self, picks: list[str], since: datetime | None = None, now: datetime | None = None):
        """A page with only the picked items (see `review.build_share`)."""
        from voicejournal.core.planning import GOALS, HOMEWORK_TABLE, QUESTIONS, WINS
        from voicejournal.core.share import build_share

        planner = self.planner
        return build_share(
            self.review(since=since, now=now),
            picks,
            self.get,
            questions=planner.records(QUESTIONS),
            homework=planner.records(HOMEWORK_TABLE),
            goals=planner.records(GOALS),
            wins=planner.records(WINS),
        )

    def export_backup(self, path: Path):
        """The whole journal and its audio in one verified zip."""
        from voicejournal.store.backup import write_backup
        from voicejournal.store.paths import output_file, writing

        path = output_file(Path(path), example="backup.zip")
        with writing(path):
            return write_backup(self.storage, path, self.now())

    def import_backup(self, path: Path, passphrase: str | None = None):
        """Restore a backup into an empty journal, or merge it in without duplicates (`passphrase`: an
        encrypted backup's, when this journal's does not open it)."""
        from voicejournal.store.backup import read_backup
        from voicejournal.store.paths import input_path

        path = input_path(Path(path), "a backup .zip made by `voicejournal export`")
        return read_backup(self.storage, path, passphrase)

    def export_markdown(self, destination: Path, since: datetime | None = None) -> list[Path]:
        """Transcripts as Markdown: one file (a path ending .md) or one file per entry in a folder."""
        from voicejournal.render.export import entry_file_markdown, entry_filename, journal_markdown
        from voicejournal.store.fs import atomic_write_bytes
        from voicejournal.store.paths import not_a_folder, output_file, output_folder, writing

        destination = Path(destination)
        entries = sorted(self.entries(since=since), key=lambda e: e.created)
        if destination.suffix.lower() in (".md", ".markdown"):
            output_file(destination, example="all-entries.md")
            with writing(destination):
                atomic_write_bytes(destination, journal_markdown(entries).encode(), keep_backup=False)
            return [destination]
        output_folder(destination, hint="give a folder, or a file name ending in .md")
        written = []
        with writing(destination):
            destination.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            target = not_a_folder(destination / entry_filename(entry))
            with writing(target):
                atomic_write_bytes(target, entry_file_markdown(entry).encode(), keep_backup=False)
            written.append(target)
        return written

    # --- privacy ---
    # Encryption at rest (vault.py, crypto.py), audio retention (retention.py) and integrity (integrity.py).

    def encryption_state(self) -> str:
        """'off', 'encrypted', or 'encrypting'/'decrypting' when such a run was interrupted."""
        from voicejournal.store import keyfile

        key_file = keyfile.load_key_file(self.home)
        return "off" if key_file is None else key_file.state

    def encrypt(self, passphrase: str | None = None, use_keyring: bool | None = None, progress=None):
        """Encrypt every file of this journal (or finish an interrupted run); see vault.py."""
        from voicejournal.store import vault

        return vault.encrypt_home(self.home, passphrase, use_keyring=use_keyring, progress=progress)

    def decrypt(self, passphrase: str | None = None, progress=None):
        """Turn this encrypted journal back into plain files."""
        from voicejournal.store import vault

        return vault.decrypt_home(self.home, passphrase, progress=progress)

    def change_passphrase(
        self, old: str | None = None, new: str | None = None, use_keyring: bool | None = None
    ) -> bool:
        """Re-wrap the data key with a new passphrase; True if the keyring holds the new one."""
        from voicejournal.store import vault

        return vault.change_passphrase(self.home, old, new, use_keyring)

    def rotate_key(
        self, old: str | None = None, new: str | None = None, use_keyring: bool | None = None, progress=None
    ):
        """Re-encrypt everything with a new data key and passphrase (or finish an interrupted run)."""
        from voicejournal.store import vault

        return vault.rotate_key(self.home, old, new, use_keyring=use_keyring, progress=progress)

    def passphrase(self) -> str:
        """The passphrase of this encrypted journal, from its usual sources (checked; never asked: the CLI asks)."""
        from voicejournal.store import keyfile, keys

        key_file = keyfile.load_key_file(self.home)
        if key_file is None:
            raise UsageError("This journal is not encrypted; nothing was changed.")
        passphrase, key = keys.find_passphrase(self.home, key_file)
        keys.remember_key(self.home, key_file, key)
        return passphrase

    def set_keyring(self, enabled: bool, passphrase: str | None = None) -> None:
        from voicejournal.store import vault

        vault.set_keyring(self.home, enabled, passphrase)

    def settings(self) -> dict[str, str]:
        """Every setting a person can change, with its current value."""
        from voicejournal.core.settings import SETTINGS

        stored = {d["id"]: d.get("value") for d in self.storage.all("settings") if "id" in d}
        return {name: stored.get(name) or s.default for name, s in sorted(SETTINGS.items())}

    def get_setting(self, name: str) -> str:
        from voicejournal.core.settings import setting_name

        return self.settings()[setting_name(name)]

    def set_setting(self, name: str, value: str) -> str:
        """Store a setting (validated and normalized: ' 90 days' -> '90d'); returns the stored value."""
        from voicejournal.core.settings import normalize_setting, setting_name

        key = setting_name(name)
        stored = normalize_setting(key, value)
        with self.storage.transaction():
            if self.storage.get("settings", key) is None:
                self.storage.insert("settings", {"id": key, "value": stored})
            else:
                self.storage.update("settings", key, {"id": key, "value": stored})
        return stored

    def retention(self):
        from voicejournal.core.settings import AUDIO_RETENTION, parse_retention

        return parse_retention(self.settings()[AUDIO_RETENTION])

    def apply_retention(self, dry_run: bool = False, now: datetime | None = None) -> list[Entry]:
        """Delete recordings older than the audio-retention setting; the entries keep their text.

        Returns the entries whose recordings went (or would go, with `dry_run`).
        """
        from voicejournal.core.settings import AUDIO_RETENTION
        from voicejournal.store import fs

        policy = self.retention()
        if policy.days is None:
            return []
        now = now or self.now()
        cutoff = now - timedelta(days=policy.days)
        with self.storage.transaction():
            due = [e for e in self.entries(until=cutoff) if e.audio and e.created < cutoff]
            if dry_run:
                return due
            for entry in due:
                # The file first: a kill in between leaves an entry whose recording is already gone,
                # which the next run finishes, never an orphaned recording.
                path = self.audio_path(entry)
                if path is not None:
                    fs.shred(path)
                entry.audio = None
                entry.audio_removed = now.date().isoformat()
                self.save_entry(entry)
            self.storage.update(
                "settings",
                AUDIO_RETENTION,
                {"id": AUDIO_RETENTION, "value": policy.text, "applied": now.date().isoformat()},
            )
        return due

    def apply_retention_if_due(self) -> list[Entry]:
        """Apply audio retention at most once a day (cheap when it is off or already done today)."""
        from voicejournal.core.settings import AUDIO_RETENTION

        doc = self.storage.get("settings", AUDIO_RETENTION)
        if not doc or doc.get("value", "off") == "off":
            return []
        if doc.get("applied") == self.now().date().isoformat():
            return []
        return self.apply_retention()

    def check(self, repair: bool = False, progress=None):
        """Verify journal files, recordings and encryption; fix what is safe (see integrity.py)."""
        from voicejournal.services.integrity import check_journal

        return check_journal(self, repair=repair, progress=progress)

    def restore_backup(self, path: Path) -> Path:
        """Put a damaged journal file's last good copy (.bak) back; the damaged file is kept aside.

        Returns where the damaged file was kept.
        """
        from voicejournal.services.integrity import restore_backup

        return restore_backup(self, Path(path))


def _renew_bak(path: Path) -> None:
    """Make `path`'s .bak a copy of what it holds now, overwriting the older copy (after a delete)."""
    import os
    import secrets

    from voicejournal.store import fs

    bak = path.with_name(path.name + ".bak")
    fs.shred(bak)
    if path.exists():
        tmp = path.with_name(f".{path.name}.bak.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        os.link(path, tmp)  # the same bytes, the same name binding in an encrypted journal
        os.replace(tmp, bak)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        t = re.sub(r"^[\s#+]+", "", tag).strip().lower()  # "# +x" and "x" are one tag
        if t and t not in seen:
            seen.append(t)
    return seen


# --- recording ---------------------------------------------------------------------------------

DEFAULT_PROMPTS = (
    "What came up today that you want to remember?",
    "What do you want to try before the next session?",
    "Anything you want to tell your therapist about how the session felt?",
    "What felt hard today, and what helped?",
    "Is there a small win from this week you want to keep?",
)


@dataclass
class RecordOutcome:
    """What `Journal.record` made: the saved entry (None if no sound arrived at all) and how it went."""

    entry: Entry | None
    result: RecordingResult
    saved_after: float  # seconds from the stop request to the entry saved with its transcript


@dataclass
class Check:
    """One line of `voicejournal doctor`."""

    what: str
    ok: bool
    detail: str
    warning: bool = False  # worth knowing, not a failure


def run_checks(home: Path | None = None, device: str | int | None = None) -> list[Check]:
    """Check the microphone, the speech model, the data folder and the journal; say what to fix."""
    import shutil

    from voicejournal.errors import MicrophoneError
    from voicejournal.speech.recording import SILENT_DB, probe_microphone

    checks: list[Check] = []
    try:
        name, loudest = probe_microphone(device, seconds=1.0)
        if loudest <= SILENT_DB:
            checks.append(
                Check(
                    "Microphone",
                    True,
                    f"'{name}' works but heard only silence for 1 s. If it "
                    "has a mute switch, check it; speak and run doctor again.",
                    warning=True,
                )
            )
        else:
            checks.append(Check("Microphone", True, f"'{name}' hears sound (peak {loudest:.0f} dBFS)."))
    except MicrophoneError as exc:
        checks.append(Check("Microphone", False, str(exc)))

    from voicejournal.speech.models import resolve_model
    from voicejournal.speech.transcription import Transcriber

    try:
        name, path = resolve_model(None)
        Transcriber(name)._load()
        checks.append(Check("Speech model", True, f"{name} loads ({path})."))
    except VoiceJournalError as exc:
        checks.append(Check("Speech model", False, str(exc)))

    folder = Path(home) if home else home_dir()
    try:
        ensure_private_dir(folder)
        probe = folder / ".doctor-write-test"
        try:
            probe.write_bytes(b"ok")
            full = False
        except OSError as exc:
            full = is_disk_full(exc, folder)
            if not full:
                raise
        finally:
            probe.unlink(missing_ok=True)
        mode = folder.stat().st_mode & 0o777
        if full:
            checks.append(
                Check(
                    "Data folder",
                    False,
                    f"{folder}: the disk is full ({human_size(free_bytes(folder) or 0)} free), so nothing new "
                    f"can be saved. Free some space ({HOW_TO_FREE}).",
                )
            )
        elif mode & 0o077:
            checks.append(
                Check(
                    "Data folder",
                    False,
                    f"{folder} can be read by other users (mode {mode:o}). Fix it with: chmod 700 {folder}",
                )
            )
        else:
            free_mb = shutil.disk_usage(folder).free / 1e6
            if free_mb < 200:
                checks.append(
                    Check(
                        "Data folder",
                        False,
                        f"{folder}: only {free_mb:.0f} MB free. A 30-minute "
                        "recording needs about 60 MB while it records; free some space.",
                    )
                )
            else:
                checks.append(
                    Check(
                        "Data folder",
                        True,
                        f"{folder} is private and writable ({free_mb / 1000:.1f} GB free).",
                    )
                )
    except OSError as exc:
        checks.append(
            Check(
                "Data folder",
                False,
                f"{folder} cannot be written ({exc.strerror}). Check its "
                f"owner and permissions, or set VOICEJOURNAL_HOME to another folder.",
            )
        )
        return checks
    try:
        count = len(Journal(folder).storage.all_entries())
        from voicejournal.core.wording import count as counted

        checks.append(Check("Journal", True, f"{counted(count, 'entry')}, readable."))
    except VoiceJournalError as exc:
        checks.append(Check("Journal", False, str(exc)))
    return checks
