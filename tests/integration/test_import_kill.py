"""kill -9 during a big `import --from jrnl`: every journal file is whole (the old or the new version), and
running the import again finishes it with no entry and no filed question twice.

The kills land at chosen points inside the import's writes (the command reports it has reached its Nth
fsync/replace, see pause.py, then is killed), spread over a whole run counted beforehand in another home:
the same points on any machine, however busy.
"""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from tests.conftest import ROOT
from tests.integration.pause import kill, wait_paused
from voicejournal.journal import Journal
from voicejournal.services.ingest import IMPORT_BATCH

pytestmark = pytest.mark.integration

PAUSE = ROOT / "tests" / "integration" / "pause.py"
N = IMPORT_BATCH * 2 + 300  # three batches, over six years of month files


def jrnl_export(path, n):
    start = datetime(2019, 1, 1)
    entries = [
        {
            "date": f"{start + timedelta(days=i * 2190 // n):%Y-%m-%d}",
            "time": "21:00",
            "title": f"Evening {i}.",
            "body": "Talked to my sister about the move."
            + (
                f" Question for my therapist: why do I avoid calling my father, week {i}?"
                if i % 50 == 0
                else ""
            ),
            "tags": [],
            "starred": False,
        }
        for i in range(n)
    ]
    path.write_text(json.dumps({"tags": {}, "entries": entries}))
    return path


def start(home, pause: str, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), VOICEJOURNAL_HOME=str(home))
    return subprocess.Popen(
        [sys.executable, str(PAUSE), pause, "--", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_kill_during_a_big_import_then_import_again_finishes_it_without_duplicates(tmp_path, run_cli):
    export = jrnl_export(tmp_path / "journal.json", N)
    counting = start(tmp_path / "counted", "count", "import", "--from", "jrnl", str(export))
    _, err = counting.communicate(timeout=600)
    assert counting.returncode == 0, err
    calls = int(next(line for line in err.splitlines() if line.startswith("CALLS ")).split()[1])
    assert calls > 20

    # Early (first batch), in the middle and near the end, alternately just before and just after a call.
    for k, point in enumerate((calls // 9, calls // 2, calls - 5)):
        home = tmp_path / f"home{k}"
        proc = start(
            home, f"{point}:{'before' if k % 2 == 0 else 'after'}", "import", "--from", "jrnl", str(export)
        )
        wait_paused(proc, proc.stderr)
        kill(proc)

        kept = Journal(home).entries()  # every month file reads: none was left torn
        assert len({e.source_key for e in kept}) == len(kept) <= N

        again = run_cli(
            "import", "--from", "jrnl", str(export), env={"VOICEJOURNAL_HOME": str(home)}, check=True
        )
        assert again.stderr.splitlines()[0] == (
            f"Imported {N - len(kept)} entries from journal.json; {len(kept)} already imported before."
            if kept
            else f"Imported {N} entries from journal.json."
        )
        journal = Journal(home)
        entries = journal.entries()
        assert len(entries) == N and len({e.source_key for e in entries}) == N
        asked = [q.text for q in journal.questions()]
        assert len(asked) == len(set(asked)) == N // 50  # each question filed once, none left from the kill
        ids = {e.id for e in entries}
        assert all(q.entry in ids for q in journal.questions())
