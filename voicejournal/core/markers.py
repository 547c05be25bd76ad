"""Spoken markers: the structured items people file by voice while they talk.

"Question for my therapist: is it normal to feel relieved and guilty at the same time?" becomes a
question; "Homework: …", "Goal: …", "Small win: …" and "Mood: six out of ten" likewise. Besides those
explicit markers, a few phrasings are recognised: questions ("I want to ask her about…", "I should
bring up…", a direct question to the therapist) and wins ("I managed to…", "for the first time",
"proud of").

Pure logic over a transcript's segments. Whisper punctuates and capitalises as it likes and spells
numbers either way ("6/10", "six out of ten", "a 4"), so every pattern is case-insensitive and
punctuation-tolerant; a marker whose words end its sentence ("Homework." / "Write the letter.") takes the
next sentence as its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicejournal.core.entry import Entry, Segment
from voicejournal.core.mishearings import LEAD, clauses_heard_as, heard_as
from voicejournal.core.mood import find_mood, word_count
from voicejournal.core.sentences import Sentence, entry_segments, split_sentences

QUESTION, HOMEWORK, GOAL, WIN, MOOD = "question", "homework", "goal", "win", "mood"
MARKER_KINDS = (QUESTION, HOMEWORK, GOAL, WIN, MOOD)


@dataclass
class Marker:
    kind: str  # one of MARKER_KINDS
    text: str  # what was said, tidied (for a mood: the words that gave it)
    entry_id: str | None = None
    offset: float | None = None  # seconds into the recording (None for a written entry)
    value: int | None = None  # mood 1-5
    explicit: bool = True  # said with a marker word ("Question for my therapist: …") or found by phrasing


# --- explicit markers -----------------------------------------------------------------------------

_THERAPIST = (
    r"(?:my\s+|the\s+)?(?:therapist|therapy|counsell?or|psychologist|psychiatrist|doctor|"
    r"dr\.?\s+[a-z]+|next\s+session|session)"
)
# "Goal: be in bed before midnight" heard without its colon ("Goal be in bed…"): the marker word straight
# before a verb in the imperative, which no sentence would otherwise put there.
_IMPERATIVE = (
    r"|\s+(?=(?:be|get|go|do|stop|start|try|keep|make|call|write|read|walk|sleep|eat|drink|spend|take|"
    r"finish|practi[cs]e|notice|say|ask|tell|breathe|exercise|meditate|journal|plan|run)\b)"
)
_CLAUSE = re.compile(r"[,;]\s+(?=(?:my|a|another|one|new|small|question|homework|goal)\b)", re.I)
_MOOD_LAST = re.compile(r"\bmood\W*$", re.I)


_EXPLICIT = [
    (
        QUESTION,
        re.compile(
            LEAD
            + r"(?:i\s+(?:also\s+)?(?:have|'ve\s+got|’ve\s+got)\s+)?"
            + r"(?:another\s+|a\s+|one\s+more\s+|my\s+)?question\s+(?:for|to)\s+"
            + _THERAPIST
            + r"\s*(?P<sep>[:,.;\-–—?…]*)\s*(?:which\s+is\s+|and\s+that'?s\s+)?(?P<rest>.*)",
            re.I,
        ),
    ),
    (QUESTION, re.compile(LEAD + r"(?:another\s+)?question\s*:\s*(?P<sep>)(?P<rest>.*)", re.I)),
    (
        HOMEWORK,
        re.compile(
            LEAD + r"(?:new\s+|my\s+|the\s+)?home\s?-?work(?:\s+for\s+(?:this|the|next)\s+week)?"
            r"(?:\s*(?P<sep>[:,.;!\-–—]+)|\s+is\s+to\b|\s+is\b" + _IMPERATIVE + r")\s*(?P<rest>.*)",
            re.I,
        ),
    ),
    (
        GOAL,
        re.compile(
            LEAD + r"(?:(?:a\s+|my\s+)?new\s+goal|(?:my\s+|another\s+)?goal(?:\s+for\s+(?:this|the|next)\s+"
            r"(?:week|month|year))?)(?:\s*(?P<sep>[:,.;!\-–—]+)|\s+is\s+to\b|\s+is\b" + _IMPERATIVE + r")"
            r"\s*(?P<rest>.*)",
            re.I,
        ),
    ),
    (
        WIN,
        re.compile(
            LEAD + r"(?:a\s+|another\s+|one\s+)?(?:small|little|tiny|big)\s+(?:win|victory)"
            r"(?:\s+(?:today|this\s+week))?(?:\s*(?P<sep>[:,.;!\-–—]+)|\s+is\s+that\b|\s+was\s+that\b|\s+is\b|"
            r"\s+was\b)?\s*(?P<rest>.*)",
            re.I,
        ),
    ),
]


# Words every explicit marker pattern above needs, one of them (a quick test before trying them all).
_EXPLICIT_WORDS = ("question", "home", "goal", "win", "victory")


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    for word in words:  # noqa: SIM110 (a loop, not any(…): it runs for every sentence of years of entries)
        if word in low:
            return True
    return False


def _tidy(text: str) -> str:
    text = text.strip().strip(",;:-–— ")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]  # a filed item reads as a title: "Write the letter to Dad"
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


# --- phrasings ------------------------------------------------------------------------------------

_PERSON = (
    r"(?:her|him|them|my\s+therapist|the\s+therapist|my\s+counsell?or|my\s+doctor|dr\.?\s+[a-z]+|[A-Z][a-z]+)"
)
_ASK_RE = re.compile(
    r"\b(?:i\s+(?:really\s+)?(?:want|wanna|need|have|would\s+like|'d\s+like|’d\s+like)\s+to\s+ask"
    r"|i\s+(?:should|must|could|will|'ll|’ll|might)\s+(?:really\s+)?ask"
    r"|(?:i\s+)?(?:need\s+to\s+|have\s+to\s+|must\s+|should\s+)?remember\s+to\s+ask"
    r"|i\s+(?:want|wanna|need|should|must|will|'ll|’ll|have|would\s+like|'d\s+like)\s+(?:to\s+)?"
    r"(?:bring\s+(?:\w+\s+)?up|raise|mention|talk\s+about|discuss)(?=.*\b(?:session|therapy|therapist|"
    r"her|him|them|next\s+time)\b)"
    r"|i\s+(?:want|wanna|need|should|must|will|'ll|’ll|have|would\s+like|'d\s+like)\s+(?:to\s+)?bring\s+up"
    r"|(?:something|things?)\s+to\s+(?:bring\s+up|ask|raise|talk\s+about)\s+(?:in|at|with|next)"
    r"|ask\s+" + _PERSON + r"\s+(?:about|if|whether|why|how|what|when|for)\b)",
    re.I,
)
_DIRECT_START = re.compile(
    LEAD + r"(?:is\s+(?:it|this|that)\s+(?:normal|okay|ok|common|possible|bad|wrong|healthy|fine|"
    r"a\s+problem|something)|should\s+(?:i|we)|can\s+we|could\s+we|shall\s+we|do\s+you\s+think"
    r"|what\s+do\s+you\s+(?:think|make|recommend|suggest)|what\s+would\s+you|would\s+you|could\s+you"
    r"|can\s+you|how\s+(?:do|can|should|could)\s+i|what\s+(?:should|can|could)\s+i|am\s+i\s+"
    r"(?:doing|supposed|allowed|overreacting|too)|would\s+it\s+(?:help|be)|is\s+there\s+(?:a|any|some)"
    r"|does\s+(?:it|this|that)\s+mean|why\s+do\s+you|how\s+long\s+(?:does|will|should)|what\s+if\s+i"
    r"|are\s+there)\b",
    re.I,
)
_RHETORICAL = re.compile(
    r"\b(?:you\s+know|right|isn'?t\s+it|who\s+knows|why\s+not|what\s+else|wasn'?t\s+it|huh|eh|or\s+what)"
    r"\s*\?\s*$|\bwhat(?:'s|\s+is)\s+wrong\s+with\s+me\b|\bwhat\s+was\s+i\s+thinking\b|"
    r"\bhow\s+hard\s+can\s+it\s+be\b|\bwhy\s+(?:do|does|did|am|can'?t)\s+(?:i|it|this)\s+always\b",
    re.I,
)
_WIN_RE = re.compile(
    r"\b(?:i\s+(?:\w+\s+)?managed\s+to|i\s+finally|for\s+the\s+first\s+time|(?:i'?m|i\s+am|i\s+was|i\s+felt|"
    r"i\s+feel|felt|feel|really|so|quite|pretty|very)\s+(?:\w+\s+)?proud|proud\s+of\s+(?:myself|me)"
    r"|went\s+better\s+than\s+(?:i\s+)?expected|i\s+did\s+it\b|i\s+stood\s+up\s+for\s+myself)",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:not|never|no|didn'?t|don'?t|haven'?t|hasn'?t|wasn'?t|couldn'?t|can'?t|won'?t|isn'?t|barely"
    r"|hardly|almost|nearly|tried\s+to)\b[\w\s'’]{0,20}$",
    re.I,
)
_WIN_SPOILERS = re.compile(
    r"\b(?:panic(?:ked)?|worst|awful|terrible|horrible|relapse[d]?|cried|crying|hurt\s+myself|"
    r"failed|miserable|hopeless)\b",
    re.I,
)


# One of these is in every phrasing of _WIN_RE (a quick test before the pattern).
_WIN_WORDS = ("managed", "finally", "first", "proud", "better", "did", "stood")


def _is_win(sentence: str) -> bool:
    if not _has_any(sentence, _WIN_WORDS):
        return False
    for match in _WIN_RE.finditer(sentence):
        # The negation must end within 20 characters of the win word's end, so the last 60 are enough
        # (a long sentence is not scanned from its start for every win word).
        if _NEGATION.search(sentence[max(0, match.end() - 60) : match.end()]):
            continue
        if _WIN_SPOILERS.search(sentence):
            return False
        return word_count(sentence) >= 4
    return False


_NOT_ASKED = re.compile(
    r"\b(?:didn'?t|did\s+not|don'?t|never|forgot\s+to|won'?t|shouldn'?t)\b[\w\s]{0,12}$", re.I
)


# One of these is in every phrasing of _ASK_RE (a quick test before the pattern).
_ASK_WORDS = ("ask", "bring", "raise", "mention", "talk", "discuss")


def _is_question_phrase(sentence: str) -> bool:
    if not _has_any(sentence, _ASK_WORDS):
        return False
    match = _ASK_RE.search(sentence)
    if not match:
        return False
    before = sentence[: match.start()]
    return word_count(sentence) >= 5 and not _NOT_ASKED.search(before)


def _is_direct_question(sentence: str) -> bool:
    if not sentence.rstrip("\"'”’) ").endswith("?") or _RHETORICAL.search(sentence):
        return False
    return bool(_DIRECT_START.match(sentence)) and 4 <= word_count(sentence) <= 45


# --- extraction -----------------------------------------------------------------------------------


def extract_markers(entry: Entry) -> list[Marker]:
    """Every marker in an entry's transcript, in the order they were said."""
    return extract_from_segments(entry_segments(entry), entry.id)


