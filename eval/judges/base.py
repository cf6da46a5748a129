"""What every benchmark judge provides: everything ``eval.runner`` and ``eval.run`` read."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eval.datasets import FaithItem


class Judge:
    """Base class. ``score`` maps items to faithfulness scores in [0, 1] (NaN: failed on that
    item). What the runner reads besides:

    - ``name``: the judge's name in reports; ``llm_model``: the priced model for LLM judges
      (see ``eval.pricing``), None for local ones;
    - ``usage``: LLM calls and tokens so far (the runner takes differences around a call);
    - ``times_items``: True for a judge that scores item by item and times each one itself in
      ``item_ms`` (its latency); otherwise the runner times the whole batch;
    - ``errors``: one line per item the judge failed on, newest last.
    """

    name = "judge"
    llm_model: str | None = None
    times_items: bool = False

    def __init__(self) -> None:
        self.usage = {"llm_calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
        self.item_ms: list[float] = []
        self.errors: list[str] = []

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        raise NotImplementedError
