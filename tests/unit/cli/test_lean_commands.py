"""`show`, `search` and `tag` in a fresh process load only the code they use (issue 14: start-up is most
of what a person waits for on these commands)."""

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from voicejournal.core.entry import TEXT_ONLY, Entry
from voicejournal.journal import Journal

ROOT = Path(__file__).resolve().parents[3]  # this checkout, first on the path
NOT_NEEDED = (
    "voicejournal.services.ingest",
    "voicejournal.services.archive",
    "voicejournal.services.meaning",
    "voicejournal.services.sessions",
    "voicejournal.services.privacy",
    "voicejournal.core.passages",
    "voicejournal.core.markers",  # its patterns take ~10 ms to compile; sentences are cut by core/sentences
    "voicejournal.speech",
    "voicejournal.render.sections",
    "rich",
    "numpy",
    "yaml",
    "jinja2",
    "tinydb",
)


def loaded_after(args: list[str], not_needed: tuple[str, ...] = NOT_NEEDED) -> str:
    code = (
        "import sys\nfrom voicejournal.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {not_needed!r} if m in sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return proc.stderr.strip().splitlines()[-1]


@pytest.fixture
def entry_id(vj_home):
    journal = Journal(vj_home)
    entry = Entry(id=journal.new_entry_id(), created=datetime(2026, 11, 2, 9).astimezone(), status=TEXT_ONLY,
                  text="I slept badly and called my sister.", kind="journal")  # fmt: skip
    journal.save_entry(entry, new=True)
    journal.search("sister")  # the index exists, as after any first search
    return entry.id


@pytest.mark.parametrize("command", [["show"], ["search", "sister"]])
def test_reading_commands_load_no_writer_renderer_or_heavy_library(entry_id, command):
    args = command + [entry_id] if command == ["show"] else command
    assert loaded_after(args) == "[]"


# Asked by every command (is a recording waiting in audio/incoming?), read by none of these two when the
# answer is no; the index's row writer (and its sentence cutting) only when an entry is written.
READ_ONLY_NOT_NEEDED = (
    "voicejournal.services.capture",
    "voicejournal.store.index_rows",
    "voicejournal.render.json",
)


def test_search_loads_no_recording_code_index_writer_or_json_renderer(entry_id):
    # Nor the entry model: the index lists entries as its own small records; nor a JSON parser, the id map
    # or the dataclasses module (orjson brings json and dataclasses: 4 ms), since it reads no journal file.
    not_needed = READ_ONLY_NOT_NEEDED + (
        "voicejournal.core.sentences",
        "voicejournal.core.entry",
        "voicejournal.store.idmap",
        "orjson",
        "dataclasses",
        "click",  # a plain search is read by cli/quick.py (Click and what it imports: ~25 ms)
        "inspect",
        "typing",
    )
    assert loaded_after(["search", "sister"], not_needed) == "[]"


def test_show_loads_no_recording_code_or_index_writer(entry_id):
    assert loaded_after(["show", entry_id], READ_ONLY_NOT_NEEDED) == "[]"


def test_tag_loads_no_importer_renderer_heavy_library_vectors_or_query_code(entry_id):
    # A tag changes no words: neither the meaning vectors' code nor the search's query code is needed to
    # keep the index in step (services/meaning_sync asks whether there are vectors with one stat).
    not_needed = NOT_NEEDED + (
        "voicejournal.store.vectors",
        "voicejournal.services.meaning_rank",
        "voicejournal.core.query",
        "voicejournal.store.index_queries",
    )
    assert loaded_after(["tag", entry_id, "+sleep"], not_needed) == "[]"


# A plain journal (no encryption.json) never loads the encryption code, reading or writing.
ENCRYPTION = (
    "voicejournal.store.keyfile",
    "voicejournal.store.keys",
    "voicejournal.store.streams",
    "cryptography",
)


@pytest.mark.parametrize("command", [["show"], ["search", "sister"], ["tag", "+sleep"], ["list"]])
def test_a_plain_journal_loads_no_encryption_code(entry_id, command):
    args = [command[0], entry_id, *command[1:]] if command[0] in ("show", "tag") else command
    assert loaded_after(args, ENCRYPTION) == "[]"
