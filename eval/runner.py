"""Run judges over benchmark sets: tune each threshold on calibration items, score the rest,
time it. ``run_benchmark`` returns plain dicts; ``eval.report`` writes them out."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from eval.benchmark import SETS, stratified_sample
from eval.datasets import FaithItem
from eval.judges.base import Judge
from eval.metrics import binary_metrics, tune_threshold


@dataclass
class RunConfig:
    datasets: list[str] = field(default_factory=lambda: list(SETS))
    limit: int | None = 200
    calibration_limit: int | None = 200
    latency_items: int = 20
    seed: int = 0


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


def run_judge_on_set(judge: Judge, name: str, cfg: RunConfig, progress: bool = True,
                     log: Callable[[str], None] = print) -> dict:
    """One judge x dataset: threshold from calibration items, metrics on scored items."""
    bset = SETS[name]
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
    lat = latency_ms(judge, scored[: cfg.latency_items])
    calls = {k: judge.usage[k] - usage_before.get(k, 0) for k in judge.usage}
    n_total = len(scored) + len(calib) + len(lat)
    result.update({
        "judge": judge.name, "dataset": name, "calibration_n": len(calib),
        "calibration_source": bset.calibration_source, "note": bset.note,
        "p50_ms": float(np.percentile(lat, 50)) if lat else None,
        "p95_ms": float(np.percentile(lat, 95)) if lat else None,
        "items_per_s": len(scored) / wall if wall > 0 else None,
        "cpu_s": cpu, "wall_s": wall,
        "llm_calls_per_item": calls.get("llm_calls", 0) / n_total,
        "tokens_per_item": (calls.get("prompt_tokens", 0) + calls.get("completion_tokens", 0))
        / n_total,
        "scores": s_scores.tolist(), "labels": labels.tolist(),
    })
    log(f"{judge.name:<10} {name:<24} bal_acc={result['balanced_accuracy']:.3f} "
        f"roc_auc={result['roc_auc'] if result['roc_auc'] is None else round(result['roc_auc'], 3)}"
        f" n={result['n']} failed={failed}")
    return result
