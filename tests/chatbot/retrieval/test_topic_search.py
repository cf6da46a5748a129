"""Search by the question's topic and the relevance verdict (chatbot.retrieval.topic_search,
chatbot.retrieval.relevance) on the real test knowledge base (MiniLM, FAISS, BM25)."""

import pytest

from chatbot.retrieval.relevance import assess, missing_term, not_found_answer, where_to_turn
from chatbot.retrieval.topic_search import on_topic, topic_search
from chatbot.retrieval.understand import Topics
from chatbot.turn import Passage


@pytest.fixture(scope="module")
def topics(kb):
    return Topics(kb.chunks())


def passages(hits):
    return [Passage(n=i, text=h.document.page_content, title=h.document.metadata["title"],
                    focus=h.document.metadata["focus"], similarity=h.dense)
            for i, h in enumerate(hits, 1)]


def test_a_named_topic_gives_only_its_own_passages_the_asked_type_first(kb, topics):
    u = topics.understand("my dad has hairy cell leukimia, is it dangerous?")
    hits = topic_search(kb, topics, u, k=3)
    assert {h.document.metadata["focus"] for h in hits} == {"Hairy Cell Leukemia"}
    u = topics.understand("what are the signs of hairy cell leukemia")
    assert topic_search(kb, topics, u, 3)[0].document.metadata["title"] == (
        "Hairy Cell Leukemia (symptoms)")


def test_on_topic_needs_all_the_topics_words():
    assert on_topic({"focus": "Adult Acute Myeloid Leukemia"}, ["acute", "myeloid", "leukemia"])
    assert not on_topic({"focus": "Hairy Cell Leukemia"}, ["acute", "myeloid", "leukemia"])
    assert not on_topic({"focus": "Hairy Cell Leukemia"}, [])


def test_relevance_answered_partly_and_not_answered(kb, topics):
    u = topics.understand("my dad has hairy cell leukemia, what are the symptoms?")
    r = assess(u, passages(topic_search(kb, topics, u, 3)), 0.6, 0.35)
    assert r.verdict == "answered" and r.score > 0.8 and "Hairy Cell Leukemia" in r.reason
    u = topics.understand("How is hairy cell leukemia treated?")  # no treatment page here
    r = assess(u, passages(topic_search(kb, topics, u, 3)), 0.6, 0.35)
    assert r.verdict == "partly" and "treatment" in r.reason
    u = topics.understand("How do I fix a bicycle chain?")
    r = assess(u, passages(topic_search(kb, topics, u, 3)), 0.6, 0.35)
    assert r.verdict == "not answered"


def test_a_rare_term_no_passage_mentions_means_not_found(kb, topics):
    u = topics.understand("vdrl positive, what should I do about leukemia symptoms?")
    found = passages(topic_search(kb, topics, u, 3))
    missing = missing_term(u, found, topics.rare)
    assert missing == "vdrl"
    assert assess(u, found, 0.6, 0.35, missing).verdict == "not answered"
    answer = not_found_answer(u.question, u, missing)
    assert "“vdrl”" in answer and "doctor" in answer and "cancer.gov" in answer  # leukemia
    # a term the passages do mention is not missing
    u = topics.understand("what is metformin?")
    assert missing_term(u, passages(topic_search(kb, topics, u, 3)), topics.rare) is None


def test_where_to_turn_follows_the_question():
    assert "druginformation" in where_to_turn("amphetamine salts 20 mg gluten free?", None)
    assert "cancer.gov" in where_to_turn("is this tumour dangerous", None)
    assert "rarediseases" in where_to_turn("is this syndrome inherited", None)
    assert "medlineplus.gov" in where_to_turn("my knee hurts", None)
