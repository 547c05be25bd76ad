"""A mood typed by the person: 1-5, or a score out of ten."""

import pytest

from voicejournal.core.mood import typed_mood
from voicejournal.errors import UsageError


@pytest.mark.parametrize(
    ("text", "mood"),
    [("1", 1), ("5", 5), (" 3 ", 3), ("2.5", 3), ("7/10", 4), ("7 / 10", 4), ("6 out of 10", 3),
     ("0/10", 1), ("10/10", 5), ("4/5", 4), ("4,5 of 10", 2)],
)  # fmt: skip
def test_typed_moods_become_one_to_five(text, mood):
    assert typed_mood(text) == mood


@pytest.mark.parametrize("text", ["0", "6", "11/10", "7/8", "abc", "", "-1", "3/10/10"])
def test_anything_else_is_refused_with_the_way_to_say_it(text):
    with pytest.raises(
        UsageError, match=r"is not a mood: give 1 \(low\) to 5 \(good\), or a score out of ten"
    ):
        typed_mood(text)
