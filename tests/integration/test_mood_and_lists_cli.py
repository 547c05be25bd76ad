"""`voicejournal mood ID [VALUE]`, and the groups that list when named alone (`voicejournal homework`, `config`)."""

import json

import pytest

pytestmark = pytest.mark.integration

NOW = "2026-12-01T18:00:00"
TZ = "Europe/Berlin"
NOT_A_MOOD = "'{}' is not a mood: give 1 (low) to 5 (good), or a score out of ten like 7/10.\n"


def only_entry(run_cli) -> dict:
    [entry] = json.loads(run_cli("list", "--json", check=True).stdout)
    return entry


def test_a_mood_is_shown_set_from_one_to_five_or_out_of_ten_and_kept(run_cli):
    run_cli("write", "A long day at work. Mood: four out of ten.", now=NOW, tz=TZ, check=True)
    entry_id = only_entry(run_cli)["id"]
    assert run_cli("mood", entry_id, check=True).stdout == f"{entry_id}: mood 2/5\n"  # said: 4/10
    assert run_cli("mood", entry_id, "7/10", check=True).stdout == f"{entry_id}: mood 4/5\n"
    assert only_entry(run_cli)["mood"] == 4
    assert run_cli("mood", entry_id, "3", check=True).stdout == f"{entry_id}: mood 3/5\n"
    assert run_cli("mood", entry_id, "9 out of 10", check=True).stdout == f"{entry_id}: mood 5/5\n"
    assert "mood 5/5" in run_cli("show", entry_id, check=True).stdout
    review = run_cli("review", now=NOW, tz=TZ, check=True).stdout
    assert "  5   average 5 of 5" in review.splitlines()


@pytest.mark.parametrize("value", ["6", "0", "11/10", "abc", "-2"])
def test_a_mood_out_of_range_is_refused_and_changes_nothing(run_cli, value):
    run_cli("write", "Quiet evening.", "--mood", "2", check=True)
    entry_id = only_entry(run_cli)["id"]
    done = (
        run_cli("mood", entry_id, value)
        if not value.startswith("-")
        else run_cli("mood", entry_id, "--", value)
    )
    assert done.returncode == 1
    assert done.stderr == NOT_A_MOOD.format(value)
    assert only_entry(run_cli)["mood"] == 2


def test_a_mood_for_an_unknown_entry_is_one_line(run_cli):
    done = run_cli("mood", "zzzz", "3")
    assert done.returncode == 1
    assert done.stderr == "No entry with id 'zzzz'. `voicejournal list` shows recent ids.\n"


def test_each_planning_group_named_alone_lists_its_items(run_cli):
    run_cli("homework", "add", "Breathing exercise", check=True)
    run_cli("question", "add", "Can we meet every two weeks?", check=True)
    run_cli("goal", "add", "Sleep before midnight", check=True)
    run_cli("win", "add", "Went to the gym twice", check=True)
    run_cli("session", "add", "2026-12-03", "15:00", now=NOW, tz=TZ, check=True)
    for group, words in [
        ("homework", "Breathing exercise"),
        ("question", "Can we meet every two weeks?"),
        ("goal", "Sleep before midnight"),
        ("win", "Went to the gym twice"),
        ("session", "2026-12-03 15:00"),
        ("config", "audio-retention"),
    ]:
        alone = run_cli(group, now=NOW, tz=TZ)
        assert alone.returncode == 0, (group, alone.stderr)
        assert words in alone.stdout, group
        assert alone.stdout == run_cli(group, "list", now=NOW, tz=TZ, check=True).stdout
    # Options go to the listing; the group's own help stays the group's.
    [item] = json.loads(run_cli("homework", "list", "--json", check=True).stdout)
    run_cli("homework", "done", item["id"], check=True)
    assert "Breathing exercise" not in run_cli("homework", check=True).stdout
    assert "Breathing exercise" in run_cli("homework", "--all", check=True).stdout
    assert "Commands:" in run_cli("homework", "--help", check=True).stdout
