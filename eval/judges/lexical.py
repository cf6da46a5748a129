"""``lexical``: the share of the answer's content words that appear in the passages."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from eval.datasets import FaithItem
from eval.judges.base import Judge

STOPWORDS = set("""a an the and or but if of to in on at by for with from as is are was were be
been being it its this that these those i you he she we they me him her us them my your his our
their not no do does did so than then there here what which who whom how when where why all any
both each few more most other some such only own same too very can will just should now also
into about over after before up down out off again further once""".split())
_WORD = re.compile(r"\w+", re.UNICODE)


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


class LexicalJudge(Judge):
    name = "lexical"

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        out = np.full(len(items), np.nan)
        for i, it in enumerate(items):
            words = content_words(it.answer)
            if not words:
                out[i] = 1.0  # nothing claimed
                continue
            context = set(content_words(" ".join(it.passages)))
            out[i] = sum(w in context for w in words) / len(words)
        return out
