"""Apply a person's corrections from the audit CSV to training data.

The audit CSV (``nli_judge.evaluation.audit``) has one row per suspicious pair, keyed by
``id``, with two columns for a person to fill: ``new_label`` (entailment / neutral /
contradiction) and ``exclude`` (yes / y / 1 / x / true). Rows with neither filled
are left as they are.

Modes for rows that have a ``new_label``:
- ``exclude``: drop the row from training;
- ``relabel``: train on the new label;
- ``soft``: train on ``(1 - w) * gold + w * new`` (a soft target, ``w = soft_weight``).
Rows marked ``exclude`` are dropped in every mode.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nli_judge.data.pairs import DataError, NLIExamples
from nli_judge.model.labels import label_id

TRUTHY = {"yes", "y", "1", "x", "true", "exclude"}


@dataclass
class LabelFix:
    new_label: int | None
    exclude: bool


def read_label_fixes(path: str | Path) -> dict[str, LabelFix]:
    """Read the filled-in audit CSV into {id: LabelFix} (rows with nothing filled are skipped)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            raise DataError(f"{path}: missing column id")
        fixes: dict[str, LabelFix] = {}
        for n, row in enumerate(reader, 2):
            new = (row.get("new_label") or "").strip()
            excl = (row.get("exclude") or "").strip().lower() in TRUTHY
            if not new and not excl:
                continue
            try:
                fixes[row["id"]] = LabelFix(label_id(new) if new else None, excl)
            except ValueError as e:
                raise DataError(f"{path}: line {n}: {e}") from None
    return fixes


def apply_label_fixes(
    examples: NLIExamples,
    fixes: dict[str, LabelFix],
    mode: str = "exclude",
    soft_weight: float = 0.5,
) -> tuple[NLIExamples, np.ndarray, dict[str, int]]:
    """Return (kept examples, (n, 3) soft targets, counts of what was done)."""
    if mode not in ("exclude", "relabel", "soft"):
        raise ValueError(f"unknown label-fix mode {mode!r}")
    keep: list[int] = []
    targets: list[np.ndarray] = []
    counts = {"excluded": 0, "relabelled": 0, "softened": 0, "unmatched_fixes": 0}
    seen = set()
    for i, key in enumerate(examples.ids):
        onehot = np.eye(3, dtype=np.float32)[examples.labels[i]]
        fix = fixes.get(key)
        if fix is None:
            keep.append(i)
            targets.append(onehot)
            continue
        seen.add(key)
        if fix.exclude or (mode == "exclude" and fix.new_label is not None):
            counts["excluded"] += 1
            continue
        new = np.eye(3, dtype=np.float32)[fix.new_label]
        if mode == "relabel":
            examples.labels[i] = fix.new_label
            targets.append(new)
            counts["relabelled"] += 1
        else:
            targets.append((1 - soft_weight) * onehot + soft_weight * new)
            counts["softened"] += 1
        keep.append(i)
    counts["unmatched_fixes"] = len(set(fixes) - seen)
    return examples.subset(keep), np.stack(targets) if targets else np.zeros((0, 3)), counts
