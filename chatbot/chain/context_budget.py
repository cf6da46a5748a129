"""Passages cut to a token budget before they go to a local model.

Reading the prompt is most of a local answer's first-token time: on 2 CPU cores llama.cpp
reads about 210 prompt tokens a second, and four whole passages are 700-900 tokens (3.5-4.5
s before the first word). ``fit_passages`` keeps every passage but only its sentences that
best match the question, so the answer-bearing sentence of a passage ranked third still
reaches the model. The judge still checks the answer against the whole passages, and the
chat shows them whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from chatbot.chain.prompts import format_context
from chatbot.turn import Passage
from nli_judge.judge.sentences import answer_spans

GAP = " … "  # joins sentences that were not next to each other
SEPARATOR_TOKENS = 2  # the space or gap before a sentence, at most


def block_tokens(p: Passage, count_tokens: Callable[[str], int]) -> int:
    """Tokens of ``p``'s block without its text: tags, title, the blank line after it."""
    return count_tokens(format_context([replace(p, text="")]) + "\n\n")


def fit_passages(question: str, passages: list[Passage], budget: int,
                 count_tokens: Callable[[str], int], embeddings) -> list[Passage]:
    """``passages`` with their text cut to about ``budget`` tokens in all (``count_tokens``
    counts them; the blocks' tags and titles included). Whole passages when they fit or
    ``budget`` is 0.
    Otherwise the sentences most similar to the question (MiniLM cosine, ``embeddings``)
    are kept, over all passages, until the budget is spent; each passage keeps its chosen
    sentences in their order (joined by " … " where some were left out) and its number.
    A passage none of whose sentences is chosen is left out."""
    if budget <= 0 or not passages:
        return passages
    blocks = [block_tokens(p, count_tokens) for p in passages]
    if sum(count_tokens(p.text) + b for p, b in zip(passages, blocks, strict=True)) <= budget:
        return passages
    spans = [(i, p.text[s:e]) for i, p in enumerate(passages)
             for s, e in answer_spans(p.text) if p.text[s:e].strip()]
    if not spans:
        return passages
    vectors = np.asarray(embeddings.embed_documents([question] + [t for _, t in spans]))
    order = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")
    chosen: set[int] = set()
    opened: set[int] = set()  # passages with a chosen sentence (their block is paid for)
    spent = 0
    for j in order:
        i, text = spans[j]
        cost = count_tokens(text) + SEPARATOR_TOKENS + (0 if i in opened else blocks[i])
        if spent + cost > budget:
            continue  # a shorter sentence further down may still fit
        chosen.add(int(j))
        opened.add(i)
        spent += cost
    out = []
    for i, p in enumerate(passages):
        kept = sorted(j for j in chosen if spans[j][0] == i)
        if not kept:
            continue
        parts = [spans[kept[0]][1]]
        for a, b in itertools.pairwise(kept):
            parts.append((" " if b == a + 1 else GAP) + spans[b][1])
        out.append(replace(p, text="".join(parts)))
    return out
