"""The answer benchmark: are the chat's answers grounded, well cited, complete and clean?

    python -m chatbot.bench.answers [--limit 100] [--systems model extractive] [--json]
    python -m chatbot.bench.answers --compare BEFORE.json AFTER.json   # two saved runs, paired

Held-out MedQuAD questions (the question text is in no document; questions 200-299 by
default, after the 200 that tuned retrieval) go through the real chat (retrieval, prompt,
local model, judge). Per answer:

- the judge's verdict and the share of its claim sentences that are supported;
- citation precision: each [n] a sentence cites, judged against passage n alone;
- completeness against the reference answer (the question's MedQuAD answer document):
  ROUGE-L F1 over words, and the cosine of their MiniLM embeddings;
- repeated sentences, a cut-off ending, length in words, seconds.

Means come with 95% bootstrap intervals (2,000 resamples of the questions), and each system is
compared with the extractive baseline by a paired bootstrap of the difference (the same
resampled questions for both).

Systems (one model answer per question, scored as it goes through the chat's steps,
``RAGChatbot.finish``): ``raw`` as generated; ``model`` tidied, followed by the source's
sentences it does not say (``GC_QUOTE_SENTENCES``), judged and cited, under guard ``warn``;
``retry`` the same under guard ``retry`` (what the chat shows by default); ``extractive`` is
the baseline: the sentences of the top passage that best match the question (MiniLM cosine),
in their order, each citing [1].
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from chatbot.chain.citations import CITATION
from chatbot.chain.extractive import extractive_answer
from chatbot.chain.rag import RAGChatbot
from chatbot.chain.tidy import cut_off, repeated_sentences
from chatbot.retrieval.documents import medquad_documents, medquad_questions
from chatbot.turn import Passage
from nli_judge.judge.sentences import answer_spans, claim_text

START = 200  # questions 0-199 chose the retrieval fusion weight


@dataclass
class AnswerScore:
    question: str
    answer: str
    verdict: str | None
    supported: float | None  # share of claim sentences the judge supports
    citations: int
    citation_precision: float | None  # None when nothing is cited
    rouge_l: float
    similarity: float
    repeated: int
    cut_off: bool
    words: int
    seconds: float


def sentences(answer: str) -> list[str]:
    return [answer[s:e] for s, e in answer_spans(answer)]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 over lower-cased word tokens (longest common subsequence)."""
    a, b = re.findall(r"\w+", candidate.lower()), re.findall(r"\w+", reference.lower())
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    lcs = prev[-1]
    if not lcs:
        return 0.0
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r)


def citation_precision(answer: str, passages: list[Passage], judge) -> tuple[int, float | None]:
    """(citations, share of them whose passage supports the citing sentence by the judge)."""
    checks = []
    for s in sentences(answer):
        claim = claim_text(s)
        for n in dict.fromkeys(int(m) for m in CITATION.findall(s)):
            if claim and 1 <= n <= len(passages):
                checks.append({"answer": claim, "passages": [passages[n - 1].text]})
            else:
                checks.append(None)  # a citation of a passage that does not exist
    if not checks:
        return 0, None
    judged = iter(judge.score_batch([c for c in checks if c is not None]))
    ok = [c is not None and next(judged).verdict == "faithful" for c in checks]
    return len(ok), sum(ok) / len(ok)


def score_answer(question: str, answer: str, passages: list[Passage], reference: str, judge,
                 embeddings, seconds: float) -> AnswerScore:
    f = judge.score(answer, [p.text for p in passages], question) if answer else None
    claims = f.claims if f else []
    n_cited, precision = citation_precision(answer, passages, judge)
    va, vr = np.asarray(embeddings.embed_documents([answer or " ", reference]))
    return AnswerScore(
        question=question, answer=answer, verdict=f.verdict if f else None,
        supported=(sum(s.label == "supported" for s in claims) / len(claims)) if claims
        else None, citations=n_cited, citation_precision=precision,
        rouge_l=rouge_l(answer, reference), similarity=float(va @ vr),
        repeated=repeated_sentences(answer), cut_off=cut_off(answer),
        words=len(answer.split()), seconds=seconds)


SYSTEMS = ("raw", "model", "retry", "extractive")


