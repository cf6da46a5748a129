"""The bundled faithfulness datasets as one shape of item: answer, passages, label.

``label`` is 1 for faithful (supported / attributable / consistent / the right answer) and 0
for unfaithful. Every loader reads only ``data/benchmarks`` (built by scripts/build_data.py).

Splits: ``dev`` sets may tune thresholds; ``test`` sets are only ever scored.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nli_judge.data.pairs import parse_jsonl

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "benchmarks"


@dataclass
class FaithItem:
    id: str
    answer: str
    passages: list[str]
    label: int  # 1 faithful, 0 unfaithful
    question: str | None = None
    meta: dict = field(default_factory=dict)

    def judge_input(self) -> dict:
        """The item as ``FaithfulnessJudge.score_batch`` takes it."""
        return {"answer": self.answer, "passages": self.passages, "question": self.question}


def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def wice(split: str, data_dir: Path = DATA_DIR) -> list[FaithItem]:
    """WiCE claims with their cited article's sentences; supported = 1, else 0."""
    rows = _jsonl(data_dir / "wice" / f"claim_{split}.jsonl.gz")
    return [FaithItem(f"wice-{split}-{i}", r["claim"], [" ".join(r["evidence"])],
                      int(r["label"] == "supported"), meta={"wice_label": r["label"]})
            for i, r in enumerate(rows)]


def halueval(task: str, split: str, data_dir: Path = DATA_DIR, limit: int | None = None,
             last: bool = False) -> list[FaithItem]:
    """HaluEval qa / dialogue / summarization: each row gives a right (1) and a hallucinated
    (0) output. The hallucinations were written by ChatGPT, not judged per item by people.
    ``limit`` rows from the start, or from the end with ``last`` (the NLI model trained on
    qa train rows 0-1999, so tuning uses the last rows)."""
    rows = _jsonl(data_dir / "halueval" / f"{task}_{split}.jsonl.gz")
    offset = len(rows) - limit if (last and limit) else 0
    rows = rows[offset:offset + limit] if limit else rows
    keys = {"qa": ("right_answer", "hallucinated_answer", "knowledge", "question"),
            "dialogue": ("right_response", "hallucinated_response", "knowledge", None),
            "summarization": ("right_summary", "hallucinated_summary", "document", None)}[task]
    right, wrong, ctx, q = keys
    items = []
    for i, r in enumerate(rows):
        meta = {"dialogue_history": r["dialogue_history"]} if task == "dialogue" else {}
        for label, key in ((1, right), (0, wrong)):
            items.append(FaithItem(f"halueval-{task}-{split}-{offset + i}-{label}", r[key],
                                   [r[ctx]], label,
                                   r[q] if q else None, meta))
    return items


