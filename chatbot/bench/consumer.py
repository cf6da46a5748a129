"""The consumer-question benchmark: real people's health questions through the real chat.

    python -m chatbot.bench.consumer --part tune --retrieval-only   # choose settings here
    python -m chatbot.bench.consumer --part test --output runs/after.json
    python -m chatbot.bench.consumer --compare BEFORE.json AFTER.json

MEDIQA 2019's consumer questions (``data/consumer_health``: typos, abbreviations, stories,
several questions in one) with the answers people judged 1-4 (>= 3: a good answer). Parts:
``test`` (137 questions) is reported and never tuned on; ``tune`` = ``validation`` (24) +
``alexa`` (71) is where settings are chosen.

Per question:
- ``in_corpus``: a page people judged good is in the knowledge base, by URL (normalised) or
  by text (>= half of a chunk's 4-word sequences are in a good answer);
- ``good_top3``: such a page is among the top 3 passages (questions in_corpus only);
- ``abstained``: the chat said its sources do not cover the question (route ``not_found``);
- ``on_focus``: the answer names the question's focus: a distinctive word of the topics of
  the good answers' titles ("Anal fissure (Treatment)" -> "anal", "fissure"); None when
  abstained. ``off_topic`` = neither on focus nor abstaining;
- the judge's verdict, the share of its sentences supported and, per sentence, whether its
  evidence passage is on the focus; pasted repeats; first-token and total seconds.

Shares come with 95% bootstrap intervals; ``--compare`` gives paired differences of two
saved runs of the same questions (e.g. ``GC_UNDERSTAND_QUESTIONS=false`` before).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chatbot.bench.answers import bootstrap_mean, paired_difference
from chatbot.chain.tidy import pasted_repeats, repeated_sentences
from chatbot.retrieval.understand import GENERIC, STOP, title_topic, words

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "consumer_health"
PARTS = {"test": ["test"], "validation": ["validation"], "alexa": ["alexa"],
         "tune": ["validation", "alexa"]}
GOOD = 3
TITLE_WORDS = frozenset("""what is are how the treatment treatments symptoms causes cause
diagnosis prevention outlook prognosis overview summary definition complications risk factors
tests exams home care lifestyle remedies inherited frequency genetic changes information
support signs living with research coping when see contact medical professional""".split())


def load_part(part: str, data_dir: Path = DATA_DIR) -> list[dict]:
    """The questions of ``part`` (test, validation, alexa or tune) with their judged
    answers (``answers``: url, text, reference_score)."""
    rows = []
    for name in PARTS[part]:
        with gzip.open(data_dir / f"qa_{name}.jsonl.gz", "rt", encoding="utf-8") as f:
            rows += [{**json.loads(line), "part": name} for line in f if line.strip()]
    return rows


def normalise_url(url: str) -> str:
    """One spelling per page: no scheme, www or trailing slash; MedlinePlus's old
    nlm.nih.gov/medlineplus/ paths as medlineplus.gov/; GARD pages by their number."""
    u = re.sub(r"^https?://(www\.)?", "", (url or "").strip().lower()).rstrip("/")
    u = re.sub(r"^nlm\.nih\.gov/medlineplus/", "medlineplus.gov/", u)
    m = re.match(r"rarediseases\.info\.nih\.gov/(?:gard|diseases)/(\d+)", u)
    return f"gard/{m.group(1)}" if m else u


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    w = re.findall(r"\w+", text.lower())
    return {tuple(w[i:i + n]) for i in range(max(len(w) - n + 1, 0))}


def same_text(passage: str, answers: list[set]) -> bool:
    """Are at least half of ``passage``'s 4-word sequences in one of the ``answers``?"""
    own = shingles(passage)
    return bool(own) and any(len(own & a) >= 0.5 * len(own) for a in answers)


def focus_words(q: dict) -> set[str]:
    """The distinctive words of the topics of the question's good answers' titles."""
    out = set()
    for a in q["answers"]:
        if a["reference_score"] >= GOOD:
            topic = title_topic(a["text"].split(":", 1)[0])[0]
            out |= {w for w in words(topic) if w not in STOP and w not in GENERIC
                    and w not in TITLE_WORDS and len(w) >= 3}
    return out


@dataclass
class ConsumerScore:
    qid: str
    part: str
    question: str
    topic: str | None
    qtype: str | None
    route: str
    relevance: str | None
    relevance_score: float | None
    in_corpus: bool
    good_top3: bool | None
    passages_on_focus: float | None
    answer: str = ""
    abstained: bool = False
    on_focus: bool | None = None
    off_topic: bool | None = None
    verdict: str | None = None
    supported: float | None = None
    sentences: list = field(default_factory=list)  # [supported, evidence on focus]
    pasted: int = 0
    first_token_s: float | None = None
    seconds: float = 0.0


