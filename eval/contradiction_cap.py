"""Should a `contradicted` sentence cap the answer's score? Measured on the dev sets.

    python -m eval.contradiction_cap [--levels 0.5 0.7 0.9] [--limit N] [--sets NAME ...]

The judge labels a sentence ``contradicted`` when a related window contradicts it at
p >= ``contradiction_threshold``, but the answer's verdict comes from the learned score,
which can still call the answer faithful (JUDGE_CARD.md, known limits). This command scores
the dev sets (never a benchmark test set) with the shipped judge and compares its verdicts
with a capped score: for an answer whose strongest `contradicted` sentence has
p(contradiction) = c >= level, ``score = min(score, (1 - c) * threshold)``, always below the
threshold, so the answer is unfaithful. Prints balanced accuracy at the judge's threshold and
ROC AUC per set, and the means, for no cap and each level.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from nli_judge.judge.aggregation_fit import balanced_accuracy


def capped(scores: np.ndarray, contradiction: np.ndarray, threshold: float,
           level: float | None) -> np.ndarray:
    """Scores with the cap applied where ``contradiction`` (the answer's strongest
    `contradicted` sentence's p, 0 when none) reaches ``level``; None: no cap."""
    scores = np.asarray(scores, dtype=float)
    if level is None:
        return scores
    c = np.asarray(contradiction, dtype=float)
    hit = (c > 0) & (c >= level)
    return np.where(hit, np.minimum(scores, (1 - c) * threshold), scores)


def compare(rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], threshold: float,
            levels: Sequence[float | None]) -> dict[str, dict]:
    """``rows``: per set, (labels 1 = faithful, scores, strongest contradiction). Per level
    (``"none"`` or the level): per-set balanced accuracy / ROC AUC, their means, and how many
    answers the cap changed the score of (key ``capped``)."""
    from sklearn.metrics import roc_auc_score

    out = {}
    for level in levels:
        per_set, n_capped = {}, 0
        for name, (y, s, c) in rows.items():
            new = capped(s, c, threshold, level)
            n_capped += int((new != np.asarray(s)).sum())
            auc = roc_auc_score(y, new) if len(set(np.asarray(y).tolist())) == 2 else float("nan")
            per_set[name] = {"balanced_accuracy": balanced_accuracy(y, (new >= threshold)
                                                                    .astype(int)),
                             "roc_auc": float(auc)}
        out["none" if level is None else str(level)] = {
            "per_set": per_set, "capped": n_capped,
            "mean_balanced_accuracy": float(np.mean([v["balanced_accuracy"]
                                                     for v in per_set.values()])),
            "mean_roc_auc": float(np.nanmean([v["roc_auc"] for v in per_set.values()]))}
    return out


def dev_rows(judge, sets: Sequence[str], limit: int | None = None
             ) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Score the named dev sets (``eval.datasets.DEV_SETS``) with ``judge``: per set,
    (labels, scores, strongest `contradicted` p per answer)."""
    from eval.datasets import DEV_SETS

    rows = {}
    for name in sets:
        items = DEV_SETS[name]()[:limit]
        results = judge.score_batch([it.judge_input() for it in items])
        rows[name] = (np.array([it.label for it in items]),
                      np.array([r.score for r in results]),
                      np.array([max((s.contradiction or 0.0 for s in r.sentences
                                     if s.label == "contradicted"), default=0.0)
                                for r in results]))
        print(f"scored {name}: {len(items)} answers", flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> dict:
    from eval.datasets import DEV_SETS
    from nli_judge import FaithfulnessJudge

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--levels", type=float, nargs="+", default=[0.5, 0.7, 0.8, 0.9, 0.95],
                    help="cap only where the contradiction reaches this p (several: one row each)")
    ap.add_argument("--sets", nargs="+", default=list(DEV_SETS), choices=list(DEV_SETS),
                    help="dev sets to score (default: the six the judge is calibrated on)")
    ap.add_argument("--limit", type=int, default=None, help="first N answers of each set")
    ap.add_argument("--model", default=None, help="judge model folder (default: shipped)")
    args = ap.parse_args(argv)
    judge = FaithfulnessJudge.load(args.model)
    t = judge.settings.threshold
    result = compare(dev_rows(judge, args.sets, args.limit), t, [None, *args.levels])
    print(f"\nthreshold {t}; cells: balanced accuracy / ROC AUC")
    print("| cap | answers capped | " + " | ".join(args.sets) + " | mean |")
    print("|---|---:|" + "---:|" * (len(args.sets) + 1))
    for level, r in result.items():
        cells = [f"{v['balanced_accuracy']:.3f} / {v['roc_auc']:.3f}"
                 for v in r["per_set"].values()]
        print(f"| {level} | {r['capped']} | " + " | ".join(cells)
              + f" | {r['mean_balanced_accuracy']:.4f} / {r['mean_roc_auc']:.4f} |")
    return result


if __name__ == "__main__":
    main()
