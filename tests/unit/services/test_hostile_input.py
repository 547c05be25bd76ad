"""Hostile input, property-based: every parser either succeeds or raises a VoiceJournalError with a clear
message; never another exception, and a failed read or import never changes the journal."""

import contextlib
import hashlib
import io
import string
from datetime import datetime

import numpy as np
import orjson
import pytest
import soundfile as sf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from voicejournal.core.dates import parse_date
from voicejournal.core.entry import Entry, Segment
from voicejournal.core.settings import normalize_setting, parse_retention
from voicejournal.errors import JournalCorruptError, UsageError, VoiceJournalError
from voicejournal.store import files, keyfile, keys, sealing
from voicejournal.store.storage import Storage

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
WORDS = ["today", "yesterday", "last", "ago", "days", "week", "months", "year", "monday", "a", "an", "this"]
numbers = st.integers(min_value=-10, max_value=10**12).map(str)
date_phrases = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(WORDS), numbers), min_size=1, max_size=4).map(" ".join),
    st.builds(
        lambda n, u: f"{n} {u} ago", numbers, st.sampled_from(["day", "weeks", "month", "years", "fortnight"])
    ),
    st.builds(lambda n, u: f"last {n} {u}", numbers, st.sampled_from(["days", "week", "months", "year"])),
    st.builds(
        lambda y, m, d, rest: f"{y:04d}-{m:02d}-{d:02d}{rest}",
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["", "T25:00", "T12:00:00+99:00", "T12:00", " 12:00", "x"]),
    ),
)


def snapshot(home):
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != ".lock" and not p.name.startswith("index.sqlite")  # derived, remade
    }


@SETTINGS
@given(date_phrases, st.booleans())
@example("99999999 days ago", False)
@example("999999 years ago", False)
@example("last 100000 months", True)
def test_dates_parse_or_say_why(text, end):
    try:
        moment = parse_date(text, end=end)
    except UsageError as exc:
        assert str(exc).startswith("Could not understand the date")
        return
    assert isinstance(moment, datetime) and moment.tzinfo is not None


retention_values = st.one_of(
    st.text(max_size=20),
    st.builds(
        lambda n, sp, u: f"{n}{sp}{u}",
        numbers,
        st.sampled_from(["", " ", "  "]),
        st.sampled_from(["d", "day", "days", "w", "weeks", "m", "month", "y", "years", "h", "D", "Days"]),
    ),
    st.sampled_from(["off", "OFF", " never ", "forever", "none", "keep", "0", "90d"]),
)


@SETTINGS
@given(retention_values)
def test_retention_values_parse_or_say_why(text):
    try:
        policy = parse_retention(text)
    except UsageError as exc:
        assert str(exc).startswith(
            ("Could not understand the retention", "The retention must", "The retention can")
        )
        return
    assert policy.days is None or 1 <= policy.days <= 100 * 365
    assert parse_retention(policy.text) == policy  # the stored form reads back the same
    assert policy.describe()


@SETTINGS
@given(st.text(max_size=20), retention_values)
def test_settings_set_or_say_why(name, value):
    try:
        stored = normalize_setting(name, value)
    except UsageError:
        return
    assert stored == parse_retention(stored).text


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
entry_docs = st.one_of(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "created",
                "kind",
                "status",
                "audio",
                "segments",
                "text",
                "tags",
                "themes",
                "mood",
                "duration",
                "edited",
            ]
        ),
        json_values,
    ),
    st.fixed_dictionaries(
        {
            "id": st.text(max_size=6),
            "created": st.sampled_from(["2026-11-02T10:00:00+01:00", "2026-11-02", "x"]),
        },
        optional={
            "segments": st.lists(st.lists(json_values, max_size=4), max_size=3),
            "tags": json_values,
            "themes": json_values,
            "text": json_values,
            "mood": json_values,
        },
    ),
)


@SETTINGS
@given(entry_docs)
def test_entry_docs_load_or_say_why(doc):
    try:
        entry = Entry.from_doc(doc)
    except JournalCorruptError as exc:
        assert str(exc).startswith("The journal holds a damaged entry")
        return
    assert entry.created.tzinfo is not None
    Entry.from_doc(entry.to_doc())  # what loads also saves and loads again
    entry.to_json()