class Corpus:
    """What the knowledge base holds, for "is a good page in it": URLs and a dense look-up
    of good answers' texts (dense: their nearest chunks)."""

    def __init__(self, kb):
        self.kb = kb
        self.urls = {normalise_url(d.metadata.get("url", "")) for d in kb.chunks()}

    def has_good(self, q: dict) -> bool:
        good = [a for a in q["answers"] if a["reference_score"] >= GOOD]
        if any(normalise_url(a["url"]) in self.urls for a in good):
            return True
        texts = [shingles(a["text"]) for a in good]
        return any(same_text(h.document.page_content, texts)
                   for a in good for h in self.kb.search(a["text"][:1000], k=3, mode="dense"))


def is_good(passage, q: dict, texts: list[set]) -> bool:
    good = {normalise_url(a["url"]) for a in q["answers"] if a["reference_score"] >= GOOD}
    return normalise_url(passage.url) in good or same_text(passage.text, texts)


def mentions(text: str, focus: set[str]) -> bool:
    return bool(focus & set(words(text)))


def score_question(bot, corpus: Corpus, q: dict, answer: bool) -> ConsumerScore:
    """Run ``q`` through the chat (retrieval only when not ``answer``) and score it."""
    from chatbot.turn import ChatTurn

    texts = [shingles(a["text"]) for a in q["answers"] if a["reference_score"] >= GOOD]
    focus = focus_words(q)
    t0, first = time.perf_counter(), None
    if answer:
        for piece in bot.stream(q["question"]):
            if isinstance(piece, ChatTurn):
                turn = piece
            elif first is None:
                first = time.perf_counter() - t0
    else:
        turn = ChatTurn(question=q["question"], answer="", standalone_question=q["question"])
        bot.find(turn)
    seconds = time.perf_counter() - t0
    in_corpus = corpus.has_good(q)
    top = turn.passages[:3]
    u, rel = turn.understanding or {}, turn.relevance or {}
    s = ConsumerScore(
        qid=q["qid"], part=q["part"], question=q["question"], topic=u.get("topic"),
        qtype=u.get("qtype"), route=turn.route, relevance=rel.get("verdict"),
        relevance_score=rel.get("score"), in_corpus=in_corpus,
        good_top3=any(is_good(p, q, texts) for p in top) if in_corpus else None,
        passages_on_focus=(sum(mentions(f"{p.title} {p.text}", focus) for p in top)
                           / len(top)) if top else None,
        answer=turn.answer, abstained=turn.route == "not_found", seconds=seconds,
        first_token_s=first)
    if not answer or s.abstained or turn.route != "rag":
        return s
    s.on_focus = mentions(turn.answer, focus)
    s.off_topic = not s.on_focus
    s.pasted = repeated_sentences(turn.answer) + pasted_repeats(turn.answer)
    f = turn.faithfulness
    if f is not None:
        s.verdict = f.verdict
        passages = turn.passages
        for sent in f.sentences:
            ev = getattr(sent, "passage", None)
            on = (mentions(f"{passages[ev].title} {passages[ev].text}", focus)
                  if isinstance(ev, int) and 0 <= ev < len(passages) else None)
            s.sentences.append([sent.label == "supported", on])
        if s.sentences:
            s.supported = sum(x[0] for x in s.sentences) / len(s.sentences)
    return s


def share(values: list) -> dict:
    v = [float(x) for x in values if x is not None]
    return {"n": len(v), "share": statistics.fmean(v) if v else None,
            "ci": bootstrap_mean(v)}


def summary(scores: list[ConsumerScore]) -> dict:
    """The benchmark's numbers (shares with 95% bootstrap intervals)."""
    sentences = [x for s in scores for x in s.sentences]
    first = [s.first_token_s for s in scores if s.first_token_s is not None]
    return {
        "questions": len(scores),
        "in_corpus": share([s.in_corpus for s in scores]),
        "good_top3": share([s.good_top3 for s in scores]),
        "passages_on_focus": share([s.passages_on_focus for s in scores]),
        "topic_found": share([s.topic is not None for s in scores]),
        "abstained": share([s.abstained for s in scores]),
        "off_topic": share([bool(s.off_topic) for s in scores if s.answer]),
        "faithful": share([s.verdict == "faithful" for s in scores if s.verdict]),
        "sentences_supported": share([x[0] for x in sentences]),
        "sentences_on_focus": share([x[1] for x in sentences]),
        "pasted_repeats": sum(s.pasted for s in scores),
        "relevance": {v: sum(s.relevance == v for s in scores)
                      for v in ("answered", "partly", "not answered")},
        "first_token_s_p50": statistics.median(first) if first else None,
        "seconds_p50": statistics.median([s.seconds for s in scores]) if scores else None,
    }


