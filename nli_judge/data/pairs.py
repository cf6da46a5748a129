"""Read premise/hypothesis/label files: MNLI TSV or JSON lines (optionally gzipped).

TSV files have the columns ``premise``, ``hypothesis`` and ``gold_label`` (or ``label``) and are
read with ``quoting=csv.QUOTE_NONE`` because MNLI text holds bare quotes. JSONL rows need
``premise``, ``hypothesis`` and ``label``. Labels may be names, e/n/c or ids (see ``labels``),
or the binary faithfulness labels ``supported`` / ``unsupported`` (rows with ``scheme`` binary):
those rows carry ``binary=True`` and train entailment against not-entailment (see
``nli_judge.training.trainer.soft_target_loss``).
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

from nli_judge.model.labels import label_id

BINARY = {"supported": 0, "unsupported": 1}  # entailment id; not-entailment (neutral id)


class DataError(ValueError):
    """A data file that cannot be used; the message names the file and the problem."""


@dataclass
class NLIExamples:
    """Parallel lists of pairs; ``labels`` holds GLUE ids, ``ids`` a per-row key, ``binary``
    whether the row's label is binary (supported = entailment id, unsupported = not
    entailment, stored as the neutral id), ``sources`` the row's source name, ``kinds`` how
    the judge data made it (``copy``, ``edit:negation``, ...; empty where the file says not)."""

    premises: list[str] = field(default_factory=list)
    hypotheses: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    binary: list[bool] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.premises)

    def extend(self, other: NLIExamples) -> None:
        self.premises += other.premises
        self.hypotheses += other.hypotheses
        self.labels += other.labels
        self.ids += other.ids
        self.binary += other.binary or [False] * len(other.premises)
        self.sources += other.sources or [""] * len(other.premises)
        self.kinds += other.kinds or [""] * len(other.premises)

    def subset(self, keep: list[int]) -> NLIExamples:
        return NLIExamples(
            [self.premises[i] for i in keep],
            [self.hypotheses[i] for i in keep],
            [self.labels[i] for i in keep],
            [self.ids[i] for i in keep],
            [self.binary[i] for i in keep] if self.binary else [],
            [self.sources[i] for i in keep] if self.sources else [],
            [self.kinds[i] for i in keep] if self.kinds else [],
        )


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _rows(path: Path) -> list[dict]:
    name = path.name.removesuffix(".gz")
    with _open_text(path) as f:
        if name.endswith(".tsv"):
            return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        if name.endswith((".jsonl", ".json")):
            return parse_jsonl(f, path)
    raise DataError(f"{path}: unsupported file type (use .tsv or .jsonl, optionally .gz)")


def parse_jsonl(lines, where, error: type[Exception] | None = None) -> list[dict]:
    """One JSON object per non-blank line; a bad line raises ``error`` (default DataError)
    naming ``where`` and the line number."""
    rows = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise (error or DataError)(f"{where}: line {n} is not JSON ({e.msg})") from None
    return rows


def read_pairs(path: str | Path, skip_unlabelled: bool = True) -> NLIExamples:
    """Read one file into NLIExamples.

    Rows whose label is ``-`` or empty (MNLI's no-consensus rows) are skipped when
    ``skip_unlabelled``; any other unknown label, a missing column or an empty file raises
    DataError with a one-line message.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    rows = _rows(path)
    if not rows:
        raise DataError(f"{path}: the file has no rows")
    first = rows[0]
    label_key = "gold_label" if "gold_label" in first else "label"
    missing = [k for k in ("premise", "hypothesis", label_key) if k not in first]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
    out = NLIExamples()
    for n, row in enumerate(rows, 1):
        raw = row.get(label_key)
        if skip_unlabelled and (raw is None or str(raw).strip() in ("", "-")):
            continue
        binary = str(row.get("scheme", "")) == "binary" or str(raw).strip().lower() in BINARY
        try:
            lab = BINARY[str(raw).strip().lower()] if binary else label_id(raw)
        except KeyError:
            raise DataError(f"{path}: row {n}: binary label {raw!r} is not supported or "
                            "unsupported") from None
        except ValueError as e:
            raise DataError(f"{path}: row {n}: {e}") from None
        premise, hypothesis = row.get("premise"), row.get("hypothesis")
        if premise is None or hypothesis is None:
            raise DataError(f"{path}: row {n}: empty premise or hypothesis")
        out.premises.append(str(premise))
        out.hypotheses.append(str(hypothesis))
        out.labels.append(lab)
        key = row.get("index", row.get("uid", row.get("id", n)))
        out.ids.append(f"{path.name}:{key}")
        out.binary.append(binary)
        out.sources.append(str(row.get("source") or path.name))
        out.kinds.append(str(row.get("kind") or ""))
    if not out:
        raise DataError(f"{path}: no labelled rows")
    return out


def read_many(paths: list[str | Path]) -> NLIExamples:
    """Concatenate several files (in order)."""
    out = NLIExamples()
    for p in paths:
        out.extend(read_pairs(p))
    return out


def swap_contradictions(ex: NLIExamples, contradiction_id: int = 2) -> NLIExamples:
    """The contradiction pairs of ``ex`` with premise and hypothesis swapped (ids + ':swap')."""
    keep = [i for i, y in enumerate(ex.labels)
            if y == contradiction_id and not (ex.binary and ex.binary[i])]
    return NLIExamples([ex.hypotheses[i] for i in keep], [ex.premises[i] for i in keep],
                       [contradiction_id] * len(keep), [ex.ids[i] + ":swap" for i in keep],
                       [False] * len(keep), [ex.sources[i] for i in keep] if ex.sources else [])
