"""Label audit: find pairs whose gold label the model confidently disputes.

    python -m nli_judge.evaluation.audit --data FILE [--model DIR] [--threshold 0.8] [--out CSV]

Ranks every pair by the model's loss on its gold label, lists the confidently wrong ones (the
model puts at least ``--threshold`` on another label) with counts by gold and predicted label,
and writes them to a CSV a person can correct: fill ``new_label`` (entailment / neutral /
contradiction) or ``exclude`` (yes), then train with
``python -m nli_judge.training.train --label-fixes CSV --label-fix-mode exclude|relabel|soft``.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nli_judge.data.pairs import DataError, NLIExamples, read_pairs
from nli_judge.model.labels import ID2LABEL
from nli_judge.model.nli_model import NLIModel
from nli_judge.var_paths import VarPaths

CSV_COLUMNS = ("rank", "id", "premise", "hypothesis", "gold_label", "predicted_label",
               "p_predicted", "p_gold", "loss", "new_label", "exclude")


@dataclass
class AuditResult:
    """``order``: all row indices by descending loss; ``flagged``: the confidently wrong rows
    (in loss order); ``counts``: {(gold, predicted): n} over the flagged rows."""

    losses: np.ndarray
    order: np.ndarray
    flagged: list[int]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)


def audit(labels: list[int] | np.ndarray, probs: np.ndarray, threshold: float = 0.8) -> AuditResult:
    """Rank pairs by cross-entropy loss and flag those predicted as another label with
    probability >= ``threshold``."""
    y = np.asarray(labels, dtype=int)
    probs = np.asarray(probs, dtype=float)
    losses = -np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0))
    order = np.argsort(-losses, kind="stable")
    pred = probs.argmax(1)
    flagged = [int(i) for i in order if pred[i] != y[i] and probs[i, pred[i]] >= threshold]
    counts = Counter((ID2LABEL[int(y[i])], ID2LABEL[int(pred[i])]) for i in flagged)
    return AuditResult(losses, order, flagged, dict(counts))


def write_audit_csv(path: str | Path, ex: NLIExamples, probs: np.ndarray, res: AuditResult) -> Path:
    """Write the flagged rows, in loss order, with empty ``new_label`` / ``exclude`` columns."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for rank, i in enumerate(res.flagged, 1):
            pred = int(probs[i].argmax())
            w.writerow([rank, ex.ids[i], ex.premises[i], ex.hypotheses[i],
                        ID2LABEL[ex.labels[i]], ID2LABEL[pred], f"{probs[i, pred]:.4f}",
                        f"{probs[i, ex.labels[i]]:.4f}", f"{res.losses[i]:.4f}", "", ""])
    return path


def format_counts(res: AuditResult, n: int) -> str:
    lines = [f"{len(res.flagged)} of {n} pairs confidently wrong "
             f"({100 * len(res.flagged) / max(n, 1):.1f}%)", "",
             f"{'gold':<15}{'predicted':<15}{'n':>5}"]
    for (gold, pred), c in sorted(res.counts.items(), key=lambda kv: -kv[1]):
        lines.append(f"{gold:<15}{pred:<15}{c:>5}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="TSV (MNLI) or JSONL(.gz) with labels")
    ap.add_argument("--model", help="checkpoint folder (default: the shipped model)")
    ap.add_argument("--threshold", type=float, default=0.8,
                    help="flag a pair when the model puts at least this on another label")
    ap.add_argument("--out", type=Path, default=VarPaths.from_env().audit / "label_audit.csv",
                    help="CSV of flagged pairs to correct")
    ap.add_argument("--show", type=int, default=10, help="print the N highest-loss flagged pairs")
    ap.add_argument("--batch-size", type=int, default=32, help="pairs per batch")
    args = ap.parse_args(argv)
    if not 0.0 < args.threshold <= 1.0:
        ap.error("--threshold must be in (0, 1]")
    try:
        ex = read_pairs(args.data)
        model = NLIModel.load(args.model)
    except (DataError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}") from None
    probs = model.predict(ex.premises, ex.hypotheses, batch_size=args.batch_size, progress=True)
    res = audit(ex.labels, probs, args.threshold)
    print(format_counts(res, len(ex)))
    for i in res.flagged[: args.show]:
        print(f"\n[{ID2LABEL[ex.labels[i]]} -> {ID2LABEL[int(probs[i].argmax())]} "
              f"p={probs[i].max():.2f}] {ex.ids[i]}\n  P: {ex.premises[i][:200]}\n"
              f"  H: {ex.hypotheses[i][:200]}")
    print(f"\nwrote {write_audit_csv(args.out, ex, probs, res)}")


if __name__ == "__main__":
    main()
