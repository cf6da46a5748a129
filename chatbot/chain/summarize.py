"""Map-reduce summaries of long documents, five reader questions, and the judge's verdict.

    python -m chatbot.chain.summarize FILE [--provider local|openai] [--json]

Map: the document is split into chunks that fit the model, each summarised. Reduce: the
partial summaries are combined; while they exceed the model's token budget they are grouped
and collapsed (summarised again), as in LangChain's map-reduce pattern. Tokens are counted with
the model's own tokenizer. Small models sometimes copy text instead of summarising: that is
detected (long verbatim overlap with the source) and an extractive summary is used instead,
and the result says which method was used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_text_splitters import RecursiveCharacterTextSplitter

from nli_judge.judge.faithfulness import InputTooLarge
from nli_judge.judge.results import FaithfulnessResult
from nli_judge.judge.sentences import split_sentences
from nli_judge.text import STOP_WORDS

MAP = ChatPromptTemplate.from_messages([
    ("system", "Summarise the text in 2-4 short sentences in your own words. Keep key facts, "
               "numbers and names. Do not add anything that is not in the text."),
    ("human", "{text}"),
])
REDUCE = ChatPromptTemplate.from_messages([
    ("system", "Combine these partial summaries of one document into a single summary of at "
               "most 6 sentences, in your own words. Do not add anything new."),
    ("human", "{text}"),
])
QUESTIONS = ChatPromptTemplate.from_messages([
    ("system", "Write five questions a reader of this document would likely ask, one per "
               "line, each ending with a question mark. Questions only."),
    ("human", "{text}"),
])
_WORD = re.compile(r"[a-z0-9]+")
# Luhn's sentence scores count topic words: the shared stop words, and pronouns and "may"
# too (common in health texts, they say nothing about the topic).
_NOT_TOPIC = STOP_WORDS | {"may", "your", "you", "their", "they", "he", "she", "his", "her"}


@dataclass
class SummaryResult:
    summary: str
    method: str  # "map-reduce" or "extractive"
    questions: list[str]
    chunks: int
    collapses: int
    notes: list[str] = field(default_factory=list)
    faithfulness: FaithfulnessResult | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def copy_ratio(summary: str, source: str, n: int = 8) -> float:
    """Share of the summary's word ``n``-grams found verbatim in the source."""
    s, src = _WORD.findall(summary.lower()), _WORD.findall(source.lower())
    grams = [tuple(s[i:i + n]) for i in range(len(s) - n + 1)]
    if not grams:
        return 0.0
    have = {tuple(src[i:i + n]) for i in range(len(src) - n + 1)}
    return sum(g in have for g in grams) / len(grams)


def extractive_summary(text: str, sentences: int = 5) -> str:
    """The ``sentences`` sentences with the most frequent content words (Luhn), in order."""
    spans = split_sentences(text)
    sents = [text[s:e].strip() for s, e in spans if len(text[s:e].split()) >= 5]
    freq = Counter(w for w in _WORD.findall(text.lower()) if w not in _NOT_TOPIC and len(w) > 2)

    def score(sent: str) -> float:
        words = [w for w in _WORD.findall(sent.lower()) if w not in _NOT_TOPIC and len(w) > 2]
        return sum(freq[w] for w in set(words)) / (len(words) + 5) if words else 0.0

    top = sorted(sorted(range(len(sents)), key=lambda i: -score(sents[i]))[:sentences])
    return " ".join(sents[i] for i in top)


