"""Fit the judge's learned answer score on dev sets, and say what each kind of signal is worth.

Used by ``nli_judge.judge.calibration`` (``python -m eval.calibrate --learned``). Every dev set
weighs the same, and inside a set both classes weigh the same, so the fit aims at the mean
balanced accuracy the benchmark reports. Each variant (model features alone, lexical features
alone, both) is measured by leave-one-set-out: fitted on the other dev sets, scored on the one
left out (at p = 0.5, the natural threshold under balanced weights), so the numbers are not in-
sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

from nli_judge.judge.aggregation import VARIANTS, LearnedAggregator, answer_features
from nli_judge.text import mask_html


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    """scikit-learn's ``balanced_accuracy_score`` (the mean recall of the classes in ``y``)
    without its input checks, which cost ~3 ms a call: threshold searches make thousands."""
    y, pred = np.asarray(y), np.asarray(pred)
    return float(np.mean([np.mean(pred[y == c] == c) for c in np.unique(y)]))


THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.05, 0.96, 0.01), 2))


def features_of(evidence: list, items: Sequence, min_overlap: float) -> list[dict[str, float]]:
    """Feature dicts of dev items from ``FaithfulnessJudge.claim_evidence`` output (after
    the window pre-selection) and the items' answers and passages."""
    rows = []
    for claims, item in zip(evidence, items, strict=True):
        real = [c for c in claims if c[4] is not None]
        rows.append(answer_features([c[:3] for c in real], [c[4] for c in real],
                                    mask_html(item.answer), [mask_html(p) for p in item.passages],
                                    len(claims) - len(real), min_overlap))
    return rows


def set_class_weights(labels_by_set: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {}
    for name, y in labels_by_set.items():
        counts = np.bincount(y, minlength=2).astype(float)
        out[name] = 1.0 / (len(labels_by_set) * 2 * counts[y])
    return out


def fit(feats: dict[str, list[dict]], labels: dict[str, np.ndarray], features: Sequence[str],
        c: float = 1.0) -> LearnedAggregator:
    """One aggregator on all the given dev sets (equal set and class weights); ``c``: the
    inverse regularisation strength (smaller: weights pulled harder toward 0)."""
    w = set_class_weights(labels)
    names = list(feats)
    weights = np.concatenate([w[n] for n in names])
    return LearnedAggregator.fit([r for n in names for r in feats[n]],
                                 np.concatenate([labels[n] for n in names]),
                                 weights / weights.mean(), features, c)  # mean weight 1: usual C


def has_claims(feats: dict[str, float]) -> bool:
    """Whether the answer had claims to check (one without is faithful, score 1.0)."""
    return feats["log_claims"] > 0


def scores_of(agg: LearnedAggregator, rows: list[dict]) -> np.ndarray:
    """Answer scores as the judge gives them: 1.0 for an answer without claims."""
    return np.array([agg.score(r) if has_claims(r) else 1.0 for r in rows])


def leave_one_set_out(feats: dict[str, list[dict]], labels: dict[str, np.ndarray]) -> dict:
    """Per variant: balanced accuracy and ROC AUC on each dev set when fitted on the others,
    and their means."""
    report = {}
    for variant, features in VARIANTS.items():
        per_set = {}
        for held in feats:
            rest = [n for n in feats if n != held]
            agg = fit({n: feats[n] for n in rest}, {n: labels[n] for n in rest}, features)
            s, y = scores_of(agg, feats[held]), labels[held]
            per_set[held] = {"balanced_accuracy": round(float(balanced_accuracy(
                y, (s >= 0.5).astype(int))), 4),
                "roc_auc": round(float(roc_auc_score(y, s)), 4)}
        report[variant] = {
            "mean_balanced_accuracy": round(float(np.mean([v["balanced_accuracy"]
                                                           for v in per_set.values()])), 4),
            "mean_roc_auc": round(float(np.mean([v["roc_auc"] for v in per_set.values()])), 4),
            "per_set": per_set}
    return report


def best_threshold(agg: LearnedAggregator, feats: dict[str, list[dict]],
                   labels: dict[str, np.ndarray]) -> tuple[float, float]:
    """The one global threshold with the best mean dev balanced accuracy, and that mean."""
    scored = {n: scores_of(agg, feats[n]) for n in feats}
    best = max(THRESHOLDS, key=lambda t: np.mean([
        balanced_accuracy(labels[n], (scored[n] >= t).astype(int)) for n in feats]))
    mean = np.mean([balanced_accuracy(labels[n], (scored[n] >= best).astype(int))
                    for n in feats])
    return best, float(mean)
