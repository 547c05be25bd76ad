"""Themes: which of the things people bring to therapy an entry touches, and which words said so.

A theme is a readable list of words and phrases. Matching is deliberately precise, because a theme
shown on an entry that never mentions it erodes trust in the whole journal:

- terms match on word boundaries, case- and accent-insensitively, with simple English word forms
  generated from each word (worry -> worries, worried, worrying; cope -> coped, coping; sob -> sobbing);
  irregular forms (slept, felt) are listed explicitly;
- a phrase matches with any whitespace or hyphen between its words ("self esteem" = "self-esteem");
- `exact` terms match only as written (no word forms: "worked late", not "worked");
- `not_in` phrases veto any match inside them. The main judgement calls, each covered by a test:
  "work out / worked out / work through / work on myself" are not the *work* theme (they are about
  solving or exercising), "working out" at the gym counts as *body and health*; "sleep on it" is not
  *sleep*; "tired of" is not *sleep*; "my phone died" is not *grief*; a "breathing exercise" is not
  *body and health*; a calendar "date" is never *relationships* (only "dating", "first date", …).

Every detected theme stores the words that triggered it, so the person can always see why.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from voicejournal.core.text import fold, word_forms
from voicejournal.errors import UsageError


@dataclass(frozen=True)
class Theme:
    name: str
    words: tuple[str, ...]  # matched with simple word forms
    exact: tuple[str, ...] = ()  # matched only as written
    not_in: tuple[str, ...] = ()  # phrases whose words never count for this theme
    builtin: bool = True


def _t(name: str, words: str, exact: str = "", not_in: str = "") -> Theme:
    """Themes are written as comma-separated lists so the set below stays readable."""

    def split(text: str) -> tuple[str, ...]:
        return tuple(w.strip() for w in text.split(",") if w.strip())

    return Theme(name, split(words), split(exact), split(not_in))


BUILTIN_THEMES: tuple[Theme, ...] = (
    _t(
        "anxiety",
        "anxiety, anxious, anxiously, worry, worrying, nervous, nervousness, panic, panic attack, "
        "fear, fearful, afraid, scared, scary, dread, terrified, stress, stressful, tense, tension, "
        "overwhelmed, overwhelming, overthink, overthinking, racing thoughts, heart racing, "
        "catastrophize, catastrophise, catastrophizing, catastrophising, phobia, on edge, uneasy",
        exact="panicked, panicking, worried, worries",
    ),
    _t(
        "low mood",
        "depressed, depression, depressive, sad, sadness, low mood, feel low, feeling low, hopeless, "
        "hopelessness, numb, lonely, loneliness, cry, tearful, in tears, miserable, despair, empty inside, "
        "no energy, no motivation, unmotivated, feel down, feeling down, feeling blue, dark place, "
        "stay in bed, feel pointless, everything is pointless, worthless",
        exact="felt low, felt down, stayed in bed, felt pointless",
    ),
    _t(
        "sleep",
        "sleep, sleepless, insomnia, asleep, nap, nightmare, bedtime, go to bed, tired, exhausted, "
        "exhaustion, awake, restless night, woke up in the night, sleeping pill",
        exact="slept, went to bed, going to bed, woke up at",
        not_in="sleep on it, tired of, sick and tired",
    ),
    _t(
        "work",
        "workplace, workload, job, boss, manager, colleague, coworker, co-worker, office, deadline, "
        "career, promotion, overtime, salary, unemployed, night shift, job interview, my shift, "
        "performance review, burnout, burned out, burnt out",
        # Only the base form "work": "it worked" / "working on it" are rarely about the job.
        exact="work, worked late, working late, working from home, work from home, working hours, "
        "laid off, got fired, was fired, fired me",
        not_in="work out, works out, worked out, working out, work it out, worked it out, "
        "work through, worked through, working through, work on myself, working on myself, "
        "work on it, working on it, work with my therapist, the work we do, therapy work, "
        "homework, work together, didn't work, doesn't work, does not work, did not work, won't work, "
        "will work, would work, might work, could work, may work, can work, should work, work for me, "
        "make it work, work for us",
    ),
    _t(
        "family",
        "family, mother, mom, mum, mommy, mummy, father, dad, daddy, parent, sister, brother, sibling, "
        "son, daughter, child, grandmother, grandma, grandfather, grandpa, granny, aunt, uncle, "
        "cousin, in-laws, mother-in-law, father-in-law, stepmother, stepfather, stepmom, stepdad, niece, "
        "nephew",
        exact="children, parents, kid, kids",
    ),
    _t(
        "relationships",
        "relationship, partner, husband, wife, boyfriend, girlfriend, marriage, married, divorce, "
        "breakup, break-up, dating, first date, spouse, fiance, fiancee, romantic, intimacy, "
        "jealous, jealousy, my ex",
        exact="broke up, break up, breaking up, split up, wives, in love",
        not_in="business partner, relationship with my therapist, relationship with food",
    ),
    _t(
        "friendship",
        "friend, friendship, best friend, buddy, hang out, catch up with, group chat, girls night, "
        "guys night",
        exact="hung out, hanging out, caught up with",
        not_in="boyfriend, girlfriend",
    ),
    _t(
        "self-esteem",
        "self-esteem, self-worth, self-confidence, confidence, confident, insecure, insecurity, "
        "not good enough, failure, ashamed, shame, embarrassed, hate myself, self-critical, inner critic, "
        "impostor, imposter, impostor syndrome, compare myself, self-doubt, doubt myself, "
        "believe in myself, feel stupid, feel useless, i'm useless, i'm so stupid, worthless",
        exact="felt stupid, felt useless",
    ),
    _t(
        "grief and loss",
        "grief, grieve, grieving, mourn, mourning, passed away, death, funeral, bereavement, widow, "
        "widowed, miscarriage, cemetery, his grave, her grave, anniversary of her death, "
        "anniversary of his death, lost my mother, lost my father, lost my mum, "
        "lost my dad, lost my husband, lost my wife, lost my brother, lost my sister, lost my son, "
        "lost my daughter, lost my friend, lost the baby",
        exact="died, dying, i miss her, i miss him",
        not_in="phone died, battery died, laptop died, car died, dying to",
    ),
    _t(
        "anger",
        "anger, angry, angrily, furious, rage, irritated, irritable, annoyed, annoying, frustrated, "
        "frustration, frustrating, resentment, resentful, snap at, yell, shout, scream, lose my temper, "
        "lost my temper, pissed off, mad at, outburst, livid",
        exact="snapped at",
    ),
    _t(
        "boundaries",
        "boundary, boundaries, say no, saying no, people pleasing, people-pleasing, people pleaser, "
        "stand up for myself, assertive, assertiveness, my limits, overstep, take advantage of me, "
        "taken advantage of, space for myself, need space, guilt trip, guilt-trip",
        exact="said no, stood up for myself, took advantage of me",
    ),
    _t(
        "body and health",
        "headache, migraine, pain, chest pain, stomach, nausea, doctor, illness, sick, gym, yoga, "
        "exercise, workout, working out, go for a run, went for a run, swimming, diet, appetite, "
        "eating habits, binge eating, stopped eating, eating disorder, lost weight, gained weight, "
        "my weight, "
        "blood pressure, diagnosis, hospital, symptom, body, health, healthy, injury, surgery",
        not_in="breathing exercise, grounding exercise, writing exercise, journaling exercise, "
        "exposure exercise, therapy exercise, exercise my therapist, sick of, sick and tired, "
        "body of work, mental health",
    ),
    _t(
        "medication",
        "medication, medicine, meds, pill, dose, dosage, antidepressant, sertraline, fluoxetine, "
        "citalopram, escitalopram, venlafaxine, bupropion, mirtazapine, lithium, lamotrigine, "
        "quetiapine, prescription, prescribed, side effect, psychiatrist, ssri, benzodiazepine, "
        "lorazepam, diazepam, xanax, prozac, zoloft, lexapro, wellbutrin, melatonin",
    ),
    _t(
        "trauma",
        "trauma, traumatic, traumatized, traumatised, flashback, ptsd, abuse, abusive, assault, "
        "dissociate, dissociation, dissociating, hypervigilant, hypervigilance, emdr, intrusive memory, "
        "intrusive memories",
        exact="triggered, abused, assaulted",
    ),
    _t(
        "the therapy itself",
        "therapy, therapist, counselor, counsellor, counselling, counseling, psychologist, session, "
        "homework, cbt, dbt",
        not_in="gym session, training session, photo session, jam session",
    ),
    _t(
        "progress and wins",
        "progress, proud, proud of myself, small win, a win, victory, breakthrough, improvement, improve, "
        "achieve, accomplish, succeed, success, celebrate, feel better, feeling better, getting better, "
        "managed to, milestone",
        exact="felt better, nailed it",
    ),
)

BUILTIN_NAMES = tuple(t.name for t in BUILTIN_THEMES)

# Matching runs on words, not one big regular expression per theme: compiling those cost 40 ms in
# every process that saved an entry; these lookup tables take about 2 ms to build.
# A word keeps its inner apostrophes ("don't" is never "don"); a possessive 's is dropped ("my
# mother's" is "mother"); hyphens and spaces both separate words ("self-esteem" = "self esteem").
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

Forms = tuple[frozenset[str], ...]  # the accepted forms of each word of one term


def _term_forms(term: str, inflect: bool) -> Forms:
    words = [w for w in re.split(r"[\s\-]+", fold(term).strip()) if w]
    return tuple(frozenset(word_forms(w) if inflect else (w,)) for w in words)


def _table(terms: Iterable[Forms]) -> dict[str, list[Forms]]:
    """First word form -> the terms starting with it, longest first (a phrase beats its first word)."""
    table: dict[str, list[Forms]] = {}
    for forms in terms:
        if forms:
            for first in forms[0]:
                table.setdefault(first, []).append(forms)
    for candidates in table.values():
        candidates.sort(key=len, reverse=True)
    return table


@lru_cache(maxsize=64)
def _compile(theme: Theme) -> tuple[dict[str, list[Forms]], dict[str, list[Forms]]]:
    """(terms, vetoes) of a theme, each as a table by first word form."""
    terms = [_term_forms(w, True) for w in theme.words] + [_term_forms(w, False) for w in theme.exact]
    return _table(terms), _table(_term_forms(w, True) for w in theme.not_in)


@lru_cache(maxsize=8)
def _starts(themes: tuple[Theme, ...]) -> dict[str, list[tuple[int, list[Forms]]]]:
    """First word form -> (slot, the terms starting with it, longest first) for every theme that has one;
    slot 2*n is theme n's terms, 2*n + 1 its vetoes. One pass over a text then finds every theme's terms."""
    merged: dict[str, list[tuple[int, list[Forms]]]] = {}
    for n, theme in enumerate(themes):
        for slot, table in zip((2 * n, 2 * n + 1), _compile(theme), strict=True):
            for first, candidates in table.items():
                merged.setdefault(first, []).append((slot, candidates))
    return merged


def _spans(keys: list[str], themes: tuple[Theme, ...]) -> dict[int, list[tuple[int, int]]]:
    """Slot -> non-overlapping (first, past last) word index spans of its terms: the longest at a word wins."""
    merged = _starts(themes)
    spans: dict[int, list[tuple[int, int]]] = {}
    free = [0] * (2 * len(themes))  # slot -> first index not inside the term it found last
    for i in [i for i, key in enumerate(keys) if key in merged]:  # most words start no term at all
        for slot, candidates in merged[keys[i]]:
            if i < free[slot]:
                continue
            for forms in candidates:
                size = len(forms)
                if size == 1 or (  # the second word first: most terms are one or two words
                    i + size <= len(keys)
                    and keys[i + 1] in forms[1]
                    and all(keys[i + k] in forms[k] for k in range(2, size))
                ):
                    spans.setdefault(slot, []).append((i, i + size))
                    free[slot] = i + size
                    break
    return spans


def theme_set(user_themes: Iterable[Mapping] = ()) -> list[Theme]:
    """The built-in themes plus the person's own (a user theme with a built-in name replaces it)."""
    themes = {t.name: t for t in BUILTIN_THEMES}
    for doc in user_themes:
        name = normalize_theme_name(doc["name"])
        words = tuple(w for w in doc.get("words", ()) if w.strip())
        if words:
            themes[name] = Theme(name, words, builtin=False)
    return list(themes.values())


