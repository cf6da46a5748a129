"""Build the judge's training data: (evidence window, claim sentence) pairs, shaped the way
the judge sees them at run time, from every labelled source we may train on.

    python -m nli_judge.data.judge_data [--config configs/judge_data.json] [--output-dir DIR]

Writes ``train.jsonl.gz`` and ``dev.jsonl.gz`` (rows: id, source, premise, hypothesis, label,
scheme, kind) and ``mix.json`` (rows per source and kind) into ``--output-dir``.

Shaping (the choices, and why):
- Evidence longer than ``window_words`` is cut the way the judge cuts it: the claim is
  checked against its most word-sharing sentences, so the premise is either a run of 1-3
  sentences around the best-matching one or the top-k matching sentences joined in document
  order (both occur, so the model is not tied to one window setting).
- Summary-level labels (HaluEval summarization, XSumFaith, CLIFF, Goyal'21): a *supported*
  summary gives a supported pair for one of its sentences, drawn at random (each sentence is
  supported; one per summary, so that news sentences do not dominate). An
  *unsupported* label does not say which sentence is wrong, so the summary is kept whole
  and paired with the sentences that best match it (the top-k window for the whole summary);
  supported summaries are also kept whole the same way, so "several sentences" does not
  become a cue for "unsupported".
- 3-way NLI sets keep their 3 labels (scheme ``nli3``); faithfulness sets are ``binary``
  (supported / unsupported), trained as entailment vs not-entailment on the same head.
- Synthetic pairs from MedQuAD answers and HaluEval news articles (``nli_judge.data.synthetic``):
  a sentence of the document against its window is supported, the same sentence with one
  rule-based error, or a sentence of another document, is unsupported.
- Each source is capped at ``max_per_source`` rows so none dominates; each keeps a dev part
  of ``dev_per_source`` rows (split by source row, before shaping) for model selection.
- Never used: anything ``eval.run`` scores or calibrates on (WiCE, BEGIN, SummEdits, HaluEval
  test rows, HaluEval qa/dialogue train rows from ``HALUEVAL_HOLDOUT_FROM`` on, MNLI held-out).
"""

from __future__ import annotations

import gzip
import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nli_judge.cli_args import parse_dataclasses
from nli_judge.data.synthetic import EDITS, corrupt, document_numbers, names, paraphrase
from nli_judge.judge.claims import fragment_to_claim, is_fragment
from nli_judge.judge.evidence_checks import overlap_of_sets
from nli_judge.judge.sentences import claim_text, split_sentences
from nli_judge.text import content_words
from nli_judge.var_paths import VarPaths

HALUEVAL_HOLDOUT_FROM = 7500  # qa/dialogue train rows 7500-7999 calibrate eval.run: never train
NLI3 = ("mnli", "anli", "sick", "healthver", "climate_fever")
BINARY_CLAIM = ("fever_nli", "covidfact", "scifact", "rte", "q2_dialogue", "faithdial_audit")
SUMMARY = ("halueval_summ_train", "xsumfaith", "cliff", "goyal21")
BUNDLED = ("halueval_qa", "halueval_dialogue")
SYNTHETIC = ("synthetic_medquad", "synthetic_news")
ALL_SOURCES = NLI3 + BINARY_CLAIM + SUMMARY + BUNDLED + SYNTHETIC
# The out-of-distribution lockbox (eval/ood/sources.py, 2026-12-05): whole sources that no
# training run, model choice or calibration may use from now on. v2-v4 trained on their
# non-dev rows before the lockbox was set; a new mix leaves them out whole.
LOCKBOX = ("cliff", "faithdial_audit", "healthver", "scifact")
TRAINABLE = tuple(s for s in ALL_SOURCES if s not in LOCKBOX)


