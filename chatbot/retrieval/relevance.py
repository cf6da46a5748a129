"""Does the answer address the question? ``answers_question`` says so beside faithfulness.

An answer can be faithful to its passages and still be about another topic. The verdict:

- ``answered``: the passages are about the topic the question names
  (``chatbot.retrieval.understand``) and of the kind asked (treatment, causes, ...), or, when
  no known topic is named, they are close in meaning to the question (cosine >=
  ``answered_similarity``);
- ``partly``: about the topic but not of the kind asked, or only somewhat close in meaning;
- ``not answered``: the sources do not cover the question (the chat then says so, route
  ``not_found``).

The score is the best passage's cosine similarity to the question, plus 0.25 when it is
about the named topic and 0.1 more when it is of the kind asked (at most 1).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from chatbot.retrieval.topic_search import on_topic
from chatbot.retrieval.understand import Understanding, chunk_qtype, words
from chatbot.turn import Passage

VERDICTS = ("answered", "partly", "not answered")


@dataclass
class Relevance:
    verdict: str  # one of VERDICTS
    score: float
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


def _meta(p: Passage) -> dict:
    return {"focus": p.focus, "title": p.title}


def assess(u: Understanding | None, passages: list[Passage], answered_similarity: float,
           min_similarity: float, missing: str | None = None) -> Relevance:
    """How well ``passages`` (what the answer may say) address the question read as ``u``.
    With no named topic, the question is not answered when the best passage's similarity is
    below ``min_similarity`` or when no passage has the question's rarest word
    (``missing``, see ``missing_term``)."""
    best = max((p.similarity or 0.0 for p in passages), default=0.0)
    if u is not None and u.topic:
        about = [p for p in passages if on_topic(_meta(p), u.topic_words)]
        if about:
            kinds = {chunk_qtype(_meta(p)) for p in about}
            fits = u.qtype is None or u.qtype in kinds or kinds == {None}
            sim = max(p.similarity or 0.0 for p in about)
            score = min(1.0, sim + 0.25 + (0.1 if fits else 0.0))
            if fits:
                return Relevance("answered", score, f"the sources are about {u.topic}")
            return Relevance("partly", score, f"the sources are about {u.topic} but say "
                             f"nothing under {u.qtype}: they may not answer what you asked")
    if missing:
        return Relevance("not answered", best, f"no source mentions {missing!r}, the "
                         "question's rarest word")
    if best >= answered_similarity:
        return Relevance("answered", best, "the sources are close in meaning to the question")
    if best >= min_similarity:
        return Relevance("partly", best, "the sources are only loosely related to the "
                         "question: check that they answer it")
    return Relevance("not answered", best, "the sources do not cover the question")


HELP = {  # where to turn, by what the question is about (the first match)
    "drug": ("MedlinePlus's Drugs, Herbs and Supplements pages (medlineplus.gov/druginformation"
             ".html) and your pharmacist"),
    "cancer": ("the National Cancer Institute's Cancer Information Service (cancer.gov, "
               "1-800-422-6237)"),
    "rare": ("NIH's Genetic and Rare Diseases Information Center (rarediseases.info.nih.gov, "
             "1-888-205-2311)"),
    "any": "MedlinePlus (medlineplus.gov, the National Library of Medicine's health pages)",
}
_DRUG = re.compile(r"\b(\d+ ?mg|tablets?|pills?|capsules?|dose|dosage|medicines?|medications?|"
                   r"drugs?|prescription|side effects?)\b", re.I)


def where_to_turn(question: str, u: Understanding | None) -> str:
    """The service to suggest when the sources do not cover ``question``."""
    text = f"{question} {u.topic if u and u.topic else ''}"
    if _DRUG.search(text):
        return HELP["drug"]
    if re.search(r"\b(cancer|tumou?r|leuka?emia|lymphoma|carcinoma)\b", text, re.I):
        return HELP["cancer"]
    if re.search(r"\b(rare|genetic|syndrome|inherited)\b", text, re.I):
        return HELP["rare"]
    return HELP["any"]


def not_found_answer(question: str, u: Understanding | None, missing: str | None) -> str:
    """What the chat says when its sources do not cover the question: what is missing
    (``missing``: the question's word no source mentions), and where to turn."""
    what = f"anything about “{missing}”" if missing else "what answers this question"
    return (f"I'm sorry, I couldn't find {what} in my sources, so I can't answer this "
            "reliably. "
            f"A doctor, nurse or pharmacist who knows your situation can help, and "
            f"{where_to_turn(question, u)} may have what you are looking for.")


def missing_term(u: Understanding | None, passages: list[Passage], rare) -> str | None:
    """The question's rarest word as the person wrote it ("VDRL"), when the question names
    no known topic, that word is rare in the documents (``rare(word)``) and no passage
    contains it; else None."""
    if u is None or u.topic or not u.key_terms or not rare(u.key_terms[0]):
        return None
    said = set(words(" ".join(f"{p.title} {p.text}" for p in passages)))
    if u.key_terms[0] in said:
        return None
    return next((t for t in re.findall(r"[\w'-]+", u.question)
                 if words(t) == [u.key_terms[0]]), u.key_terms[0])
