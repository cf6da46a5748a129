"""How much do a deployment's own ratings help? Public human labels stand in for ratings.

    python -m eval.recalibration [--calibration FILE] [--model DIR] [--ns 25 50 100]
                                 [--priors 0 10 25 50 100 200] [--repeats 50] [--out FILE]

For a domain (a labelled set the judge was not fitted on), draw ``n`` labelled answers at
random as "ratings", recalibrate with them (``nli_judge.judge.recalibration``), and score the
rest of the domain: balanced accuracy at the recalibrated threshold against the shipped one.
Repeated ``--repeats`` times per domain and ``n``; a draw the recalibration refuses (too few
of one class) keeps the shipped threshold and counts as no change.

Two steps, kept apart:
1. **Choose** how strongly the shipped calibration holds (``--priors``, in pseudo-ratings) on
   the protocol's dev sources, each scored out of sample (the answer score fitted on the
   other sources, ``eval.ood.protocol.out_of_sample``): the largest mean gain at 50 ratings
   whose worst source loses at most 0.01.
2. **Measure** with that strength on domains no choice looked at: SummEdits' 8 domains (all
   items) and the lockbox sources.
The judge's scores come from the protocol's evidence cache (``python -m eval.ood`` first).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from eval.datasets import SUMMEDITS_DOMAINS, summedits
from eval.ood.evidence import EvidenceCache, answer_features, cache_path
from eval.ood.protocol import FEATURE_SETS, Candidate, out_of_sample
from eval.ood.sources import DEV_SOURCES, LOCKBOX, load
from nli_judge.judge.aggregation import LearnedAggregator
from nli_judge.judge.aggregation_fit import balanced_accuracy, scores_of
from nli_judge.judge.faithfulness import read_calibration
from nli_judge.judge.recalibration import RatingsError, apply, fit_recalibration
from nli_judge.model.nli_model import SHIPPED_MODEL_DIR
from nli_judge.var_paths import VarPaths

CHOOSE_AT = 50
MAX_WORST_LOSS = 0.01


def simulate(scores: np.ndarray, labels: np.ndarray, threshold: float, n: int,
             prior_strength: float, repeats: int = 50, seed: int = 0) -> dict:
    """Mean balanced accuracy on the held-out rest, shipped threshold vs recalibrated from
    ``n`` random ratings, over ``repeats`` draws (and how many draws were refused)."""
    rng = np.random.default_rng(seed)
    before, after, refused = [], [], 0
    for _ in range(repeats):
        idx = rng.permutation(len(labels))
        rated, rest = idx[:n], idx[n:]
        if len(np.unique(labels[rest])) < 2:
            continue
        b = balanced_accuracy(labels[rest], (scores[rest] >= threshold).astype(int))
        try:
            fitted = fit_recalibration(scores[rated], labels[rated], threshold, prior_strength)
            a = balanced_accuracy(labels[rest], (apply(scores[rest], fitted)
                                                 >= fitted["threshold"]).astype(int))
        except RatingsError:
            refused, a = refused + 1, b
        before.append(b)
        after.append(a)
    return {"n": n, "before": float(np.mean(before)), "after": float(np.mean(after)),
            "gain": float(np.mean(after) - np.mean(before)), "refused": refused,
            "draws": len(before)}


def choose_prior(domains: dict[str, tuple[np.ndarray, np.ndarray]], threshold: float,
                 priors: list[float], repeats: int) -> tuple[float, dict]:
    """The prior strength with the best mean gain at ``CHOOSE_AT`` ratings among those whose
    worst domain loses at most ``MAX_WORST_LOSS`` (the strongest prior if none does)."""
    table = {}
    for k in priors:
        gains = {d: simulate(s, y, threshold, CHOOSE_AT, k, repeats)["gain"]
                 for d, (s, y) in domains.items() if len(y) > CHOOSE_AT + 20}
        table[k] = {"mean_gain": float(np.mean(list(gains.values()))),
                    "worst_gain": float(min(gains.values())), "per_domain": gains}
    ok = [k for k in priors if table[k]["worst_gain"] >= -MAX_WORST_LOSS]
    chosen = max(ok, key=lambda k: table[k]["mean_gain"]) if ok else max(priors)
    return chosen, table


def measure(domains: dict[str, tuple[np.ndarray, np.ndarray]], threshold: float,
            prior: float, ns: list[int], repeats: int) -> dict:
    """Per domain and ``n``: ``simulate``'s numbers; and per ``n`` the mean and worst gain."""
    per = {d: {n: simulate(s, y, threshold, n, prior, repeats) for n in ns
               if len(y) > n + 20} for d, (s, y) in domains.items()}
    summary = {}
    for n in ns:
        gains = [per[d][n]["gain"] for d in per if n in per[d]]
        summary[n] = {"domains": len(gains), "mean_gain": float(np.mean(gains)),
                      "worst_gain": float(min(gains))}
    return {"per_domain": per, "summary": summary}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m eval.recalibration", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calibration", type=Path,
                    default=SHIPPED_MODEL_DIR / "judge_calibration.json",
                    help="the judge calibration to start from (an eval.ood one)")
    ap.add_argument("--model", type=Path, default=SHIPPED_MODEL_DIR,
                    help="the model that calibration belongs to")
    ap.add_argument("--ns", nargs="+", type=int, default=[25, 50, 100], help="ratings drawn")
    ap.add_argument("--priors", nargs="+", type=float, default=[0, 10, 25, 50, 100, 200],
                    help="prior strengths to choose from (pseudo-ratings)")
    ap.add_argument("--repeats", type=int, default=50, help="draws per domain and n")
    ap.add_argument("--limit", type=int, help="items per domain (for tests)")
    ap.add_argument("--out", type=Path, default=Path("reports/ood/recalibration.json"))
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    t0 = time.perf_counter()
    cal = read_calibration(args.calibration)
    if "aggregator" not in cal:
        raise SystemExit(f"error: {args.calibration} has no learned answer score")
    agg = LearnedAggregator.from_dict(cal["aggregator"])
    k, threshold = cal["settings"]["max_windows"], cal["settings"]["threshold"]
    proto = cal.get("protocol", {})
    if proto.get("features") not in FEATURE_SETS:
        raise SystemExit(f"error: {args.calibration} was not written by python -m eval.ood")
    cand = Candidate(proto["model"], k, proto["features"], proto["c"])
    cache = EvidenceCache(cache_path(VarPaths.from_env().root / "ood", args.model), args.model)

    def features(items: list) -> list[dict]:
        return answer_features(cache.get(items), items, k)

    dev = load(DEV_SOURCES, args.limit)
    dev_y = {n: np.array([it.label for it in items]) for n, items in dev.items()}
    oos, _ = out_of_sample(cand, {n: features(items) for n, items in dev.items()}, dev_y)
    prior, choice = choose_prior({n: (oos[n], dev_y[n]) for n in dev}, threshold,
                                 args.priors, args.repeats)
    print(f"prior strength chosen on the dev sources: {prior:g}", flush=True)
    held = {**{f"summedits-{d}": [it for it in summedits(d)][: args.limit]
               for d in SUMMEDITS_DOMAINS},
            **load(LOCKBOX, args.limit)}
    domains = {}
    for name, items in held.items():
        rows = features(items)
        domains[name] = (scores_of(agg, rows), np.array([it.label for it in items]))
    result = measure(domains, threshold, prior, args.ns, args.repeats)
    report = {"command": "python -m eval.recalibration " + " ".join(argv or []),
              "seconds": round(time.perf_counter() - t0), "threshold": threshold,
              "chosen_prior_strength": prior, "choice": choice, **result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for n, s in result["summary"].items():
        print(f"{n} ratings: mean gain {s['mean_gain']:+.3f}, worst {s['worst_gain']:+.3f} "
              f"({s['domains']} domains)")
    return report


if __name__ == "__main__":
    main()