@dataclass
class JudgeDataArguments:
    data_dir: str = field(default="data", metadata={"help": "the bundled data folder"})
    output_dir: str = field(default_factory=lambda: str(VarPaths.from_env().judge_data),
                            metadata={"help": "where to write"})
    sources: list[str] = field(default_factory=lambda: list(TRAINABLE),
                               metadata={"help": "sources to use: " + ", ".join(TRAINABLE)
                                         + " (not the lockbox: " + ", ".join(LOCKBOX) + ")"})
    max_per_source: int = field(default=6000,
                                metadata={"help": "cap on training rows per source"})
    dev_per_source: int = field(default=200, metadata={"help": "dev rows kept per source"})
    synthetic_docs: int = field(default=4000,
                                metadata={"help": "documents per synthetic source"})
    window_words: int = field(default=150,
                              metadata={"help": "evidence longer than this is windowed"})
    summary_window_words: int = field(
        default=220, metadata={"help": "word budget of the premise for a whole summary"})
    edits: list[str] = field(default_factory=lambda: ["number", "unit", "name", "swap",
                                                      "negation", "antonym", "other_doc"],
                             metadata={"help": "synthetic error types to make"})
    targeted_edits: list[str] = field(
        default_factory=list,
        metadata={"help": "edits to teach with minimal pairs: per synthetic document and edit, "
                  "one sentence it applies to, kept (supported) and edited (unsupported) "
                  "against the same window, so only the edit tells them apart (the card's weak "
                  "spots: swap, roles, name)"})
    flip_labels: list[str] = field(
        default_factory=list,
        metadata={"help": "binary sources whose staged labels are inverted: supported and "
                  "unsupported are swapped (q2_dialogue's are, see JUDGE_CARD.md; the shipped "
                  "model was trained before this was found)"})
    seed: int = field(default=13, metadata={"help": "random seed"})


# --- evidence windows -----------------------------------------------------------------------
def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def judge_window(claim: str, evidence: str, rng: random.Random, max_words: int,
                 sentences: list[str] | None = None) -> str:
    """The evidence as the judge would show it for ``claim``: whole when short, else a run of
    1-3 sentences around the best-matching sentence, or the best-matching sentences joined in
    document order (as many as fit ``max_words``)."""
    if len(evidence.split()) <= max_words:
        return evidence.strip()
    sents = sentences or _sentences(evidence)
    if len(sents) <= 1:
        return " ".join(evidence.split()[:max_words])
    cw = content_words(claim)
    rel = [overlap_of_sets(cw, content_words(s)) for s in sents]
    order = sorted(range(len(sents)), key=lambda i: -rel[i])
    if rng.random() < 0.5:
        best, width = order[0], min(len(sents), rng.choice([1, 2, 3]))
        start = max(0, min(best - rng.randrange(width), len(sents) - width))
        chosen = list(range(start, start + width))
    else:
        chosen, words = [], 0
        for i in order[: rng.choice([2, 3, 4, 6])]:
            if chosen and words + len(sents[i].split()) > max_words:
                break
            chosen.append(i)
            words += len(sents[i].split())
    text = " ".join(sents[i] for i in sorted(chosen))
    return " ".join(text.split()[: max_words * 2])


# --- readers --------------------------------------------------------------------------------
def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _pair(src: str, key: str, premise: str, hypothesis: str, label: str, scheme: str,
          kind: str) -> dict:
    return {"id": f"{src}:{key}", "source": src, "premise": premise, "hypothesis": hypothesis,
            "label": label, "scheme": scheme, "kind": kind}


def _raw_rows(src: str, data: Path) -> list[dict]:
    """Source rows before shaping: dicts with premise, hypothesis, label, scheme."""
    if src == "mnli":
        import csv
        with open(data / "nli" / "mnli_train.tsv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        return [{"id": r["index"], "premise": r["premise"], "hypothesis": r["hypothesis"],
                 "label": r["gold_label"], "scheme": "nli3"} for r in rows
                if r["gold_label"] in ("entailment", "neutral", "contradiction")]
    if src == "anli":
        return [dict(r, id=r["uid"], scheme="nli3") for k in (1, 2, 3)
                for r in _jsonl(data / "nli" / f"anli_r{k}_dev.jsonl.gz")]
    if src in ("halueval_qa", "halueval_dialogue"):
        task = src.split("_")[1]
        rows = _jsonl(data / "benchmarks" / "halueval" / f"{task}_train.jsonl.gz")
        out = []
        for i, r in enumerate(rows[:HALUEVAL_HOLDOUT_FROM]):
            for label, key in (("supported", "right"), ("unsupported", "hallucinated")):
                answer = r[f"{key}_answer"] if task == "qa" else r[f"{key}_response"]
                if task == "qa" and is_fragment(answer):
                    answer = fragment_to_claim(r["question"], answer)
                out.append({"id": f"{i}-{key}", "group": str(i), "premise": r["knowledge"],
                            "hypothesis": answer, "label": label, "scheme": "binary"})
        return out
    return _jsonl(data / "train_pool" / f"{src}.jsonl.gz")


