"""Metrics for faithfulness judges: labels 1 = faithful, 0 = unfaithful; scores are higher
for more faithful answers. Unfaithful is the positive class for ROC AUC, PR AUC and F1."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    roc_auc_score,
)

from nli_judge.judge.aggregation_fit import balanced_accuracy


def tune_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The decision threshold (faithful when score >= t) with the best balanced accuracy on
    these (calibration) items; ties go to the middle of the best run of candidates."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    ok = ~np.isnan(s)
    y, s = y[ok], s[ok]
    if len(np.unique(y)) < 2:
        return 0.5
    cands = np.unique(np.concatenate([s, [s.max() + 1e-6]]))
    bal = np.array([balanced_accuracy(y, (s >= t).astype(int)) for t in cands])
    best = np.flatnonzero(bal >= bal.max() - 1e-12)
    return float(cands[best[len(best) // 2]])


def binary_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """Balanced accuracy, ROC AUC, PR AUC, F1 (unfaithful = positive), n, and how many items
    had no score (NaN: the judge failed on them; they count as errors at the threshold)."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    failed = np.isnan(s)
    pred = np.where(failed, 1 - y, (s >= threshold).astype(int))  # a failure is a wrong answer
    unfaithful = 1 - y
    out = {"n": int(len(y)), "failed": int(failed.sum()), "threshold": float(threshold),
           "balanced_accuracy": float(balanced_accuracy_score(y, pred)),
           "f1_unfaithful": float(f1_score(unfaithful, 1 - pred, zero_division=0))}
    ok = ~failed
    if len(np.unique(y[ok])) == 2:
        out["roc_auc"] = float(roc_auc_score(unfaithful[ok], -s[ok]))
        out["pr_auc"] = float(average_precision_score(unfaithful[ok], -s[ok]))
    else:
        out["roc_auc"] = out["pr_auc"] = None
    return out