class MapReduceSummarizer:
    """``llm``: a chat model; ``count_tokens``: the model's own token counter;
    ``token_budget``: the most tokens the reduce step may take in at once."""

    def __init__(self, llm: BaseChatModel, count_tokens: Callable[[str], int],
                 token_budget: int = 1500, chunk_tokens: int = 700, copy_threshold: float = 0.6):
        self.llm, self.count = llm, count_tokens
        self.budget, self.chunk_tokens = token_budget, chunk_tokens
        self.copy_threshold = copy_threshold

    def _ask(self, prompt: ChatPromptTemplate, text: str) -> str:
        return str(self.llm.invoke(prompt.format_messages(text=text)).content).strip()

    def split(self, text: str) -> list[str]:
        splitter = RecursiveCharacterTextSplitter(chunk_size=self.chunk_tokens,
                                                  chunk_overlap=self.chunk_tokens // 10,
                                                  length_function=self.count)
        return splitter.split_text(text)

    def map(self, chunks: list[str]) -> list[str]:
        return [self._ask(MAP, c) for c in chunks]

    def collapse(self, parts: list[str]) -> tuple[list[str], int]:
        """Group and re-summarise until the parts fit the budget; returns (parts, rounds)."""
        rounds = 0
        while self.count("\n\n".join(parts)) > self.budget and len(parts) > 1:
            groups, current = [], []
            for p in parts:
                if current and self.count("\n\n".join(current + [p])) > self.budget:
                    groups.append(current)
                    current = []
                current.append(p)
            groups.append(current)
            if len(groups) == len(parts):  # every part alone fills the budget: halve them
                groups = [parts[i:i + 2] for i in range(0, len(parts), 2)]
            parts = [self._ask(REDUCE, "\n\n".join(g)) for g in groups]
            rounds += 1
        return parts, rounds

    def questions(self, text: str, title: str = "") -> list[str]:
        raw = self._ask(QUESTIONS, text)
        qs = []
        for line in raw.splitlines():
            q = re.sub(r"^\s*(\d+[.)]|[-*•])\s*", "", line).strip()
            if q.endswith("?") and len(q) > 10 and q not in qs:
                qs.append(q)
        topic = title or "this"
        for q in (f"What is {topic}?", f"What are the symptoms of {topic}?",
                  f"How is {topic} treated?", f"Who should I talk to about {topic}?",
                  f"Where can I read more about {topic}?"):
            if len(qs) >= 5:
                break
            qs.append(q)
        return qs[:5]

    def __call__(self, text: str, title: str = "") -> SummaryResult:
        text = text.strip()
        if not text:
            raise ValueError("nothing to summarise: the document is empty")
        chunks = self.split(text)
        parts, rounds = self.collapse(self.map(chunks))
        summary = parts[0] if len(parts) == 1 and len(chunks) == 1 else self._ask(
            REDUCE, "\n\n".join(parts))
        notes, method = [], "map-reduce"
        ratio = copy_ratio(summary, text)
        if ratio >= self.copy_threshold or not summary:
            notes.append(f"the model copied the text ({ratio:.0%} of its 8-word phrases are "
                         "verbatim) instead of summarising: extractive summary used")
            summary, method = extractive_summary(text), "extractive"
        return SummaryResult(summary, method, self.questions(summary, title), len(chunks),
                             rounds, notes)


def judge_summary(result: SummaryResult, text: str, judge, chunk_chars: int = 1500
                  ) -> SummaryResult:
    """Attach the judge's verdict on the summary against the whole document (a document over
    the judge's size limit is not judged: ``faithfulness`` stays None and a note says why)."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_chars, chunk_overlap=150)
    try:
        result.faithfulness = judge.score(result.summary, splitter.split_text(text))
    except InputTooLarge as e:
        result.notes.append(f"Not judged: {e}")
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    from pathlib import Path

    from chatbot.llm.factory import make_chat_model
    from chatbot.retrieval.documents import DocumentError, load_file
    from chatbot.settings import ChatSettings

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path, help=".txt, .md, .pdf or .html document")
    ap.add_argument("--provider", choices=["local", "openai"], help="default: GC_PROVIDER/local")
    ap.add_argument("--budget", type=int, default=1500, help="reduce-step token budget")
    ap.add_argument("--no-judge", action="store_true", help="skip the judge's verdict")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)
    settings = ChatSettings(**({"provider": args.provider} if args.provider else {}))
    try:
        doc = load_file(args.file, settings.max_upload_mb)
    except DocumentError as e:
        print(f"error: {e}")
        return 2
    llm = make_chat_model(settings)
    counter = getattr(llm, "count_tokens", None) or (lambda t: len(t.split()) * 4 // 3)
    result = MapReduceSummarizer(llm, counter, token_budget=args.budget)(
        doc.page_content, doc.metadata.get("title", ""))
    if not args.no_judge:
        from chatbot.chain.judge import load_judge

        judge_summary(result, doc.page_content, load_judge(settings))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(f"Summary ({result.method}, {result.chunks} chunks, {result.collapses} collapse "
          f"rounds):\n{result.summary}\n")
    for n in result.notes:
        print(f"note: {n}")
    if result.faithfulness:
        print(f"judge: {result.faithfulness.verdict} (score {result.faithfulness.score:.2f})")
    print("\nQuestions a reader might ask:")
    for q in result.questions:
        print(f"- {q}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
