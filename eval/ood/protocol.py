"""Score one candidate judge the way the protocol says: chosen out of sample, reported apart.

A candidate is a model (its evidence, ``eval.ood.evidence``), how many windows per claim, and
an answer score: a logistic regression over a named set of answer features
(``nli_judge.judge.aggregation``) with regularisation ``c``. ``evaluate`` then

1. fits it leave-one-source-out on the dev sources (fit on all but one, score the one left
   out): per-source ROC AUC, mean and worst: **the number choices are made by**;
2. Platt-rescales the log-odds on those out-of-sample scores, so that 0.5 means an even
   chance on a source the fit did not see, and takes as threshold the median over dev sources
   of each source's best threshold (a threshold for a typical unseen source, not the pooled
   dev set);
3. fits on every dev source, rescales, and reports what it may not choose by: the
   benchmark macro as ``eval.run`` computes it (each set's threshold tuned on its own
   calibration part), and the lockbox per source (ROC AUC, and balanced accuracy at the
   candidate's own threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from eval.bootstrap import Scored, metric_intervals
from eval.metrics import tune_threshold
from nli_judge.judge.aggregation import FEATURES, VARIANTS, LearnedAggregator
from nli_judge.judge.aggregation_fit import (
    balanced_accuracy,
    fit,
    has_claims,
    scores_of,
    set_class_weights,
)

FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "min": ("min_entailment",),
    "mean": ("mean_entailment",),
    "entailment": ("min_entailment", "mean_entailment", "share_entailed"),
    "model": VARIANTS["model"],
    "lite": ("min_entailment", "mean_entailment", "max_contradiction", "lexical_support"),
    "both": FEATURES,
    "overlap": ("baseline_overlap",),  # the benchmark's word-overlap baseline, for reference
}

Feats = dict[str, list[dict]]  # source -> one feature dict per item


@dataclass(frozen=True)
class Candidate:
    model: str
    windows: int
    features: str
    c: float = 1.0

    @property
    def name(self) -> str:
        c = "" if self.c == 1.0 else f" C={self.c:g}"
        return f"{self.model} k={self.windows} {self.features}{c}"


def _logits(agg: LearnedAggregator, rows: list[dict]) -> np.ndarray:
    return np.array([agg.logit(r) if has_claims(r) else np.nan for r in rows])


def _auc(y: np.ndarray, s: np.ndarray) -> float | None:
    return float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else None


def platt(logits: dict[str, np.ndarray], labels: dict[str, np.ndarray]) -> tuple[float, float]:
    """(a, b) of ``sigmoid(a * z + b)`` fitted on out-of-sample log-odds, every source and
    class weighing the same (answers without claims left out)."""
    w = set_class_weights(labels)
    z = np.concatenate([logits[n] for n in logits])
    y = np.concatenate([labels[n] for n in logits])
    ww = np.concatenate([w[n] for n in logits])
    ok = ~np.isnan(z)
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(z[ok, None], y[ok], sample_weight=ww[ok] / ww[ok].mean())
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def out_of_sample(cand: Candidate, dev: Feats, dev_y: dict[str, np.ndarray]
                  ) -> tuple[dict[str, np.ndarray], tuple[float, float]]:
    """Each dev source's scores from a fit on the other sources, Platt-rescaled on those
    out-of-sample log-odds, and the rescaling (a, b)."""
    aggs, (a, b) = out_of_sample_aggregators(cand, dev, dev_y)
    return {n: scores_of(agg, dev[n]) for n, agg in aggs.items()}, (a, b)


def out_of_sample_aggregators(cand: Candidate, dev: Feats, dev_y: dict[str, np.ndarray]
                              ) -> tuple[dict[str, LearnedAggregator], tuple[float, float]]:
    """Per dev source, the answer score fitted on the other sources and Platt-rescaled on
    every source's out-of-sample log-odds (the score a source the fit did not see gets), and
    the rescaling (a, b)."""
    fitted, oos = {}, {}
    for held in dev:
        rest = [n for n in dev if n != held]
        fitted[held] = fit({n: dev[n] for n in rest}, {n: dev_y[n] for n in rest},
                           FEATURE_SETS[cand.features], cand.c)
        oos[held] = _logits(fitted[held], dev[held])
    a, b = platt(oos, dev_y)
    return {n: agg.rescaled(a, b) for n, agg in fitted.items()}, (a, b)


def evaluate(cand: Candidate, dev: Feats, dev_y: dict[str, np.ndarray],
             lockbox: Feats, lockbox_y: dict[str, np.ndarray],
             bench: dict[str, tuple[list[dict], np.ndarray, list[dict], np.ndarray]],
             intervals: bool = False) -> dict:
    """The candidate's protocol numbers (module docstring) and its shippable aggregator.
    ``bench``: per set (scored features, labels, calibration features, labels)."""
    features = FEATURE_SETS[cand.features]
    oos_scores, (a, b) = out_of_sample(cand, dev, dev_y)
    loso_auc = {n: _auc(dev_y[n], s) for n, s in oos_scores.items()}
    best_t = {n: tune_threshold(dev_y[n], s) for n, s in oos_scores.items()}
    threshold = float(np.median(list(best_t.values())))
    loso_bal = {n: balanced_accuracy(dev_y[n], (s >= threshold).astype(int))
                for n, s in oos_scores.items()}
    final = fit(dev, dev_y, features, cand.c).rescaled(a, b)
    bench_bal = {}
    for name, (scored, y, calib, cy) in bench.items():
        t = tune_threshold(cy, scores_of(final, calib))
        bench_bal[name] = balanced_accuracy(y, (scores_of(final, scored) >= t).astype(int))
    box = {}
    for name, rows in lockbox.items():
        s, y = scores_of(final, rows), lockbox_y[name]
        box[name] = {"n": int(len(y)), "roc_auc": _auc(y, s),
                     "balanced_accuracy": balanced_accuracy(y, (s >= threshold).astype(int))}
        if intervals:
            box[name].update(metric_intervals(Scored(y, s, threshold)))
    aucs = [v for v in loso_auc.values() if v is not None]
    worst = min(loso_auc, key=lambda n: loso_auc[n] if loso_auc[n] is not None else 1.0)
    return {
        "candidate": cand.name, "model": cand.model, "windows": cand.windows,
        "features": cand.features, "c": cand.c,
        "loso_mean_roc_auc": float(np.mean(aucs)), "loso_worst_roc_auc": loso_auc[worst],
        "loso_worst_source": worst,
        "loso_mean_balanced_accuracy": float(np.mean(list(loso_bal.values()))),
        "loso_worst_balanced_accuracy": float(min(loso_bal.values())),
        "threshold": threshold, "platt": [a, b],
        "benchmark_macro": float(np.mean(list(bench_bal.values()))),
        "lockbox_macro_roc_auc": float(np.mean([v["roc_auc"] for v in box.values()])),
        "lockbox_min_balanced_accuracy": float(min(v["balanced_accuracy"]
                                                   for v in box.values())),
        "loso": {n: {"roc_auc": loso_auc[n], "balanced_accuracy": loso_bal[n],
                     "best_threshold": best_t[n]} for n in dev},
        "benchmark": bench_bal, "lockbox": box,
        "aggregator": final.to_dict(),
    }


def choose(results: Sequence[dict], not_shippable: Sequence[str] = ()) -> dict:
    """The candidate with the best leave-one-source-out mean ROC AUC (ties: the better worst
    source, then fewer features). The lockbox and the benchmark have no say. Word overlap and
    ``not_shippable`` models (averaged outputs: two model passes per answer, which the judge
    does not run) are reported, not chosen."""
    return max((r for r in results if r["model"] != "lexical"
                and r["model"] not in not_shippable),
               key=lambda r: (round(r["loso_mean_roc_auc"], 4), r["loso_worst_roc_auc"] or 0,
                              -len(FEATURE_SETS[r["features"]])))