def extract_from_segments(segments: list[Segment], entry_id: str | None = None) -> list[Marker]:
    sentences = split_sentences(segments)
    markers: list[Marker] = []
    used_as_content: set[int] = set()
    for i, sentence in enumerate(sentences):
        text = sentence.text
        found = _explicit(sentences, i)
        if found:
            kind, content, took_next = found
            if took_next:
                used_as_content.add(i + 1)
            if kind == MOOD:
                continue
            markers.append(Marker(kind, content, entry_id, sentence.offset, explicit=True))
        elif i in used_as_content:
            pass
        elif _is_question_phrase(text) or _is_direct_question(text):
            said = _tidy(_strip_lead(text))
            markers.append(Marker(QUESTION, said, entry_id, sentence.offset, explicit=False))
        elif _is_win(text):
            said = _tidy(_strip_lead(text))
            markers.append(Marker(WIN, said, entry_id, sentence.offset, explicit=False))
        mood = find_mood(clauses_heard_as(text))
        if mood is None and i + 1 < len(sentences) and _ends_with_mood(heard := heard_as(text)):
            mood = find_mood(
                heard.rstrip(" .…!") + ": " + sentences[i + 1].text
            )  # "Mood." | "Six out of ten."
        if mood:
            markers.append(Marker(MOOD, mood[1], entry_id, sentence.offset, value=mood[0]))
    return markers