def _documents(src: str, data: Path, rng: random.Random, n: int) -> list[tuple[str, str]]:
    """(id, text) documents for a synthetic source."""
    if src == "synthetic_medquad":
        docs = [(d["id"], d["text"]) for d in _jsonl(data / "medquad" / "documents.jsonl.gz")]
    else:  # the news articles of HaluEval summarization TRAIN rows (never the test rows)
        seen: dict[str, str] = {}
        for r in _jsonl(data / "train_pool" / "halueval_summ_train.jsonl.gz"):
            seen.setdefault(r["premise"][:200], r["premise"])
        docs = [(f"news{i}", t) for i, t in enumerate(seen.values())]
    rng.shuffle(docs)
    return docs[:n]


# --- shaping --------------------------------------------------------------------------------
def shape_claim_rows(src: str, rows: list[dict], args: JudgeDataArguments,
                     rng: random.Random) -> Iterator[dict]:
    """NLI and claim-level rows: the premise windowed when long, the claim kept whole."""
    kind = "nli3" if src in NLI3 else "claim"
    for r in rows:
        premise = judge_window(r["hypothesis"], r["premise"], rng, args.window_words)
        yield _pair(src, str(r["id"]), premise, r["hypothesis"], r["label"], r["scheme"], kind)


def shape_summary_rows(src: str, rows: list[dict], args: JudgeDataArguments,
                       rng: random.Random) -> Iterator[dict]:
    """Summary-level rows: whole summary vs its best window, plus one pair per sentence of a
    supported summary (see the module docstring)."""
    for r in rows:
        doc, summary = r["premise"], r["hypothesis"]
        sents = _sentences(doc)
        premise = judge_window(summary, doc, rng, args.summary_window_words, sents)
        yield _pair(src, str(r["id"]), premise, summary, r["label"], "binary", "summary")
        claims = [c for c in (claim_text(s) for s in _sentences(summary)) if len(c.split()) >= 4]
        if r["label"] == "supported" and len(claims) > 1:  # one sentence each, so the many
            k = rng.randrange(len(claims))                   # sentences do not dominate
            yield _pair(src, f"{r['id']}/{k}", judge_window(claims[k], doc, rng,
                                                           args.window_words, sents),
                        claims[k], "supported", "binary", "summary_sentence")


def synthetic_rows(src: str, docs: list[tuple[str, str]], args: JudgeDataArguments,
                   rng: random.Random) -> Iterator[dict]:
    """Per document: one supported sentence (copied or lightly edited) and one unsupported
    (a rule-based error in another of its sentences, or a sentence of another document)."""
    edits = tuple(e for e in args.edits if e != "other_doc")
    for n, (doc_id, text) in enumerate(docs):
        sents = [s for s in _sentences(text) if 6 <= len(s.split()) <= 60]
        if len(sents) < 2:
            continue
        nums, ents = document_numbers(text), names(text)
        pos, neg = rng.sample(sents, 2)
        yield _pair(src, f"{doc_id}/pos", judge_window(pos, text, rng, args.window_words),
                    claim_text(paraphrase(pos, rng)), "supported", "binary", "copy")
        made = corrupt(neg, rng, nums, ents, edits) if edits else None
        if made is None or ("other_doc" in args.edits and rng.random() < 0.2):
            other_text = docs[(n + 1 + rng.randrange(len(docs) - 1)) % len(docs)][1]
            others = [s for s in _sentences(other_text) if 6 <= len(s.split()) <= 60]
            if "other_doc" not in args.edits or not others:
                continue
            made = (rng.choice(others), "other_doc")
        claim, edit = made
        yield _pair(src, f"{doc_id}/neg", judge_window(claim, text, rng, args.window_words),
                    claim_text(claim), "unsupported", "binary", f"edit:{edit}")
        yield from minimal_pairs(src, doc_id, text, sents, args, rng, nums, ents)


def minimal_pairs(src: str, doc_id: str, text: str, sents: list[str], args: JudgeDataArguments,
                  rng: random.Random, nums: list[str], ents: list[str]) -> Iterator[dict]:
    """Per edit in ``args.targeted_edits``: the first sentence (in random order) the edit
    applies to, as a supported copy and an unsupported edit against one and the same window."""
    for edit in args.targeted_edits:
        for sent in rng.sample(sents, len(sents)):
            edited = EDITS[edit](sent, rng, nums, ents)
            if edited and edited != sent:
                window = judge_window(sent, text, rng, args.window_words)
                yield _pair(src, f"{doc_id}/{edit}+", window, claim_text(sent), "supported",
                            "binary", "copy")
                yield _pair(src, f"{doc_id}/{edit}-", window, claim_text(edited),
                            "unsupported", "binary", f"edit:{edit}")
                break


