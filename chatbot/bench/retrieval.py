"""Retrieval quality on held-out MedQuAD questions: Recall@1/5/10 and MRR for dense (FAISS),
sparse (BM25) and hybrid (reciprocal-rank fusion) retrieval.

    python -m chatbot.bench.retrieval [--start 200] [--limit N] [--modes ...] [--json]

Questions 0-199 of the held-out file chose the fusion weight (``--tune-weights`` reruns
that); the default scores the other 800, which nothing was tuned on.

Each question was written for one MedQuAD answer; the question text is not in the index
(documents hold the answers only). A hit is the answering document anywhere in the ranked
chunks (chunks of one document count once, at their best rank).
"""

from __future__ import annotations

import argparse
import json
import time

from chatbot.retrieval.documents import medquad_questions
from chatbot.settings import ChatSettings

CUTOFFS = (1, 5, 10)
TUNING_QUESTIONS = 200


def ranked_documents(kb, question: str, mode: str, depth: int = 10) -> list[str]:
    """Document ids in rank order (each once) for ``question``."""
    hits = kb.search(question, k=depth * 3, mode=mode)
    return list(dict.fromkeys(h.document.metadata["doc_id"] for h in hits))[:depth]


def evaluate(kb, questions: list[dict], modes=("dense", "sparse", "hybrid"), progress=True
             ) -> dict[str, dict]:
    """Per mode: recall@k for k in CUTOFFS, mrr (to rank 10), n, ms per query."""
    from tqdm.auto import tqdm

    out = {}
    for mode in modes:
        ranks, t0 = [], time.perf_counter()
        for q in tqdm(questions, desc=mode, disable=not progress):
            docs = ranked_documents(kb, q["question"], mode)
            ranks.append(docs.index(q["doc_id"]) + 1 if q["doc_id"] in docs else None)
        n = len(ranks)
        out[mode] = {f"recall@{k}": sum(r is not None and r <= k for r in ranks) / n
                     for k in CUTOFFS}
        out[mode]["mrr"] = sum(1 / r for r in ranks if r) / n
        out[mode]["n"] = n
        out[mode]["ms_per_query"] = (time.perf_counter() - t0) * 1000 / n
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--start", type=int, default=TUNING_QUESTIONS,
                    help="skip the first N questions (default: the 200 that chose the weight)")
    ap.add_argument("--limit", type=int, help="score at most N questions")
    ap.add_argument("--tune-weights", nargs="+", type=float, metavar="W",
                    help="instead: hybrid results for each dense weight W on questions "
                    "0-199 (the tuning part)")
    ap.add_argument("--modes", nargs="+", default=["dense", "sparse", "hybrid"],
                    choices=["dense", "sparse", "hybrid"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from chatbot.service import load_knowledge_base

    settings = ChatSettings()
    kb = load_knowledge_base(settings)
    if args.tune_weights:
        tuning = medquad_questions()[:TUNING_QUESTIONS]
        for w in args.tune_weights:
            kb.dense_weight = w
            print(w, json.dumps(evaluate(kb, tuning, ("hybrid",))["hybrid"]))
        return 0
    qs = medquad_questions()[args.start:]
    qs = qs[: args.limit] if args.limit else qs
    indexed = set(kb.documents())
    missing = sum(q["doc_id"] not in indexed for q in qs)
    if missing:
        print(f"note: {missing} of {len(qs)} questions' documents are not in the index")
    res = evaluate(kb, qs, args.modes)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print("| retrieval | Recall@1 | Recall@5 | Recall@10 | MRR | ms/query | n |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, m in res.items():
        print(f"| {mode} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['recall@10']:.3f} | "
              f"{m['mrr']:.3f} | {m['ms_per_query']:.0f} | {m['n']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
