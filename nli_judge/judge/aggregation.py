"""A learned answer score: logistic regression over a few readable features of an answer.

The judge decides each sentence from the NLI model's outputs; the answer's score used to be a
hand-set rule over those (the min or mean of sentence scores). ``LearnedAggregator`` learns the
combination on dev data instead (``eval.calibrate --learned``), from features of two kinds:

- model features: the claims' best entailment from a window that holds the claim's numbers
  (min and mean), the share of claims entailed,
  the strongest contradiction from a related window, the share of claims whose best window
  lacks one of their numbers;
- lexical features the model is blind to: the share of the answer's content words found in
  the passages, the worst claim's word overlap with the passages, the share of the answer's
  names and of its claims' numbers that no passage mentions;
- and the answer's shape: how many claims, the share that are cut off (``incomplete``).

Standardised features, one weight each: the weights in ``judge_calibration.json`` say what
drives a verdict. The score is the predicted probability that the answer is faithful.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from nli_judge.judge.evidence_checks import missing_numbers, overlap_of_sets
from nli_judge.text import content_words

MODEL_FEATURES = ("min_entailment", "mean_entailment", "share_entailed", "max_contradiction",
                  "share_numbers_missing_at_best")
LEXICAL_FEATURES = ("lexical_support", "min_claim_overlap", "share_names_missing",
                    "share_numbers_missing")
SHAPE_FEATURES = ("log_claims", "share_incomplete")
FEATURES = MODEL_FEATURES + LEXICAL_FEATURES + SHAPE_FEATURES
VARIANTS = {"model": MODEL_FEATURES + SHAPE_FEATURES,
            "lexical": LEXICAL_FEATURES + SHAPE_FEATURES,
            "both": FEATURES}
_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][a-zA-Z'\-]{2,}")


def answer_features(claims: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
                    claim_texts: Sequence[str], answer: str, passages: Sequence[str],
                    incomplete: int = 0, min_overlap: float = 0.5) -> dict[str, float]:
    """The features of one answer. ``claims``: per claim, its (pairs, 3) probabilities, the
    (pairs,) numbers-present flags and (pairs,) word overlaps of the windows it was checked
    against (``FaithfulnessJudge.claim_evidence``); a claim with no rows (no evidence) counts
    as not entailed. ``claim_texts``: the claims' texts, same order. ``incomplete``: how many
    sentences were cut off (each counts as a claim that is not entailed)."""
    ent, con, miss_best = [0.0] * incomplete, [0.0] * incomplete, [0.0] * incomplete
    for probs, ok, related in claims:
        if probs.size == 0:
            ent.append(0.0)
            con.append(0.0)
            miss_best.append(0.0)
            continue
        best = int(probs[:, 0].argmax())
        # entailment counts only from windows holding the claim's numbers, as for the
        # sentence's label (a claim with a changed number is not entailed)
        ent.append(float((probs[:, 0] * ok).max()))
        con.append(float((probs[:, 2] * (related >= min_overlap)).max()))
        miss_best.append(float(not ok[best]))
    evidence = " ".join(passages)
    evidence_words = content_words(evidence)
    names = _NAME.findall(answer)
    lower_evidence = evidence.lower()
    n = max(len(claims) + incomplete, 1)
    return {
        "min_entailment": min(ent, default=1.0),
        "mean_entailment": float(np.mean(ent)) if ent else 1.0,
        "share_entailed": float(np.mean([e >= 0.5 for e in ent])) if ent else 1.0,
        "max_contradiction": max(con, default=0.0),
        "share_numbers_missing_at_best": float(np.mean(miss_best)) if miss_best else 0.0,
        "lexical_support": overlap_of_sets(content_words(answer), evidence_words),
        "min_claim_overlap": min((overlap_of_sets(content_words(c), evidence_words)
                                  for c in claim_texts), default=1.0),
        "share_names_missing": (float(np.mean([x.lower() not in lower_evidence for x in names]))
                                if names else 0.0),
        "share_numbers_missing": float(np.mean([bool(missing_numbers(c, evidence))
                                                for c in claim_texts])) if claim_texts else 0.0,
        "log_claims": float(np.log1p(len(claims) + incomplete)),
        "share_incomplete": incomplete / n,
    }


def logit(p: np.ndarray | float) -> np.ndarray:
    """log(p / (1 - p)), p clipped to [1e-4, 1 - 1e-4] so that 0 and 1 stay finite."""
    p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


@dataclass
class LearnedAggregator:
    """Logistic regression over standardised ``features``: p(faithful)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float

    def score(self, feats: dict[str, float]) -> float:
        return float(1 / (1 + np.exp(-self.logit(feats))))

    def logit(self, feats: dict[str, float]) -> float:
        """The score before the logistic function (log-odds of faithful)."""
        x = np.array([feats[f] for f in self.features])
        return float(np.dot((x - self.mean) / self.scale, self.coef) + self.intercept)

    def rescaled(self, a: float, b: float) -> LearnedAggregator:
        """The same features with the log-odds mapped to ``a * z + b`` (Platt scaling):
        the ranking stays, the probabilities move (``a`` < 1 makes them less sure)."""
        return LearnedAggregator(list(self.features), list(self.mean), list(self.scale),
                                 [a * w for w in self.coef], a * self.intercept + b)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> LearnedAggregator:
        return cls(**d)

    @classmethod
    def fit(cls, rows: Sequence[dict[str, float]], labels: Sequence[int],
            weights: Sequence[float] | None = None, features: Sequence[str] = FEATURES,
            c: float = 1.0) -> LearnedAggregator:
        """Fit on feature dicts and labels (1 faithful); ``weights`` per row (e.g. so each dev
        set and each class weighs the same)."""
        from sklearn.linear_model import LogisticRegression

        x = np.array([[r[f] for f in features] for r in rows], dtype=float)
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        lr = LogisticRegression(C=c, max_iter=1000)
        lr.fit((x - mean) / scale, np.asarray(labels), sample_weight=weights)
        return cls(list(features), mean.tolist(), scale.tolist(), lr.coef_[0].tolist(),
                   float(lr.intercept_[0]))
