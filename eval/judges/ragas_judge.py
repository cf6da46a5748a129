"""``ragas``: RAGAS faithfulness (an LLM splits the answer into statements, then judges each
against the context) through the configured chat model: the local default model, or OpenAI /
any OpenAI-compatible server (``chatbot.settings``). Slow and costly by design: the benchmark
runs it on a small sample and reports its NaN rate, LLM calls and tokens per item.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np
from langchain_core.callbacks import BaseCallbackHandler

from eval.datasets import FaithItem
from eval.judges.base import Judge


class _Usage(BaseCallbackHandler):
    """Counts chat-model calls and the tokens they report."""

    def __init__(self, usage: dict):
        self.usage = usage

    def on_chat_model_start(self, *args, **kwargs) -> None:
        self.usage["llm_calls"] += 1

    def on_llm_end(self, response, **kwargs) -> None:
        for gens in response.generations:
            for g in gens:
                meta = getattr(getattr(g, "message", None), "usage_metadata", None) or {}
                self.usage["prompt_tokens"] += int(meta.get("input_tokens", 0))
                self.usage["completion_tokens"] += int(meta.get("output_tokens", 0))


class RagasJudge(Judge):
    name = "ragas"
    times_items = True  # scores one item at a time; its per-item times are the latency

    def __init__(self, chat_model=None, provider: str | None = None):
        super().__init__()
        os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
        if chat_model is None:
            from chatbot.llm.factory import make_chat_model
            from chatbot.settings import ChatSettings

            settings = ChatSettings(**({"provider": provider} if provider else {}))
            chat_model = make_chat_model(settings)
            self.llm_model = settings.openai_model if settings.provider == "openai" else None
        self.chat_model = chat_model

    def _metric(self):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from ragas.llms import LangchainLLMWrapper
            from ragas.metrics import Faithfulness

            if not any(isinstance(c, _Usage) for c in self.chat_model.callbacks or []):
                self.chat_model.callbacks = [*(self.chat_model.callbacks or []),
                                             _Usage(self.usage)]
            return Faithfulness(llm=LangchainLLMWrapper(self.chat_model))

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        from ragas.dataset_schema import SingleTurnSample
        from tqdm.auto import tqdm

        metric = self._metric()
        out = np.full(len(items), np.nan)
        for i, it in enumerate(tqdm(items, desc="ragas", disable=not progress)):
            t0 = time.perf_counter()
            try:
                sample = SingleTurnSample(user_input=it.question or "", response=it.answer,
                                          retrieved_contexts=list(it.passages))
                out[i] = float(metric.single_turn_score(sample))
            except Exception as e:  # NaN: counted and reported by the runner
                self.errors.append(f"{it.id}: {type(e).__name__}: {str(e)[:200]}")
            self.item_ms.append((time.perf_counter() - t0) * 1000)
        return out
