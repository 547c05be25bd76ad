"""`voicejournal check`: verify every journal file and recording, repair what can be repaired from what is
left, and say exactly what was found and done.

What is done without asking, because nothing can be lost by it:
- a recording no entry points at (an entry lost with a damaged file, or a kill at the wrong moment) gets
  a new pending entry, so `transcribe --pending` brings its words back;
- an entry without a recorded checksum gets one, once its recording decodes.

What needs `--repair`, because it replaces or forgets something:
- a damaged journal file is replaced by its last good copy (`.bak`); the damaged file is kept aside as
  `<name>.damaged-<time>`, never deleted;
- an entry whose recording is missing stops pointing at it (its transcript is kept);
- in an encrypted journal, files still readable as they are get encrypted (or shredded if derived);
- an entry stored twice (a kill while it moved to another month) is kept in its right month only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from voicejournal import clock
from voicejournal.core.entry import PENDING, Entry
from voicejournal.core.validate import is_audio_path
from voicejournal.errors import AudioDecodeError, JournalCorruptError, UsageError, VoiceJournalError
from voicejournal.services.context import JournalContext
from voicejournal.store import files, keyfile, keys, sealing, seals, vault
from voicejournal.store.month_files import month_of
from voicejournal.store.storage import JSONFileStorage, read_plain

INCOMING = "incoming"  # recordings in progress belong to `record`, which recovers them itself


@dataclass
class Finding:
    message: str
    fixed: bool = False  # True: something that was done; False: a problem that remains


@dataclass
class CheckReport:
    files: int = 0
    entries: int = 0
    recordings: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.fixed]

    @property
    def fixes(self) -> list[Finding]:
        return [f for f in self.findings if f.fixed]

    def problem(self, message: str) -> None:
        self.findings.append(Finding(message))

    def fixed(self, message: str) -> None:
        self.findings.append(Finding(message, fixed=True))


def _rel(journal: JournalContext, path: Path) -> str:
    try:
        return path.relative_to(journal.home).as_posix()
    except ValueError:
        return str(path)


def _read_table_file(journal: JournalContext, path: Path) -> dict:
    """Parse a journal file fully, the way storage would; JournalCorruptError if it cannot be used."""
    data = JSONFileStorage(path, journal.home).read() or {}
    for table in data.values():
        if not isinstance(table, dict) or not all(isinstance(doc, dict) for doc in table.values()):
            raise JournalCorruptError(f"The journal file {path} is damaged.")
    return data


def restore_backup(journal: JournalContext, path: Path) -> Path:
    """Replace a damaged journal file by its `.bak`; the damaged file is kept as `<name>.damaged-<time>`."""
    path = Path(os.path.abspath(path))
    home = Path(os.path.abspath(journal.home))
    if path.parent not in (home, home / "entries") or path.suffix != ".json":
        raise UsageError(f"{path} is not one of this journal's files (journal.json or entries/*.json).")
    backup = path.with_name(path.name + ".bak")
    if not backup.exists():
        raise UsageError(
            f"There is no earlier copy of {path.name} ({backup.name}) to restore; nothing was changed."
        )
    try:
        _read_table_file(journal, backup)
    except JournalCorruptError:
        raise JournalCorruptError(
            f"The earlier copy {backup} is damaged too, so {path.name} was left as it is."
        ) from None
    with journal.storage.transaction():
        kept = path.with_name(f"{path.name}.damaged-{clock.now():%Y%m%d-%H%M%S}")
        if path.exists():
            os.link(path, kept)  # the damaged file stays, under another name
        # Through the journal's one write path: a plain .bak left from before encryption is sealed now.
        files.write_bytes(journal.home, path, read_plain(backup, journal.home))
    return kept


def check_journal(journal: JournalContext, repair: bool = False, progress=None) -> CheckReport:
    report = CheckReport()
    storage = journal.storage
    try:
        storage.prepare()
    except JournalCorruptError:
        storage.checked = True  # a damaged journal.json is what check is here for: carry on
    with storage.transaction():
        _check_encryption(journal, repair, report)
        shard_docs, damaged = _check_files(journal, repair, report)
        entries = _check_entries(journal, shard_docs, repair, report)
        _check_recordings(journal, entries, repair, report)
        if damaged:
            report.problem(
                "Recordings no entry points at were not looked for, because a damaged journal file may "
                "still hold their entries; run `voicejournal check --repair` first."
            )
        else:
            _recover_orphans(journal, entries, report)
    return report


def _check_encryption(journal: JournalContext, repair: bool, report: CheckReport) -> None:
    key_file = keyfile.load_key_file(journal.home)
    if key_file is None:
        return
    if key_file.state == keyfile.DECRYPTING:
        report.problem(
            "Decryption was interrupted. Run `voicejournal decrypt` to finish it "
            "(or `voicejournal encrypt` to go back to encrypted)."
        )
        return
    if key_file.state == keyfile.ROTATING:
        report.problem(
            "Changing the journal's key was interrupted. Run `voicejournal passwd --rotate-key` to finish it."
        )
        return
    if key_file.state == keyfile.ENCRYPTED:
        for rel in seals.missing(journal.home):
            report.problem(
                f"{rel} is missing: this encrypted journal saved it last, so it was removed outside "
                "voicejournal. Put it back from a backup of this folder."
            )
    # A plain journal file in a fully encrypted journal was not written by voicejournal: it is never sealed
    # (that would make it part of the journal); reading it fails, and _check_files names it.
    readable = [
        p
        for p in vault.plaintext_files(journal.home)
        if not (key_file.state == keyfile.ENCRYPTED and _counted(journal, p))
    ]
    if key_file.state == keyfile.ENCRYPTING and not repair:
        report.problem(
            "Encryption was interrupted, so some files may still be readable. Run `voicejournal encrypt` "
            "to finish it."
        )
        return
    if not readable and key_file.state == keyfile.ENCRYPTED:
        return
    if not repair:
        for path in readable:
            report.problem(f"{_rel(journal, path)} is stored unencrypted in this encrypted journal.")
        return
    key = keys.unlock(journal.home)
    done = vault.convert_all(journal.home, lambda p: vault.encrypt_file(journal.home, p, key), None)
    for path in done.converted:
        report.fixed(f"Encrypted {_rel(journal, path)}, which was still readable.")
    for path in done.shredded:
        report.fixed(f"Overwrote and removed {_rel(journal, path)} (a leftover or derived file).")
    for path, why in done.failed:
        report.problem(f"Could not encrypt {_rel(journal, path)}: {why}")
    if not done.failed and key_file.state != keyfile.ENCRYPTED:
        key_file.state = keyfile.ENCRYPTED
        keyfile.save_key_file(journal.home, key_file, key)
        report.fixed("Finished the interrupted encryption.")


def _counted(journal: JournalContext, path: Path) -> bool:
    return not path.name.endswith(".bak") and seals.counted(sealing.role_of(journal.home, path))


def _check_files(journal: JournalContext, repair: bool, report: CheckReport) -> tuple[dict[Path, dict], bool]:
    storage = journal.storage
    paths = [p for p in [storage.journal_path] if p.exists()] + storage.shards()
    docs: dict[Path, dict] = {}
    damaged = False
    for path in paths:
        report.files += 1
        try:
            data = _read_table_file(journal, path)
        except (sealing.UnsealedFileError, seals.RolledBackError) as exc:
            report.problem(str(exc))  # not damage: no copy of ours is put in its place
            damaged = True
            continue
        except JournalCorruptError:
            if not repair:
                hint = " (`voicejournal check --repair` restores its last good copy)"
                if not path.with_name(path.name + ".bak").exists():
                    hint = "; no earlier copy of it exists"
                report.problem(f"{_rel(journal, path)} is damaged and cannot be read{hint}.")
                damaged = True
                continue
            try:
                kept = restore_backup(journal, path)
            except VoiceJournalError as exc:
                report.problem(f"{_rel(journal, path)} is damaged and could not be restored: {exc}")
                damaged = True
                continue
            data = _read_table_file(journal, path)
            from voicejournal.core.wording import count as counted

            count = len(data.get("entries", {}))
            what = f" ({counted(count, 'entry')})" if path != storage.journal_path else ""
            report.fixed(
                f"{_rel(journal, path)} was damaged: restored its last good copy{what}; the damaged file "
                f"is kept as {_rel(journal, kept)}. Changes saved to it last may be missing."
            )
        if path != storage.journal_path:
            docs[path] = data
    return docs, damaged


def _check_entries(
    journal: JournalContext, shard_docs: dict[Path, dict], repair: bool, report: CheckReport
) -> list[Entry]:
    seen: dict[str, tuple[Path, Entry]] = {}
    entries: list[Entry] = []
    for shard, data in shard_docs.items():
        for doc in data.get("entries", {}).values():
            try:
                entry = Entry.from_doc(doc)
            except JournalCorruptError:
                report.problem(f"An entry in {_rel(journal, shard)} is malformed ({str(doc)[:60]}…).")
                continue
            if entry.id in seen:
                first_shard, _ = seen[entry.id]
                right, wrong = (
                    (shard, first_shard)
                    if month_of(shard.name) == doc["created"][:7]
                    else (first_shard, shard)
                )
                if repair:
                    journal.storage.remove_from(wrong, entry.id)
                    report.fixed(
                        f"Entry {entry.id} was stored twice; kept the copy in {_rel(journal, right)}."
                    )
                else:
                    report.problem(
                        f"Entry {entry.id} is stored twice ({_rel(journal, first_shard)}, {_rel(journal, shard)})."
                    )
                if shard == right:
                    entries = [e for e in entries if e.id != entry.id] + [entry]
                    seen[entry.id] = (shard, entry)
                continue
            seen[entry.id] = (shard, entry)
            entries.append(entry)
    report.entries = len(entries)
    return entries


def _decodes(journal: JournalContext, path: Path) -> str | None:
    """None if the recording decodes, else why not."""
    from voicejournal.speech.audio import load_audio

    try:
        load_audio(path, partial=True, home=journal.home)
    except AudioDecodeError as exc:
        return str(exc)
    return None


def _check_recordings(
    journal: JournalContext, entries: list[Entry], repair: bool, report: CheckReport
) -> None:
    from voicejournal.speech.audio import sha256_file

    today = clock.today().isoformat()
    for entry in entries:
        if not entry.audio:
            continue
        report.recordings += 1
        try:
            path = journal.audio_path(entry)
        except JournalCorruptError as exc:
            report.problem(str(exc))
            continue
        if not path.exists():
            if repair:
                entry.audio = None
                entry.audio_removed = today
                journal.save_entry(entry)
                report.fixed(
                    f"Entry {entry.id} no longer points at its missing recording ({path.name}); its "
                    "transcript is kept."
                )
            else:
                report.problem(
                    f"The recording of entry {entry.id} is missing ({entry.audio}); its transcript is kept. "
                    "Restore the file from a backup, or `voicejournal check --repair` to stop looking for it."
                )
            continue
        try:
            digest = sha256_file(path, home=journal.home)
        except AudioDecodeError as exc:  # an encrypted file whose authentication failed
            report.problem(f"The recording of entry {entry.id} is damaged: {exc}")
            continue
        except OSError as exc:
            report.problem(f"The recording of entry {entry.id} cannot be read: {exc.strerror}.")
            continue
        if entry.audio_sha256 and digest != entry.audio_sha256:
            why = _decodes(journal, path)
            state = "it still plays" if why is None else "it cannot be played"
            report.problem(
                f"The recording of entry {entry.id} ({entry.audio}) changed since it was saved (its checksum "
                f"differs); {state}. Restore it from a backup if you have one."
            )
            continue
        if not entry.audio_sha256:
            why = _decodes(journal, path)
            if why is not None:
                report.problem(f"The recording of entry {entry.id} cannot be played: {why}")
                continue
            entry.audio_sha256 = digest
            journal.save_entry(entry)
            report.fixed(f"Recorded the checksum of entry {entry.id}'s recording.")


def _recover_orphans(journal: JournalContext, entries: list[Entry], report: CheckReport) -> None:
    from voicejournal.speech.audio import load_audio, sha256_file

    audio_root = journal.home / "audio"
    referenced = {e.audio for e in entries if e.audio}
    known_ids = {e.id for e in entries}
    for folder, dirs, names in os.walk(audio_root):
        if Path(folder) == audio_root and INCOMING in dirs:
            dirs.remove(INCOMING)
        dirs.sort()
        for name in sorted(names):
            if name.startswith("."):
                continue  # temp and .shred files: not recordings
            path = Path(folder) / name
            rel = path.relative_to(journal.home).as_posix()
            if rel in referenced:
                continue
            try:
                samples = load_audio(path, partial=True, home=journal.home)
            except AudioDecodeError as exc:
                report.problem(f"{rel} is in the recordings folder but no entry points at it, and {exc}")
                continue
            stem = path.stem
            if not is_audio_path(rel, stem) or stem in known_ids:
                report.problem(
                    f"{rel} is in the recordings folder but no entry points at it, and its name is not one "
                    "voicejournal gives; add it with `voicejournal add` if you want to keep it."
                )
                continue
            entry_id = stem
            created = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
            entry = Entry(
                id=entry_id,
                created=created,
                status=PENDING,
                audio=rel,
                audio_sha256=sha256_file(path, home=journal.home),
                duration=round(len(samples) / 16000, 2),
                source="recovered by voicejournal check",
            )
            journal.save_entry(entry, new=True)
            known_ids.add(entry_id)
            report.fixed(
                f"Found a recording no entry pointed at ({rel}); saved it as entry {entry_id}, waiting to be "
                "transcribed (`voicejournal transcribe --pending`)."
            )
