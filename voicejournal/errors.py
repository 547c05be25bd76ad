"""One exception family: every message is a sentence a non-engineer can act on.

The CLI turns any `VoiceJournalError` into its message and exit code 1.
"""


class VoiceJournalError(Exception):
    """Base of every error voicejournal reports to a person."""


class UsageError(VoiceJournalError):
    """Bad input from the person: a date, a query, an option value."""


class EntryNotFoundError(VoiceJournalError):
    def __init__(
        self, entry_id: str, what: str = "entry", hint: str = "`voicejournal list` shows recent ids."
    ):
        self.entry_id = entry_id
        super().__init__(f"No {what} with id '{entry_id}'. {hint}")


class AudioDecodeError(VoiceJournalError):
    """An audio file that cannot be read or holds no audio."""


class ModelNotFoundError(VoiceJournalError):
    """No usable speech model."""


class TranscriptionError(VoiceJournalError):
    """The speech model failed on a file."""


class MicrophoneError(VoiceJournalError):
    """No microphone, a busy or vanished device, PortAudio missing."""


class JournalCorruptError(VoiceJournalError):
    """A journal file that cannot be parsed; it is never overwritten."""


class JournalVersionError(VoiceJournalError):
    """A journal written by a newer voicejournal."""


class JournalBusyError(VoiceJournalError):
    """Another voicejournal process holds the lock for too long."""


class DiskFullError(VoiceJournalError):
    """No space left to save; what was saved before stays."""


class DuplicateAudioError(VoiceJournalError):
    """The same audio was imported before."""

    def __init__(self, path: str, entry_id: str):
        self.entry_id = entry_id
        super().__init__(f"{path} was already imported as entry {entry_id}; skipped.")


# --- recording ---


class PlaybackError(VoiceJournalError):
    """No speaker to play on, or the output device failed."""
