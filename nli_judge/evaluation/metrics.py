"""Classification metrics for NLI predictions, and the confusion-matrix picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from nli_judge.model.labels import LABELS


def nli_metrics(labels: np.ndarray | list[int], probs: np.ndarray) -> dict:
    """Metrics of (n, 3) probabilities against gold label ids.

    Returns ``n``, ``accuracy``, ``macro_f1``, ``per_class`` ({label: precision, recall, f1,
    support}), ``confusion_matrix`` (rows gold, columns predicted, label-id order),
    ``roc_auc`` and ``pr_auc`` (one-vs-rest per label; None where a label has no positives or
    no negatives).
    """
    y = np.asarray(labels, dtype=int)
    probs = np.asarray(probs, dtype=float)
    pred = probs.argmax(axis=1)
    ids = list(range(len(LABELS)))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=ids, zero_division=0)
    roc, pr = {}, {}
    for i, name in enumerate(LABELS):
        pos = y == i
        if pos.all() or not pos.any():
            roc[name] = pr[name] = None
        else:
            roc[name] = float(roc_auc_score(pos, probs[:, i]))
            pr[name] = float(average_precision_score(pos, probs[:, i]))
    return {
        "n": int(len(y)),
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=ids, average="macro", zero_division=0)),
        "per_class": {
            name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                   "support": int(s[i])}
            for i, name in enumerate(LABELS)
        },
        "confusion_matrix": confusion_matrix(y, pred, labels=ids).tolist(),
        "roc_auc": roc,
        "pr_auc": pr,
    }


def format_report(m: dict) -> str:
    """A plain-text report of ``nli_metrics`` output."""
    lines = [f"n={m['n']}  accuracy={m['accuracy']:.4f}  macro_f1={m['macro_f1']:.4f}", ""]
    lines.append(f"{'label':<14}{'prec':>7}{'rec':>7}{'f1':>7}{'roc_auc':>9}{'pr_auc':>8}{'n':>6}")
    for name in LABELS:
        c = m["per_class"][name]
        roc = m["roc_auc"][name]
        pr = m["pr_auc"][name]
        lines.append(
            f"{name:<14}{c['precision']:>7.3f}{c['recall']:>7.3f}{c['f1']:>7.3f}"
            f"{(f'{roc:.3f}' if roc is not None else '-'):>9}"
            f"{(f'{pr:.3f}' if pr is not None else '-'):>8}{c['support']:>6}"
        )
    lines += ["", "confusion matrix (rows gold, columns predicted)",
              " " * 14 + "".join(f"{n[:6]:>8}" for n in LABELS)]
    for name, row in zip(LABELS, m["confusion_matrix"], strict=True):
        lines.append(f"{name:<14}" + "".join(f"{v:>8}" for v in row))
    return "\n".join(lines)


def save_confusion_png(m: dict, path: str | Path, title: str = "NLI confusion matrix") -> Path:
    """Draw the confusion matrix (counts, rows gold) to a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(m["confusion_matrix"])
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(3), LABELS, rotation=20)
    ax.set_yticks(range(3), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"{title}\naccuracy {m['accuracy']:.3f}, macro F1 {m['macro_f1']:.3f}")
    for i in range(3):
        for j in range(3):
            colour = "white" if cm[i, j] > cm.max() / 2 else "black"
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color=colour)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def per_source_metrics(probs: np.ndarray, labels: list[int], binary: list[bool],
                       sources: list[str]) -> dict[str, dict]:
    """Per source of a mixed dev file: binary rows by p(entailment) (balanced accuracy at 0.5
    and ROC AUC of supported vs unsupported), 3-way rows by accuracy and entailment-vs-rest
    balanced accuracy; plus ``mean_binary_balanced_accuracy`` over the sources."""
    from sklearn.metrics import balanced_accuracy_score

    probs = np.asarray(probs, dtype=float)
    y, is_bin, src = np.asarray(labels), np.asarray(binary, bool), np.asarray(sources)
    out: dict[str, dict] = {}
    for name in sorted(set(sources)):
        rows = src == name
        entailed = (y[rows] == 0).astype(int)
        pred = (probs[rows, 0] >= 0.5).astype(int)
        m = {"n": int(rows.sum()), "scheme": "binary" if is_bin[rows].all() else "nli3",
             "balanced_accuracy": float(balanced_accuracy_score(entailed, pred))
             if len(set(entailed)) == 2 else None,
             "roc_auc": float(roc_auc_score(entailed, probs[rows, 0]))
             if len(set(entailed)) == 2 else None}
        if m["scheme"] == "nli3":
            m["accuracy_3way"] = float(accuracy_score(y[rows], probs[rows].argmax(1)))
        out[name] = m
    bal = [m["balanced_accuracy"] for m in out.values() if m["balanced_accuracy"] is not None]
    out["mean_binary_balanced_accuracy"] = {"value": float(np.mean(bal)) if bal else None}
    return out


def per_edit_metrics(probs: np.ndarray, kinds: list[str], sources: list[str]) -> dict[str, dict]:
    """For the synthetic rows of a judge dev file (kind ``copy`` or ``edit:NAME``): per kind,
    how many rows and the share the model gets right at p(entailment) 0.5 (a copy kept
    supported, an edited claim caught as not entailed), over every synthetic source."""
    probs = np.asarray(probs, dtype=float)
    out: dict[str, dict] = {}
    for kind in sorted({k for k in kinds if k == "copy" or k.startswith("edit:")}):
        rows = [i for i, (k, s) in enumerate(zip(kinds, sources, strict=True))
                if k == kind and s.startswith("synthetic")]
        if not rows:
            continue
        entailed = probs[rows, 0] >= 0.5
        right = entailed if kind == "copy" else ~entailed
        out[kind] = {"n": len(rows), "share_right": float(right.mean())}
    return out


def format_edit_table(by_edit: dict[str, dict]) -> str:
    """``per_edit_metrics`` as a markdown table; ``balanced`` is the mean of an edit's share
    and the copies' share, so a model that rejects every claim does not look good."""
    copy = by_edit.get("copy", {}).get("share_right")
    lines = ["| kind | n | share right | balanced with copies |", "|---|---:|---:|---:|"]
    for kind, e in by_edit.items():
        bal = "-" if copy is None or kind == "copy" else f"{(e['share_right'] + copy) / 2:.3f}"
        lines.append(f"| {kind} | {e['n']} | {e['share_right']:.3f} | {bal} |")
    return "\n".join(lines)


def format_source_table(metrics: dict[str, dict]) -> str:
    """``per_source_metrics`` as a markdown table."""
    lines = ["| source | scheme | n | balanced acc (entailed vs not) | ROC AUC | 3-way acc |",
             "|---|---|---:|---:|---:|---:|"]
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    for name, m in metrics.items():
        if "n" not in m:
            continue
        lines.append(f"| {name} | {m['scheme']} | {m['n']} | {fmt(m['balanced_accuracy'])} | "
                     f"{fmt(m['roc_auc'])} | {fmt(m.get('accuracy_3way'))} |")
    mean = metrics.get("mean_binary_balanced_accuracy", {}).get("value")
    lines.append(f"| mean | | | {fmt(mean)} | | |")
    return "\n".join(lines)
