"""Write benchmark results: console table, JSON, Markdown, PNG charts, an MLflow run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from eval.bootstrap import Scored, macro_intervals

# LLM-AggreFact leaderboard, balanced accuracy on WiCE test (published, not rerun).
PUBLISHED_WICE = {
    "MiniCheck-Flan-T5-L": 72.2, "AlignScore": 66.0, "SummaC-ZS": 62.8, "GPT-4o": 78.5,
}
COLUMNS = ("judge", "dataset", "n", "failed", "balanced_accuracy", "roc_auc", "pr_auc",
           "f1_unfaithful", "p50_ms", "p95_ms", "items_per_s", "cpu_s_per_1k",
           "cost_per_1k_usd")


def _fmt_ci(v, ci) -> str:
    """A value with its interval: ``0.706 [0.652, 0.760]``."""
    if v is None or not ci:
        return _fmt(v)
    return f"{v:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def macro_rows(results: list[dict]) -> list[dict]:
    """Per judge: the macro average of balanced accuracy / ROC AUC / PR AUC over datasets,
    with a bootstrap interval of the macro balanced accuracy (each dataset resampled apart)
    while the scores are at hand."""
    rows = []
    for judge in dict.fromkeys(r["judge"] for r in results):
        mine = [r for r in results if r["judge"] == judge]
        row = {"judge": judge, "dataset": "macro", "n": sum(r["n"] for r in mine),
               "failed": sum(r.get("failed", 0) for r in mine)}
        if all("scores" in r for r in mine):
            row["balanced_accuracy_ci"] = macro_intervals(
                [Scored(np.array(r["labels"]), np.array(r["scores"], dtype=float),
                        r["threshold"]) for r in mine])
        for k in ("balanced_accuracy", "roc_auc", "pr_auc", "f1_unfaithful"):
            vals = [r[k] for r in mine if r.get(k) is not None]
            row[k] = float(np.mean(vals)) if vals else None
        for k in ("p50_ms", "p95_ms", "items_per_s", "cpu_s_per_1k", "cost_per_1k_usd"):
            vals = [r[k] for r in mine if r.get(k) is not None]
            row[k] = float(np.median(vals)) if vals else None
        rows.append(row)
    return rows


def table(rows: list[dict], columns=COLUMNS) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt_ci(r.get(c), r.get(f"{c}_ci")) for c in columns) + " |"
              for r in rows]
    return "\n".join(lines)


def comparison_table(comparisons: list[dict]) -> str:
    """Paired differences of balanced accuracy, ours minus each baseline."""
    lines = ["| ours | baseline | dataset | difference | 95% paired interval | share of "
             "resamples <= 0 |", "|---|---|---|---:|---|---:|"]
    lines += [f"| {c['ours']} | {c['baseline']} | {c['dataset']} | {c['difference']:+.3f} | "
              f"[{c['ci'][0]:+.3f}, {c['ci'][1]:+.3f}] | {c['p_not_better']:.3f} |"
              for c in comparisons]
    return "\n".join(lines)


def write_json(path: Path, payload: dict) -> None:
    drop = ("scores", "labels", "item_ids")
    slim = {**payload, "results": [{k: v for k, v in r.items() if k not in drop}
                                   for r in payload["results"]],
            "macro": macro_rows(payload["results"])}
    path.write_text(json.dumps(slim, indent=2) + "\n")


def write_markdown(path: Path, payload: dict) -> None:
    results = payload["results"]
    lines = ["# Faithfulness benchmark", "", f"Command: `{payload['command']}`  ",
             f"Run: {payload['started']}, {payload['wall_s']:.0f} s on {payload['machine']}", "",
             "Balanced accuracy, ROC AUC and PR AUC with unfaithful as the positive class; "
             "thresholds tuned on each set's calibration items, never on scored ones. "
             "Brackets: 95% bootstrap intervals (1,000 resamples, stratified by label; the "
             "macro interval resamples each dataset apart).", "",
             "## Macro average over datasets", "", table(macro_rows(results)), "",
             "## Per dataset", "", table(results), ""]
    if payload.get("comparisons"):
        lines += ["## Ours against each baseline, paired", "",
                  "Balanced accuracy of our judge minus the baseline's on the same items, "
                  "with a paired bootstrap interval (the same resampled items for both).", "",
                  comparison_table(payload["comparisons"]), ""]
    wice = [r for r in results if r["dataset"] == "wice"]
    if wice:
        lines += ["## WiCE test beside published checkers", "",
                  "| checker | balanced accuracy (%) | n | source |", "|---|---:|---:|---|"]
        lines += [f"| {r['judge']} (ours) | {100 * r['balanced_accuracy']:.1f} | {r['n']} | "
                  "this run (a sample: see n) |" for r in wice]
        lines += [f"| {k} | {v:.1f} | 358 | published (LLM-AggreFact), not rerun |"
                  for k, v in PUBLISHED_WICE.items()]
        lines.append("")
    if payload.get("mnli"):
        m = payload["mnli"]
        lines += ["## NLI model on MNLI held-out", "",
                  f"3-class accuracy {m['accuracy']:.3f}, macro F1 {m['macro_f1']:.3f} "
                  f"(n = {m['n']})", ""]
    rated = [r for r in results if "spearman_vs_rating" in r]
    if rated:
        lines += ["## Human ratings", "", "| judge | n | balanced accuracy | Spearman (score vs "
                  "mean rating) |", "|---|---:|---:|---:|"]
        lines += [f"| {r['judge']} | {r['n']} | {_fmt(r['balanced_accuracy'])} | "
                  f"{_fmt(r['spearman_vs_rating'])} |" for r in rated]
        lines.append("")
    asides = [r for r in results if r.get("aside")]
    if asides:
        lines += ["## Reported apart", "", "| judge | items | n | judged faithful |",
                  "|---|---|---:|---:|"]
        lines += [f"| {r['judge']} | {r['aside']['what']} | {r['aside']['n']} | "
                  f"{_fmt(r['aside']['judged_faithful'])} |" for r in asides]
        lines.append("")
    llm = [r for r in results if r.get("tokens_per_item")]
    if llm:
        lines += ["## LLM judges: calls and tokens", "",
                  "| judge | dataset | n | failed (NaN) | LLM calls / item | tokens / item | "
                  "USD / 1k items | USD / 1k at gpt-4o-mini prices |", "|---|---|---:|---:|---:|"
                  "---:|---:|---:|"]
        lines += [f"| {r['judge']} | {r['dataset']} | {r['n']} | {r['failed']} | "
                  f"{_fmt(r['llm_calls_per_item'])} | {_fmt(r['tokens_per_item'])} | "
                  f"{_fmt(r['cost_per_1k_usd'])} | "
                  f"{_fmt(r.get('cost_per_1k_usd_at_gpt_4o_mini'))} |" for r in llm]
        lines += ["", "LLM judges run on a small sample (`--ragas-limit`): their macro row "
                  "averages only the sets they ran on and is not comparable with the others.",
                  ""]
    lines += ["Cost: `cost_per_1k_usd` is API money for LLM judges (measured tokens x the price "
              "table in eval/pricing.py); local judges cost 0 USD and their cost is "
              "`cpu_s_per_1k`, CPU seconds per 1,000 items on this machine.", ""]
    notes = sorted({f"{r['dataset']}: {r['note']}" for r in results if r.get("note")})
    lines += ["## Notes", ""] + [f"- {n}" for n in notes]
    path.write_text("\n".join(lines) + "\n")


def write_charts(out: Path, results: list[dict]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    paths = []
    datasets = list(dict.fromkeys(r["dataset"] for r in results))
    judges = list(dict.fromkeys(r["judge"] for r in results))
    fig, axes = plt.subplots(1, len(datasets), figsize=(4 * len(datasets), 4), squeeze=False)
    for ax, ds in zip(axes[0], datasets, strict=True):
        for r in (r for r in results if r["dataset"] == ds):
            y, s = 1 - np.array(r["labels"]), -np.array(r["scores"], dtype=float)
            ok = ~np.isnan(s)
            if len(np.unique(y[ok])) == 2:
                fpr, tpr, _ = roc_curve(y[ok], s[ok])
                ax.plot(fpr, tpr, label=f"{r['judge']} ({_fmt(r['roc_auc'])})")
        ax.plot([0, 1], [0, 1], "k:", lw=0.8)
        ax.set_title(ds)
        ax.set_xlabel("false positive rate")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("true positive rate (unfaithful caught)")
    fig.tight_layout()
    paths.append(out / "roc_curves.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(datasets) * len(judges) / 2), 4))
    width = 0.8 / max(len(judges), 1)
    for j, judge in enumerate(judges):
        mine = [next((r for r in results if r["judge"] == judge and r["dataset"] == ds), {})
                for ds in datasets]
        vals = np.array([r.get("balanced_accuracy", np.nan) for r in mine], dtype=float)
        cis = np.array([r.get("balanced_accuracy_ci") or [v, v] for r, v in zip(mine, vals,
                                                                                 strict=True)])
        err = np.abs(np.vstack([vals - cis[:, 0], cis[:, 1] - vals]))
        ax.bar(np.arange(len(datasets)) + j * width, vals, width, label=judge, yerr=err,
               capsize=2, error_kw={"lw": 0.8})
    ax.axhline(0.5, color="k", ls=":", lw=0.8)
    ax.set_xticks(np.arange(len(datasets)) + width * (len(judges) - 1) / 2, datasets,
                  rotation=20)
    ax.set_ylabel("balanced accuracy (95% interval)")
    ax.set_ylim(0.3, 1.0)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out / "balanced_accuracy.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)
    return paths


def log_mlflow(payload: dict, files: list[Path], tracking_uri: str) -> str | None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    from nli_judge.training.tracking import setup_tracking

    setup_tracking("mlflow", tracking_uri, "faithfulness-benchmark")
    import mlflow

    with mlflow.start_run(run_name="eval.run") as run:
        mlflow.log_params({"command": payload["command"][:250],
                           "datasets": ",".join(payload["datasets"]),
                           "judges": ",".join(payload["judges"])})
        for r in payload["results"] + macro_rows(payload["results"]):
            for k in ("balanced_accuracy", "roc_auc", "pr_auc", "f1_unfaithful", "p50_ms"):
                if r.get(k) is not None:
                    mlflow.log_metric(f"{r['judge']}.{r['dataset']}.{k}".replace("-", "_"), r[k])
        for f in files:
            mlflow.log_artifact(str(f))
        return run.info.run_id
