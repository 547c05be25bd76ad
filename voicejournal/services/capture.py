"""Recording from the microphone, recovering what a crash left, playing back, and the prompts."""

from __future__ import annotations

import errno
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from voicejournal.core.entry import DONE, KINDS, NO_SPEECH, PENDING, Entry, segments_text
from voicejournal.errors import (
    AudioDecodeError,
    DiskFullError,
    EntryNotFoundError,
    UsageError,
    VoiceJournalError,
)
from voicejournal.services.entries import clean_tags, save_entry
from voicejournal.store.diskspace import disk_full
from voicejournal.store.home import ensure_private_dir, has_incoming, incoming_dir

if TYPE_CHECKING:
    from voicejournal.speech.recorder import Recorder, RecordingResult


def record(
    journal,
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
    from voicejournal.speech.recorder import Recorder
    from voicejournal.store import files, keyfile

    if mood is not None and not 1 <= mood <= 5:
        raise UsageError("Mood is a number from 1 (low) to 5 (good).")
    session = journal.session_id(session)
    transcriber = journal.transcriber(model, language) if transcribe else None  # a missing model fails now
    folder = ensure_private_dir(incoming_dir(journal.home))
    entry_id = journal.storage.new_id()
    while (folder / f"{entry_id}.wav").exists():
        entry_id = journal.storage.new_id()
    wav = folder / f"{entry_id}.wav"
    created = journal.now()
    meta = {
        "created": created.isoformat(timespec="seconds"),
        "tags": clean_tags(tags),
        "mood": mood,
        "kind": kind,
        "session": session,
    }
    sidecar = wav.with_suffix(".json")
    encrypted = keyfile.writes_encrypted(
        journal.home
    )  # then the audio and the sidecar are sealed from the start
    recorder = Recorder(
        wav,
        device=device,
        transcriber=transcriber,
        max_seconds=max_minutes * 60 if max_minutes else None,
        encrypt_home=journal.home if encrypted else None,
    )
    try:
        if encrypted:
            files.write_bytes(journal.home, sidecar, json.dumps(meta).encode())
        else:
            sidecar.write_text(json.dumps(meta))
        recorder.start()
    except (OSError, DiskFullError) as exc:
        _discard(journal, sidecar)
        _discard(journal, wav)
        if isinstance(exc, DiskFullError) or exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full(folder, "recording cannot start") from None
        raise
    except BaseException:
        _discard(journal, sidecar)
        raise
    try:
        if monitor is not None:
            monitor(recorder)
        while not recorder.wait(0.5):
            pass
    finally:
        result = recorder.finish(release=False)
        try:
            entry = _save_recording(journal, entry_id, created, meta, result, transcribe)
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
            journal.home,
            f"the recording stopped at {result.duration:.0f} s. What was captured is saved as entry {entry.id}",
            "record again",
        )
    return outcome


def _discard(journal, path: Path) -> None:
    """Remove an incoming recording (or its sidecar) once saved; overwritten first in an encrypted journal,
    where it was the only readable copy."""
    from voicejournal.store import fs, keyfile

    if keyfile.writes_encrypted(journal.home):
        fs.shred(path)
    else:
        path.unlink(missing_ok=True)


def _save_recording(journal, entry_id, created, meta, result, transcribe) -> Entry | None:
    """The finished incoming WAV -> audio/YYYY/MM/<id>.flac and an entry; then the WAV goes."""
    wav, sidecar = result.path, result.path.with_suffix(".json")
    if result.frames == 0:
        _discard(journal, wav)
        _discard(journal, sidecar)
        return None
    segments = result.segments if transcribe else None
    with journal.storage.transaction():
        saved = journal.storage.find_entries("source_key", f"microphone:{entry_id}")
        if not saved:
            return _store_incoming(
                journal,
                wav,
                entry_id,
                created,
                meta,
                result.duration,
                segments,
                result.language,
                result.model,
            )
        # Already saved (recovered by another process): add the transcript if it lacks one.
        current = Entry.from_doc(saved[0])
        if current.status == PENDING and segments is not None:
            current.segments = list(segments)
            current.text = segments_text(current.segments)
            current.status = DONE if current.segments else NO_SPEECH
            current.language, current.model = result.language, result.model
            journal.save_entry(current)
        _discard(journal, wav)
        _discard(journal, sidecar)
        return current


def _store_incoming(
    journal, wav: Path, entry_id: str, created: datetime, meta: dict, duration: float,
    segments=None, language: str | None = None, model: str | None = None, recovered: bool = False,
) -> Entry:  # fmt: skip
    """Inside a transaction: an incoming WAV becomes a FLAC and a new entry (PENDING without
    segments); then the WAV and its sidecar are removed. Only a `recovered` one may be cut short."""
    from voicejournal.speech.incoming import wav_to_flac

    key = f"microphone:{entry_id}"
    if journal.storage.get_entry(entry_id) is not None:  # the id was taken meanwhile
        entry_id = journal.storage.new_id()
    rel, dest = journal.audio_destination(entry_id, created)
    wav_to_flac(wav, dest, partial=recovered)
    try:
        return _file_incoming(
            journal, wav, key, entry_id, created, meta, duration, rel, dest, segments, language, model
        )
    except DiskFullError:
        if journal.storage.get_entry(entry_id) is None:
            dest.unlink(missing_ok=True)  # the incoming file stays; the FLAC is made again later
        raise


