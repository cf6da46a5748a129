"""Calibrate the faithfulness judge's settings on labelled development answers.

``calibrate(nli, data, windows)`` returns the calibration that ``FaithfulnessJudge.load()``
reads from ``judge_calibration.json`` beside the model; ``python -m eval.calibrate`` runs it on
the benchmark's dev sets (``eval.datasets.DEV_SETS``, never a test set) and writes the file.

For each window setting the model runs once over the dev sets, every claim against every window
of every passage; every other setting (contradiction weight and threshold, aggregate, decision
threshold) is then tried on the cached probabilities.
The setting with the best mean balanced accuracy over the dev sets is written, with a note of
the data and the per-set results, to ``judge_calibration.json`` beside the model, where
``FaithfulnessJudge.load()`` reads it. Last, the speed setting ``max_windows`` (check each
claim only against the k windows sharing most of its words) is set to the smallest k in
``MAX_WINDOWS`` that costs at most ``--preselect-tolerance`` mean balanced accuracy.
With a learned answer score (``learned``), the score is fitted for each window setting and the
window whose score ranks answers best out of sample (mean ROC AUC, each dev set scored by a fit
on the others) is kept: the hand-set rule's best window need not be the learned score's.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from sklearn.metrics import roc_auc_score

from nli_judge.judge.aggregation import VARIANTS, LearnedAggregator
from nli_judge.judge.aggregation_fit import (
    balanced_accuracy,
    best_threshold,
    features_of,
    fit,
    leave_one_set_out,
)
from nli_judge.judge.faithfulness import (
    FaithfulnessJudge,
    JudgeSettings,
    aggregate,
    calibration_file,
    decide_sentence,
    preselect,
)
from nli_judge.model.nli_model import NLIModel

WEIGHTS = (0.0, 0.5, 1.0)
CONTRADICTION_THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 1.01)  # 1.01: never "contradicted"
MIN_OVERLAPS = (0.0, 0.5, 0.75)
AGGREGATES = ("min", "mean", "share")
# Product rules (issue 3): a plain negation of the evidence (contradiction 0.55-0.75 on the shipped
# model) must be labelled contradicted, and the number check stays on ...
PRODUCT_MAX_CONTRADICTION_THRESHOLD = 0.5
# ... and "closed on Sundays" must count against "open on Sundays" (2 of 3 content words shared).
PRODUCT_MAX_MIN_OVERLAP = 0.5
MAX_WINDOWS = (1, 2, 3, 4, 6, 8, 12)


class LabelledAnswer(Protocol):
    """A dev item: an answer, its passages, the question (or None) and a label (1 faithful)."""

    answer: str
    passages: Sequence[str]
    question: str | None
    label: int


THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.02, 0.99, 0.02), 2))


def item_scores(evidence: list[list[tuple[np.ndarray, ...]]],
                st: JudgeSettings
                ) -> np.ndarray:
    """Answer scores under settings ``st`` from ``FaithfulnessJudge.claim_evidence`` output."""
    out = np.ones(len(evidence))
    for k, claims in enumerate(evidence):
        scores, supported = [], []
        for probs, ok, related, *_ in claims:
            if probs.size == 0:
                label, score = "unsupported", 0.0
            else:
                label, score, _ = decide_sentence(probs, ok, related, st)
            scores.append(score)
            supported.append(label == "supported")
        out[k] = aggregate(scores, supported, st.aggregate)
    return out


def preselected(evidence: list[list[tuple[np.ndarray, ...]]], k: int
                ) -> list[list[tuple[np.ndarray, ...]]]:
    """``evidence`` (from a judge run over every window) as the judge would have produced it
    with ``max_windows=k``: per claim, only the rows of its k most word-sharing windows."""
    out = []
    for claims in evidence:
        kept = []
        for probs, ok, related, windows, *text in claims:
            n = int(windows.max()) + 1 if windows.size else 0
            if n <= k:
                kept.append((probs, ok, related, windows, *text))
                continue
            best = np.zeros(n)
            np.maximum.at(best, windows, related)
            mask = np.isin(windows, preselect(best, k))
            kept.append((probs[mask], ok[mask], related[mask], windows[mask], *text))
        out.append(kept)
    return out


def choose_max_windows(cache: dict[str, tuple[list, np.ndarray]], st: JudgeSettings,
                       tolerance: float) -> tuple[int | None, dict]:
    """The smallest k in ``MAX_WINDOWS`` whose mean dev balanced accuracy (settings ``st``,
    its threshold) is within ``tolerance`` of checking every window, and the table of all."""
    def mean_bal(k: int | None) -> float:
        return float(np.mean([
            balanced_accuracy(y, (item_scores(ev if k is None else preselected(ev, k), st)
                                        >= st.threshold).astype(int))
            for ev, y in cache.values()]))

    every = mean_bal(None)
    table = {"all": round(every, 4)} | {str(k): round(mean_bal(k), 4) for k in MAX_WINDOWS}
    chosen = next((k for k in MAX_WINDOWS if table[str(k)] >= every - tolerance), None)
    return chosen, table


def search(cache: dict[str, tuple[list, np.ndarray]], base: JudgeSettings,
           product_rules: bool = False) -> tuple[dict, dict]:
    """Best settings by mean balanced accuracy over the dev sets (one global threshold).
    ``product_rules``: only settings that check numbers and can label a claim contradicted
    (what the product promises), so their dev cost shows against the free search."""
    best: tuple[float, dict, dict] = (-1.0, {}, {})
    grid = itertools.product(WEIGHTS, CONTRADICTION_THRESHOLDS, MIN_OVERLAPS, AGGREGATES,
                             (True, False))
    for weight, c_thr, min_overlap, how, numbers in grid:
        if product_rules and (not numbers or c_thr > PRODUCT_MAX_CONTRADICTION_THRESHOLD
                              or min_overlap > PRODUCT_MAX_MIN_OVERLAP):
            continue
        st = dataclasses.replace(base, contradiction_weight=weight, check_numbers=numbers,
                                 contradiction_threshold=c_thr, aggregate=how,
                                 contradiction_min_overlap=min_overlap)
        # Answer scores do not depend on the decision threshold: compute them once.
        scored = {n: (item_scores(ev, st), y) for n, (ev, y) in cache.items()}
        for thr in THRESHOLDS:
            # "min": a sentence is supported exactly when the answer could pass on it alone.
            # (Under the product rules "supported" keeps its plain meaning: score >= 0.5.)
            st.support_threshold = thr if how == "min" and not product_rules else 0.5
            bal = {n: balanced_accuracy(y, (s >= thr).astype(int))
                   for n, (s, y) in scored.items()}
            mean = float(np.mean(list(bal.values())))
            if mean > best[0]:
                per_set = {n: {"n": int(len(y)), "balanced_accuracy": round(float(bal[n]), 4),
                               "roc_auc": round(float(roc_auc_score(y, s)), 4)}
                           for n, (s, y) in scored.items()}
                setting = {"contradiction_weight": weight, "contradiction_threshold": c_thr,
                           "contradiction_min_overlap": min_overlap,
                           "aggregate": how, "check_numbers": numbers, "threshold": thr,
                           "support_threshold": st.support_threshold}
                best = (mean, setting, per_set)
    return best[1], {"mean_balanced_accuracy": round(best[0], 4), "per_set": best[2]}


def learn(cache: dict[str, tuple[list, np.ndarray]], data: dict[str, list], setting: dict
          ) -> tuple[LearnedAggregator, dict]:
    """Fit the learned answer score on the dev sets' cached evidence (as pre-selected by the
    chosen ``max_windows``); report the variants by leave-one-set-out and the global
    threshold of the final fit (``nli_judge.judge.aggregation_fit``)."""
    k = setting.get("max_windows")
    feats = {n: features_of(preselected(ev, k) if k else ev, data[n],
                            setting["contradiction_min_overlap"]) for n, (ev, _) in cache.items()}
    labels = {n: y for n, (_, y) in cache.items()}
    variants = leave_one_set_out(feats, labels)
    aggregator = fit(feats, labels, VARIANTS["both"])
    threshold, in_sample = best_threshold(aggregator, feats, labels)
    report = {"leave_one_set_out": variants, "threshold": threshold,
              "in_sample_mean_balanced_accuracy": round(in_sample, 4),
              "weights": dict(zip(aggregator.features, np.round(aggregator.coef, 3).tolist(),
                                  strict=True))}
    print(json.dumps({"learned": report}), flush=True)
    return aggregator, report


def _learned_score(report: dict) -> float:
    """How a window setting is ranked when the answer score is learned: the mean ROC AUC of
    the shipped feature set ("both") fitted on the other dev sets (out of sample, and free of
    the threshold, which each deployment tunes)."""
    return report["leave_one_set_out"]["both"]["mean_roc_auc"]


def model_outputs(judge: FaithfulnessJudge, data: dict[str, Sequence[LabelledAnswer]],
                  cache_dir: Path | None = None, cache_prefix: str = ""
                  ) -> dict[str, tuple[list, np.ndarray]]:
    """Per dev set: (``judge.claim_evidence`` of its items, their labels). With ``cache_dir``
    the evidence is kept as pickles named ``{cache_prefix}{set}.pkl`` and reused when it has
    one entry per item (a file from a run over another sample of the set is made again)."""
    cache = {}
    for name, items in data.items():
        t0 = time.perf_counter()
        saved = cache_dir / f"{cache_prefix}{name}.pkl" if cache_dir else None
        evidence = None
        if saved and saved.exists():
            with saved.open("rb") as f:  # our own file, written below
                evidence = pickle.load(f)
            if len(evidence) != len(items):
                evidence = None
        if evidence is None:
            evidence = judge.claim_evidence(
                [{"answer": i.answer, "passages": i.passages, "question": i.question}
                 for i in items], progress=True)
            if saved:
                saved.parent.mkdir(parents=True, exist_ok=True)
                with saved.open("wb") as f:
                    pickle.dump(evidence, f)
        cache[name] = (evidence, np.array([i.label for i in items]))
        print(f"{cache_prefix}{name} ({len(items)} items) in {time.perf_counter() - t0:.0f}s",
              flush=True)
    return cache


def calibrate_window(cache: dict[str, tuple[list, np.ndarray]], base: JudgeSettings,
                     free: bool, preselect_tolerance: float) -> tuple[dict, dict]:
    """(setting, report) for one window setting: the product-rules search (or the free one
    with ``free``), the free optimum beside it, and the speed setting ``max_windows``."""
    setting, report = search(cache, base, product_rules=not free)
    if not free:
        free_setting, free_report = search(cache, base)
        report["free_search"] = {"setting": free_setting, **free_report}
        report["rules_cost"] = round(free_report["mean_balanced_accuracy"]
                                     - report["mean_balanced_accuracy"], 4)
    setting.update(window_tokens=base.window_tokens, window_sentences=base.window_sentences)
    chosen = dataclasses.replace(base, **setting)
    setting["max_windows"], report["max_windows_table"] = choose_max_windows(
        cache, chosen, preselect_tolerance)
    print(json.dumps({"setting": setting, **report}), flush=True)
    return setting, report


def parse_window(window: str) -> tuple[int, int | None]:
    """"400:2" -> (400 tokens, 2 sentences); "400:0" or "400" -> (400, None: no limit)."""
    tokens, _, sents = window.partition(":")
    return int(tokens), int(sents or 0) or None


def calibrate(nli: NLIModel, data: dict[str, Sequence[LabelledAnswer]], windows: Sequence[str],
              *, backend: str = "torch", free: bool = False, learned: bool = False,
              preselect_tolerance: float = 0.005, cache_dir: Path | None = None) -> dict:
    """The judge's calibration from labelled dev answers, as written to
    ``judge_calibration.json``: the best settings over ``windows`` (TOKENS:SENTENCES), their
    per-set results, the other windows' results and, with ``learned``, the fitted aggregator.
    Each window costs one model pass over ``data``; ``cache_dir`` keeps those passes."""
    results = []
    for window in windows:
        tokens, sentences = parse_window(window)
        judge = FaithfulnessJudge.load(nli, window_tokens=tokens, max_windows=None,
                                       window_sentences=sentences)
        prefix = ("" if backend == "torch" else f"{backend}_") + window.replace(":", "_") + "_"
        cache = model_outputs(judge, data, cache_dir, prefix)
        setting, report = calibrate_window(cache, judge.settings, free, preselect_tolerance)
        aggregator, score = None, report["mean_balanced_accuracy"]
        if learned:  # the learned score's out-of-sample ranking decides between windows
            aggregator, report["learned"] = learn(cache, data, setting)
            setting.update(aggregate="learned", threshold=report["learned"]["threshold"])
            score = _learned_score(report["learned"])
        results.append((score, setting, report, aggregator))
    _, setting, report, aggregator = max(results, key=lambda r: r[0])
    return {
        "settings": {**dataclasses.asdict(JudgeSettings()), **setting},
        "backend": backend,
        "objective": "mean balanced accuracy over the dev sets, one global threshold"
                     + ("" if free else "; only settings with the number check and the "
                        "contradicted label (free optimum and its gain in results)")
                     + ("; windows chosen by the learned score's leave-one-set-out mean "
                        "ROC AUC" if learned else ""),
        "dev_sets": {n: f"{len(v)} items" for n, v in data.items()},
        "tried_windows": list(windows),
        "all_results": [{"window": w, **r[2]} for w, r in zip(windows, results, strict=True)
                        if r[2] is not report],
        "results": report,
        **({"aggregator": aggregator.to_dict()} if aggregator else {}),
    }


def calibration_path(nli: NLIModel, backend: str = "torch") -> Path:
    """Where ``FaithfulnessJudge.load()`` looks for the calibration of ``nli`` on ``backend``."""
    return Path(nli.model.name_or_path) / calibration_file(backend)