def evaluate(bot: RAGChatbot, questions: list[dict], references: dict[str, str], embeddings,
             systems=SYSTEMS, progress: bool = True) -> dict[str, list]:
    """Per system, an ``AnswerScore`` for each question. The model answers once per
    question; ``raw`` scores that answer as generated, ``model`` after the chat's steps
    (``RAGChatbot.finish``: tidy, quote, judge, cite) under guard ``warn``, ``retry`` the same
    under guard ``retry`` (the chat's default); ``extractive`` is the baseline."""
    from tqdm.auto import tqdm

    def variant(judge=bot.judge, **update) -> RAGChatbot:
        return RAGChatbot(bot.kb, judge, bot.llm, bot.settings.model_copy(update=update),
                          provider=bot.provider)

    # the raw answer is judged once, by score_answer: generating needs no judge
    generate = variant(judge=None, tidy_answers=False, quote_sentences=0, guard="off",
                       cite_answers=False)
    steps = {"model": variant(tidy_answers=True, guard="warn", cite_answers=True),
             "retry": variant(tidy_answers=True, guard="retry", cite_answers=True)}
    out: dict[str, list] = {s: [] for s in systems}

    def add(system, question, answer, passages, reference, seconds):
        if system in systems:
            out[system].append(score_answer(question, answer, passages, reference, bot.judge,
                                             embeddings, seconds))

    for q in tqdm(questions, desc="answers", disable=not progress):
        question, reference = q["question"], references[q["doc_id"]]
        if {"raw", "model", "retry"} & set(systems):
            t0 = time.perf_counter()
            raw = generate.ask(question)
            seconds = time.perf_counter() - t0
            add("raw", question, raw.answer, raw.passages, reference, seconds)
            for system, chain in steps.items():
                if system not in systems:
                    continue
                turn, t0 = copy.deepcopy(raw), time.perf_counter()
                if turn.route == "rag":  # what the chat does after generating (stream)
                    chain.finish(turn)
                add(system, question, turn.answer, turn.passages, reference,
                    seconds + time.perf_counter() - t0)
        if "extractive" in systems:
            t0 = time.perf_counter()
            passages = bot.retrieve(question)
            add("extractive", question, extractive_answer(question, passages, embeddings),
                passages, reference, time.perf_counter() - t0)
    return out


INTERVAL_KEYS = ("supported", "citation_precision", "rouge_l", "similarity")
RESAMPLES = 2000


def bootstrap_mean(values: list[float | None], resamples: int = RESAMPLES, seed: int = 0
                   ) -> tuple[float, float] | None:
    """95% percentile bootstrap interval of the mean of ``values`` (None left out)."""
    v = np.array([x for x in values if x is not None], dtype=float)
    if not len(v):
        return None
    idx = np.random.default_rng(seed).integers(0, len(v), size=(resamples, len(v)))
    lo, hi = np.percentile(v[idx].mean(axis=1), [2.5, 97.5])
    return float(lo), float(hi)


def paired_difference(a: list[AnswerScore], b: list[AnswerScore], key: str,
                      resamples: int = RESAMPLES, seed: int = 0
                      ) -> tuple[float, float, float] | None:
    """Mean of ``a - b`` over the questions both systems have ``key`` for (their lists in the
    same question order), with its 95% paired bootstrap interval: (mean, low, high)."""
    diffs = [getattr(x, key) - getattr(y, key) for x, y in zip(a, b, strict=True)
             if getattr(x, key) is not None and getattr(y, key) is not None]
    ci = bootstrap_mean(diffs, resamples, seed)
    return None if ci is None else (float(np.mean(diffs)), *ci)


def summary(scores: list[AnswerScore]) -> dict:
    """Means over answers (a metric's None values left out) with 95% bootstrap intervals
    (``{key}_ci``), and counts of problems."""
    def mean(key):
        values = [getattr(s, key) for s in scores if getattr(s, key) is not None]
        return statistics.fmean(values) if values else None

    intervals = {f"{k}_ci": bootstrap_mean([getattr(s, k) for s in scores])
                 for k in INTERVAL_KEYS}
    return {"answers": len(scores), **intervals,
            "faithful": sum(s.verdict == "faithful" for s in scores) / max(len(scores), 1),
            "supported": mean("supported"), "citation_precision": mean("citation_precision"),
            "cited_answers": sum(s.citations > 0 for s in scores),
            "rouge_l": mean("rouge_l"), "similarity": mean("similarity"),
            "repeated_sentences": sum(s.repeated for s in scores),
            "cut_off": sum(s.cut_off for s in scores), "words": mean("words"),
            "seconds_p50": statistics.median([s.seconds for s in scores]) if scores else None}


