"""The Journal: every use case of voicejournal, usable from Python without the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from voicejournal.config import ensure_private_dir, home_dir, private_umask
from voicejournal.entry import DONE, NO_SPEECH, PENDING, TEXT_ONLY, Entry
from voicejournal.errors import (
    AudioDecodeError,
    DuplicateAudioError,
    EntryNotFoundError,
    UsageError,
    VoiceJournalError,
)
from voicejournal.storage import Storage

AUDIO_DIR = "audio"

ProgressFn = Callable[[float, float], None]


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

    def __init__(self, home: Path | None = None):
        private_umask()
        self.home = Path(home) if home else home_dir()
        self.storage = Storage(self.home)
        self._transcribers: dict[tuple[str | None, str | None], object] = {}

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
        return self.home / entry.audio if entry.audio else None

    def audio_destination(self, entry_id: str, created: datetime) -> tuple[str, Path]:
        """Where an entry's FLAC lives: audio/YYYY/MM/<id>.flac (relative path, absolute path)."""
        rel = f"{AUDIO_DIR}/{created:%Y}/{created:%m}/{entry_id}.flac"
        folder = self.home / AUDIO_DIR / f"{created:%Y}" / f"{created:%m}"
        ensure_private_dir(folder)
        return rel, self.home / rel

    def enrich(self, entry: Entry) -> None:
        """Derive what comes from the text (themes, markers…) before an entry is saved."""
        self.detect_entry_themes(entry)

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
    ) -> Entry:
        """Import one recording: store it as 16 kHz FLAC, save a pending entry, then transcribe it."""
        from voicejournal.audio import load_audio, sha256_file, write_flac

        path = Path(path)
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
            write_flac(dest, samples)
            entry = Entry(
                id=entry_id,
                created=created,
                kind=kind,
                status=PENDING,
                audio=rel,
                audio_sha256=sha256_file(dest),
                duration=round(len(samples) / 16000, 2),
                tags=_clean_tags(tags),
                source=path.name,
                source_key=source_key,
            )
            self.save_entry(entry, new=True)
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
        from voicejournal.transcription import Transcriber

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
        from voicejournal.audio import load_audio

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
            samples = load_audio(audio, partial=True)
            step = (lambda d, t, e=entry: progress(e, d, t)) if progress else None
            done.append(self._transcribe_into(entry, transcriber, samples, step))
        return done

    # --- search & themes ---------------------------------------------------------------------------
    # Owned by the search/themes work (issue 5): the derived index, themes, tag/edit/delete, text import.

    @property
    def index(self):
        """The derived full-text index beside the journal (rebuilt by itself when missing or stale)."""
        if getattr(self, "_index", None) is None:
            from voicejournal.search import SearchIndex

            self._index = SearchIndex(self.storage)
        return self._index

    def user_themes(self) -> list[dict]:
        from voicejournal.themes import user_theme_docs

        if getattr(self, "_user_themes", None) is None:
            self._user_themes = user_theme_docs(self.storage)
        return self._user_themes

    def detect_entry_themes(self, entry: Entry) -> None:
        """Set the entry's themes from its (edited, if so) text, title and notes."""
        from voicejournal.themes import detect_themes

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
        from voicejournal.search import Filters

        return Filters(since, until, tuple(_clean_tags(tags)), self._known_themes(themes), kind, mood)

    def entries_by_ids(self, ids: list[str]) -> list[Entry]:
        """Full entries for ids from the index, in the same order."""
        if len(ids) <= 20:
            return [self.get(i) for i in ids]
        docs = {d["id"]: d for d in self.storage.all_entries()}
        return [Entry.from_doc(docs[i]) for i in ids if i in docs]

    def _known_themes(self, names: Iterable[str]) -> tuple[str, ...]:
        from voicejournal.themes import normalize_theme_name, theme_set

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
        from voicejournal.themes import month_range, theme_trends

        now = datetime.now().astimezone()
        if since is None:
            start_index = now.year * 12 + now.month - 1 - (months - 1)
            since = datetime(start_index // 12, start_index % 12 + 1, 1).astimezone()
        rows, per_month = self.index.theme_rows(since)
        shown = month_range(f"{since:%Y-%m}", f"{max(since, now):%Y-%m}")
        return theme_trends(rows, per_month, shown), shown

    def theme_definitions(self) -> list:
        """Every theme (built-in and the person's own), as `themes.Theme`."""
        from voicejournal.themes import theme_set

        return theme_set(self.user_themes())

    def define_theme(self, name: str, words: Iterable[str]) -> tuple[dict, int]:
        """Add or change a theme and re-theme every entry; returns (definition, entries changed)."""
        from voicejournal.themes import define_theme

        with self.storage.transaction():
            doc = define_theme(self.storage, name, words)
            self._user_themes = None
            changed = self.retheme(only=doc["name"])
        return doc, changed

    def retheme(self, only: str | None = None) -> int:
        """Detect the themes of every entry again (or just theme `only`); returns how many changed."""
        from voicejournal.themes import detect_themes

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
                    self.storage.update_entry(entry.id, entry.to_doc())
                    updated.append(entry)
                    changed += 1
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
        """Remove an entry and its recording."""
        import contextlib
        import os

        with self.storage.transaction():
            entry = self.get(entry_id)
            index_fresh = self.index.is_fresh()
            self.storage.remove_entry(entry.id)
            if index_fresh:
                self.index.remove(entry.id, self.storage.signature())
        # The entry goes first: a crash in between leaves a stray file, never an entry without its audio.
        audio = self.audio_path(entry)
        if audio is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(audio)
        return entry

    def import_text(self, source: str, path: Path, kind: str = "journal", tags: Iterable[str] = ()):
        """Import a written journal (`source` "jrnl": its JSON export; "markdown": a folder of .md files).

        Every item becomes a text entry (no audio). Items imported before (same source key) are skipped.
        Returns an `importing.ImportReport`.
        """
        from voicejournal.importing import ImportReport, read_jrnl, read_markdown

        items, problems = read_jrnl(path) if source == "jrnl" else read_markdown(path)
        report = ImportReport(source=source, path=path, problems=problems)
        with self.storage.transaction():
            if len(items) <= 20:  # a byte search per key beats parsing a big journal
                known = {i.source_key for i in items if self.storage.find_entries("source_key", i.source_key)}
            else:
                known = {d.get("source_key") for d in self.storage.all_entries() if d.get("source_key")}
            for item in items:
                if item.source_key in known:
                    report.skipped += 1
                    continue
                entry = Entry(
                    id=self.storage.new_id(),
                    created=item.created,
                    kind=kind,
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


def _clean_tags(tags: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        t = tag.strip().lstrip("#+").lower()
        if t and t not in seen:
            seen.append(t)
    return seen
