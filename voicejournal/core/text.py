"""Words, one way everywhere: folding (case, accents, apostrophes) and the one set of word-form rules
that themes, goals and search share.

`word_forms` generates a word's regular English forms (worry -> worries, worried, worrying; sob ->
sobbing), `WORD_FAMILIES` joins the forms no rule can (slept/sleep, anxious/anxiety), and `related_forms`
puts both together for any form of a word (walking -> walk, walked, walks…). Matching is done by
generating forms, never by cutting words down, because cutting conflates ("general" is not
"generous"). The search index keeps SQLite's Porter tokenizer, since its queries must match how FTS5
tokenised the text; the families here widen those queries to the forms Porter cannot join.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_VOWELS = set("aeiou")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def fold(text: str) -> str:
    """Lower case, accents removed, curly apostrophes straightened: the form every match runs on."""
    text = text.translate(_APOSTROPHES).lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    marks = [c for c in set(decomposed) if unicodedata.combining(c)]  # each distinct character once
    return decomposed.translate(dict.fromkeys(map(ord, marks))) if marks else decomposed


_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each every few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just least less let
    like make me more most much my myself no nor not now of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then there these
    they this those through to too try under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves day days week weeks time times each per get
    go going keep start stop less more better"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def content_words(text: str) -> list[str]:
    """The words of a goal that show it is being talked about ("Sleep before midnight" -> sleep, midnight)."""
    words = re.findall(r"[a-z][a-z'’]+", text.lower())
    seen: list[str] = []
    for word in words:
        word = word.replace("’", "'")
        if word not in _STOPWORDS and len(word) > 2 and word not in seen:
            seen.append(word)
    return seen


def word_forms(word: str) -> list[str]:
    """Simple regular English forms of one word: plural/3rd person, past, -ing."""
    forms = {word}
    if not word.isalpha() or len(word) < 3:
        return [word]
    last = word[-1]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    elif last == "y" and word[-2] not in _VOWELS:
        forms.add(word[:-1] + "ies")
    else:
        forms.add(word + "s")
    if last == "e":
        forms.add(word + "d")
        if word.endswith("ie"):
            forms.add(word[:-2] + "ying")
        elif not word.endswith(("ee", "ye", "oe")):
            forms.add(word[:-1] + "ing")
        else:
            forms.add(word + "ing")
    elif last == "y" and word[-2] not in _VOWELS:
        forms.update((word[:-1] + "ied", word + "ing"))
    else:
        forms.update((word + "ed", word + "ing"))
        # Short consonant-vowel-consonant words double the consonant: sob -> sobbing, snap -> snapped.
        if last not in _VOWELS | set("wxy") and word[-2] in _VOWELS and word[-3] not in _VOWELS:
            forms.update((word + last + "ed", word + last + "ing"))
    return sorted(forms, key=len, reverse=True)


# Word forms a Porter stemmer cannot join. One family per line; every member finds the others.
WORD_FAMILIES: tuple[str, ...] = (
    "anxious, anxiety, anxieties, anxiously",
    "sleep, slept, asleep",
    "angry, anger, angrily",
    "panic, panicked, panicking, panicky",
    "therapy, therapist, therapeutic",
    "trauma, traumatic, traumatized, traumatised",
    "medication, medicine, meds",
    "lonely, loneliness",
    "guilt, guilty",
    "shame, ashamed",
    "proud, pride",
    "die, died, dying, death, dead",
    "child, children",
    "man, men",
    "woman, women",
    "person, people",
    "wife, wives",
    "mum, mom, mummy, mommy",
    "feel, felt",
    "think, thought",
    "go, went, gone",
    "say, said",
    "tell, told",
    "lose, lost, loss",
    "eat, ate, eaten",
    "run, ran",
    "speak, spoke, spoken",
    "fight, fought",
    "bring, brought",
    "buy, bought",
    "keep, kept",
    "meet, met",
    "pay, paid",
    "sit, sat",
    "stand, stood",
    "take, took, taken",
    "wake, woke, woken, awake",
    "write, wrote, written",
    "drink, drank, drunk",
    "drive, drove, driven",
    "forget, forgot, forgotten",
    "forgive, forgave, forgiven",
    "hide, hid, hidden",
    "know, knew, known",
    "make, made",
    "mean, meant",
    "teach, taught",
    "understand, understood",
    "begin, began, begun",
    "break, broke, broken",
    "choose, chose, chosen",
    "come, came",
    "get, got, gotten",
    "give, gave, given",
    "hold, held",
    "find, found",
    "fall, fell, fallen",
    "hear, heard",
    "see, saw, seen",
    "send, sent",
    "spend, spent",
    "throw, threw, thrown",
    "wear, wore, worn",
    "win, won",
    "cry, cried, cries, crying",
)


@functools.lru_cache(maxsize=1)
def _families() -> dict[str, tuple[str, ...]]:
    """Every member of every family, and their regular forms (sleeping, cries), -> the family."""
    table: dict[str, tuple[str, ...]] = {}
    for line in WORD_FAMILIES:
        members = tuple(w.strip() for w in line.split(","))
        for m in members:
            table[m] = members
        for m in members:
            for form in word_forms(m):
                table.setdefault(form, members)
    return table


def word_family(word: str) -> tuple[str, ...]:
    """The word and the forms a rule would miss (anxious -> anxious, anxiety, …); else the word alone."""
    w = fold(word)
    return _families().get(w) or (w,)


_UNDO = (("ies", "y"), ("ied", "y"), ("ying", "ie"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
         ("es", ""), ("s", ""))  # fmt: skip


def base_forms(word: str) -> set[str]:
    """The word, and what it may be a regular form of (walking -> walk, walke; sobbing -> sob)."""
    bases = {word}
    for suffix, replacement in _UNDO:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + replacement
            bases.add(base)
            if not replacement and base[-1] == base[-2] and base[-1] not in "aeioulsz":
                bases.add(base[:-1])  # sobbing -> sobb -> sob
    return bases


@functools.lru_cache(maxsize=65536)
def related_forms(word: str) -> frozenset[str]:
    """Every form that counts as this word: the regular forms of what it may be, and its family."""
    w = fold(word)
    forms: set[str] = set()
    for base in base_forms(w):
        forms.update(word_forms(base))
    for member in word_family(w):
        forms.update(word_forms(member))
    return frozenset(forms)


@functools.lru_cache(maxsize=4096)
def words_of(text: str) -> frozenset[str]:
    """The folded words of a text (cached: a review asks this for every goal of every entry)."""
    return frozenset(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", fold(text)))


def mentions(text_words: frozenset[str], word: str) -> bool:
    """Whether any form of `word` is among a text's words."""
    return not related_forms(word).isdisjoint(text_words)


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: lower case, without a leading '#' or '+' ("# +x" and "x" are one tag), each once."""
    seen: list[str] = []
    for tag in tags:
        t = re.sub(r"^[\s#+]+", "", tag).strip().lower()
        if t and t not in seen:
            seen.append(t)
    return seen
