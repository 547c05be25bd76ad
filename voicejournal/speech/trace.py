"""A debug log of how a recording's chunks were heard, off unless VOICEJOURNAL_LIVE_LOG names a file.

One line per event, with times, chunk numbers, window spans, the queue's depth and which pass ran or was left
out and why; never a word of the transcript (the log sits outside the journal, unencrypted).
"""

from __future__ import annotations

import logging
import os

LOG_ENV = "VOICEJOURNAL_LIVE_LOG"
log = logging.getLogger("voicejournal.live")


def start() -> None:
    """Write the log to the file VOICEJOURNAL_LIVE_LOG names (appending), when it names one."""
    path = os.environ.get(LOG_ENV)
    if not path or log.handlers:
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(relativeCreated)9.0f ms  %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
