"""Run the real voicejournal CLI with the clock stopped at a chosen instant (test-only launcher).

    python tests/at_instant.py 2026-12-31T23:59:00 list --since yesterday

The instant is ISO 8601; without an offset it is local time in this process's TZ (run_cli's `tz=`), so
"23:59 on 31 December in Europe/Berlin" means what it says whatever the machine's own zone. The clock
stands still (no tick) for the whole command, however long the model or a busy machine takes: the
command cannot drift over midnight. Nothing in voicejournal knows about this; time-machine replaces
the system clock calls underneath `voicejournal.clock`.
"""

import sys
from datetime import datetime

import time_machine


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.astimezone()  # local wall time, DST as the zone has it


if __name__ == "__main__":
    when, args = sys.argv[1], sys.argv[2:]
    with time_machine.travel(instant(when), tick=False):
        from voicejournal.cli import main

        main(args)
