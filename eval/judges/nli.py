"""``nli``: the project's sentence-level FaithfulnessJudge; ``nli-doc``: the same model with
the whole context as one premise and the whole answer as one hypothesis, truncated to 512
tokens the way a plain pipeline would (the naive baseline)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eval.datasets import FaithItem
from eval.judges.base import Judge
from nli_judge.judge.faithfulness import FaithfulnessJudge
from nli_judge.model.nli_model import NLIModel


class NLISentenceJudge(Judge):
    """The FaithfulnessJudge; on a backend other than PyTorch fp32 it is named
    ``nli-int8`` (ONNX Runtime int8) or ``nli-<backend>``."""

    name = "nli"

    def __init__(self, model: str | None = None, backend: str = "torch", **settings):
        super().__init__()
        if backend != "torch":
            self.name = "nli-int8" if backend == "onnx-int8" else f"nli-{backend}"
        self.judge = FaithfulnessJudge.load(NLIModel.load(model, backend=backend), **settings)

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        results = self.judge.score_batch([it.judge_input() for it in items],
                                         progress=progress)
        return np.array([r.score for r in results])


class NLIDocJudge(Judge):
    name = "nli-doc"

    def __init__(self, model: str | NLIModel | None = None):
        super().__init__()
        self.model = model if isinstance(model, NLIModel) else NLIModel.load(model)

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        probs = self.model.predict([" ".join(it.passages) for it in items],
                                   [it.answer for it in items], progress=progress,
                                   max_length=512)
        return probs[:, 0]