def group_of(src: str, row: dict) -> str:
    """Rows of one group go to the same split: a HaluEval row's two answers, a document's
    summaries."""
    if src in SUMMARY:
        return row["premise"][:200]
    return str(row.get("group", row["id"]))


def dev_split(src: str, rows: list[dict], n: int, seed: int) -> set[str]:
    """The groups of ``rows`` kept for dev: ``n`` (at most a fifth), drawn with ``seed``."""
    groups = sorted({group_of(src, r) for r in rows})
    random.Random(f"{seed}:{src}:dev").shuffle(groups)
    return set(groups[:min(n, len(groups) // 5)])


def dev_rows(src: str, data_dir: str | Path = "data", n: int = 200, seed: int = 13
             ) -> list[dict]:
    """The unshaped dev rows of one source, as ``build`` holds them out (for calibration
    sets that must never have been trained on)."""
    rows = _raw_rows(src, Path(data_dir))
    keep = dev_split(src, rows, n, seed)
    return [r for r in rows if group_of(src, r) in keep]


def build_source(src: str, args: JudgeDataArguments) -> tuple[list[dict], list[dict]]:
    """(train rows, dev rows) of one source; dev is split by source row before shaping."""
    rng = random.Random(f"{args.seed}:{src}")
    data = Path(args.data_dir)
    if src in SYNTHETIC:
        docs = _documents(src, data, rng, args.synthetic_docs + args.dev_per_source)
        dev_docs, train_docs = docs[:args.dev_per_source], docs[args.dev_per_source:]
        return (list(synthetic_rows(src, train_docs, args, rng)),
                list(synthetic_rows(src, dev_docs, args, rng)))
    rows = _raw_rows(src, data)
    if src in args.flip_labels:
        swap = {"supported": "unsupported", "unsupported": "supported"}
        rows = [dict(r, label=swap[r["label"]]) for r in rows]
    dev_groups = dev_split(src, rows, args.dev_per_source, args.seed)
    dev = [r for r in rows if group_of(src, r) in dev_groups]
    train = [r for r in rows if group_of(src, r) not in dev_groups]
    rng.shuffle(train)
    train = train[:args.max_per_source]
    shape = shape_summary_rows if src in SUMMARY else shape_claim_rows
    # Dev rows are shaped with their own generator, so the dev part does not change with
    # max_per_source (or anything else that changes how much training data is shaped).
    dev_rng = random.Random(f"{args.seed}:{src}:dev-shape")
    return list(shape(src, train, args, rng)), list(shape(src, dev, args, dev_rng))


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))


def build(args: JudgeDataArguments, log=print) -> dict:
    """Build every source, shuffle, write; return the mix (rows per source and kind)."""
    unknown = sorted(set(args.sources) - set(ALL_SOURCES))
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(unknown)}")
    bad_edits = sorted(set(args.edits + args.targeted_edits) - set(EDITS) - {"other_doc"})
    if bad_edits:
        raise ValueError(f"unknown edit(s): {', '.join(bad_edits)} (known: "
                         f"{', '.join(EDITS)}, other_doc)")
    boxed = sorted(set(args.sources) & set(LOCKBOX))
    if boxed:
        raise ValueError(f"{', '.join(boxed)}: in the out-of-distribution lockbox (eval/ood/"
                         "sources.py), never trained on; leave them out of 'sources'")
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    train, dev = [], []
    for src in args.sources:
        t0 = time.perf_counter()
        t, d = build_source(src, args)
        train += t
        dev += d
        log(f"{src:<22} train {len(t):>6,}  dev {len(d):>5,}  ({time.perf_counter() - t0:.1f} s)")
    random.Random(args.seed).shuffle(train)
    _write(out / "train.jsonl.gz", train)
    _write(out / "dev.jsonl.gz", dev)
    mix = {"settings": asdict(args), "train_rows": len(train), "dev_rows": len(dev),
           "train": {f"{s}/{k}/{lab}": n for (s, k, lab), n in sorted(Counter(
               (r["source"], r["kind"], r["label"]) for r in train).items())},
           "dev": dict(sorted(Counter(r["source"] for r in dev).items()))}
    (out / "mix.json").write_text(json.dumps(mix, indent=2), encoding="utf-8")
    log(f"wrote {len(train):,} training and {len(dev):,} dev pairs to {out}")
    return mix


def main(argv: list[str] | None = None) -> None:
    (args,) = parse_dataclasses([JudgeDataArguments], argv, description=__doc__)
    try:
        build(args)
    except (OSError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None


if __name__ == "__main__":
    main()
