"""Reflection prompts for `record --prompt`: built in, the person's own, rotating."""

import pytest

from voicejournal.errors import EntryNotFoundError, UsageError
from voicejournal.journal import Journal
from voicejournal.services.capture import DEFAULT_PROMPTS


def test_prompts_rotate_through_built_in_and_own(vj_home):
    journal = Journal(vj_home)
    mine = journal.add_prompt("  What did I  not say?  ")
    assert mine["text"] == "What did I not say?"
    shown = [journal.next_prompt() for _ in range(len(DEFAULT_PROMPTS) + 2)]
    assert shown[: len(DEFAULT_PROMPTS)] == list(DEFAULT_PROMPTS)
    assert shown[len(DEFAULT_PROMPTS)] == "What did I not say?"
    assert shown[-1] == DEFAULT_PROMPTS[0]


def test_removing_prompts(vj_home):
    journal = Journal(vj_home)
    mine = journal.add_prompt("Mine")
    journal.remove_prompt(mine["id"])
    assert [p["text"] for p in journal.prompts()] == list(DEFAULT_PROMPTS)
    with pytest.raises(EntryNotFoundError, match="No prompt of yours with id 'zz9'"):
        journal.remove_prompt("zz9")
    with pytest.raises(UsageError):
        journal.add_prompt("   ")
