"""Markdown export then import gives back exactly the same entry: front matter by PyYAML, text as written."""

import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicejournal.core.entry import TEXT_ONLY, Entry
from voicejournal.journal import Journal

# Commas, quotes, backslashes, colons, YAML's own marks, leading dashes, unicode and its line breaks.
TRICKY = st.sampled_from(
    [",", '"', "'", "\\", ":", ": ", "- ", "-", "#", "@", "[", "]", "{", "}", "---", "...", "\n", "\t", "é",
     "雨", "\u2028", "\x85", "null", "yes", "0123", "1e3", "!", "&", "*", "|", ">", "%", "`", "**[1:00]** "]
)  # fmt: skip
PIECES = st.lists(st.one_of(TRICKY, st.text(max_size=8)), max_size=8).map("".join)
TEXTS = st.one_of(PIECES, st.text()).map(str.strip).filter(bool)
TITLES = st.one_of(st.none(), PIECES.filter(str.strip), st.text(min_size=1).filter(str.strip))
MOMENTS = st.builds(
    lambda day, minutes, offset: (
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(minutes=offset)))
        + timedelta(days=day, minutes=minutes)
    ),
    st.integers(0, 364),
    st.integers(0, 24 * 60 - 1),
    st.sampled_from([0, 60, -300, 330]),
)


def _round_trip(entry: Entry, tags: list[str]) -> tuple[Entry, Entry]:
    with tempfile.TemporaryDirectory() as tmp:
        source = Journal(Path(tmp) / "a")
        source.save_entry(entry, new=True)
        original = source.tag(entry.id, add=tags) if tags else source.get(entry.id)
        [written] = source.export_markdown(Path(tmp) / "md")
        report = Journal(Path(tmp) / "b").import_text("markdown", written.parent)
        assert report.problems == [] and len(report.added) == 1, (report.problems, written.read_text())
        return original, Journal(Path(tmp) / "b").get(report.added[0].id)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=TITLES,
    tags=st.lists(st.one_of(PIECES, st.text()), max_size=5),
    text=TEXTS,
    created=MOMENTS,
    kind=st.sampled_from(["reflection", "homework", "journal", "question"]),
    mood=st.one_of(st.none(), st.integers(1, 5)),
)
def test_markdown_export_then_import_gives_the_same_entry(title, tags, text, created, kind, mood):
    entry = Entry(id="ab12", created=created, kind=kind, status=TEXT_ONLY, text=text, title=title, mood=mood)
    original, copy = _round_trip(entry, tags)
    assert (copy.title, copy.tags, copy.text) == (original.title, original.tags, original.text)
    assert (copy.created, copy.kind, copy.mood) == (original.created, original.kind, original.mood)


def test_the_issue_examples_survive_export_and_import(run_cli, tmp_path, vj_home):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-11-20.md").write_text(
        "---\ntitle: 'She said \"no\", then: left'\ntags: [\"work, stress\", 'back\\slash']\n"
        'date: 2026-11-20 19:30\n---\nShe said "no" and C:\\temp\\x stayed.\n',
        encoding="utf-8",
    )
    run_cli("import", "--from", "markdown", str(notes), check=True)
    [first] = json.loads(run_cli("list", "--json", check=True).stdout)
    assert first["title"] == 'She said "no", then: left'
    assert first["tags"] == ["work, stress", "back\\slash"]
    run_cli("export", "--format", "markdown", str(tmp_path / "out"), check=True)
    exported = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "title: 'She said \"no\", then: left'\n" in exported
    assert "tags: ['work, stress', back\\slash]\n" in exported
    elsewhere = {"VOICEJOURNAL_HOME": str(tmp_path / "elsewhere")}
    run_cli("import", "--from", "markdown", str(tmp_path / "out"), env=elsewhere, check=True)
    [copy] = json.loads(run_cli("list", "--json", env=elsewhere, check=True).stdout)
    assert copy["title"] == 'She said "no", then: left'
    assert copy["tags"] == ["work, stress", "back\\slash"]
    shown = json.loads(run_cli("show", copy["id"], "--json", env=elsewhere, check=True).stdout)
    assert shown["text"] == 'She said "no" and C:\\temp\\x stayed.'


def test_files_exported_by_earlier_versions_still_import(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "2026-11-24-1510-k3m9.md").write_text(
        "---\ndate: 2026-11-24T15:10:00+01:00\nid: k3m9\nkind: reflection\n"
        'title: "She said \\"no\\""\nduration: 4 min\nmood: 2\ntags: ["work, stress", "back\\\\slash"]\n'
        'themes: ["work"]\n---\n\n# She said "no"\n\n**[0:00]** Okay, first reflection. **[0:31]** not a mark.\n\n'
        "**[1:02]** Second paragraph.\n",
        encoding="utf-8",
    )
    journal = Journal(tmp_path / "home")
    report = journal.import_text("markdown", folder)
    assert report.problems == []
    [entry] = journal.entries()
    assert entry.title == 'She said "no"'
    assert entry.tags == ["work, stress", "back\\slash"]
    assert entry.created == datetime(2026, 11, 24, 14, 10, tzinfo=UTC)
    assert (entry.kind, entry.mood) == ("reflection", 2)
    assert entry.text == "Okay, first reflection. **[0:31]** not a mark.\n\nSecond paragraph."


def test_front_matter_that_is_not_yaml_is_named(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2026-11-20.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    (folder / "2026-11-21.md").write_text("Fine.\n", encoding="utf-8")
    journal = Journal(tmp_path / "home")
    report = journal.import_text("markdown", folder)
    assert report.problems == [
        "2026-11-20.md: its front matter is not valid YAML on line 3; fix it or remove the front matter, "
        "then import again."
    ]
    assert [e.text for e in journal.entries()] == ["Fine."]