def begin(part: str, data_dir: Path = DATA_DIR, generic: bool = False) -> list[FaithItem]:
    """BEGIN (e.g. ``dev_wow``, ``test_wow``): fully attributable = 1, not = 0. "Generic"
    responses are left out unless ``generic`` (then only they are returned, label 1)."""
    with gzip.open(data_dir / "begin" / f"begin_{part}.tsv.gz", "rt", encoding="utf-8",
                   newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    items = []
    for i, r in enumerate(rows):
        lab = r["begin_label"].strip()
        if (lab == "Generic") != generic:
            continue
        items.append(FaithItem(f"begin-{part}-{i}", r["response"], [r["knowledge"]],
                               int(lab in ("Fully attributable", "Generic")),
                               meta={"message": r["message"], "begin_label": lab}))
    return items


SUMMEDITS_DOMAINS = ("ectsum", "news", "podcast", "qmsumm", "sales_call", "sales_email",
                     "samsum", "scitldr")


def summedits(domain: str, data_dir: Path = DATA_DIR) -> list[FaithItem]:
    """SummEdits: a document and an (edited) summary; consistent = 1."""
    rows = _jsonl(data_dir / "summedits" / f"summedits_{domain}.jsonl.gz")
    return [FaithItem(f"summedits-{domain}-{r['id']}", r["summary"], [r["doc"]],
                      int(str(r["label"]) == "1"), meta={"domain": domain}) for r in rows]


RATINGS_FIELDS = ("item_id", "rater", "answer", "passages", "faithfulness")
FAITHFUL_RATING = 4  # rubric: 5 fully supported, 4 a minor unsupported detail, 3 partly ...


class RatingsError(ValueError):
    """A ratings file that cannot be read: says which file, row and field."""


def _rating_rows(path: Path) -> list[dict]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RatingsError(f"{path}: not UTF-8 text (export the ratings from the app's "
                           "rating form as .jsonl or .csv)") from None
    if Path(path).suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        for r in rows:
            try:
                r["passages"] = json.loads(r.get("passages") or "[]")
            except json.JSONDecodeError as e:
                raise RatingsError(f"{path}: passages of item {r.get('item_id')!r} are not a "
                                   f"JSON list ({e})") from None
        return rows
    return parse_jsonl(text.splitlines(), path, RatingsError)


def ratings(path: Path) -> list[FaithItem]:
    """Human ratings exported by the app's rating form (CSV or JSONL, one row per rater and
    item: ``item_id, rater, question, answer, passages, faithfulness`` 1-5, ...). Items are
    the rated answers; label 1 when the raters' mean faithfulness is >= 4."""
    rows = _rating_rows(path)
    if not rows:
        raise RatingsError(f"{path}: no ratings")
    by_item: dict[str, list[dict]] = {}
    for n, r in enumerate(rows, 1):
        if not isinstance(r, dict):
            raise RatingsError(f"{path}, row {n}: not a JSON object")
        missing = [f for f in RATINGS_FIELDS if r.get(f) in (None, "")]
        if missing:
            raise RatingsError(f"{path}, row {n}: missing {', '.join(missing)}")
        try:
            r["faithfulness"] = int(r["faithfulness"])
        except (TypeError, ValueError):
            raise RatingsError(f"{path}, row {n}: faithfulness must be 1-5") from None
        if not 1 <= r["faithfulness"] <= 5:
            raise RatingsError(f"{path}, row {n}: faithfulness must be 1-5")
        ps = r.get("passages")
        if not isinstance(ps, list) or not all(isinstance(p, str) for p in ps):
            raise RatingsError(f"{path}, row {n}: passages must be a list of texts")
        by_item.setdefault(str(r["item_id"]), []).append(r)
    items = []
    for item_id, rs in by_item.items():
        mean = sum(r["faithfulness"] for r in rs) / len(rs)
        first = rs[0]
        items.append(FaithItem(f"rating-{item_id}", first["answer"], list(first["passages"]),
                               int(mean >= FAITHFUL_RATING), first.get("question") or None,
                               meta={"rating": mean, "raters": len(rs)}))
    return items


def pool_dev(source: str, limit: int | None = None) -> list[FaithItem]:
    """The dev part of a ``data/train_pool`` source that the judge model's training data holds
    out (``nli_judge.data.judge_data.dev_rows``): premise (document, passage) + hypothesis
    (summary, claim), label 1 when supported / entailed. ``limit``: the first rows only."""
    from nli_judge.data.judge_data import dev_rows

    rows = dev_rows(source, DATA_DIR.parent)[:limit]
    return [FaithItem(f"{source}-dev-{r['id']}", r["hypothesis"], [r["premise"]],
                      int(r["label"] in ("supported", "entailment")), meta={"source": source})
            for r in rows]


# Development sets: thresholds and judge settings may be tuned on these, never on test sets.
DEV_SETS: dict[str, Callable[[], list[FaithItem]]] = {
    "wice-dev": lambda: wice("dev"),
    "begin-dev": lambda: begin("dev_cmu") + begin("dev_tc") + begin("dev_wow"),
    "halueval-qa-train": lambda: halueval("qa", "train", limit=300, last=True),
    "halueval-dialogue-train": lambda: halueval("dialogue", "train", limit=300, last=True),
    "halueval-summ-dev": lambda: pool_dev("halueval_summ_train", 400),
    "xsumfaith-dev": lambda: pool_dev("xsumfaith"),
}
