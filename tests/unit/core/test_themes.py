"""Themes must be precise: a theme shown on an entry that never talks about it is a bug."""

import pytest

from voicejournal.core.text import word_forms
from voicejournal.core.themes import (
    BUILTIN_NAMES,
    detect_themes,
    month_range,
    theme_set,
    theme_trends,
)

# Hand-written transcripts, in the loose way people speak right after a session.
AFTER_SESSION = (
    "So today we talked a lot about my mother. I told my therapist that I still feel like a kid when she "
    "calls, and that I always end up apologising. We worked out that I never say no to her. "
    "The homework is to notice when I'm people pleasing. I slept badly last night, woke up at four "
    "and couldn't get back to sleep, so I was exhausted in the session."
)
WORK_STRESS = (
    "Work has been awful this week. My boss moved the deadline again and I stayed late three nights. "
    "I could feel the panic building on the train, my chest tight, heart racing. I snapped at my "
    "husband when I got home and then felt guilty for hours."
)
GOOD_WEEK = (
    "A good week, honestly. I went to the gym twice and was working out properly for the first time "
    "in months. The breathing exercises are helping. I'm proud of myself. I'll sleep on it, "
    "whether to stay in this flat. It worked out fine with the landlord."
)
NOTHING = (
    "It was a quiet day. I made pasta and watched a film about whales. The weather was grey. "
    "That's about it, nothing much to say."
)


def test_after_session_themes_and_triggers():
    themes = detect_themes(AFTER_SESSION)
    assert themes == {
        "family": ["mother", "kid"],
        "sleep": ["slept", "woke up at", "sleep", "exhausted"],
        "boundaries": ["say no", "people pleasing"],
        "the therapy itself": ["therapist", "homework", "session"],
    }


def test_work_stress():
    themes = detect_themes(WORK_STRESS)
    assert themes["work"] == ["work", "boss", "deadline"]
    assert themes["anxiety"] == ["panic", "heart racing"]
    assert themes["anger"] == ["snapped at"]
    assert themes["relationships"] == ["husband"]
    assert set(themes) == {"work", "anxiety", "anger", "relationships"}


def test_tricky_negatives_are_not_themes():
    # "working out" is exercise, "worked out" is solving, "sleep on it" is deciding,
    # a breathing exercise is therapy homework, not body and health.
    themes = detect_themes(GOOD_WEEK)
    assert "work" not in themes
    assert "sleep" not in themes
    assert themes["body and health"] == ["gym", "working out"]
    assert themes["progress and wins"] == ["proud of myself"]


def test_a_day_with_no_theme_has_none():
    assert detect_themes(NOTHING) == {}
    assert detect_themes("") == {}


@pytest.mark.parametrize(
    "text",
    [
        "That doesn't work for me, and the app didn't work either.",
        "We will work through it together.",
        "I'm just kidding.",
        "My phone died on the way home.",
        "I'm tired of the rain.",
        "I'm dying to see that film.",
        "Don't forget the date: 2 November.",
        "I met a business partner for lunch.",
        "The homework sheet is on the fridge.",  # homework is therapy, never work
    ],
)
def test_negatives(text):
    themes = detect_themes(text)
    assert "work" not in themes
    assert "family" not in themes
    assert "grief and loss" not in themes
    assert "sleep" not in themes
    assert "relationships" not in themes


@pytest.mark.parametrize(
    ("text", "theme", "trigger"),
    [
        ("She worries about everything.", "anxiety", "worries"),
        ("I was worrying all night.", "anxiety", "worrying"),
        ("I panicked in the shop.", "anxiety", "panicked"),
        ("I cried in the car.", "low mood", "cried"),
        ("Napping helps.", "sleep", "napping"),
        ("My mother's birthday is Sunday.", "family", "mother"),
        ("My self-esteem is low.", "self-esteem", "self-esteem"),
        ("My self esteem is low.", "self-esteem", "self esteem"),
        ("ANXIOUS, very anxious.", "anxiety", "anxious"),
        ("My fiancée called.", "relationships", "fiancee"),
        ("He passed away in March.", "grief and loss", "passed away"),
        ("I said no and stood up for myself.", "boundaries", "said no"),
        ("The sertraline dose went up.", "medication", "sertraline"),
    ],
)
def test_word_forms_case_and_accents(text, theme, trigger):
    themes = detect_themes(text)
    assert trigger in themes[theme]


def test_every_trigger_occurs_in_the_text():
    for text in (AFTER_SESSION, WORK_STRESS, GOOD_WEEK):
        lowered = text.lower()
        for words in detect_themes(text).values():
            for w in words:
                assert w in lowered


def test_word_forms():
    assert set(word_forms("worry")) == {"worry", "worries", "worried", "worrying"}
    assert set(word_forms("cope")) == {"cope", "copes", "coped", "coping"}
    assert {"sobbing", "sobbed"} <= set(word_forms("sob"))
    assert set(word_forms("stress")) == {"stress", "stresses", "stressed", "stressing"}


def test_builtin_set_is_complete():
    assert set(BUILTIN_NAMES) == {
        "anxiety", "low mood", "sleep", "work", "family", "relationships", "friendship", "self-esteem",
        "grief and loss", "anger", "boundaries", "body and health", "medication", "trauma",
        "the therapy itself", "progress and wins",
    }  # fmt: skip


def test_user_themes_add_and_replace():
    user = [{"name": "Cats", "words": ["cat", "kitten"]}, {"name": "work", "words": ["office"]}]
    names = [t.name for t in theme_set(user)]
    assert "cats" in names and names.count("work") == 1
    assert detect_themes("The kittens woke me. The cat's bowl.", user)["cats"] == ["kittens", "cat"]
    # The person's own "work" replaces the built-in one.
    assert detect_themes("My boss at the office.", user)["work"] == ["office"]


def test_month_range():
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_trends_compare_shares_not_raw_counts():
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    per_month = {"2026-01": 10, "2026-02": 10, "2026-03": 10, "2026-04": 10}
    rows = [("work", "2026-01", 6), ("work", "2026-02", 5), ("work", "2026-04", 1)]
    rows += [("family", "2026-03", 3), ("family", "2026-04", 4), ("family", "2026-01", 1)]
    rows += [("sleep", m, 1) for m in months]
    rows += [("grief and loss", "2026-04", 2)]
    trends = {t.name: t for t in theme_trends(rows, per_month, months)}
    assert trends["work"].trend == "fading" and trends["work"].arrow == "↓"
    assert trends["family"].trend == "rising"
    assert trends["sleep"].trend == "steady"
    assert trends["grief and loss"].trend == "new"
    assert trends["work"].months == {"2026-01": 6, "2026-02": 5, "2026-03": 0, "2026-04": 1}
    assert trends["work"].total == 12
