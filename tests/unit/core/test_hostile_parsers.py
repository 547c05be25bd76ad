"""Property tests for the parsers that read what people type or bring: search queries, theme definitions,
spoken markers, jrnl and Markdown imports and backups. Always a clear VoiceJournalError or a result, never
another exception, and never a changed journal when the input is refused."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicejournal.core.entry import TEXT_ONLY, Entry, Segment
from voicejournal.core.markers import extract_from_segments
from voicejournal.errors import VoiceJournalError
from voicejournal.journal import Journal
from voicejournal.services.importing import read_jrnl, read_markdown

SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
QUERY_BITS = [
    '"',
    "-",
    "*",
    "(",
    ")",
    "NEAR",
    "AND",
    "OR",
    "NOT",
    ":",
    "^",
    "my sister",
    "work",
    "'",
    "é",
    "\\",
]


def snapshot(home):
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != ".lock" and not p.name.startswith("index.sqlite")
    }


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile") / "home"
    journal = Journal(home)
    texts = ["I talked about my sister and work.", "Sleep was bad; anxious all week.", "A calm day."]
    for i, text in enumerate(texts):
        journal.save_entry(
            Entry(
                id=journal.new_entry_id(),
                created=datetime(2026, 11, i + 1, tzinfo=UTC),
                kind="journal",
                status=TEXT_ONLY,
                text=text,
            ),
            new=True,
        )
    return journal


@SETTINGS
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(QUERY_BITS), max_size=8).map(" ".join)))
def test_search_queries_answer_or_say_why(journal, query):
    before = snapshot(journal.home)
    try:
        result = journal.search(query)
        assert isinstance(result.hits, list)
    except VoiceJournalError as exc:
        assert str(exc) and "\n" not in str(exc)
    assert snapshot(journal.home) == before


@SETTINGS
@given(st.text(max_size=30), st.lists(st.text(max_size=20), max_size=5))
def test_theme_definitions_are_saved_or_refused(journal, name, words):
    entries_before = {d["id"]: d.get("themes") for d in journal.storage.all_entries()}
    try:
        journal.define_theme(name, words)
    except VoiceJournalError as exc:
        assert str(exc) and "\n" not in str(exc)
        after = {d["id"]: d.get("themes") for d in journal.storage.all_entries()}
        assert after == entries_before


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=120), max_size=6))
def test_spoken_markers_never_fail(texts):
    segments = [Segment(float(i), float(i) + 1, t) for i, t in enumerate(texts)]
    for marker in extract_from_segments(segments, "abcd"):
        assert marker.kind and isinstance(marker.text, str)
        if marker.kind == "mood":
            assert 1 <= int(marker.value) <= 5


def _dumps(value) -> bytes:
    return json.dumps(value).encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
jrnl_like = st.fixed_dictionaries(
    {"tags": st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
     "entries": st.lists(st.dictionaries(st.sampled_from(["date", "time", "title", "body", "tags", "starred"]),
                                         json_values, max_size=6), max_size=4)}
)  # fmt: skip


@SETTINGS
@given(st.one_of(st.binary(max_size=200), json_values.map(_dumps), jrnl_like.map(_dumps)))
def test_jrnl_files_read_or_say_why(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("jrnl") / "journal.json"
    path.write_bytes(data)
    try:
        items, _warnings = read_jrnl(path)
        assert isinstance(items, list)
    except VoiceJournalError as exc:
        assert str(exc) and "\n" not in str(exc)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["2026-11-02.md", "note.md", "2026-13-45 x.md", "a.md"]),
                          st.one_of(st.text(max_size=200), st.binary(max_size=100))), max_size=4))  # fmt: skip
def test_markdown_folders_read_or_say_why(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("md")
    for name, content in files:
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8", errors="surrogatepass")
    try:
        items, _warnings = read_markdown(folder)
        assert isinstance(items, list)
    except VoiceJournalError as exc:
        assert str(exc) and "\n" not in str(exc)


def _zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


backups = st.one_of(
    st.binary(max_size=300),
    st.dictionaries(st.sampled_from(["manifest.json", "journal.json", "entries/2026-11.json", "audio/x.flac",
                                     "../evil", "/abs"]),
                    st.one_of(st.binary(max_size=60), json_values.map(_dumps)), max_size=4).map(_zip_of),
)  # fmt: skip


@SETTINGS
@given(backups)
def test_damaged_backups_are_refused_and_change_nothing(journal, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("backup") / "backup.zip"
    path.write_bytes(data)
    before = snapshot(journal.home)
    with pytest.raises(VoiceJournalError) as info:
        journal.import_backup(path)
    assert str(info.value) and "\n" not in str(info.value)
    assert snapshot(journal.home) == before