KEYS = ("good_top3", "passages_on_focus", "abstained", "off_topic", "faithful",
        "sentences_supported", "sentences_on_focus", "topic_found", "in_corpus")


def table(result: dict) -> str:
    lines = ["| measure | share | 95% interval | n |", "|---|---:|---|---:|"]
    for k in KEYS:
        r = result[k]
        ci = "[{:.3f}, {:.3f}]".format(*r["ci"]) if r["ci"] else "-"
        value = "-" if r["share"] is None else f"{r['share']:.3f}"
        lines.append(f"| {k} | {value} | {ci} | {r['n']} |")
    for k in ("pasted_repeats", "relevance", "first_token_s_p50", "seconds_p50"):
        v = result[k]
        lines.append(f"| {k} | {v if not isinstance(v, float) else f'{v:.2f}'} | | |")
    return "\n".join(lines)


PAIRED = {"good_top3": "good_top3", "passages_on_focus": "passages_on_focus",
          "abstained": "abstained", "off_topic": "off_topic", "supported": "supported"}


def compare_runs(before: Path, after: Path) -> dict:
    """``after - before`` per question measure, paired over the questions of both runs."""
    runs = [{s["qid"] + s["part"]: s for s in json.loads(Path(p).read_text())["questions"]}
            for p in (before, after)]
    both = [k for k in runs[0] if k in runs[1]]
    if not both:
        raise ValueError(f"{before} and {after} share no question")

    class Row:  # paired_difference reads attributes
        def __init__(self, d):
            self.__dict__.update({k: (float(v) if isinstance(v, bool) else v)
                                  for k, v in d.items()})

    a = [Row(runs[1][k]) for k in both]
    b = [Row(runs[0][k]) for k in both]
    return {"questions": len(both),
            **{name: paired_difference(a, b, key) for name, key in PAIRED.items()}}


def compare_table(diffs: dict) -> str:
    """``compare_runs``' differences as a markdown table (after - before, 95% interval)."""
    lines = [f"paired over {diffs['questions']} questions", "",
             "| measure | after - before | 95% interval |", "|---|---:|---|"]
    for name, d in diffs.items():
        if name != "questions":  # None: not measured in both runs (retrieval only)
            lines.append(f"| {name} | - | - |" if d is None else
                         f"| {name} | {d[0]:+.3f} | [{d[1]:+.3f}, {d[2]:+.3f}] |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chatbot.bench.consumer", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=sorted(PARTS), default="test",
                    help="test: report (never tune on it); tune = validation + alexa")
    ap.add_argument("--limit", type=int, help="only the first N questions")
    ap.add_argument("--retrieval-only", action="store_true",
                    help="no answers: retrieval, topic and not-found routing only (seconds)")
    ap.add_argument("--output", type=Path, help="write every question's scores (JSON)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                    help="no new run: paired AFTER - BEFORE of two --output files")
    args = ap.parse_args(argv)
    if args.compare:
        try:
            diffs = compare_runs(*args.compare)
        except (OSError, ValueError, KeyError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(json.dumps(diffs, indent=1) if args.json else compare_table(diffs))
        return 0
    from tqdm.auto import tqdm

    from chatbot.service import build_chatbot, load_knowledge_base
    from chatbot.settings import ChatSettings

    settings = ChatSettings()
    kb = load_knowledge_base(settings)
    bot = build_chatbot(settings, kb=kb) if not args.retrieval_only else _retrieval_bot(
        settings, kb)
    corpus = Corpus(kb)
    questions = load_part(args.part)[:args.limit]
    scores = [score_question(bot, corpus, q, not args.retrieval_only)
              for q in tqdm(questions, desc=f"consumer questions ({args.part})")]
    result = summary(scores)
    run = {"part": args.part, "retrieval_only": args.retrieval_only,
           "settings": {"understand_questions": settings.understand_questions,
                        "min_relevance": settings.min_relevance,
                        "answered_similarity": settings.answered_similarity,
                        "provider": settings.provider, "local_model": settings.local_model},
           "summary": result, "questions": [asdict(s) for s in scores]}
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(run, indent=1))
    print(json.dumps(result, indent=1) if args.json else table(result))
    return 0


def _retrieval_bot(settings, kb):
    """The chain without a model or judge: enough for ``RAGChatbot.find``."""
    from chatbot.chain.rag import RAGChatbot

    return RAGChatbot(kb, None, None, settings)


if __name__ == "__main__":
    raise SystemExit(main())