def table(results: dict[str, dict]) -> str:
    cols = [("faithful", "faithful", ".2f"), ("supported", "sentences supported", ".2f"),
            ("citation_precision", "citation precision", ".2f"), ("rouge_l", "ROUGE-L", ".3f"),
            ("similarity", "embedding sim.", ".3f"), ("repeated_sentences", "repeated", "d"),
            ("cut_off", "cut off", "d"), ("words", "words", ".0f"),
            ("seconds_p50", "s p50", ".1f")]
    lines = ["| system | " + " | ".join(c[1] for c in cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for name, r in results.items():
        cells = ["-" if r[k] is None else format(r[k], f)
                 + (" [{:{f}}, {:{f}}]".format(*r[f"{k}_ci"], f=f) if r.get(f"{k}_ci") else "")
                 for k, _, f in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def comparisons(scores: dict[str, list[AnswerScore]], baseline: str = "extractive") -> dict:
    """Each system minus ``baseline`` per interval metric: (mean, low, high) or None."""
    if baseline not in scores:
        return {}
    return {f"{name} - {baseline}": {k: paired_difference(s, scores[baseline], k)
                                     for k in INTERVAL_KEYS}
            for name, s in scores.items() if name != baseline}


def comparison_table(diffs: dict) -> str:
    lines = ["| difference | " + " | ".join(INTERVAL_KEYS) + " |",
             "|---|" + "---:|" * len(INTERVAL_KEYS)]
    for name, row in diffs.items():
        cells = ["-" if row[k] is None else "{:+.3f} [{:+.3f}, {:+.3f}]".format(*row[k])
                 for k in INTERVAL_KEYS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compare_runs(before: Path, after: Path) -> dict:
    """Two saved runs (``--output`` files over the same questions), paired: for each system
    in both, ``after - before`` per interval metric, (mean, low, high) or None."""
    runs = [json.loads(Path(p).read_text())["answers"] for p in (before, after)]
    out = {}
    for name in [n for n in runs[0] if n in runs[1]]:
        a, b = ([AnswerScore(**x) for x in run[name]] for run in runs)
        if [x.question for x in a] != [x.question for x in b]:
            raise ValueError(f"{before} and {after} do not hold the same questions ({name})")
        out[f"{name}: after - before"] = {k: paired_difference(b, a, k) for k in INTERVAL_KEYS}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chatbot.bench.answers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=100, help="questions (default 100)")
    ap.add_argument("--start", type=int, default=START, help="first held-out question")
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS,
                    help="raw: the model's answer as generated; model: tidied, quoted, "
                    "judged and cited under guard warn; retry: the same under guard retry "
                    "(the chat's default); extractive: the baseline")
    ap.add_argument("--output", type=Path, help="write every answer and its scores (JSON)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                    help="no new answers: compare two --output files of the same questions, "
                    "paired (AFTER - BEFORE, 95%% bootstrap intervals)")
    args = ap.parse_args(argv)
    if args.compare:
        try:
            diffs = compare_runs(*args.compare)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(json.dumps(diffs, indent=1) if args.json else comparison_table(diffs))
        return 0
    from chatbot.llm.factory import resolve_local_backend
    from chatbot.retrieval.knowledge_base import local_embeddings
    from chatbot.service import build_chatbot, load_knowledge_base
    from chatbot.settings import ChatSettings

    settings = ChatSettings()
    model = ({"provider": "local", "model": settings.local_model,
              "backend": resolve_local_backend(settings)} if settings.provider == "local"
             else {"provider": settings.provider})
    kb = load_knowledge_base(settings)  # the whole index (built here first if missing)
    bot = build_chatbot(settings, kb=kb)
    questions = medquad_questions()[args.start:args.start + args.limit]
    references = {d.metadata["doc_id"]: d.page_content for d in medquad_documents()}
    scores = evaluate(bot, questions, references, local_embeddings(settings), args.systems)
    results = {name: summary(s) for name, s in scores.items()}
    diffs = comparisons(scores)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"model": model, "summary": results,
                                           "differences": diffs,
                                           "answers": {name: [asdict(x) for x in s]
                                                       for name, s in scores.items()}},
                                          indent=1))
    if args.json:
        print(json.dumps({"model": model, "summary": results, "differences": diffs}, indent=1))
    else:
        print(", ".join(f"{k}: {v}" for k, v in model.items()))
        print(table(results) + ("\n\n" + comparison_table(diffs) if diffs else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
