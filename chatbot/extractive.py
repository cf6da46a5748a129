"""Extractive answers: the sentences of a passage that best match the question, each citing
it. The answer benchmark's baseline, and what the chat falls back to under guard ``retry``
when none of a model answer's sentences is supported."""

from __future__ import annotations

import numpy as np

from chatbot.tidy import cut_off
from chatbot.turn import Passage
from nli_judge.judge.sentences import answer_spans


def extractive_answer(question: str, passages: list[Passage], embeddings, n: int = 3) -> str:
    """The ``n`` sentences of the top passage most similar to ``question`` (MiniLM cosine),
    in passage order, each citing [1]; "" without passages. A last sentence that the chunk
    cut off is not one of them."""
    if not passages:
        return ""
    text = passages[0].text
    spans = [(s, e) for s, e in answer_spans(text) if len(text[s:e].split()) >= 4]
    if len(spans) > 1 and cut_off(text[:spans[-1][1]]):
        spans = spans[:-1]  # the chunk ends inside a sentence: that fragment is no answer
    if not spans:
        return text.strip() + " [1]"
    vectors = np.asarray(embeddings.embed_documents([question] + [text[s:e] for s, e in spans]))
    best = sorted(np.argsort(-(vectors[1:] @ vectors[0]))[:n])
    return " ".join(text[spans[i][0]:spans[i][1]].rstrip() + " [1]" for i in best)