def _file_incoming(
    journal, wav: Path, key: str, entry_id: str, created: datetime, meta: dict, duration: float, rel: str,
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
    # The meaning vectors of a long transcript take a second (1,041 words: 0.7 s; twice that on a busy
    # machine): the person waits for the saved transcript, not for them (`embed_saved`).
    save_entry(journal, entry, new=True, embed=False)
    _discard(journal, wav)
    _discard(journal, wav.with_suffix(".json"))
    return entry


def recover(journal) -> list[Entry]:
    """Turn recordings a crash or kill left in audio/incoming into pending entries.

    Cheap when there is nothing to do (one stat). Recordings still being made by another
    process are left alone. Each recovered file becomes a normal PENDING entry; none is dropped.
    One that does not fit on a full disk stays where it is, listed in `waiting_for_space`.
    """
    if not has_incoming(journal.home):
        return []  # the usual case (the folder stays after the first recording): no lock, no sound code
    from voicejournal.speech.incoming import recover_incoming

    recovered = []
    journal.waiting_for_space = []
    with journal.storage.transaction():
        for wav in recover_incoming(journal.home):
            try:
                entry = _recover_one(journal, wav)
            except DiskFullError:
                journal.waiting_for_space.append(wav)  # kept as it is; a later command saves it
                continue
            if entry is not None:
                recovered.append(entry)
        for sidecar in incoming_dir(journal.home).glob("*.json"):  # a sidecar whose recording never started
            try:
                old = time.time() - sidecar.stat().st_mtime > 60  # (a new one may be starting now)
            except FileNotFoundError:
                continue
            if old and not sidecar.with_suffix(".wav").exists():
                _discard(journal, sidecar)
    return recovered


def _recover_one(journal, wav: Path) -> Entry | None:
    from voicejournal.speech.incoming import incoming_frames
    from voicejournal.speech.wav import is_sealed_stream
    from voicejournal.store import files

    entry_id = wav.stem
    sidecar = wav.with_suffix(".json")
    try:
        meta = json.loads(files.read_bytes(journal.home, sidecar))
    except (OSError, ValueError, VoiceJournalError):
        meta = {}
    frames = incoming_frames(journal.home, wav)
    saved = journal.storage.find_entries("source_key", f"microphone:{entry_id}")
    if frames == 0 and not saved and is_sealed_stream(wav) and time.time() - wav.stat().st_mtime < 60:
        return None  # (one starting in another process holds its lock only once its stream is set up)
    if saved or frames == 0:  # a leftover of a saved recording, or one that never got a sound
        _discard(journal, wav)
        _discard(journal, sidecar)
        return None
    duration = frames / 16000
    try:
        created = datetime.fromisoformat(meta["created"])
    except (KeyError, TypeError, ValueError):
        created = datetime.fromtimestamp(wav.stat().st_mtime - duration).astimezone()
    return _store_incoming(journal, wav, entry_id, created, meta, duration, recovered=True)


def play(
    journal, entry_id: str, at: float = 0.0, on_start: Callable[[Entry, float], None] | None = None
) -> Entry:
    """Play an entry's recording through the default output from `at` seconds; blocks until done."""
    from voicejournal.speech.devices import check_output, play_file

    entry = journal.get(entry_id)
    audio = journal.audio_path(entry)
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


def prompts(journal) -> list[dict]:
    """Reflection prompts: the built-in ones (id None) then the person's own."""
    own = [{"id": p["id"], "text": p["text"]} for p in journal.storage.all("prompts") if p.get("text")]
    return [{"id": None, "text": t} for t in DEFAULT_PROMPTS] + own


def add_prompt(journal, text: str) -> dict:
    text = " ".join(text.split())
    if not text:
        raise UsageError("A prompt needs some words, e.g. 'What do I want to remember?'.")
    with journal.storage.transaction():
        doc = {"id": journal.storage.new_id(3), "text": text}
        journal.storage.insert("prompts", doc)
    return doc


def remove_prompt(journal, prompt_id: str) -> None:
    with journal.storage.transaction():
        if journal.storage.get("prompts", prompt_id) is None:
            raise EntryNotFoundError(
                prompt_id, what="prompt of yours", hint="`voicejournal prompts` lists them."
            )
        journal.storage.remove("prompts", prompt_id)


def next_prompt(journal) -> str:
    """The next prompt in rotation (each `record --prompt` shows the following one)."""
    with journal.storage.transaction():
        texts = [p["text"] for p in journal.prompts()]
        state = journal.storage.get("settings", "prompt_rotation")
        index = int(state.get("next", 0)) % len(texts) if state else 0
        doc = {"id": "prompt_rotation", "next": (index + 1) % len(texts)}
        if state:
            journal.storage.update("settings", "prompt_rotation", doc)
        else:
            journal.storage.insert("settings", doc)
    return texts[index]


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


def embed_saved(journal) -> None:
    """The meaning vectors of a recording just saved without them (`_file_incoming`), made once the person
    has the transcript; only in a journal that keeps vectors, and only when it is the one entry waiting
    (anything more is left to the next search by meaning, with its progress bar). Derived data: a failure
    leaves them to that search too."""
    import contextlib

    from voicejournal.services import meaning, meaning_sync

    if meaning_sync.before_write(journal).before is None:
        return  # no vectors yet: the first search by meaning makes them all
    with contextlib.suppress(Exception):
        meaning.current(journal, limit=1)
