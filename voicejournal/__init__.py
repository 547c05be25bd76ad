"""voicejournal: a private, offline voice journal for people in psychotherapy."""

__version__ = "0.1.0"
