"""What a service needs from the journal it works on (the `Journal` façade provides it).

Services take the journal as their first argument and use only this: they never import the façade, so
the arrows keep pointing down (voicejournal.journal -> voicejournal.services).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from voicejournal.clock import Clock
from voicejournal.store.storage import Storage


class JournalContext(Protocol):
    """The journal's state, and its methods (services call each other through the façade)."""

    home: Path
    storage: Storage
    now: Clock
    transcribers: dict
    waiting_for_space: list[Path]

    @property
    def index(self) -> Any: ...

    @property
    def planner(self) -> Any: ...

    def __getattr__(self, name: str) -> Any: ...
