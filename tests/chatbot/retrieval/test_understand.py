"""Reading a question before searching (chatbot.retrieval.understand), on the test knowledge base's
real chunks: three leaflets and 30 MedQuAD documents about leukemias and sarcomas."""

import pytest

from chatbot.retrieval.understand import (
    Topics,
    everyday_words,
    mine_abbreviations,
    title_topic,
    words,
)


@pytest.fixture(scope="module")
def topics(kb):
    return Topics(kb.chunks())


def test_words_drop_possessives_and_plurals():
    assert words("Parkinson's seizures and tests") == ["parkinson", "seizure", "and", "test"]
    assert words("illness, virus, diagnosis") == ["illness", "virus", "diagnosis"]


def test_title_topic_splits_the_question_type():
    assert title_topic("Hairy Cell Leukemia (outlook)") == ("Hairy Cell Leukemia", "outlook")
    assert title_topic("Metformin") == ("Metformin", None)


def test_abbreviations_are_mined_from_the_texts_own_definitions():
    found = mine_abbreviations(["A deep vein thrombosis (DVT) is a clot.",
                                "Chronic obstructive pulmonary disease (COPD) makes it hard",
                                "the results (see below) and (A)"])
    assert found == {"dvt": "deep vein thrombosis",
                     "copd": "chronic obstructive pulmonary disease"}


def test_a_typo_in_the_topic_is_forgiven_and_the_question_type_read(topics):
    u = topics.understand("my dad has hairy cell leukimia, is it dangerous?")
    assert u.topic == "Hairy Cell Leukemia" and u.qtype == "outlook"
    assert u.corrected == {"leukimia": "leukemia"}
    assert u.query.startswith("Hairy Cell Leukemia outlook: ") and "leukemia" in u.query


def test_an_abbreviation_in_capitals_is_spelled_out_into_the_topic(topics):
    u = topics.understand("what are the symptoms of adult ALL?")
    assert u.expanded == {"ALL": "acute lymphoblastic leukemia"}
    assert u.topic == "Adult Acute Lymphoblastic Leukemia" and u.qtype == "symptoms"


def test_an_everyday_word_is_not_taken_for_an_abbreviation(topics):
    u = topics.understand("what are all the symptoms of leukemia in children")
    assert u.expanded == {} and u.topic is None and u.qtype == "symptoms"


def test_the_most_specific_topic_wins(topics):
    u = topics.understand("Is chronic myelogenous leukemia the same as leukemia?")
    assert u.topic == "Chronic Myelogenous Leukemia"


def test_key_terms_are_specialised_words_rarest_first(topics):
    u = topics.understand("My father terribly wants to know if vdrl tests hurt forever")
    assert u.key_terms[0] == "vdrl"
    assert not {"father", "terribly", "forever"} & set(u.key_terms)  # everyday English
    assert "father" in everyday_words() and "vdrl" not in everyday_words()


def test_a_question_naming_no_topic_is_searched_as_typed(topics):
    u = topics.understand("How do I fix a bicycle chain?")
    assert u.topic is None and u.query == "How do I fix a bicycle chain?"
