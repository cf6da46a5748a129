"""The faithfulness judge's results: plain dataclasses that serialise to JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

SentenceLabel = Literal["supported", "unsupported", "contradicted", "no_claim", "incomplete",
                        "repeated", "other_language"]
# Labels of sentences that are not judged against the evidence.
NOT_JUDGED = ("no_claim", "incomplete", "repeated", "other_language")
# The JSON layout of a result; result_schema.json (beside this file) holds it, a test checks it.
# Bump the number when a field changes meaning or goes away (adding a field keeps it).
SCHEMA_VERSION = "groundedchat.faithfulness/1"
SCHEMA_FILE = Path(__file__).with_name("result_schema.json")


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
    threshold (``unsupported_language``, score 0: no sentence in English, nothing judged);
    ``sentences`` one per answer sentence. ``judge_version`` says which judge scored it:
    hashes of the model weights, the calibration and the settings, the backend and the
    package version (see ``FaithfulnessJudge.version``)."""

    score: float
    verdict: Literal["faithful", "unfaithful", "unsupported_language"]
    sentences: list[SentenceVerdict] = field(default_factory=list)
    threshold: float = 0.5
    notes: list[str] = field(default_factory=list)
    judge_version: dict = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    @property
    def claims(self) -> list[SentenceVerdict]:
        return [s for s in self.sentences if s.label not in NOT_JUDGED]

    def reason(self, limit: int = 3) -> str:
        """One line for metric tools: the verdict, how many claims are supported, and the
        first ``limit`` sentences that are not (with their labels)."""
        skipped = sum(s.label == "other_language" for s in self.sentences)
        if self.verdict == "unsupported_language":
            return (f"unsupported_language: no sentence in English, {skipped} sentence(s) not "
                    "judged (the judge's model reads English only).")
        claims = [s for s in self.sentences
                  if s.label not in ("no_claim", "repeated", "other_language")]
        bad = [s for s in claims if s.label != "supported"]
        head = (f"{self.verdict} (score {self.score:.2f}, threshold {self.threshold:.2f}): "
                f"{len(claims) - len(bad)} of {len(claims)} claim sentences supported")
        shown = "; ".join(f"{s.label}: {s.text.strip()!r}" for s in bad[:limit])
        more = f" (+{len(bad) - limit} more)" if len(bad) > limit else ""
        skip = f"; {skipped} not in English, not judged" if skipped else ""
        return head + skip + (f". {shown}{more}" if bad else ".")

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict) -> FaithfulnessResult:
        """A result from ``to_dict`` output (results stored before schema versions: "0")."""
        d = {"schema_version": "0", **d}
        d["sentences"] = [SentenceVerdict(**s) for s in d.get("sentences", [])]
        return cls(**d)
