"""Audio retention and `voicejournal check` through the real CLI."""

import functools
import json
import shutil

import pytest

from tests.integration.test_privacy import snapshot

pytestmark = pytest.mark.integration


@pytest.fixture
def run_cli(run_cli):
    """Every command here runs on 1 December 2026: "older than 90 days" is counted from a fixed day, so the
    recording of 2026-11-01 stays recent whatever the real date."""
    return functools.partial(run_cli, now="2026-12-01T12:00:00")


def entries(run_cli, env=None):
    return {e["id"]: e for e in json.loads(run_cli("list", "--json", env=env, check=True).stdout)}


def test_retention_dry_run_then_delete_keeps_transcripts(run_cli, speech, vj_home):
    run_cli("add", str(speech("My mother called after the session.")), "--date", "2020-01-05", check=True)
    run_cli("add", str(speech("Work was better.")), "--date", "2026-11-01", "--no-transcribe", check=True)
    old, recent = sorted(entries(run_cli).values(), key=lambda e: e["created"])
    proc = run_cli("retention")
    assert proc.stderr.strip() == (
        "Audio retention is off: recordings are kept. Turn it on with "
        "`voicejournal config set audio-retention 90d`."
    )
    proc = run_cli("config", "set", "audio-retention", " 90 Days ", check=True)
    assert proc.stderr.strip() == (
        "audio-retention = 90d: recordings older than 90 days are deleted (transcripts are kept). "
        "`voicejournal retention --dry-run` shows what goes; it runs when you next add or record."
    )
    assert run_cli("config", "get", "audio-retention", check=True).stdout == "90d\n"
    assert run_cli("config", "list", check=True).stdout == "audio-retention = 90d\n"
    state = snapshot(vj_home)
    proc = run_cli("retention", "--dry-run", check=True)
    assert proc.stdout.startswith(f"2020-01-05 00:00  {old['id']}  ") and proc.stdout.count("\n") == 1
    assert proc.stderr.strip() == (
        "1 recording would be deleted (their transcripts stay). Run `voicejournal retention` to delete them."
    )
    assert json.loads(run_cli("retention", "--dry-run", "--json", check=True).stdout)[0]["id"] == old["id"]
    assert snapshot(vj_home) == state  # a dry run changes nothing

    proc = run_cli("retention", check=True)
    assert proc.stderr.strip() == "Deleted 1 recording; their transcripts are kept."
    assert not (vj_home / old["audio"]).exists()
    after = entries(run_cli)
    assert after[old["id"]]["audio"] is None and after[old["id"]]["audio_removed"]
    assert after[old["id"]]["text"] == old["text"] and after[old["id"]]["segments"] == old["segments"]
    assert after[old["id"]]["created"] == old["created"]
    assert (vj_home / after[recent["id"]]["audio"]).exists()
    proc = run_cli("retention", check=True)
    assert proc.stderr.strip() == "No recording is older than the limit (90d); nothing to delete."
    assert "mother" in run_cli("show", old["id"], check=True).stdout.lower()
    assert run_cli("check", check=True).stdout.endswith("No problems found.\n")


def test_retention_runs_by_itself_when_adding(run_cli, speech, vj_home):
    run_cli("add", str(speech("Old words.")), "--date", "2019-03-01", "--no-transcribe", check=True)
    run_cli("config", "set", "audio-retention", "1y", check=True)
    proc = run_cli("add", str(speech("New words.")), "--no-transcribe", check=True)
    assert proc.stderr.splitlines()[0] == (
        "Deleted 1 recording older than your audio-retention setting; their transcripts are kept."
    )
    kept = [e for e in entries(run_cli).values() if e["audio"]]
    assert len(kept) == 1 and kept[0]["created"] > "2026"


def test_bad_settings_are_one_clear_line(run_cli):
    cases = [
        (
            ("config", "set", "audio-retention", "soon"),
            "Could not understand the retention 'soon'. Try 90d, 12w, 6m, 1y, or off to keep recordings.",
        ),
        (
            ("config", "set", "audio-retention", "0d"),
            "The retention must be at least 1 day (or off to keep recordings).",
        ),
        (("config", "set", "colour", "blue"), "Unknown setting 'colour'. Settings: audio-retention."),
        (("config", "get", "colour"), "Unknown setting 'colour'. Settings: audio-retention."),
    ]
    for args, message in cases:
        proc = run_cli(*args)
        assert (proc.returncode, proc.stderr.strip()) == (1, message)


