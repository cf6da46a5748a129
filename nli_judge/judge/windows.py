"""Cut evidence passages into sentence-aligned, overlapping windows that fit the model.

A window is a ``(start, end)`` character span of the passage. Passages that fit the token
budget are one window. Longer ones are covered by windows of whole sentences, each starting
``overlap`` sentences before the previous one ended; a single sentence longer than the budget
is cut at word boundaries into overlapping pieces. Every character of the passage is in some
window: nothing is silently truncated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nli_judge.judge.sentences import split_sentences

_WORDS = re.compile(r"\S+")


def _split_long(passage: str, start: int, end: int, count: Callable[[str], int],
                budget: int) -> list[tuple[int, int]]:
    """Word-boundary pieces of one over-long sentence, overlapping by a quarter."""
    words = [(start + m.start(), start + m.end()) for m in _WORDS.finditer(passage[start:end])]
    pieces, i = [], 0
    while i < len(words):
        j, used = i, 0
        while j < len(words):
            used += count(passage[words[j][0]:words[j][1]]) or 1
            if used > budget and j > i:
                break
            j += 1
        pieces.append((words[i][0], words[j - 1][1]))
        if j >= len(words):
            break
        i = max(i + 1, j - max(1, (j - i) // 4))
    return pieces


def evidence_windows(
    passage: str,
    count_tokens: Callable[[str], int],
    budget: int,
    overlap: int = 1,
    max_sentences: int | None = None,
) -> list[tuple[int, int]]:
    """Windows of ``passage`` with at most ``budget`` tokens (by ``count_tokens``) and at
    most ``max_sentences`` sentences each (None: no sentence limit)."""
    if not passage.strip():
        return []
    stripped = (len(passage) - len(passage.lstrip()), len(passage.rstrip()))
    sentences = split_sentences(passage)
    if count_tokens(passage) <= budget and (max_sentences is None
                                            or len(sentences) <= max_sentences):
        return [stripped]
    limit = max_sentences or len(sentences) + 1
    overlap = min(overlap, max(0, limit - 1))
    units: list[tuple[int, int, int]] = []  # (start, end, tokens), sentences or pieces
    for s, e in sentences:
        n = count_tokens(passage[s:e])
        if n > budget:
            units += [(a, b, count_tokens(passage[a:b])) for a, b in
                      _split_long(passage, s, e, count_tokens, budget)]
        else:
            units.append((s, e, n))
    windows, i = [], 0
    while i < len(units):
        j, used = i, 0
        while j < len(units) and j - i < limit and (used + units[j][2] <= budget or j == i):
            used += units[j][2]
            j += 1
        windows.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        i = max(i + 1, j - overlap)
    return windows
