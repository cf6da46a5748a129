"""Cheap lexical checks beside the NLI model: numbers a claim has that its evidence lacks
(NLI models often miss 500 vs 5000), and how much of a claim's wording a window shares."""

from __future__ import annotations

import re

from nli_judge.text import content_words

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


def numbers(text: str) -> set[str]:
    """The numbers in ``text``, normalised: "1,000" -> "1000", "2.50" -> "2.5", "two" -> "2"."""
    found = set()
    for m in _NUMBER.finditer(text):
        n = m.group(0)
        if re.fullmatch(r"\d{1,3}(,\d{3})+", n):
            n = n.replace(",", "")
        n = n.replace(",", ".")
        if "." in n:
            n = n.rstrip("0").rstrip(".")
        found.add(n.lstrip("0") or "0")
    found |= {_WORDS[m.group(1).lower()] for m in _WORD_NUMBER.finditer(text)}
    return found


def missing_numbers(claim: str, evidence: str) -> set[str]:
    """Numbers of ``claim`` that ``evidence`` does not mention."""
    return numbers(claim) - numbers(evidence)


def overlap(claim: str, evidence: str) -> float:
    """Share of the claim's content words that appear in the evidence (1.0 for none)."""
    return overlap_of_sets(content_words(claim), content_words(evidence))


def overlap_of_sets(claim_words: set[str], evidence_words: set[str]) -> float:
    """``overlap`` on precomputed ``content_words`` sets."""
    return len(claim_words & evidence_words) / len(claim_words) if claim_words else 1.0