def _ends_with_mood(text: str) -> bool:
    return "mood" in text.lower() and _MOOD_LAST.search(text) is not None


def _strip_lead(text: str) -> str:
    return re.sub(LEAD, "", text, flags=re.I).strip()


def _explicit(sentences: list[Sentence], i: int) -> tuple[str, str, bool] | None:
    text = heard_as(sentences[i].text)
    found = _explicit_in(text)
    if found is None:
        # Whisper joins sentences with a comma when the pause between them is short:
        # "I stayed inside, my goal is to call my father on Sunday."
        for clause in _CLAUSE.finditer(text):
            found = _explicit_in(heard_as(text[clause.end() :]))
            if found is not None and word_count(found[1]) >= 2:
                return found[0], _tidy(found[1]), False
        found = None
    if found is None and i + 1 < len(sentences):
        # A marker cut at a chunk edge: "Question for my." | "Therapist: is it normal …?"
        head = text.rstrip(" .…,")
        after = sentences[i + 1].text
        joined = heard_as(head + " " + after[:1].lower() + after[1:])
        found = _explicit_in(joined)
        if found is None or found[2] <= len(head):
            return None
        return found[0], _tidy(found[1]), True
    if found is None:
        return None
    kind, rest, _ = found
    took_next = False
    if word_count(rest) < 2 and i + 1 < len(sentences):
        # "Question for my therapist." | "Is it normal to …?"
        rest = (rest + " " + sentences[i + 1].text).strip()
        took_next = True
    if word_count(rest) < 2:
        return None
    return kind, _tidy(rest), took_next


def _explicit_in(text: str) -> tuple[str, str, int] | None:
    """(kind, what follows the marker, where that starts) of the first explicit marker that `text` opens with."""
    if not _has_any(text, _EXPLICIT_WORDS):
        return None  # most sentences: none of the marker words, so none of the patterns can match
    for kind, pattern in _EXPLICIT:
        match = pattern.match(text)
        if not match:
            continue
        rest = match.group("rest").strip()
        if kind == WIN and not (match.group("sep") or rest) and word_count(text) > 3:
            continue
        return kind, rest, match.start("rest")
    return None


def spoken_mood(markers: list[Marker]) -> int | None:
    """The last mood said in an entry (people correct themselves: "six… no, more like a five")."""
    moods = [m.value for m in markers if m.kind == MOOD and m.value is not None]
    return moods[-1] if moods else None
