"""Extractive answers: the sentences of a passage that best match the question.

``extractive_answer`` is the answer benchmark's baseline and what the chat falls back to under
guard ``retry`` when none of a model answer's sentences is supported; ``add_quotes`` follows a
model answer with the top passage's best sentences that the answer does not already say."""

from __future__ import annotations

import numpy as np

from chatbot.chain.tidy import cut_off, leans_back, repeats_itself
from chatbot.turn import Passage
from nli_judge.judge.sentences import LINE_MARKER, answer_spans, claim_text


def best_sentences(question: str, text: str, embeddings, n: int = 3,
                   whole_only: bool = False) -> list[str]:
    """The ``n`` sentences of ``text`` (four words or more, not repeating themselves inside)
    most similar to ``question`` (MiniLM cosine), in their order in ``text``. A first or
    last sentence that the chunk cut (the text begins in lower case, or ends without a full
    stop) is not one of them; a text with no such sentence is returned whole.
    ``whole_only``: only sentences that end as a sentence does (not a run-on list of links)
    and do not open by pointing back ("These ..."), each text once."""
    spans = answer_spans(text)
    if len(spans) > 1 and text[spans[0][0]:spans[0][0] + 1].islower():
        spans = spans[1:]  # the chunk begins inside a sentence ("mean that a person has")
    spans = [(s, e) for s, e in spans
             if len(text[s:e].split()) >= 4 and not repeats_itself(text[s:e])]
    if len(spans) > 1 and cut_off(text[:spans[-1][1]]):
        spans = spans[:-1]  # the chunk ends inside a sentence: that fragment is no answer
    if whole_only:
        first: dict[str, tuple[int, int]] = {}
        for s, e in spans:
            if not (cut_off(text[s:e]) or leans_back(text[s:e])):
                first.setdefault(claim_text(text[s:e]).lower(), (s, e))
        spans = list(first.values())
    if not spans:
        return [] if whole_only or not text.strip() else [text.strip()]
    vectors = np.asarray(embeddings.embed_documents([question] + [text[s:e] for s, e in spans]))
    best = sorted(np.argsort(-(vectors[1:] @ vectors[0]))[:n])
    return [text[spans[i][0]:spans[i][1]].rstrip() for i in best]


def extractive_answer(question: str, passages: list[Passage], embeddings, n: int = 3) -> str:
    """The ``n`` best sentences of the top passage (``best_sentences``), each citing [1];
    "" without passages."""
    if not passages:
        return ""
    return " ".join(s + " [1]" for s in best_sentences(question, passages[0].text, embeddings, n))


def add_quotes(question: str, answer: str, passages: list[Passage], embeddings, n: int = 4,
               overlap: float = 0.9) -> tuple[str, int]:
    """``answer`` followed, in a paragraph of its own, by the top passage's ``n`` best
    sentences for ``question`` less those the answer already says (MiniLM cosine of at least
    ``overlap`` with one of its sentences, citations left out); and how many were added.
    A sentence that repeats itself inside or opens by pointing back ("These supplements
    ...") is not quoted: alone, it misleads.

    A 0.5B model's own sentences carry less of what the source says than the source's best
    sentences do (``python -m chatbot.bench.answers``: ROUGE-L and embedding similarity to the
    reference answer, docs/answer-benchmark.md), so the chat shows both: the model's answer,
    then the source's words. The judge checks the quotes like any other sentence."""
    if not passages or n <= 0 or not answer.strip():
        return answer, 0
    quotes = best_sentences(question, passages[0].text, embeddings, n, whole_only=True)
    if not quotes:
        return answer, 0
    said = [c for s, e in answer_spans(answer) if (c := claim_text(answer[s:e]))]
    vectors = np.asarray(embeddings.embed_documents([claim_text(q) or q for q in quotes] + said))
    vq, va = vectors[:len(quotes)], vectors[len(quotes):]
    new = [q for q, v in zip(quotes, vq, strict=True) if not len(va) or (va @ v).max() < overlap]
    if not new:
        return answer, 0
    joint = "\n" if any(LINE_MARKER.match(q) for q in new) else " "  # list lines stay lines
    return answer.rstrip() + "\n\n" + joint.join(new), len(new)
