"""Where two transcripts of the same clips differ: word errors per clip, from one alignment with the reference.

`quality.py` lists the clips where the live transcript has more errors than `add`'s, so a gap in WER can be
traced to a part of the recording (and, with the live run's chunk and window log, to its cause).
"""

from __future__ import annotations

from collections.abc import Callable


def errors_per_reference_word(ref: list[str], hyp: list[str]) -> list[int]:
    """Edit-distance alignment; each error is put on a reference word (an insertion on the one before it)."""
    n, m = len(ref), len(hyp)
    rows = [list(range(m + 1))]
    for i in range(1, n + 1):
        prev, cur = rows[-1], [i] + [0] * m
        for j in range(1, m + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] != hyp[j - 1]))
        rows.append(cur)
    per = [0] * max(n, 1)
    i, j = n, m
    while i > 0 or j > 0:
        if i and j and rows[i][j] == rows[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            per[i - 1] += ref[i - 1] != hyp[j - 1]
            i, j = i - 1, j - 1
        elif i and rows[i][j] == rows[i - 1][j] + 1:
            per[i - 1] += 1
            i -= 1
        else:
            per[max(i - 1, 0)] += 1
            j -= 1
    return per


def errors_per_clip(references: list[str], hypothesis: str, words: Callable[[str], list[str]]) -> list[int]:
    """Word errors of `hypothesis` (the whole recording) in each clip of the reference."""
    ref, clip_of = [], []
    for k, text in enumerate(references):
        said = words(text)
        ref += said
        clip_of += [k] * len(said)
    per = errors_per_reference_word(ref, words(hypothesis))
    out = [0] * len(references)
    for i, k in enumerate(clip_of):
        out[k] += per[i]
    return out
