"""Faithfulness judges for the benchmark, one class per module.

Each judge has a ``name`` and ``score(items) -> np.ndarray`` (higher = more faithful; NaN
where it failed on an item), and reports its cost in ``usage`` (LLM calls, tokens).
"""

from eval.judges.base import Judge
from eval.judges.embedding import EmbeddingJudge
from eval.judges.lexical import LexicalJudge
from eval.judges.nli import NLIDocJudge, NLISentenceJudge

__all__ = ["EmbeddingJudge", "Judge", "LexicalJudge", "NLIDocJudge", "NLISentenceJudge"]
