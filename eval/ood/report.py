"""The protocol's table: each model's best candidate, the reference settings, the chosen one."""

from __future__ import annotations

from eval.ood.sources import LOCKBOX


def _ci(v: dict, key: str) -> str:
    ci = v.get(f"{key}_ci")
    val = v[key]
    if val is None:
        return "-"
    return f"{val:.3f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def rows_to_show(report: dict) -> list[dict]:
    """Per model its best candidate by the protocol, each model as the plain reference
    setting (2 windows, min over claims), v4's shipped kind of score (all features, C=1,
    2 windows), word overlap, and the chosen candidate first."""
    cands = report["candidates"]
    by_name = {r["candidate"]: r for r in cands}
    chosen = by_name[report["chosen"]]
    out = [chosen]
    for model in dict.fromkeys(r["model"] for r in cands):
        mine = [r for r in cands if r["model"] == model]
        best = max(mine, key=lambda r: r["loso_mean_roc_auc"])
        out += [best] + [by_name[n] for n in (f"{model} k=2 min", f"{model} k=2 both")
                         if n in by_name]
    seen, unique = set(), []
    for r in out:
        if r["candidate"] not in seen:
            seen.add(r["candidate"])
            unique.append(r)
    return unique


def markdown(report: dict) -> str:
    """The table for the cards and the README (chosen row in bold)."""
    boxes = list(LOCKBOX)
    head = ("| candidate | benchmark macro bal. acc | LOSO mean ROC AUC | LOSO worst (source) "
            "| LOSO mean bal. acc | lockbox macro ROC AUC | "
            + " | ".join(f"{b} ROC AUC / bal. acc" for b in boxes) + " |")
    lines = [f"`{report['command']}` ({report['date']}, {report['seconds']} s; "
             f"{len(report['candidates'])} candidates; chosen: **{report['chosen']}**)", "",
             head, "|" + "---|" * (6 + len(boxes))]
    for r in rows_to_show(report):
        name = f"**{r['candidate']}**" if r["candidate"] == report["chosen"] else r["candidate"]
        if r["model"] in report.get("averages", {}):
            name += " (2 models: not shippable)"
        cells = [name, f"{r['benchmark_macro']:.3f}", f"{r['loso_mean_roc_auc']:.3f}",
                 f"{r['loso_worst_roc_auc']:.3f} ({r['loso_worst_source']})",
                 f"{r['loso_mean_balanced_accuracy']:.3f}", f"{r['lockbox_macro_roc_auc']:.3f}"]
        cells += [f"{_ci(r['lockbox'][b], 'roc_auc')} / {_ci(r['lockbox'][b], 'balanced_accuracy')}"
                  for b in boxes]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Benchmark macro: each set's threshold tuned on its calibration part, as "
              "`eval.run` does (400 scored items per set). LOSO: fitted on all dev sources but "
              "one, scored on that one. Lockbox: fitted on every dev source, balanced accuracy "
              "at the candidate's own threshold (the median of the dev sources' best); 95% "
              "bootstrap intervals. Choice: best LOSO mean ROC AUC; the lockbox and the "
              "benchmark have no say.", ""]
    return "\n".join(lines)