def normalize_theme_name(name: str) -> str:
    return " ".join(fold(name).split())


def detect_themes(
    text: str, user_themes: Iterable[Mapping] | Iterable[Theme] = (), only: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """Themes the text touches -> the words (as said, lower case) that triggered each, in order of first use.

    `user_themes` are the person's definitions (dicts with "name" and "words", as stored) or `Theme`s;
    `only` limits detection to these theme names.
    """
    user = list(user_themes)
    if user and isinstance(user[0], Theme):
        themes = {t.name: t for t in BUILTIN_THEMES}
        themes.update({t.name: t for t in user})
        chosen = list(themes.values())
    else:
        chosen = theme_set(user)
    if only is not None:
        wanted = set(only)
        chosen = [t for t in chosen if t.name in wanted]
    folded = fold(text)
    keys = [w[:-2] if w.endswith("'s") else w for w in _WORD.findall(folded)]
    words: list[re.Match] = []  # the matches themselves, found only if a term of several words is
    spans = _spans(keys, tuple(chosen))
    found: dict[str, list[str]] = {}
    for n, theme in enumerate(chosen):
        vetoed = spans.get(2 * n + 1, [])
        triggers: list[str] = []
        for start, stop in spans.get(2 * n, ()):
            if any(start < v_stop and v_start < stop for v_start, v_stop in vetoed):
                continue
            if stop - start == 1:
                said = keys[start]
            else:
                words = words or list(_WORD.finditer(folded))
                end = words[stop - 1].end() - (2 if keys[stop - 1] != words[stop - 1].group() else 0)
                said = " ".join(folded[words[start].start() : end].split())
            if said not in triggers:
                triggers.append(sys.intern(said))  # one copy of each word for all entries held at once
        if triggers:
            found[theme.name] = triggers
    return found


# --- counts over time -------------------------------------------------------------------------


@dataclass
class ThemeTrend:
    name: str
    total: int  # entries touching the theme in the period
    months: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" -> entries that month
    trend: str = "steady"  # "rising", "fading", "steady", "new"

    @property
    def arrow(self) -> str:
        return {"rising": "↑", "fading": "↓", "new": "↑", "steady": "="}[self.trend]


def month_range(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from first to last inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    end_y, end_m = int(last[:4]), int(last[5:7])
    out = []
    while (y, m) <= (end_y, end_m):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def theme_trends(
    rows: Iterable[tuple[str, str, int]], entries_per_month: Mapping[str, int], months: list[str]
) -> list[ThemeTrend]:
    """Counts per month and a trend for each theme.

    `rows` are (theme, "YYYY-MM", number of entries touching it that month); `entries_per_month` counts
    all entries, so the trend compares the *share* of entries touching a theme in the later half of the
    period with the earlier half (more entries overall is not a rising theme). A theme counts as rising
    or fading when its share changes by at least a quarter and by at least two entries' worth.
    """
    wanted = set(months)
    by_theme: dict[str, dict[str, int]] = {}
    for theme, month, n in rows:
        if month in wanted:
            counts = by_theme.setdefault(theme, {})
            counts[month] = counts.get(month, 0) + n
    half = len(months) // 2
    early, late = months[:half], months[half:]
    early_total = sum(entries_per_month.get(m, 0) for m in early)
    late_total = sum(entries_per_month.get(m, 0) for m in late)
    trends = []
    for theme, counts in by_theme.items():
        early_n = sum(counts.get(m, 0) for m in early)
        late_n = sum(counts.get(m, 0) for m in late)
        trend = "steady"
        if early and early_total and late_total:
            early_share, late_share = early_n / early_total, late_n / late_total
            expected_late = early_share * late_total
            if early_n == 0 and late_n >= 2:
                trend = "new"
            elif late_share >= early_share * 1.25 and late_n - expected_late >= 2:
                trend = "rising"
            elif late_share <= early_share * 0.75 and expected_late - late_n >= 2:
                trend = "fading"
        full = {m: counts.get(m, 0) for m in months}
        trends.append(ThemeTrend(theme, sum(counts.values()), full, trend))
    trends.sort(key=lambda t: (-t.total, t.name))
    return trends


# --- the person's own themes ---------------------------------------------------------------------


def clean_definition(name: str, words: Iterable[str]) -> tuple[str, list[str]]:
    """A theme definition as stored: a folded name and its distinct folded words, or a clear error."""
    clean_name = normalize_theme_name(name)
    clean_words: list[str] = []
    for w in words:
        w = " ".join(fold(w).split())
        if w and w not in clean_words:
            clean_words.append(w)
    if not clean_name:
        raise UsageError("A theme needs a name, e.g. `voicejournal themes define cats cat kitten`.")
    if not clean_words or not any(re.search(r"\w", w) for w in clean_words):
        raise UsageError(
            f"Give the theme '{clean_name}' at least one word, e.g. `voicejournal themes define "
            f"{clean_name} word another`."
        )
    return clean_name, clean_words
