"""A mood said aloud: "Mood: six out of ten", "mood is a 4", "Mode, 6/10" -> the journal's 1-5.

Whisper spells numbers either way and sometimes hears "mode", so the patterns are case-insensitive and
accept the usual homophones, but only right before a scale ("won out of ten").
"""

from __future__ import annotations

import re


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'’]+", text))


# --- numbers -------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
# Whisper's homophones, only trusted right before "out of" / "/".
_SOUNDALIKES = {"won": 1, "to": 2, "too": 2, "for": 4, "fore": 4, "ate": 8, "never": 7, "heaven": 7}
_NUM = r"(?:\d+(?:[.,]\d)?|zero|one|two|three|four|five|six|seven|eight|nine|ten)"
_SCALE = r"(?:\s*(?:/|out\s+of|outta|of|on)\s*(?P<scale>\d+|five|ten)\b)"
_HALF = r"(?P<half>\s+and\s+a\s+half)?"
_MOOD_WORD = re.compile(r"\b(?P<mode>mode|mood)\b(?!\s+swing)", re.I)  # Whisper sometimes hears "mode"
_MOOD_NUMBER = re.compile(
    rf"(?<![\w/])(?P<num>{_NUM}|won|to|too|for|fore|ate|never|heaven)\b{_HALF}{_SCALE}?", re.I
)
_MOOD_AFTER_OK = re.compile(
    r"^\s*(?:[.,!?;:)]|$|today|tonight|right\s+now|now|i\s+think|i'd\s+say|maybe|ish|overall)", re.I
)
_MOOD_BEFORE_OK = re.compile(
    r"(?:^|\b(?:is|was|a|an|about|around|maybe|like|probably|say|at|solid|only|roughly|today|honestly))"
    r"[\s,:;\-–—]*$",
    re.I,
)


def _number(word: str) -> float | None:
    word = word.lower().replace(",", ".")
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    try:
        return float(word)
    except ValueError:
        return None


def mood_from_scale(value: float, scale: float | None) -> int | None:
    """A spoken score on its scale -> the journal's 1-5 (6/10 -> 3, 7/10 -> 4, "a 4" -> 4)."""
    if scale is None:
        scale = 5 if value <= 5 else 10
    if scale <= 0 or value < 0 or value > scale:
        return None
    scaled = value * 5 / scale
    return max(1, min(5, int(scaled + 0.5)))  # round half up: 5/10 -> 3, 9/10 -> 5


def find_mood(sentence: str) -> tuple[int, str] | None:
    """The mood said in one sentence ("Mood: six out of ten" -> 3), with the words that gave it."""
    for word in _MOOD_WORD.finditer(sentence):
        tail = sentence[word.end() : word.end() + 80]
        for match in _MOOD_NUMBER.finditer(tail):
            gap = tail[: match.start()]
            if word_count(gap) > 6 or re.search(r"[.?!]|\bmood\b", gap, re.I):
                break
            num, scale_word = match.group("num").lower(), match.group("scale")
            if num in _SOUNDALIKES and num not in _NUMBER_WORDS:
                if not scale_word:
                    continue
                value = float(_SOUNDALIKES[num])
            else:
                value = _number(num)
            if value is None:
                continue
            if match.group("half"):
                value += 0.5
            # "mood swings for 3 days" / "mood was low for 2 weeks": a number with no scale must
            # follow "is / a / about…" (or the word mood itself) and end its clause.
            if word.group("mode").lower() == "mode" and not scale_word:
                continue  # "mode" counts only with a scale: "Mode, six out of ten"
            if not scale_word and not (
                _MOOD_BEFORE_OK.search(gap) and _MOOD_AFTER_OK.match(tail[match.end() :])
            ):
                continue
            mood = mood_from_scale(value, _number(scale_word) if scale_word else None)
            if mood is not None:
                return mood, (word.group() + tail[: match.end()]).strip()
    return None


_TYPED = re.compile(r"^\s*(\d+(?:[.,]\d)?)\s*(?:(?:/|out\s+of|of)\s*(5|10))?\s*$", re.I)


def typed_mood(text: str) -> int:
    """A mood typed by the person: 1-5 as it is, or a score out of ten ("7/10", "7 out of 10") -> 1-5."""
    from voicejournal.errors import UsageError

    found = _TYPED.match(text)
    value = None if found is None else float(found.group(1).replace(",", "."))
    scale = None if found is None or found.group(2) is None else float(found.group(2))
    mood = None if value is None else mood_from_scale(value, scale or (5 if value <= 5 else None))
    if mood is None or (scale is None and not 1 <= value <= 5):
        raise UsageError(
            f"'{text}' is not a mood: give 1 (low) to 5 (good), or a score out of ten like 7/10."
        )
    return mood
