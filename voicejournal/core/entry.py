"""The records that cross layers: entries and their segments.

Storage keeps plain dicts; everything above it works with these dataclasses.
The stored form is compact: a transcript's text is not stored twice. Segments
are kept as ``[start, end, text]`` lists and the entry's text is their join,
unless the person edited it (then ``text`` is stored too and the segments keep
what the recognizer heard).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from voicejournal.core.kinds import KINDS as KINDS  # where the kinds were before core/kinds.py
from voicejournal.core.validate import entry_problem

# Transcription status of an entry.
PENDING = "pending"  # audio saved, not transcribed yet
DONE = "done"  # transcribed (text may still be empty: see NO_SPEECH)
NO_SPEECH = "no_speech"  # transcribed, nothing was said
TEXT_ONLY = "text"  # a written entry with no audio (imported from jrnl, Markdown…, or typed)

TYPED = "typed"  # the `source` of an entry the person typed (`voicejournal write`)


@dataclass
class Segment:
    start: float
    end: float
    text: str


@dataclass
class Entry:
    id: str
    created: datetime
    kind: str = "reflection"
    status: str = PENDING
    audio: str | None = None  # relative to the journal home
    audio_sha256: str | None = None
    duration: float = 0.0
    language: str | None = None
    model: str | None = None
    segments: list[Segment] = field(default_factory=list)
    text: str = ""
    edited: bool = False
    title: str | None = None
    tags: list[str] = field(default_factory=list)
    themes: dict[str, list[str]] = field(default_factory=dict)  # theme -> words that triggered it
    mood: int | None = None
    session: str | None = None
    source: str | None = None  # where an imported entry came from (file name, "jrnl", …)
    source_key: str | None = None  # identity of an imported text entry, to skip re-imports
    notes: str | None = None
    audio_removed: str | None = None  # date its recording was deleted (audio retention); the text stays

    @property
    def original_text(self) -> str:
        """What the recognizer heard, whatever edits came later."""
        return segments_text(self.segments)

    def to_doc(self) -> dict:
        """The compact dict stored in the journal."""
        # Not dataclasses.asdict: its deep copy of every segment cost more than the rest of a bulk import.
        doc = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        doc["tags"] = list(self.tags)
        doc["themes"] = {theme: list(words) for theme, words in self.themes.items()}
        doc["created"] = self.created.isoformat(timespec="seconds")
        doc["segments"] = [[round(s.start, 2), round(s.end, 2), s.text] for s in self.segments]
        if not self.edited and self.segments and self.text == self.original_text:
            del doc["text"]  # derived from the segments
        # Leave out empty optional fields to keep the file small.
        for key in (
            "audio",
            "audio_sha256",
            "language",
            "model",
            "title",
            "mood",
            "session",
            "source",
            "source_key",
            "notes",
            "audio_removed",
        ):
            if doc[key] is None:
                del doc[key]
        for key in ("tags", "themes", "segments"):
            if not doc[key]:
                del doc[key]
        if not doc["edited"]:
            del doc["edited"]
        return doc

    def to_json(self) -> dict:
        """A self-describing dict for `--json` output (text and segments spelled out)."""
        data = dataclasses.asdict(self)
        data["created"] = self.created.isoformat(timespec="seconds")
        data["original_text"] = self.original_text
        return data

    @classmethod
    def from_doc(cls, doc: dict) -> Entry:
        """The entry stored as `doc`; JournalCorruptError if it is not a well-formed entry."""
        try:
            entry = cls._from_doc(doc)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            entry = None
        if entry is None or not _well_formed(entry) or entry_problem(doc, strict=False):
            from voicejournal.errors import JournalCorruptError

            ident = doc.get("id") if isinstance(doc, dict) else None
            raise JournalCorruptError(
                f"The journal holds a damaged entry ({ident or 'no id'}); `voicejournal check` shows where."
            )
        return entry

    @classmethod
    def _from_doc(cls, doc: dict) -> Entry:
        segments = [Segment(float(s[0]), float(s[1]), str(s[2])) for s in doc.get("segments", ())]
        text = doc.get("text")
        if text is None:
            text = segments_text(segments)
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in doc.items() if k in known}
        values.update(
            created=_aware(datetime.fromisoformat(doc["created"])),
            segments=segments,
            text=text,
            tags=list(doc.get("tags", ())),
            themes={k: list(v) for k, v in doc.get("themes", {}).items()},
        )
        return cls(**values)


def segments_text(segments: list[Segment]) -> str:
    return heard_text(s.text for s in segments)


def heard_text(texts: Iterable[str]) -> str:
    """The text of an unedited transcript: its segments' texts, stripped, the empty ones left out."""
    return " ".join(t.strip() for t in texts if t.strip())


def stored_text(doc: dict) -> str:
    """A stored entry's text as `Entry.from_doc` gives it (unedited transcripts keep only their segments),
    without building the entry: for a look through every entry's words. Empty if it is not well formed."""
    text = doc.get("text")
    if text is None:
        try:
            text = heard_text(str(s[2]) for s in doc.get("segments", ()))
        except (TypeError, IndexError, KeyError):
            return ""
    return text if isinstance(text, str) else ""


def _aware(moment: datetime) -> datetime:
    """Stored times carry their offset; one without (written by hand) is taken as local time."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def _well_formed(entry: Entry) -> bool:
    """The types the rest of voicejournal relies on (a hand-edited or damaged file may hold anything)."""
    strings = (entry.id, entry.kind, entry.status, entry.text)
    optional = (entry.audio, entry.audio_sha256, entry.language, entry.model, entry.title, entry.session)
    optional += (entry.source, entry.source_key, entry.notes, entry.audio_removed)
    return (
        all(isinstance(v, str) for v in strings)
        and bool(entry.id)
        and all(v is None or isinstance(v, str) for v in optional)
        and all(isinstance(t, str) for t in entry.tags)
        and all(isinstance(w, str) for words in entry.themes.values() for w in words)
        and isinstance(entry.duration, int | float)
        and not isinstance(entry.duration, bool)
        and (entry.mood is None or (isinstance(entry.mood, int | float) and not isinstance(entry.mood, bool)))
        and isinstance(entry.edited, bool)
    )
