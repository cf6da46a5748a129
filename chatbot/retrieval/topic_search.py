"""Search that knows the question's topic: passages about it first, none about another.

``topic_search`` takes what ``chatbot.retrieval.understand`` read in a question. When the question
names a topic of the knowledge base, the passages are that topic's chunks, ranked by their
meaning's closeness to the question (those of the asked question type a little higher),
then chunks of narrower topics that contain its name ("sickle beta thalassemia" for
"thalassemia") found by the ordinary search. Otherwise it is the ordinary hybrid search
on the question with its abbreviations spelled out and its typos mended.
"""

from __future__ import annotations

from chatbot.retrieval.knowledge_base import Hit, KnowledgeBase
from chatbot.retrieval.understand import Topics, Understanding, chunk_qtype, chunk_topic, words

QTYPE_BONUS = 0.05  # added to a chunk's cosine when its title's question type is the one asked
# (0, 0.05 and 0.15 found good pages in the top 3 equally often on the tune part)


def _key(h: Hit) -> tuple:
    return h.document.metadata.get("doc_id"), h.document.metadata.get("chunk")


def on_topic(metadata: dict, topic_words: list[str]) -> bool:
    """Is a chunk about the topic (its own topic's words include all of the topic's)?"""
    return bool(topic_words) and set(topic_words) <= set(words(chunk_topic(metadata)))


def topic_search(kb: KnowledgeBase, topics: Topics, u: Understanding, k: int,
                 mode: str = "hybrid", where: dict | None = None) -> list[Hit]:
    """The ``k`` passages for the question ``u`` (see the module's docstring)."""
    general = kb.search(u.query, k=max(k, 8) if u.topic else k, mode=mode, where=where)
    if not u.topic:
        return general[:k]
    own = [d for d in topics.chunks.get(tuple(u.topic_words), [])
           if not where or all(d.metadata.get(f) == v for f, v in where.items())]
    scored = kb.similarities(u.query, [Hit(d, 0.0) for d in own])
    for h in scored:
        h.score = h.dense + (QTYPE_BONUS if u.qtype and chunk_qtype(h.document.metadata)
                             == u.qtype else 0.0)
    ranked = sorted(scored, key=lambda h: -h.score)
    seen = {_key(h) for h in ranked}
    ranked += [h for h in general if on_topic(h.document.metadata, u.topic_words)
               and _key(h) not in seen]
    return ranked[:k] or general[:k]
