"""The faithfulness benchmark: judges side by side with accuracy, speed and cost.

    python -m eval.run [--quick] [--datasets D ...] [--judges J ...] [--limit N] [--output DIR]
                       [--ratings FILE] [--prices FILE]

For every judge x dataset: the decision threshold is tuned on that dataset's calibration items
(a dev split, or a fixed part of the file that is never scored), then balanced accuracy, ROC
AUC, PR AUC and F1 (unfaithful = positive) are measured on the scored items, with p50 / p95
milliseconds per item (one item at a time), items per second (batched) and CPU seconds.
Writes DIR/faithfulness.json, DIR/faithfulness.md, DIR/roc_curves.png,
DIR/balanced_accuracy.png, and an MLflow run (sqlite store in var/).

Datasets (bundled under data/benchmarks, never trained on): WiCE test, HaluEval qa / dialogue /
summarization test, BEGIN wow test, SummEdits (8 domains); the NLI model's own accuracy on
MNLI held-out; and human ratings exported from the app (--ratings).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from eval.benchmark import SETS, ratings_set
from eval.bootstrap import Scored, macro_paired_difference, paired_difference
from eval.datasets import RatingsError
from eval.pricing import load_prices
from eval.report import (
    comparison_table,
    log_mlflow,
    macro_rows,
    table,
    write_charts,
    write_json,
    write_markdown,
)
from eval.runner import RunConfig, run_judge_on_set
from nli_judge.var_paths import VarPaths

JUDGES = ("nli", "nli-int8", "nli-doc", "lexical", "embedding", "ragas")
QUICK_LIMIT = 10
QUICK_LATENCY_ITEMS = 3
QUICK_SKIPS = ("ragas", "nli-int8")  # an LLM; a second pass of the nli judge (ONNX export)
DEFAULT_SKIPS = ("nli-int8",)  # the same judge on another backend: --judges ... nli-int8
QUICK_RAGAS = (2, ("halueval-qa",))  # items per part, datasets
RAGAS_LIMIT = 2
# At 400 scored items per set a balanced accuracy has a 95% interval of about +-0.05 (at 60
# it was +-0.12): enough to tell judges apart. Thresholds need fewer items than scores do.
DEFAULT_LIMIT = 400
DEFAULT_CALIBRATION_LIMIT = 200
RAGAS_DATASETS = ("halueval-qa",)  # 2 + 2 items through the local 0.5B model: ~2 minutes


def make_judge(name: str, model: str | None = None, provider: str | None = None):
    from eval.judges import EmbeddingJudge, LexicalJudge, NLIDocJudge, NLISentenceJudge

    if name == "ragas":
        from eval.judges.ragas_judge import RagasJudge

        return RagasJudge(provider=provider)
    return {"nli": lambda: NLISentenceJudge(model),
            "nli-int8": lambda: NLISentenceJudge(model, backend="onnx-int8"),
            "nli-doc": lambda: NLIDocJudge(model),
            "lexical": LexicalJudge, "embedding": EmbeddingJudge}[name]()


def mnli_section(model: str | None, limit: int | None) -> dict:
    from nli_judge.data.pairs import read_pairs
    from nli_judge.evaluation.metrics import nli_metrics
    from nli_judge.model.nli_model import NLIModel

    ex = read_pairs(Path(__file__).resolve().parents[1] / "data" / "nli" / "mnli_heldout.tsv")
    if limit:
        ex = ex.subset(list(range(min(limit, len(ex)))))
    m = NLIModel.load(model)
    metrics = nli_metrics(ex.labels, m.predict(ex.premises, ex.hypotheses))
    return {k: metrics[k] for k in ("n", "accuracy", "macro_f1", "per_class")}


def compare(results: list[dict], ours: str = "nli", sets: tuple[str, ...] = tuple(SETS)
            ) -> list[dict]:
    """Paired bootstrap differences of balanced accuracy: ``ours`` minus each other judge, per
    dataset scored on the same items, and over the macro of ``sets`` when both have them all."""
    def run(r: dict) -> Scored:
        return Scored(np.array(r["labels"]), np.array(r["scores"], dtype=float), r["threshold"])

    mine = {r["dataset"]: r for r in results if r["judge"] == ours}
    out = []
    for judge in dict.fromkeys(r["judge"] for r in results if r["judge"] != ours):
        theirs = {r["dataset"]: r for r in results if r["judge"] == judge}
        shared = [d for d in mine if d in theirs and mine[d]["item_ids"] == theirs[d]["item_ids"]]
        out += [{"ours": ours, "baseline": judge, "dataset": d,
                 **paired_difference(run(mine[d]), run(theirs[d]))} for d in shared]
        macro = [d for d in sets if d in shared]
        if macro and len(macro) == len([d for d in sets if d in mine]):
            out.append({"ours": ours, "baseline": judge, "dataset": f"macro ({len(macro)} sets)",
                        **macro_paired_difference([(run(mine[d]), run(theirs[d]))
                                                   for d in macro])})
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help=f"a small stratified sample ({QUICK_LIMIT} scored + {QUICK_LIMIT} "
                    "calibration items per dataset), for tests and smoke runs")
    ap.add_argument("--datasets", nargs="+", choices=[*SETS, "mnli"], default=[*SETS, "mnli"],
                    help="datasets to score (mnli: the NLI model's 3-class accuracy on MNLI "
                    "held-out, not a faithfulness set)")
    ap.add_argument("--judges", nargs="+", choices=JUDGES,
                    help="judges to compare: nli (ours), nli-int8 (ours on ONNX Runtime "
                    "int8), nli-doc, lexical, embedding, ragas (default: all but nli-int8, "
                    "to keep the default run within 15 minutes; --quick also leaves out "
                    "ragas, which calls an LLM, see --ragas-limit)")
    ap.add_argument("--ragas-limit", type=int, default=RAGAS_LIMIT,
                    help="scored and calibration items per dataset for the ragas judge (each "
                    "item costs two LLM calls; the local model takes tens of seconds)")
    ap.add_argument("--ragas-datasets", nargs="+", choices=list(SETS),
                    default=list(RAGAS_DATASETS), help="datasets the ragas judge runs on")
    ap.add_argument("--provider", choices=["local", "openai"],
                    help="the LLM behind ragas (default: GC_PROVIDER, else the local model)")
    ap.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                    help="scored items per dataset (stratified sample; the whole set where it "
                    "is smaller, so WiCE test is always all 358 claims; 0 = all)")
    ap.add_argument("--calibration-limit", type=int, default=DEFAULT_CALIBRATION_LIMIT,
                    help="calibration items per dataset that tune each threshold (0 = all)")
    ap.add_argument("--ratings", type=Path,
                    help="human ratings exported from the app's rating form (CSV or JSONL); "
                    "scored as one more dataset, with Spearman's rho of score vs rating")
    ap.add_argument("--prices", type=Path,
                    help="JSON price table {model: [USD per 1M input, per 1M output tokens]} "
                    "for LLM judges' cost per 1,000 items (default: eval.pricing)")
    ap.add_argument("--latency-items", type=int, default=10,
                    help="items timed one at a time per judge x dataset (p50 / p95 ms)")
    ap.add_argument("--output", type=Path, default=Path("reports"), help="output folder")
    ap.add_argument("--model", help="NLI checkpoint folder (default: the shipped model)")
    ap.add_argument("--no-mlflow", action="store_true", help="do not log an MLflow run")
    ap.add_argument("--tracking-uri", default=VarPaths.from_env().mlflow_uri,
                    help="MLflow store")
    args = ap.parse_args(argv)
    if args.judges is None:
        skip = QUICK_SKIPS if args.quick else DEFAULT_SKIPS
        args.judges = [j for j in JUDGES if j not in skip]
    if args.quick:
        args.limit = args.calibration_limit = QUICK_LIMIT
        args.latency_items = min(args.latency_items, QUICK_LATENCY_ITEMS)
        args.ragas_limit = min(args.ragas_limit, QUICK_RAGAS[0])
        args.ragas_datasets = [d for d in args.ragas_datasets if d in QUICK_RAGAS[1]]
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    started, t0 = time.strftime("%Y-%m-%d %H:%M:%S"), time.perf_counter()
    try:
        prices = load_prices(args.prices)
        extra = [ratings_set(args.ratings)] if args.ratings else []
    except (OSError, ValueError, RatingsError) as e:
        raise SystemExit(f"eval.run: {e}") from None
    cfg = RunConfig(datasets=args.datasets, limit=args.limit or None,
                    calibration_limit=args.calibration_limit or None,
                    latency_items=args.latency_items, prices=prices)
    sets = [d for d in args.datasets if d != "mnli"] + extra
    results = []
    for jname in args.judges:
        judge = make_judge(jname, args.model, args.provider)
        for ds in sets:
            jcfg = cfg
            if jname == "ragas":
                if getattr(ds, "name", ds) not in args.ragas_datasets and ds not in extra:
                    continue
                jcfg = replace(cfg, limit=args.ragas_limit, calibration_limit=args.ragas_limit)
            seen = len(judge.errors)
            results.append(run_judge_on_set(judge, ds, jcfg, progress=not args.quick))
            if judge.errors[seen:]:  # this dataset's errors only (the first five)
                results[-1]["errors"] = judge.errors[seen:][:5]
    payload = {
        "command": "python -m eval.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "started": started,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.node()}",
        "datasets": list(args.datasets) + [b.name for b in extra],
        "judges": args.judges,
        "limit": cfg.limit,
        "calibration_limit": cfg.calibration_limit,
        "mnli": (mnli_section(args.model, QUICK_LIMIT * 4 if args.quick else None)
                 if "mnli" in args.datasets else None),
        "results": results,
        "comparisons": compare(results, ours="nli" if "nli" in args.judges else args.judges[0]),
    }
    payload["wall_s"] = time.perf_counter() - t0
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "faithfulness.json", payload)
    write_markdown(out / "faithfulness.md", payload)
    charts = write_charts(out, results)
    print("\n" + table(macro_rows(results)) + "\n\n" + table(results))
    if payload["comparisons"]:
        print("\n" + comparison_table(payload["comparisons"]))
    if not args.no_mlflow:
        run_id = log_mlflow(payload, [out / "faithfulness.json", out / "faithfulness.md", *charts],
                            args.tracking_uri)
        print(f"MLflow run {run_id}")
    print(f"wrote {out}/faithfulness.json, faithfulness.md, {', '.join(c.name for c in charts)}"
          f" in {payload['wall_s']:.0f} s")
    return json.loads((out / "faithfulness.json").read_text())


if __name__ == "__main__":
    main()
