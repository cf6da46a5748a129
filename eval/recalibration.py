"""How much do a deployment's own ratings help? Public human labels stand in for ratings.

    python -m eval.recalibration [--calibration FILE] [--model DIR] [--ns 25 50 100]
                                 [--priors 0 10 25 50 100 200] [--reweight-priors 3 10 30 100]
                                 [--repeats 50] [--out FILE]

For a domain (a labelled set the judge was not fitted on), draw ``n`` labelled answers at
random as "ratings", recalibrate with them, and score the rest of the domain: balanced
accuracy of the recalibrated verdicts against the shipped ones. Two ways to recalibrate:
``threshold`` moves the threshold (``nli_judge.judge.recalibration``), ``reweight`` refits
the answer score's weights too (``nli_judge.judge.reweighting``), each shrunk toward the
shipped judge by a prior strength. Repeated ``--repeats`` times per domain and ``n``; a draw
the recalibration refuses (too few of one class) keeps the shipped judge (no change).

Two steps, kept apart:
1. **Choose** the way and its prior strength on the protocol's dev sources, each scored out
   of sample (the answer score fitted on the other sources,
   ``eval.ood.protocol.out_of_sample_aggregators``): the largest mean gain at 50 ratings
   whose worst source loses at most 0.01.
2. **Measure** with that strength on domains no choice looked at: SummEdits' 8 domains (all
   items) and the lockbox sources.
The judge's scores come from the protocol's evidence cache (``python -m eval.ood`` first).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.datasets import SUMMEDITS_DOMAINS, summedits
from eval.ood.evidence import EvidenceCache, answer_features, cache_path
from eval.ood.protocol import FEATURE_SETS, Candidate, out_of_sample_aggregators
from eval.ood.sources import DEV_SOURCES, LOCKBOX, load
from nli_judge.judge.aggregation import LearnedAggregator
from nli_judge.judge.aggregation_fit import balanced_accuracy, scores_of
from nli_judge.judge.faithfulness import read_calibration
from nli_judge.judge.recalibration import (
    RatingsError,
    apply,
    check_enough,
    fit_recalibration,
)
from nli_judge.judge.reweighting import fit_shift, shift_inputs
from nli_judge.model.nli_model import SHIPPED_MODEL_DIR
from nli_judge.var_paths import VarPaths

CHOOSE_AT = 50
MAX_WORST_LOSS = 0.01


@dataclass
class Domain:
    """A labelled set standing in for a deployment: the shipped judge's ``scores``, the
    ``labels`` (1 faithful), and for ``reweight`` the answers' features standardised as the
    score does (``z``) and the verdict log-odds at the shipped threshold (``base``)."""

    scores: np.ndarray
    labels: np.ndarray
    z: np.ndarray | None = None
    base: np.ndarray | None = None

    @classmethod
    def of(cls, agg: LearnedAggregator, rows: list[dict], labels: np.ndarray,
           threshold: float) -> Domain:
        base, z = shift_inputs(agg, rows, threshold)
        return cls(scores_of(agg, rows), np.asarray(labels), z, base)


def _after(dom: Domain, rated: np.ndarray, rest: np.ndarray, threshold: float,
           prior_strength: float, method: str) -> np.ndarray:
    """Verdicts (1 faithful) on ``rest`` after recalibrating from the ``rated`` answers."""
    if method == "reweight":
        check_enough(dom.labels[rated])
        d, e = fit_shift(dom.base[rated], dom.z[rated], dom.labels[rated], prior_strength)
        return (dom.base[rest] + dom.z[rest] @ d + e >= 0).astype(int)
    fitted = fit_recalibration(dom.scores[rated], dom.labels[rated], threshold, prior_strength)
    return (apply(dom.scores[rest], fitted) >= fitted["threshold"]).astype(int)


def simulate(dom: Domain, threshold: float, n: int, prior_strength: float, repeats: int = 50,
             seed: int = 0, method: str = "threshold") -> dict:
    """Mean balanced accuracy on the held-out rest, shipped threshold vs recalibrated from
    ``n`` random ratings by ``method``, over ``repeats`` draws (and how many draws were
    refused)."""
    rng = np.random.default_rng(seed)
    labels = dom.labels
    before, after, refused = [], [], 0
    for _ in range(repeats):
        idx = rng.permutation(len(labels))
        rated, rest = idx[:n], idx[n:]
        if len(np.unique(labels[rest])) < 2:
            continue
        b = balanced_accuracy(labels[rest], (dom.scores[rest] >= threshold).astype(int))
        try:
            a = balanced_accuracy(labels[rest],
                                  _after(dom, rated, rest, threshold, prior_strength, method))
        except RatingsError:
            refused, a = refused + 1, b
        before.append(b)
        after.append(a)
    return {"n": n, "before": float(np.mean(before)), "after": float(np.mean(after)),
            "gain": float(np.mean(after) - np.mean(before)), "refused": refused,
            "draws": len(before)}


def choose(domains: dict[str, Domain], threshold: float,
           options: list[tuple[str, float]], repeats: int) -> tuple[tuple[str, float], dict]:
    """The (method, prior strength) with the best mean gain at ``CHOOSE_AT`` ratings among
    those whose worst domain loses at most ``MAX_WORST_LOSS`` (else the one with the best
    worst domain)."""
    table = {}
    for method, k in options:
        gains = {d: simulate(dom, threshold, CHOOSE_AT, k, repeats, method=method)["gain"]
                 for d, dom in domains.items() if len(dom.labels) > CHOOSE_AT + 20}
        if not gains:
            raise ValueError(f"no dev source has {CHOOSE_AT + 21} items or more: too few "
                             "to choose on")
        table[f"{method}:{k:g}"] = {
            "method": method, "prior_strength": k,
            "mean_gain": float(np.mean(list(gains.values()))),
            "worst_gain": float(min(gains.values())), "per_domain": gains}
    ok = [key for key in table if table[key]["worst_gain"] >= -MAX_WORST_LOSS]
    best = (max(ok, key=lambda key: table[key]["mean_gain"]) if ok
            else max(table, key=lambda key: table[key]["worst_gain"]))
    return (table[best]["method"], table[best]["prior_strength"]), table


def measure(domains: dict[str, Domain], threshold: float, prior: float, ns: list[int],
            repeats: int, method: str = "threshold") -> dict:
    """Per domain and ``n``: ``simulate``'s numbers; and per ``n`` the mean and worst gain."""
    per = {d: {n: simulate(dom, threshold, n, prior, repeats, method=method) for n in ns
               if len(dom.labels) > n + 20} for d, dom in domains.items()}
    summary = {}
    for n in ns:
        gains = [per[d][n]["gain"] for d in per if n in per[d]]
        if not gains:
            raise ValueError(f"no domain has {n + 20} items or more: too few to draw {n} "
                             "ratings and score the rest")
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
                    help="prior strengths to choose from for 'threshold' (pseudo-ratings)")
    ap.add_argument("--reweight-priors", nargs="*", type=float, default=[3, 10, 30, 100],
                    help="penalties to choose from for 'reweight' (the weights refitted, "
                    "nli_judge.judge.reweighting); none: threshold only")
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
    windows, threshold = cal["settings"]["max_windows"], cal["settings"]["threshold"]
    proto = cal.get("protocol", {})
    if proto.get("features") not in FEATURE_SETS:
        raise SystemExit(f"error: {args.calibration} was not written by python -m eval.ood")
    cand = Candidate(proto["model"], windows, proto["features"], proto["c"])
    cache = EvidenceCache(cache_path(VarPaths.from_env().root / "ood", args.model), args.model)

    def features(items: list) -> list[dict]:
        return answer_features(cache.get(items), items, windows)

    dev = load(DEV_SOURCES, args.limit)
    dev_rows = {n: features(items) for n, items in dev.items()}
    dev_y = {n: np.array([it.label for it in items]) for n, items in dev.items()}
    aggs, _ = out_of_sample_aggregators(cand, dev_rows, dev_y)
    dev_domains = {n: Domain.of(aggs[n], dev_rows[n], dev_y[n], threshold) for n in dev}
    options = ([("threshold", k) for k in args.priors]
               + [("reweight", k) for k in args.reweight_priors])
    try:
        (method, prior), choice = choose(dev_domains, threshold, options, args.repeats)
    except ValueError as err:
        raise SystemExit(f"error: {err} (--limit {args.limit})") from None
    print(f"chosen on the dev sources: {method}, prior strength {prior:g}", flush=True)
    held = {**{f"summedits-{d}": [it for it in summedits(d)][: args.limit]
               for d in SUMMEDITS_DOMAINS},
            **load(LOCKBOX, args.limit)}
    domains = {name: Domain.of(agg, features(items), np.array([it.label for it in items]),
                               threshold) for name, items in held.items()}
    try:
        result = measure(domains, threshold, prior, args.ns, args.repeats, method)
    except ValueError as err:
        raise SystemExit(f"error: {err} (--limit {args.limit})") from None
    report = {"command": "python -m eval.recalibration " + " ".join(argv or []),
              "seconds": round(time.perf_counter() - t0), "threshold": threshold,
              "chosen_method": method, "chosen_prior_strength": prior, "choice": choice,
              **result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for n, s in result["summary"].items():
        print(f"{n} ratings: mean gain {s['mean_gain']:+.3f}, worst {s['worst_gain']:+.3f} "
              f"({s['domains']} domains)")
    return report


if __name__ == "__main__":
    main()
