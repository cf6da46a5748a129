"""Run judges over benchmark sets: tune each threshold on calibration items, score the rest,
time it. ``run_benchmark`` returns plain dicts; ``eval.report`` writes them out."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from eval.benchmark import SETS, BenchmarkSet, stratified_sample
from eval.bootstrap import Scored, metric_intervals
from eval.datasets import FaithItem
from eval.judges.base import Judge
from eval.metrics import binary_metrics, tune_threshold
from eval.pricing import DEFAULT_PRICES, cost_per_1k


@dataclass
class RunConfig:
    datasets: list[str] = field(default_factory=lambda: list(SETS))
    limit: int | None = 200
    calibration_limit: int | None = 200
    latency_items: int = 20
    seed: int = 0
    prices: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_PRICES))


def _timed_scores(judge: Judge, items: Sequence[FaithItem], progress: bool
                  ) -> tuple[np.ndarray, float, float, int]:
    """Scores, wall seconds, CPU seconds and failures (scores that came back NaN or raised)."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        scores = np.asarray(judge.score(items, progress=progress), dtype=float)
    except Exception:  # one bad batch: fall back to item by item, counting failures
        scores = np.full(len(items), np.nan)
        for i, it in enumerate(items):
            try:
                scores[i] = float(judge.score([it])[0])
            except Exception:
                scores[i] = np.nan
    return (scores, time.perf_counter() - wall, time.process_time() - cpu,
            int(np.isnan(scores).sum()))


def latency_ms(judge: Judge, items: Sequence[FaithItem]) -> list[float]:
    """Milliseconds per item, one item at a time (how a chat turn is judged)."""
    out = []
    for it in items:
        t0 = time.perf_counter()
        try:
            judge.score([it])
        except Exception:
            pass
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run_judge_on_set(judge: Judge, dataset: str | BenchmarkSet, cfg: RunConfig,
                     progress: bool = True, log: Callable[[str], None] = print) -> dict:
    """One judge x dataset (a name in ``SETS`` or a set): threshold from calibration items,
    metrics on scored items, timing and cost."""
    bset = SETS[dataset] if isinstance(dataset, str) else dataset
    name = bset.name
    scored = stratified_sample(bset.scored(), cfg.limit, cfg.seed)
    calib = stratified_sample(bset.calibration(), cfg.calibration_limit, cfg.seed)
    scored_ids = {it.id for it in scored}
    assert not scored_ids & {it.id for it in calib}, f"{name}: calibration overlaps scored items"
    usage_before = dict(judge.usage)
    c_scores, *_ = _timed_scores(judge, calib, progress)
    threshold = tune_threshold(np.array([it.label for it in calib]), c_scores)
    s_scores, wall, cpu, failed = _timed_scores(judge, scored, progress)
    labels = np.array([it.label for it in scored])
    result = binary_metrics(labels, s_scores, threshold)
    result.update(metric_intervals(Scored(labels, s_scores, threshold), seed=cfg.seed))
    if getattr(judge, "times_items", False):  # an item-by-item judge: its own timings
        lat = judge.item_ms[-len(scored):]
    else:
        lat = latency_ms(judge, scored[: cfg.latency_items])
    calls = {k: judge.usage[k] - usage_before.get(k, 0) for k in judge.usage}
    n_total = len(scored) + len(calib) + (0 if getattr(judge, "times_items", False)
                                          else len(lat))
    prompt, completion = (calls.get(k, 0) / n_total for k in ("prompt_tokens",
                                                               "completion_tokens"))
    if all("rating" in it.meta for it in scored) and len(scored) > 2:
        from scipy.stats import spearmanr

        ok = ~np.isnan(s_scores)
        rated = np.array([it.meta["rating"] for it in scored])
        rho = spearmanr(s_scores[ok], rated[ok])
        result["spearman_vs_rating"] = None if np.isnan(rho.statistic) else float(rho.statistic)
    if bset.aside is not None:  # e.g. BEGIN's "Generic" answers: all labelled faithful
        aside = stratified_sample(bset.aside(), cfg.limit, cfg.seed)
        a_scores, *_ = _timed_scores(judge, aside, progress=False)
        ok = a_scores[~np.isnan(a_scores)]
        result["aside"] = {"what": bset.aside_name, "n": len(aside),
                           "judged_faithful": float(np.mean(ok >= threshold)) if len(ok)
                           else None}
    result.update({
        "judge": judge.name, "dataset": name, "calibration_n": len(calib),
        "calibration_source": bset.calibration_source, "note": bset.note,
        "p50_ms": float(np.percentile(lat, 50)) if lat else None,
        "p95_ms": float(np.percentile(lat, 95)) if lat else None,
        "items_per_s": len(scored) / wall if wall > 0 else None,
        "cpu_s": cpu, "wall_s": wall,
        "cpu_s_per_1k": 1000 * cpu / len(scored) if scored else None,
        "llm_calls_per_item": calls.get("llm_calls", 0) / n_total,
        "tokens_per_item": prompt + completion,
        "cost_per_1k_usd": cost_per_1k(prompt, completion, judge.llm_model, cfg.prices),
        # what the same tokens would cost through a cheap API model (reference for local runs)
        "cost_per_1k_usd_at_gpt_4o_mini": cost_per_1k(prompt, completion, "gpt-4o-mini",
                                                      cfg.prices) if prompt else 0.0,
        "scores": s_scores.tolist(), "labels": labels.tolist(),
        "item_ids": [it.id for it in scored],
    })
    log(f"{judge.name:<10} {name:<24} bal_acc={result['balanced_accuracy']:.3f} "
        f"roc_auc={result['roc_auc'] if result['roc_auc'] is None else round(result['roc_auc'], 3)}"
        f" n={result['n']} failed={failed}")
    return result
