"""``lexical``: the share of the answer's content words that appear in the passages.

The baseline is plain word overlap as commonly reported: no stemming, and a stop list of its own
(``BASELINE_STOP_WORDS``, longer than the judge's ``nli_judge.text.STOP_WORDS``), every
occurrence counted. It is kept apart from the judge's rules on purpose, so a change to the
judge's lexical signals never moves the baseline it is compared against.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eval.datasets import FaithItem
from eval.judges.base import Judge
from nli_judge.text import words

BASELINE_STOP_WORDS = frozenset("""a an the and or but if of to in on at by for with from as is
are was were be been being it its this that these those i you he she we they me him her us them
my your his our their not no do does did so than then there here what which who whom how when
where why all any both each few more most other some such only own same too very can will just
should now also into about over after before up down out off again further once""".split())


def baseline_words(text: str) -> list[str]:
    """Every word of ``text`` that is not a baseline stop word, repeats kept, unstemmed."""
    return [w for w in words(text) if w not in BASELINE_STOP_WORDS]


class LexicalJudge(Judge):
    name = "lexical"

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        out = np.full(len(items), np.nan)
        for i, it in enumerate(items):
            answer_words = baseline_words(it.answer)
            if not answer_words:
                out[i] = 1.0  # nothing claimed
                continue
            context = set(baseline_words(" ".join(it.passages)))
            out[i] = sum(w in context for w in answer_words) / len(answer_words)
        return out
