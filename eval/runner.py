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


def _rating_correlation(scored: Sequence[FaithItem], scores: np.ndarray) -> float | None:
    """Spearman's rho of the scores against people's mean ratings (rated sets only)."""
    from scipy.stats import spearmanr

    ok = ~np.isnan(scores)
    rho = spearmanr(scores[ok], np.array([it.meta["rating"] for it in scored])[ok])
    return None if np.isnan(rho.statistic) else float(rho.statistic)


def _aside(judge: Judge, bset: BenchmarkSet, cfg: RunConfig, threshold: float) -> dict:
    """The share of a set's aside items (e.g. BEGIN's "Generic" answers) judged faithful."""
    aside = stratified_sample(bset.aside(), cfg.limit, cfg.seed)
    scores, *_ = _timed_scores(judge, aside, progress=False)
    ok = scores[~np.isnan(scores)]
    return {"what": bset.aside_name, "n": len(aside),
            "judged_faithful": float(np.mean(ok >= threshold)) if len(ok) else None}


def _speed_and_cost(judge: Judge, scored: Sequence[FaithItem], n_calib: int, wall: float,
                    cpu: float, usage_before: dict, cfg: RunConfig) -> dict:
    """Latency (per item), throughput, CPU time and LLM cost per item of one judge run."""
    if judge.times_items:  # an item-by-item judge: its own timings
        lat = judge.item_ms[-len(scored):]
    else:
        lat = latency_ms(judge, scored[: cfg.latency_items])
    calls = {k: judge.usage[k] - usage_before.get(k, 0) for k in judge.usage}
    n_total = len(scored) + n_calib + (0 if judge.times_items else len(lat))
    prompt, completion = (calls.get(k, 0) / n_total for k in ("prompt_tokens",
                                                               "completion_tokens"))
    return {
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
    }


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
    speed = _speed_and_cost(judge, scored, len(calib), wall, cpu, usage_before, cfg)
    if all("rating" in it.meta for it in scored) and len(scored) > 2:
        result["spearman_vs_rating"] = _rating_correlation(scored, s_scores)
    if bset.aside is not None:
        result["aside"] = _aside(judge, bset, cfg, threshold)
    result.update({
        "judge": judge.name, "dataset": name, "calibration_n": len(calib),
        "calibration_source": bset.calibration_source, "note": bset.note, **speed,
        "scores": s_scores.tolist(), "labels": labels.tolist(),
        "item_ids": [it.id for it in scored],
    })
    log(f"{judge.name:<10} {name:<24} bal_acc={result['balanced_accuracy']:.3f} "
        f"roc_auc={result['roc_auc'] if result['roc_auc'] is None else round(result['roc_auc'], 3)}"
        f" n={result['n']} failed={failed}")
    return result