def test_check_finds_missing_damaged_and_orphaned_audio(run_cli, speech, vj_home, tmp_path):
    for words, date in [
        ("About work.", "2026-11-02"),
        ("About sleep.", "2026-11-03"),
        ("Family.", "2026-11-04"),
    ]:
        run_cli("add", str(speech(words)), "--date", date, "--no-transcribe", check=True)
    missing, damaged, fine = sorted(entries(run_cli).values(), key=lambda e: e["created"])
    assert run_cli("check", check=True).stdout == (
        "Checked 2 journal files, 3 entries, 3 recordings.\nNo problems found.\n"
    )
    orphan_source = vj_home / fine["audio"]
    shutil.copy(orphan_source, vj_home / "audio" / "2026" / "11" / "zz9q.flac")
    (vj_home / missing["audio"]).unlink()
    data = bytearray((vj_home / damaged["audio"]).read_bytes())
    data[len(data) // 2 :] = bytes(len(data) - len(data) // 2)
    (vj_home / damaged["audio"]).write_bytes(bytes(data))

    proc = run_cli("check")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "Checked 2 journal files, 3 entries, 3 recordings.",
        "fixed:   Found a recording no entry pointed at (audio/2026/11/zz9q.flac); saved it as entry zz9q, "
        "waiting to be transcribed (`voicejournal transcribe --pending`).",
        f"problem: The recording of entry {missing['id']} is missing ({missing['audio']}); its transcript is "
        "kept. Restore the file from a backup, or `voicejournal check --repair` to stop looking for it.",
        f"problem: The recording of entry {damaged['id']} ({damaged['audio']}) changed since it was saved (its "
        "checksum differs); it still plays. Restore it from a backup if you have one.",
        "2 problems remain.",
    ]
    recovered = entries(run_cli)["zz9q"]
    assert recovered["status"] == "pending" and recovered["audio"] == "audio/2026/11/zz9q.flac"

    proc = run_cli("check", "--repair", "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["fixed"] == [
        f"Entry {missing['id']} no longer points at its missing recording ({missing['id']}.flac); its "
        "transcript is kept."
    ]
    assert len(report["problems"]) == 1 and damaged["id"] in report["problems"][0]
    assert entries(run_cli)[missing["id"]]["audio"] is None


@pytest.mark.parametrize("encrypted", [False, True])
def test_check_repair_restores_a_damaged_file_from_its_backup(run_cli, speech, vj_home, encrypted):
    env = {"VOICEJOURNAL_PASSPHRASE": "blue river morning"} if encrypted else {}
    run_cli("add", str(speech("About work.")), "--date", "2026-11-02", "--no-transcribe", check=True)
    run_cli("add", str(speech("About my mother.")), "--date", "2026-11-03", "--no-transcribe", check=True)
    if encrypted:
        run_cli("encrypt", env=env, check=True)
        run_cli("config", "set", "audio-retention", "off", env=env, check=True)  # one more write: a .bak
    first, second = sorted(entries(run_cli, env).values(), key=lambda e: e["created"])
    shard = vj_home / "entries" / "2026-11.json"
    shard.write_bytes(shard.read_bytes()[:50])
    proc = run_cli("check", env=env)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[1:] == [
        "problem: entries/2026-11.json is damaged and cannot be read (`voicejournal check --repair` restores "
        "its last good copy).",
        "problem: Recordings no entry points at were not looked for, because a damaged journal file may still "
        "hold their entries; run `voicejournal check --repair` first.",
        "2 problems remain.",
    ]
    proc = run_cli("check", "--repair", env=env)
    lines = proc.stdout.splitlines()
    assert lines[1].startswith(
        "fixed:   entries/2026-11.json was damaged: restored its last good copy (1 entry); the damaged file "
        "is kept as entries/2026-11.json.damaged-"
    )
    # The entry saved last was only in the damaged file: its recording comes back as a pending entry.
    assert lines[2] == (
        f"fixed:   Found a recording no entry pointed at ({second['audio']}); saved it as entry {second['id']}, "
        "waiting to be transcribed (`voicejournal transcribe --pending`)."
    )
    assert proc.returncode == 0 and lines[-1] == "No problems remain."
    assert set(entries(run_cli, env)) == {first["id"], second["id"]}
    assert len(list((vj_home / "entries").glob("2026-11.json.damaged-*"))) == 1
    if encrypted:
        from tests.integration.test_privacy import scan_home

        assert scan_home(vj_home) == []
