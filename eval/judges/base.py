"""What every benchmark judge provides."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eval.datasets import FaithItem


class Judge:
    """Base class: ``score`` maps items to faithfulness scores (NaN = failed on that item)."""

    name = "judge"
    llm_model: str | None = None  # the priced model for LLM judges (see eval.pricing)

    def __init__(self) -> None:
        self.usage = {"llm_calls": 0, "prompt_tokens": 0, "completion_tokens": 0}

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        raise NotImplementedError
