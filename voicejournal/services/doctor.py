"""`voicejournal doctor`: the microphone, the speech model, the data folder and the journal, checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voicejournal.errors import (
    VoiceJournalError,
)
from voicejournal.store.diskspace import HOW_TO_FREE, free_bytes, human_size, is_disk_full
from voicejournal.store.home import ensure_private_dir, home_dir
from voicejournal.store.storage import Storage


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
    from voicejournal.speech.devices import probe_microphone
    from voicejournal.speech.levels import SILENT_DB

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
        count = len(Storage(folder).all_entries())
        from voicejournal.core.wording import count as counted

        checks.append(Check("Journal", True, f"{counted(count, 'entry')}, readable."))
    except VoiceJournalError as exc:
        checks.append(Check("Journal", False, str(exc)))
    return checks
