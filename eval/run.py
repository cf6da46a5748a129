"""The faithfulness benchmark: judges side by side with accuracy, speed and cost.

    python -m eval.run [--quick] [--datasets D ...] [--judges J ...] [--limit N] [--output DIR]

For every judge x dataset: the decision threshold is tuned on that dataset's calibration items
(a dev split, or a fixed part of the file that is never scored), then balanced accuracy, ROC
AUC, PR AUC and F1 (unfaithful = positive) are measured on the scored items, with p50 / p95
milliseconds per item (one item at a time), items per second (batched) and CPU seconds.
Writes DIR/faithfulness.json, DIR/faithfulness.md, DIR/roc_curves.png,
DIR/balanced_accuracy.png, and an MLflow run (sqlite store in var/).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from eval.benchmark import SETS
from eval.report import log_mlflow, macro_rows, table, write_charts, write_json, write_markdown
from eval.runner import RunConfig, run_judge_on_set

JUDGES = ("nli", "nli-doc", "lexical", "embedding")
QUICK_LIMIT = 24


def make_judge(name: str, model: str | None = None):
    from eval.judges import EmbeddingJudge, LexicalJudge, NLIDocJudge, NLISentenceJudge

    return {"nli": lambda: NLISentenceJudge(model), "nli-doc": lambda: NLIDocJudge(model),
            "lexical": LexicalJudge, "embedding": EmbeddingJudge}[name]()


def mnli_section(model: str | None, limit: int | None) -> dict:
    from nli_judge.data import read_pairs
    from nli_judge.metrics import nli_metrics
    from nli_judge.model import NLIModel

    ex = read_pairs(Path(__file__).resolve().parents[1] / "data" / "nli" / "mnli_heldout.tsv")
    if limit:
        ex = ex.subset(list(range(min(limit, len(ex)))))
    m = NLIModel.load(model)
    metrics = nli_metrics(ex.labels, m.predict(ex.premises, ex.hypotheses))
    return {k: metrics[k] for k in ("n", "accuracy", "macro_f1", "per_class")}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help=f"a small stratified sample ({QUICK_LIMIT} scored + {QUICK_LIMIT} "
                    "calibration items per dataset), for tests and smoke runs")
    ap.add_argument("--datasets", nargs="+", choices=list(SETS), default=list(SETS),
                    help="datasets to score")
    ap.add_argument("--judges", nargs="+", choices=JUDGES, default=list(JUDGES),
                    help="judges to compare")
    ap.add_argument("--limit", type=int, default=200,
                    help="scored items per dataset (stratified sample; 0 = all)")
    ap.add_argument("--calibration-limit", type=int, default=200,
                    help="calibration items per dataset (0 = all)")
    ap.add_argument("--output", type=Path, default=Path("reports"), help="output folder")
    ap.add_argument("--model", help="NLI checkpoint folder (default: the shipped model)")
    ap.add_argument("--no-mlflow", action="store_true", help="do not log an MLflow run")
    ap.add_argument("--tracking-uri", default="sqlite:///var/mlflow.db", help="MLflow store")
    args = ap.parse_args(argv)
    if args.quick:
        args.limit = args.calibration_limit = QUICK_LIMIT
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    started, t0 = time.strftime("%Y-%m-%d %H:%M:%S"), time.perf_counter()
    cfg = RunConfig(datasets=args.datasets, limit=args.limit or None,
                    calibration_limit=args.calibration_limit or None)
    results = []
    for jname in args.judges:
        judge = make_judge(jname, args.model)
        for ds in args.datasets:
            results.append(run_judge_on_set(judge, ds, cfg, progress=not args.quick))
    payload = {
        "command": "python -m eval.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "started": started, "machine": f"{platform.machine()}, {platform.node()}",
        "datasets": args.datasets, "judges": args.judges, "limit": cfg.limit,
        "calibration_limit": cfg.calibration_limit,
        "mnli": mnli_section(args.model, QUICK_LIMIT * 4 if args.quick else None),
        "results": results,
    }
    payload["wall_s"] = time.perf_counter() - t0
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "faithfulness.json", payload)
    write_markdown(out / "faithfulness.md", payload)
    charts = write_charts(out, results)
    print("\n" + table(macro_rows(results)) + "\n\n" + table(results))
    if not args.no_mlflow:
        run_id = log_mlflow(payload, [out / "faithfulness.json", out / "faithfulness.md", *charts],
                            args.tracking_uri)
        print(f"MLflow run {run_id}")
    print(f"wrote {out}/faithfulness.json, faithfulness.md, {', '.join(c.name for c in charts)}"
          f" in {payload['wall_s']:.0f} s")
    return json.loads((out / "faithfulness.json").read_text())


if __name__ == "__main__":
    main()
