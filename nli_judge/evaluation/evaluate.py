"""Evaluate an NLI model on a labelled file.

    python -m nli_judge.evaluation.evaluate --data FILE [--model DIR] [--backend B]
                                            [--json OUT] [--png OUT]

Prints accuracy, macro F1, per-class precision / recall / F1, one-vs-rest ROC AUC and PR AUC
per class and the confusion matrix; ``--json`` writes them (keys ``n``, ``accuracy``,
``macro_f1``, ``per_class``, ``confusion_matrix``, ``roc_auc``, ``pr_auc``), ``--png`` draws
the confusion matrix. Without ``--model`` the model shipped in ``nli_judge/checkpoint`` is used.
A mixed file of several sources (``nli_judge.data.judge_data``'s dev.jsonl.gz) also gets the
per-source table that training prints at its end (key ``by_source``): the same numbers for any
model, so checkpoints can be compared on one dev file; its synthetic rows also get a table per
edit (key ``by_edit``: the share of edited claims caught, of copies kept supported).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nli_judge.data.pairs import DataError, read_pairs
from nli_judge.evaluation.metrics import (
    format_edit_table,
    format_report,
    format_source_table,
    nli_metrics,
    per_edit_metrics,
    per_source_metrics,
    save_confusion_png,
)
from nli_judge.model.nli_model import BACKENDS, NLIModel


def evaluate_file(data: str | Path, model: NLIModel, batch_size: int = 32,
                  progress: bool = False) -> dict:
    """Predict every pair of ``data`` and return ``nli_metrics`` (plus ``data``, and
    ``by_source`` when the file mixes sources)."""
    ex = read_pairs(data)
    probs = model.predict(ex.premises, ex.hypotheses, batch_size=batch_size, progress=progress)
    out = {**nli_metrics(ex.labels, probs), "data": str(data)}
    if len(set(ex.sources or [])) > 1:
        out["by_source"] = per_source_metrics(probs, ex.labels, ex.binary, ex.sources)
        by_edit = per_edit_metrics(probs, ex.kinds, ex.sources)
        if by_edit:
            out["by_edit"] = by_edit
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="TSV (MNLI) or JSONL(.gz) with labels")
    ap.add_argument("--model", help="checkpoint folder (default: the shipped model)")
    ap.add_argument("--json", type=Path, help="write the metrics as JSON here")
    ap.add_argument("--png", type=Path, help="draw the confusion matrix to this PNG")
    ap.add_argument("--batch-size", type=int, default=32, help="pairs per batch")
    ap.add_argument("--backend", choices=BACKENDS, default="torch",
                    help="torch (fp32), torch-int8, onnx or onnx-int8 (ONNX Runtime)")
    args = ap.parse_args(argv)
    try:
        model = NLIModel.load(args.model, backend=args.backend)
        m = evaluate_file(args.data, model, args.batch_size, progress=True)
    except (DataError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}") from None
    print(format_report(m))
    if "by_source" in m:
        print("\nPer source\n" + format_source_table(m["by_source"]))
    if "by_edit" in m:
        print("\nSynthetic rows per edit (share right at p(entailment) 0.5: copy kept "
              "supported, edit caught)\n" + format_edit_table(m["by_edit"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(m, indent=2))
        print(f"wrote {args.json}")
    if args.png:
        print(f"wrote {save_confusion_png(m, args.png, Path(args.data).name)}")


if __name__ == "__main__":
    main()
