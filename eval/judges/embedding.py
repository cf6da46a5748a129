"""``embedding``: cosine similarity of the answer to its closest passage chunk
(all-MiniLM-L6-v2 sentence embeddings, passages cut into ~200-word chunks)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eval.datasets import FaithItem
from eval.judges.base import Judge
from nli_judge.model.base_models import resolve_base_model


def _chunks(text: str, words: int = 200) -> list[str]:
    w = text.split()
    return [" ".join(w[i:i + words]) for i in range(0, max(len(w), 1), words)] or [""]


class EmbeddingJudge(Judge):
    name = "embedding"

    def __init__(self, model: str | None = None, batch_size: int = 64):
        super().__init__()
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(resolve_base_model(model), device="cpu")
        self.batch_size = batch_size

    def score(self, items: Sequence[FaithItem], progress: bool = False) -> np.ndarray:
        answers = [it.answer for it in items]
        chunks, owner = [], []
        for i, it in enumerate(items):
            for p in it.passages or [""]:
                for c in _chunks(p):
                    chunks.append(c)
                    owner.append(i)
        enc = dict(batch_size=self.batch_size, normalize_embeddings=True,
                   show_progress_bar=progress, convert_to_numpy=True)
        a = self.model.encode(answers, **enc)
        unique = list(dict.fromkeys(chunks))  # items often share a passage: embed it once
        where = {c: k for k, c in enumerate(unique)}
        c = self.model.encode(unique, **enc)[[where[x] for x in chunks]]
        out = np.full(len(items), -1.0)
        sims = np.einsum("ij,ij->i", a[owner], c)
        for i, s in zip(owner, sims, strict=True):
            out[i] = max(out[i], float(s))
        return out
