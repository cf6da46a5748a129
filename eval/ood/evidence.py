"""The judge model's outputs per item, computed once per candidate model and kept on disk.

Every candidate of the protocol is a model plus settings that need no model pass (how many
windows per claim, the answer score, the threshold). So the model runs once per item with
1-sentence windows and the ``MAX_WINDOWS`` most word-sharing windows per claim
(``FaithfulnessJudge.claim_evidence``); fewer windows are then read off the same outputs
(``nli_judge.judge.calibration.preselected``). The windows are chosen by words alone, so two
models' outputs line up pair for pair and can be averaged (``average``).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

from eval.datasets import FaithItem
from nli_judge.judge.aggregation_fit import features_of
from nli_judge.judge.calibration import preselected
from nli_judge.judge.faithfulness import FaithfulnessJudge, JudgeSettings
from nli_judge.text import sha256_file

MAX_WINDOWS = 4
WINDOW_TOKENS = 400
WINDOW_SENTENCES = 1


def cache_path(root: Path, model_dir: str | Path) -> Path:
    """Where a model's evidence is kept under ``root``: named by the weights' hash and the
    window settings, so new weights or settings never read old outputs."""
    digest = sha256_file(Path(model_dir) / "model.safetensors")[:16]
    return root / "cache" / f"{digest}-{WINDOW_TOKENS}-{WINDOW_SENTENCES}-{MAX_WINDOWS}.pkl"


def load_judge(model_dir: str | Path | None) -> FaithfulnessJudge:
    """The judge on ``model_dir`` with the protocol's fixed window settings."""
    return FaithfulnessJudge.load(model_dir, window_tokens=WINDOW_TOKENS,
                                  window_sentences=WINDOW_SENTENCES, max_windows=MAX_WINDOWS,
                                  max_pairs=None)


class EvidenceCache:
    """``claim_evidence`` per item id for one model, pickled in ``path`` after each batch."""

    def __init__(self, path: Path, model_dir: str | Path | None):
        self.path, self.model_dir = Path(path), model_dir
        self._judge: FaithfulnessJudge | None = None
        self.data: dict[str, list] = {}
        if self.path.exists():
            with self.path.open("rb") as f:  # our own file, written below
                self.data = pickle.load(f)

    def get(self, items: Sequence[FaithItem], progress: bool = True) -> list[list]:
        """The evidence of ``items`` in their order, running the model on those not cached."""
        todo = [it for it in {it.id: it for it in items}.values() if it.id not in self.data]
        if todo:
            if self._judge is None:
                self._judge = load_judge(self.model_dir)
            out = self._judge.claim_evidence([it.judge_input() for it in todo],
                                             progress=progress)
            self.data.update({it.id: ev for it, ev in zip(todo, out, strict=True)})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as f:
                pickle.dump(self.data, f)
            tmp.replace(self.path)
        return [self.data[it.id] for it in items]


def average(a: list[list], b: list[list]) -> list[list]:
    """Two models' evidence for the same items with their probabilities averaged (the
    windows and checks are the same: they are chosen by words, not by the model)."""
    out = []
    for claims_a, claims_b in zip(a, b, strict=True):
        merged = []
        for ca, cb in zip(claims_a, claims_b, strict=True):
            if ca[0].shape != cb[0].shape:
                raise ValueError("the two models' evidence does not line up")
            merged.append(((ca[0] + cb[0]) / 2, *ca[1:]))
        out.append(merged)
    return out


def answer_features(evidence: list[list], items: Sequence[FaithItem], windows: int
                    ) -> list[dict]:
    """The learned score's features of ``items`` from their evidence (``EvidenceCache.get``)
    as the judge computes them when it checks ``windows`` windows per claim."""
    return features_of(preselected(evidence, windows), items,
                       JudgeSettings().contradiction_min_overlap)
