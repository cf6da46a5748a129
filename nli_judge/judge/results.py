"""The faithfulness judge's results: plain dataclasses that serialise to JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

SentenceLabel = Literal["supported", "unsupported", "contradicted", "no_claim", "incomplete",
                        "repeated"]
# Labels of sentences that are not judged against the evidence.
NOT_JUDGED = ("no_claim", "incomplete", "repeated")


@dataclass
class SentenceVerdict:
    """One answer sentence. ``start``/``end`` are character offsets into the answer;
    probabilities come from the window that decided the label; ``passage`` and
    ``window_start``/``window_end`` locate that window (character offsets into the passage),
    None for ``no_claim`` sentences or when there was no evidence."""

    text: str
    start: int
    end: int
    label: SentenceLabel
    entailment: float = 0.0
    neutral: float = 0.0
    contradiction: float = 0.0
    score: float = 0.0
    claim: str = ""
    passage: int | None = None
    window_start: int | None = None
    window_end: int | None = None
    evidence: str = ""


@dataclass
class FaithfulnessResult:
    """``score`` in [0, 1] (see ``JudgeSettings.aggregate``), ``verdict`` at the calibrated
    threshold; ``sentences`` one per answer sentence."""

    score: float
    verdict: Literal["faithful", "unfaithful"]
    sentences: list[SentenceVerdict] = field(default_factory=list)
    threshold: float = 0.5
    notes: list[str] = field(default_factory=list)

    @property
    def claims(self) -> list[SentenceVerdict]:
        return [s for s in self.sentences if s.label not in NOT_JUDGED]

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict) -> FaithfulnessResult:
        d = dict(d)
        d["sentences"] = [SentenceVerdict(**s) for s in d.get("sentences", [])]
        return cls(**d)
