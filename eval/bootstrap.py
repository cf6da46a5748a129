"""Bootstrap intervals for the benchmark: how sure is a balanced accuracy, a ROC AUC, and the
difference between two judges on the same items?

Resampling is stratified by label (faithful and unfaithful items are resampled apart, so each
resample keeps the set's label counts and balanced accuracy is always defined). Intervals are
percentile intervals (2.5th and 97.5th percentiles for 95%). A paired comparison resamples the
same item indices for both judges, so the interval of the difference reflects how the two
judges differ on the same items, not two independent noises. A macro interval resamples each
dataset independently and averages the per-dataset values of each resample.

Labels: 1 faithful, 0 unfaithful; a score at or above the threshold means faithful; a NaN
score (the judge failed) counts as a wrong answer, as in ``eval.metrics.binary_metrics``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

N_BOOT = 1000
LEVEL = 0.95


@dataclass
class Scored:
    """One judge on one dataset: labels, scores and the decision threshold."""

    labels: np.ndarray
    scores: np.ndarray
    threshold: float

    def correct(self) -> np.ndarray:
        y = np.asarray(self.labels, dtype=int)
        s = np.asarray(self.scores, dtype=float)
        pred = np.where(np.isnan(s), 1 - y, (s >= self.threshold).astype(int))
        return pred == y


def stratified_indices(labels: np.ndarray, n_boot: int = N_BOOT, seed: int = 0) -> np.ndarray:
    """(n_boot, n) item indices: each row resamples the faithful and the unfaithful items
    apart, with replacement, keeping their counts."""
    y = np.asarray(labels, dtype=int)
    rng = np.random.default_rng(seed)
    out = np.empty((n_boot, len(y)), dtype=int)
    col = 0
    for lab in (0, 1):
        members = np.flatnonzero(y == lab)
        if len(members):
            out[:, col:col + len(members)] = rng.choice(members, (n_boot, len(members)))
            col += len(members)
    return out


def balanced_accuracies(correct: np.ndarray, labels: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Balanced accuracy of each resample (rows of ``idx``): the mean of the per-class
    accuracies of the classes present."""
    y, c = np.asarray(labels, dtype=int)[idx], np.asarray(correct, dtype=bool)[idx]
    rates = []
    for lab in (0, 1):
        members = y == lab
        count = members.sum(axis=1)
        if count.any():
            rates.append((c & members).sum(axis=1) / np.maximum(count, 1))
    return np.mean(rates, axis=0)


def roc_aucs(labels: np.ndarray, scores: np.ndarray, idx: np.ndarray) -> np.ndarray | None:
    """ROC AUC of each resample, unfaithful = positive (a lower score flags it); None when a
    score is NaN or a class is missing."""
    y, s = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    if np.isnan(s).any() or len(np.unique(y)) < 2:
        return None
    ys, ranks = y[idx], rankdata(-s[idx], axis=1)  # high rank = looks unfaithful
    pos = ys == 0
    n_pos, n_neg = pos.sum(axis=1), (~pos).sum(axis=1)
    return ((ranks * pos).sum(axis=1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def interval(values: np.ndarray, level: float = LEVEL) -> list[float]:
    """The percentile interval [lo, hi] holding ``level`` of ``values``."""
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return [float(lo), float(hi)]


def metric_intervals(run: Scored, n_boot: int = N_BOOT, seed: int = 0) -> dict:
    """``balanced_accuracy_ci`` and ``roc_auc_ci`` (None where AUC is undefined)."""
    idx = stratified_indices(run.labels, n_boot, seed)
    aucs = roc_aucs(run.labels, run.scores, idx)
    return {"balanced_accuracy_ci": interval(balanced_accuracies(run.correct(), run.labels,
                                                                 idx)),
            "roc_auc_ci": None if aucs is None else interval(aucs)}


def _differences(a: Scored, b: Scored, idx: np.ndarray) -> np.ndarray:
    """Balanced accuracy of ``a`` minus that of ``b`` on each resample (rows of ``idx``)."""
    return (balanced_accuracies(a.correct(), a.labels, idx)
            - balanced_accuracies(b.correct(), b.labels, idx))


def _summary(observed: float, diffs: np.ndarray) -> dict:
    return {"difference": observed, "ci": interval(diffs),
            "p_not_better": float(np.mean(diffs <= 0))}


def _paired(a: Scored, b: Scored, n_boot: int, seed: int) -> tuple[float, np.ndarray]:
    """The observed difference and the resampled differences of one dataset."""
    if not np.array_equal(np.asarray(a.labels), np.asarray(b.labels)):
        raise ValueError("paired comparison needs the same items (labels differ)")
    full = np.arange(len(a.labels))[None, :]
    return (float(_differences(a, b, full)[0]),
            _differences(a, b, stratified_indices(a.labels, n_boot, seed)))


def paired_difference(a: Scored, b: Scored, n_boot: int = N_BOOT, seed: int = 0) -> dict:
    """Balanced accuracy of ``a`` minus that of ``b`` on the same items: the observed
    difference, its paired interval, and the share of resamples where it is <= 0."""
    return _summary(*_paired(a, b, n_boot, seed))


def macro_intervals(runs: Sequence[Scored], n_boot: int = N_BOOT, seed: int = 0) -> list[float]:
    """Interval of the macro balanced accuracy over datasets (each resampled apart)."""
    per_set = [balanced_accuracies(r.correct(), r.labels,
                                   stratified_indices(r.labels, n_boot, seed + k))
               for k, r in enumerate(runs)]
    return interval(np.mean(per_set, axis=0))


def macro_paired_difference(pairs: Sequence[tuple[Scored, Scored]], n_boot: int = N_BOOT,
                            seed: int = 0) -> dict:
    """Macro balanced accuracy of the ``a`` runs minus that of the ``b`` runs, each dataset
    resampled apart (the same indices for both judges within a dataset)."""
    per_set = [_paired(a, b, n_boot, seed + k) for k, (a, b) in enumerate(pairs)]
    return _summary(float(np.mean([o for o, _ in per_set])),
                    np.mean([d for _, d in per_set], axis=0))
