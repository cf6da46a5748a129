"""One answered message as the chain produces it: typed all the way to where it is stored
(``ChatTurn.record`` for the database) or printed (``ChatTurn.to_dict`` for JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from nli_judge.judge.results import FaithfulnessResult


@dataclass
class Passage:
    """One retrieved passage: ``n`` is its number in the prompt (cited as [n]), ``score``
    the retrieval score, ``similarity`` the dense cosine similarity (None: keyword hit only)."""

    n: int
    text: str
    doc_id: str | None = None
    chunk: int | None = None
    title: str = ""
    collection: str = ""
    url: str = ""
    score: float = 0.0
    similarity: float | None = None
    focus: str = ""  # the topic its document is about (MedQuAD's focus), when known


@dataclass
class ChatTurn:
    """One answered message: what was asked, found, answered and judged, and how long it took."""

    question: str
    answer: str
    route: str = "rag"  # rag | safety | not_found (the sources do not cover the question)
    standalone_question: str | None = None
    passages: list[Passage] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    faithfulness: FaithfulnessResult | None = None
    provider: str | None = None
    model: str | None = None
    latency_ms: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=lambda: {"prompt": 0, "completion": 0})
    notes: list[str] = field(default_factory=list)
    turn_id: str | None = None
    understanding: dict | None = None  # chatbot.retrieval.understand: topic, qtype, query, ...
    # chatbot.retrieval.relevance: does the answer address the question
    relevance: dict | None = None

    def to_dict(self) -> dict:
        """Plain JSON-ready data (passages and the judge's result as dicts)."""
        return asdict(self)

    def record(self) -> dict:
        """The fields ``Store.add_turn`` takes: where a turn becomes plain data."""
        data, f = self.to_dict(), self.faithfulness
        return dict(question=self.question, standalone_question=self.standalone_question,
                    answer=self.answer, route=self.route, passages=data["passages"],
                    judge=data["faithfulness"], judge_score=f.score if f else None,
                    judge_verdict=f.verdict if f else None, provider=self.provider,
                    model=self.model,
                    retrieval_ms=self.latency_ms.get("retrieval"),
                    generation_ms=self.latency_ms.get("generation"),
                    judge_ms=self.latency_ms.get("judge"),
                    prompt_tokens=self.tokens.get("prompt"),
                    completion_tokens=self.tokens.get("completion"), notes=self.notes,
                    relevance=self.relevance and {
                        **self.relevance, **{k: (self.understanding or {}).get(k)
                                             for k in ("topic", "qtype")}})
