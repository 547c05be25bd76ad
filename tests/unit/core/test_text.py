"""The one set of word-form rules shared by themes, goals and search."""

import pytest

from voicejournal.core.planning import Goal
from voicejournal.core.planning import mentions_goal as mentions_goal_
from voicejournal.core.text import fold, related_forms, word_family, words_of


def mentions_goal(text: str, goal_text: str, words=None) -> bool:
    from datetime import datetime

    return mentions_goal_(text, Goal(id="g1", text=goal_text, created=datetime(2026, 11, 1).astimezone(),
                                     words=words or []))  # fmt: skip


@pytest.mark.parametrize(
    ("word", "form"),
    [("walking", "walked"), ("walk", "walking"), ("sleep", "slept"), ("slept", "sleeping"), ("sob", "sobbing"),
     ("exercise", "exercising"), ("cry", "cried"), ("anxious", "anxiety"), ("worries", "worry"), ("Café", "cafes")],
)  # fmt: skip
def test_every_form_of_a_word_counts(word, form):
    assert form in related_forms(word)


@pytest.mark.parametrize(("word", "other"), [("care", "career"), ("general", "generous"), ("work", "worker")])
def test_words_are_never_cut_down_into_others(word, other):
    assert other not in related_forms(word)


def test_fold_and_words():
    assert fold("Ça VA’s") == "ca va's"
    assert words_of("I didn’t sleep, 3 nights!") == frozenset({"i", "didn't", "sleep", "nights"})
    assert word_family("SLEEPING")[:2] == ("sleep", "slept")


@pytest.mark.parametrize(
    ("text", "goal", "expected"),
    [("I walked to work twice", "Walking to work", True),
     ("Slept before midnight again", "Sleep before midnight", True),
     ("I slept ten hours", "Sleep before midnight", False),  # one of two words: not this goal
     ("Went to the gym, exercising felt good", "Exercise at the gym", True),
     ("", "Exercise at the gym", False)],
)  # fmt: skip
def test_goal_mentions_share_the_rules(text, goal, expected):
    assert mentions_goal(text, goal) is expected


def test_fold_drops_every_combining_mark_and_keeps_compatibility_forms():
    assert (
        fold("Cafe\u0301 cre\u0300me na\u00efve \u212bngstro\u0308m \ufb01ne\u2026")
        == "cafe creme naive angstrom fine..."
    )
    assert (
        fold("\u201cquoted\u201d \u2013 dash") == "\u201cquoted\u201d \u2013 dash"
    )  # no marks: nothing else changes
