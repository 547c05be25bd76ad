"""What Whisper writes when it mishears a spoken marker phrase, read back as the phrase itself.

Pure logic: `heard_as` rewrites a misheard phrase at the start of a sentence ("Question from my therapist"
-> "question for my therapist", "Home work" -> "homework"); `core/markers` reads the result.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Words people open a sentence with before a marker ("And so, homework: ...").
LEAD = r"^(?:(?:and|so|okay|ok|oh|um|uh|also|right|well|now|then|alright|all\s+right)\b[\s,.]*)*"

# What Whisper writes when it mishears a marker phrase (tiny.en on real and espeak-ng voices, in live chunks
# and files; see benchmarks/quality.py): each is read as the phrase it stands for, at the start of a sentence.
MISHEARINGS: tuple[tuple[str, str], ...] = (
    (r"questions?\s+(?:from|four|of|with|by|for)\s+(?:my|me|a|the|your)\s+(?:therapists?'?s?|the\s+rapist|therapy)\b",
     "question for my therapist"),
    (r"(?:question|questions)\s+(?:for|from)\s+(?:the\s+)?rapist\b", "question for my therapist"),
    (r"(?:home|whole|hum)[\s\-]+works?\b|homeworks\b|home-?work's\b", "homework"),
    (r"(?:phone|foam|hope)[\s\-]?work(?:ed)?(?=(?:\s+for\s+(?:this|the|next)\s+week)?\s*[:;,.\-–—])", "homework"),
    (r"(?:gold|goals|gol)(?=\s*[:;,.\-–—])|go(?=\s*[:;,\-–—])", "goal"),  # "Go, be in bed by ten."
    (r"(?:gold|goals|gol|go)\s*!", "goal:"),
    (r"go(?=\s+be\b)", "goal:"),  # "Go be in bed before midnight."
    (r"(?:small|smol|smaller)\s+(?:wind|when|wen|ween|wins|win's)(?:\s+to\s+me)?"
     r"(?=(?:\s+(?:today|this\s+week))?\s*[:;,.\-–—])", "small win"),  # "Small wind today, I cooked."
    (r"(?:mud|moot|moo|mood's|mooed|moods|move|moved|woot|wood|woo)(?=\s*[:;,!\-–—])", "mood"),
    (r"(?:mud|moot|move|moved|woot|wood)(?=\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+out\s+of\b)",
     "mood"),  # "Move 6 out of 10."
)  # fmt: skip
# One pattern for all of them (an import reads every sentence of years of entries): the first that matches
# wins, as in the list.
MISHEARD = re.compile(
    LEAD + "(?P<said>" + "|".join(f"(?P<m{i}>{heard})" for i, (heard, _) in enumerate(MISHEARINGS)) + ")",
    re.I,
)


def clauses_heard_as(sentence: str) -> str:
    """`heard_as` at the start of the sentence and of each clause after a comma ("…, moved 6 out of 10")."""
    if "," not in sentence and ";" not in sentence:
        return heard_as(sentence)
    return " ".join(heard_as(part) for part in re.split(r"(?<=[,;])\s+", sentence))


@lru_cache(maxsize=512)  # markers ask it about the same sentence several times
def heard_as(sentence: str) -> str:
    """The sentence with a misheard marker phrase at its start replaced by the phrase itself."""
    match = MISHEARD.match(sentence)
    if not match:
        return sentence
    meant = next(meant for i, (_, meant) in enumerate(MISHEARINGS) if match.group(f"m{i}") is not None)
    return sentence[: match.start("said")] + meant + sentence[match.end("said") :]