@SETTINGS
@given(
    st.builds(
        Entry,
        id=st.text(alphabet=string.ascii_lowercase + string.digits, min_size=3, max_size=6),
        created=st.datetimes(
            min_value=datetime(1971, 1, 2), max_value=datetime(2999, 1, 1), timezones=st.timezones()
        ).map(lambda d: d.replace(microsecond=0)),
        segments=st.lists(
            st.builds(
                Segment,
                st.floats(0, 1e5).map(lambda f: round(f, 2)),
                st.floats(0, 1e5).map(lambda f: round(f, 2)),
                st.text(max_size=20),
            ),
            max_size=4,
        ),
        tags=st.lists(st.text(max_size=8), max_size=3),
        mood=st.none() | st.integers(1, 5),
        duration=st.floats(0, 1e5),
    )
)
def test_entries_round_trip(entry):
    again = Entry.from_doc(orjson.loads(orjson.dumps(entry.to_doc())))
    # The same instant (compared as timestamps: Python never calls an aware time inside a DST repeat
    # equal to one in another zone, though it is the same moment).
    assert again.id == entry.id and again.tags == entry.tags
    assert again.created.timestamp() == entry.created.timestamp()
    assert again.segments == entry.segments and again.text == entry.text


file_contents = st.one_of(
    st.binary(max_size=300),
    json_values.map(orjson.dumps),
    st.dictionaries(st.sampled_from(["entries", "meta", "_default"]), json_values).map(orjson.dumps),
    st.dictionaries(
        st.sampled_from(["entries"]), st.dictionaries(st.sampled_from(["1", "2"]), entry_docs)
    ).map(orjson.dumps),
    st.binary(max_size=200).map(lambda b: sealing.FILE_HEADER + b),
)


@SETTINGS
@given(file_contents)
def test_damaged_journal_files_are_reported_and_never_changed(tmp_path_factory, contents):
    home = tmp_path_factory.mktemp("home")
    Storage(home).all("meta")  # creates the journal
    shard = home / "entries" / "2026-11.json"
    shard.write_bytes(contents)
    before = snapshot(home)
    storage = Storage(home)
    for action in (
        storage.all_entries,
        lambda: storage.get_entry("abcd"),
        lambda: storage.find_entries("id", "x"),
    ):
        try:
            docs = action()
        except VoiceJournalError:
            continue
        for doc in docs if isinstance(docs, list) else [docs] if docs else []:
            with contextlib.suppress(JournalCorruptError):
                Entry.from_doc(doc)
    assert snapshot(home) == before


def _clip(fmt: str, subtype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    samples = (np.sin(np.arange(16000 * 3) / 7) * 0.3).astype(np.float32)
    sf.write(buffer, samples, 16000, format=fmt, subtype=subtype)
    return buffer.getvalue()


CLIPS = {"wav": _clip("WAV", "PCM_16"), "flac": _clip("FLAC"), "ogg": _clip("OGG", "VORBIS")}
audio_bytes = st.one_of(
    st.binary(max_size=2000),
    st.builds(
        lambda name, frac: CLIPS[name][: int(len(CLIPS[name]) * frac)],
        st.sampled_from(sorted(CLIPS)),
        st.floats(0, 1),
    ),
    st.builds(
        lambda name, pos, junk: CLIPS[name][:pos] + junk + CLIPS[name][pos + len(junk) :],
        st.sampled_from(sorted(CLIPS)),
        st.integers(0, 3000),
        st.binary(min_size=1, max_size=64),
    ),
    st.binary(max_size=500).map(lambda b: sealing.FILE_HEADER + b),
    st.binary(max_size=500).map(lambda b: sealing.STREAM_HEADER + b),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(audio_bytes, st.sampled_from([".wav", ".flac", ".ogg", ".m4a", ".mp3"]))
def test_audio_decoding_of_random_and_cut_files(tmp_path_factory, data, suffix):
    from voicejournal.journal import Journal

    folder = tmp_path_factory.mktemp("audio")
    home = folder / "home"
    journal = Journal(home)
    journal.storage.all("meta")
    before = snapshot(home)
    path = folder / f"memo{suffix}"
    path.write_bytes(data)
    try:
        entry = journal.add_file(path, transcribe=False)
    except VoiceJournalError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert snapshot(home) == before  # nothing half-saved
        return
    assert entry.duration > 0 and (home / entry.audio).exists()


@SETTINGS
@given(st.binary(max_size=300))
def test_random_encrypted_blobs_and_key_files(tmp_path_factory, junk):
    home = tmp_path_factory.mktemp("home")
    key_file, _ = keyfile.new_key_file("correct horse battery", state=keyfile.ENCRYPTED, kdf_n=2**10)
    keyfile.save_key_file(home, key_file)
    keys.unlock(home, "correct horse battery")
    target = home / "entries" / "x.json"
    target.parent.mkdir()
    for blob in (sealing.FILE_HEADER + junk, sealing.STREAM_HEADER + junk, sealing.MAGIC + junk):
        target.write_bytes(blob)
        with contextlib.suppress(VoiceJournalError):
            files.read_bytes(home, target)
    (home / keyfile.KEY_FILE).write_bytes(junk)
    try:
        keyfile.load_key_file(home)
    except VoiceJournalError as exc:
        assert "encryption settings" in str(exc) or "newer voicejournal" in str(exc)


@pytest.fixture(autouse=True)
def _no_cached_keys():
    keys.forget_keys()
    yield
    keys.forget_keys()
