"""The Journal: every use case of voicejournal, usable from Python without the CLI.

A thin façade: each method hands over to the service that does the work (voicejournal/services/), so a
Python user has one object to hold and the CLI one door to go through. The journal's state lives here:
its home, storage, clock, the derived search index and the speech models loaded in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from voicejournal import clock
from voicejournal.clock import Clock
from voicejournal.services import on_first_use
from voicejournal.store.home import has_incoming, home_dir, private_umask
from voicejournal.store.leftovers import remove_import_leftovers
from voicejournal.store.storage import Storage

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (3 ms of a fresh `search`)
if TYPE_CHECKING:
    from voicejournal.core.entry import Entry
    from voicejournal.services import archive, capture, finding, ingest, privacy
    from voicejournal.services import entries as entry_service
    from voicejournal.services import sessions as session_service
    from voicejournal.services.capture import RecordOutcome
    from voicejournal.services.ingest import AddResult, ProgressFn
    from voicejournal.speech.recorder import Recorder
else:  # each service is imported when first called: `show` never loads the recorder's or the importer's code
    archive, capture, finding, ingest, privacy, entry_service, session_service = on_first_use(
        "archive", "capture", "finding", "ingest", "privacy", "entries", "sessions"
    )

__all__ = ["AddResult", "Journal", "RecordOutcome"]


def __getattr__(name: str):
    if name in ("AddResult", "RecordOutcome"):  # the results' types, for `from voicejournal.journal import …`
        return getattr(capture if name == "RecordOutcome" else ingest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Journal:
    """A journal in a home folder: entries, their audio, and everything derived from them."""

    def __init__(self, home: Path | None = None, now: Clock | None = None):
        private_umask()
        self.home = Path(home) if home else home_dir()
        self.now: Clock = now or clock.now  # the one clock: tests pass a fixed instant
        self.storage = Storage(self.home)
        remove_import_leftovers(self.home, self.storage.entries_dir)
        self.transcribers: dict[
            tuple[str | None, str | None], object
        ] = {}  # models loaded, by (name, language)
        self.user_theme_cache: list[dict] | None = None  # the person's themes, read once
        self._index = None
        self.vectors = None  # the meaning vectors this process read (services/meaning)
        self.waiting_for_space: list[Path] = []  # recordings `recover` had no room to save

    @property
    def index(self):
        """The derived full-text index beside the journal (rebuilt by itself when missing or stale)."""
        if self._index is None:
            from voicejournal.store.index import SearchIndex

            self._index = SearchIndex(self.storage)
        return self._index

    @property
    def planner(self):
        """Sessions, goals, homework, questions and wins in the journal's small tables."""
        from voicejournal.services.planning import Planner

        return Planner(self.storage, self.now)

    def get(self, entry_id: str) -> Entry:
        """The entry with this id, or the only one whose id starts with it."""
        return entry_service.get(self, entry_id=entry_id)

    def entries(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        tags: Iterable[str] = (),
        kind: str | None = None,
    ) -> list[Entry]:
        """Entries matching every filter given, newest first."""
        return entry_service.entries(self, since=since, until=until, tags=tags, kind=kind)

    def new_entry_id(self) -> str:
        return entry_service.new_entry_id(self)

    def audio_path(self, entry: Entry) -> Path | None:
        """Where the entry's recording is; JournalCorruptError if it would lead outside the journal."""
        return entry_service.audio_path(self, entry=entry)

    def audio_destination(self, entry_id: str, created: datetime) -> tuple[str, Path]:
        """Where an entry's FLAC lives: audio/YYYY/MM/<id>.flac (relative path, absolute path)."""
        return entry_service.audio_destination(self, entry_id=entry_id, created=created)

    def enrich(self, entry: Entry) -> None:
        """Derive what comes from the text (themes, markers…) before an entry is saved."""
        return entry_service.enrich(self, entry=entry)

    def save_entry(self, entry: Entry, new: bool = False) -> Entry:
        """Store a new or changed entry (derived fields are refreshed first)."""
        return entry_service.save_entry(self, entry=entry, new=new)

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
        return ingest.add_file(
            self,
            path=path,
            tags=tags,
            date=date,
            kind=kind,
            transcribe=transcribe,
            model=model,
            language=language,
            partial=partial,
            progress=progress,
            session=session,
        )

    def add_files(self, paths: Iterable[Path], **options) -> list[AddResult]:
        """Import several recordings; one bad file does not stop the others."""
        return ingest.add_files(self, paths=paths, **options)

    def transcriber(self, model: str | None = None, language: str | None = None):
        """A Transcriber for this model, loaded once per Journal."""
        return ingest.transcriber(self, model=model, language=language)

    def transcribe(
        self,
        ids: Iterable[str] = (),
        pending: bool = False,
        model: str | None = None,
        language: str | None = None,
        progress: Callable[[Entry, float, float], None] | None = None,
        everything: bool = False,
        force: bool = False,
    ) -> ingest.TranscribeReport:
        """(Re)transcribe the given entries, every pending one, or `everything` (see services/ingest)."""
        return ingest.transcribe(self, ids, pending, model, language, progress, everything, force)

    def user_themes(self) -> list[dict]:
        return finding.user_themes(self)

    def detect_entry_themes(self, entry: Entry) -> None:
        """Set the entry's themes from its (edited, if so) text, title and notes."""
        return finding.detect_entry_themes(self, entry=entry)

    def search(self, query: str, limit: int = 20, **filters):
        """Ranked full-text search; returns a `search.SearchResult` (hits best first)."""
        return finding.search(self, query=query, limit=limit, **filters)

    def list_entries(self, limit: int | None = None, **filters):
        """Entries matching the filters, newest first, from the index (`search.IndexedEntry`, fast)."""
        return finding.list_entries(self, limit=limit, **filters)

    def entries_by_ids(self, ids: list[str]) -> list[Entry]:
        """Full entries for ids from the index, in the same order."""
        return entry_service.entries_by_ids(self, ids=ids)

    def theme_overview(self, since: datetime | None = None, months: int = 6):
        """Themes with entries per month and rising/fading, over `months` months or since a date."""
        return finding.theme_overview(self, since=since, months=months)

    def theme_definitions(self) -> list:
        """Every theme (built-in and the person's own), as `themes.Theme`."""
        return finding.theme_definitions(self)

    def define_theme(self, name: str, words: Iterable[str]) -> tuple[dict, int]:
        """Add or change a theme and re-theme every entry; returns (definition, entries changed)."""
        return finding.define_theme(self, name=name, words=words)

    def retheme(self, only: str | None = None) -> int:
        """Detect the themes of every entry again (or just theme `only`); returns how many changed."""
        return finding.retheme(self, only=only)

    def tag(self, entry_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Entry:
        """Add and remove tags of one entry."""
        return entry_service.tag(self, entry_id=entry_id, add=add, remove=remove)

    def edit_text(self, entry_id: str, text: str) -> Entry:
        """Replace an entry's text with a corrected one; what the recognizer heard stays in its segments."""
        return entry_service.edit_text(self, entry_id=entry_id, text=text)

    def delete(self, entry_id: str) -> Entry:
        """Remove an entry and its recording, leaving none of its words or sound behind in the home."""
        return entry_service.delete(self, entry_id=entry_id)

    def import_text(
        self, source: str, path: Path, kind: str = "journal", tags: Iterable[str] = (), progress=None
    ):
        """Import a written journal: "jrnl" (its JSON export) or "markdown" (a folder of .md files)."""
        return ingest.import_text(self, source=source, path=path, kind=kind, tags=tags, progress=progress)

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
        """Record from the microphone until stopped, then save the entry (transcribed while recording)."""
        return capture.record(
            self,
            device=device,
            tags=tags,
            mood=mood,
            kind=kind,
            transcribe=transcribe,
            model=model,
            language=language,
            max_minutes=max_minutes,
            monitor=monitor,
            session=session,
        )

    def recover(self) -> list[Entry]:
        """Turn recordings a crash or kill left in audio/incoming into pending entries."""
        if not has_incoming(self.home):
            return []  # every command asks: one directory read, without loading the recording code
        return capture.recover(self)

    def play(
        self, entry_id: str, at: float = 0.0, on_start: Callable[[Entry, float], None] | None = None
    ) -> Entry:
        """Play an entry's recording through the default output from `at` seconds; blocks until done."""
        return capture.play(self, entry_id=entry_id, at=at, on_start=on_start)

    def set_mood(self, entry_id: str, mood: int | None) -> Entry:
        """Record how the person felt (1-5), or clear it."""
        return entry_service.set_mood(self, entry_id=entry_id, mood=mood)

    def prompts(self) -> list[dict]:
        """Reflection prompts: the built-in ones (id None) then the person's own."""
        return capture.prompts(self)

    def add_prompt(self, text: str) -> dict:
        return capture.add_prompt(self, text=text)

    def remove_prompt(self, prompt_id: str) -> None:
        return capture.remove_prompt(self, prompt_id=prompt_id)

    def next_prompt(self) -> str:
        """The next prompt in rotation (each `record --prompt` shows the following one)."""
        return capture.next_prompt(self)

    def session_id(self, session_id: str | None) -> str | None:
        """Check that a session chosen by id (`--session`) exists; returns its id."""
        return session_service.session_id(self, session_id=session_id)

    def before_recording(self, now: datetime | None = None, session: str | None = None):
        """(the session a recording made now reflects on, or the one given by id; the open homework)."""
        return session_service.before_recording(self, now=now, session=session)

    def filed_from(self, entry_id: str) -> list:
        """The questions, homework, goals and wins an entry filed by voice (to show after recording)."""
        return session_service.filed_from(self, entry_id=entry_id)

    def forget_filed(self, entry_id: str) -> None:
        """An entry is being deleted: drop what it filed, unless the person already acted on it."""
        return session_service.forget_filed(self, entry_id=entry_id)

    def add_session(self, day: str, at: str, with_name: str | None = None, note: str | None = None):
        """An appointment on `day` ('2026-12-03', 'tomorrow') at `at` ('14:00', '2pm')."""
        return session_service.add_session(self, day=day, at=at, with_name=with_name, note=note)

    def sessions(self) -> list:
        return session_service.sessions(self)

    def next_session(self, now: datetime | None = None):
        return session_service.next_session(self, now=now)

    def goals(self, include_done: bool = False) -> list:
        return session_service.goals(self, include_done=include_done)

    def goal_mentions(self, goals: list) -> dict[str, list[Entry]]:
        """Entries that mention each goal, oldest first."""
        return session_service.goal_mentions(self, goals=goals)

    def homework(self, include_done: bool = False) -> list:
        return session_service.homework(self, include_done=include_done)

    def questions(self, include_asked: bool = False) -> list:
        return session_service.questions(self, include_asked=include_asked)

    def wins(self, since: datetime | None = None) -> list:
        return session_service.wins(self, since=since)

    def review(self, since: datetime | None = None, now: datetime | None = None):
        """The pre-session brief since the last session (or `since`)."""
        return session_service.review(self, since=since, now=now)

    def share(self, picks: list[str], since: datetime | None = None, now: datetime | None = None):
        """A page with only the picked items (see `review.build_share`)."""
        return session_service.share(self, picks=picks, since=since, now=now)

    def export_backup(self, path: Path):
        """The whole journal and its audio in one verified zip."""
        return archive.export_backup(self, path=path)

    def import_backup(self, path: Path, passphrase: str | None = None):
        """Restore a backup into an empty journal, or merge it in without duplicates (`passphrase`: an
        encrypted backup's, when this journal's does not open it)."""
        return archive.import_backup(self, path=path, passphrase=passphrase)

    def export_markdown(self, destination: Path, since: datetime | None = None) -> list[Path]:
        """Transcripts as Markdown: one file (a path ending .md) or one file per entry in a folder."""
        return archive.export_markdown(self, destination=destination, since=since)

    def encryption_state(self) -> str:
        """'off', 'encrypted', or 'encrypting'/'decrypting' when such a run was interrupted."""
        return privacy.encryption_state(self)

    def encrypt(self, passphrase: str | None = None, use_keyring: bool | None = None, progress=None):
        """Encrypt every file of this journal (or finish an interrupted run); see vault.py."""
        return privacy.encrypt(self, passphrase=passphrase, use_keyring=use_keyring, progress=progress)

    def decrypt(self, passphrase: str | None = None, progress=None):
        """Turn this encrypted journal back into plain files."""
        return privacy.decrypt(self, passphrase=passphrase, progress=progress)

    def change_passphrase(
        self, old: str | None = None, new: str | None = None, use_keyring: bool | None = None
    ) -> bool:
        """Re-wrap the data key with a new passphrase; True if the keyring holds the new one."""
        return privacy.change_passphrase(self, old=old, new=new, use_keyring=use_keyring)

    def rotate_key(
        self, old: str | None = None, new: str | None = None, use_keyring: bool | None = None, progress=None
    ):
        """Re-encrypt everything with a new data key and passphrase (or finish an interrupted run)."""
        return privacy.rotate_key(self, old=old, new=new, use_keyring=use_keyring, progress=progress)

    def passphrase(self) -> str:
        """The passphrase of this encrypted journal, from its usual sources (checked; never asked: the CLI asks)."""
        return privacy.passphrase(self)

    def set_keyring(self, enabled: bool, passphrase: str | None = None) -> None:
        return privacy.set_keyring(self, enabled=enabled, passphrase=passphrase)

    def settings(self) -> dict[str, str]:
        """Every setting a person can change, with its current value."""
        return privacy.settings(self)

    def get_setting(self, name: str) -> str:
        return privacy.get_setting(self, name=name)

    def set_setting(self, name: str, value: str) -> str:
        """Store a setting (validated and normalized: ' 90 days' -> '90d'); returns the stored value."""
        return privacy.set_setting(self, name=name, value=value)

    def retention(self):
        return privacy.retention(self)

    def apply_retention(self, dry_run: bool = False, now: datetime | None = None) -> list[Entry]:
        """Delete recordings older than the audio-retention setting; the entries keep their text."""
        return privacy.apply_retention(self, dry_run=dry_run, now=now)

    def apply_retention_if_due(self) -> list[Entry]:
        """Apply audio retention at most once a day (cheap when it is off or already done today)."""
        return privacy.apply_retention_if_due(self)

    def check(self, repair: bool = False, progress=None):
        """Verify journal files, recordings and encryption; fix what is safe (see integrity.py)."""
        return privacy.check(self, repair=repair, progress=progress)

    def restore_backup(self, path: Path) -> Path:
        """Put a damaged journal file's last good copy (.bak) back; the damaged file is kept aside."""
        return archive.restore_backup(self, path=path)
