"""Tidying a finished answer: repeated sentences and an unfinished last sentence go, the rest
(citations, list layout) stays as written."""

import pytest

from chatbot.chain.tidy import (
    cut_off,
    leans_back,
    pasted_repeats,
    repeated_sentences,
    repeats_itself,
    says_nothing,
    sentence_budget_end,
    tidy_answer,
    user_voice,
)


def test_repeated_sentences_and_cut_off_endings():
    assert repeated_sentences("A cat sat. The dog ran [1]. A  cat SAT [2].") == 1
    assert repeated_sentences("One thing. Another thing.") == 0
    assert cut_off("Metformin is used for diabetes [1]. 3. Metformin is")
    assert cut_off("It is used for diabetes [2]")  # a citation is not the end of a sentence
    assert not cut_off("It is used for diabetes [2].")
    assert not cut_off("Ask a pharmacist (or a GP).")


def test_the_readme_screenshot_answer_is_tidied():
    answer = ("1. Metformin is a medicine used to treat type 2 diabetes [1].\n"
              "2. Metformin is a medicine used to treat type 2 diabetes [1].\n"
              "3. Metformin is")
    text, notes = tidy_answer(answer)
    assert text == "1. Metformin is a medicine used to treat type 2 diabetes [1]."
    assert notes == ["removed 1 repeated sentence(s)",
                     "removed the unfinished last sentence: 'Metformin is'"]


def test_a_repeat_in_the_middle_keeps_the_layout_around_it():
    text, notes = tidy_answer("Asthma is common [1]. Use a blue inhaler [1].\n\nAsthma is "
                              "common [2]. See a GP [1].")
    assert text == "Asthma is common [1]. Use a blue inhaler [1]. See a GP [1]."
    assert notes == ["removed 1 repeated sentence(s)"]


def test_clean_answers_and_single_fragments_are_left_alone():
    assert tidy_answer("Fine answer [1]. Another one.") == ("Fine answer [1]. Another one.", [])
    assert tidy_answer("Metformin is") == ("Metformin is", [])  # nothing would be left
    assert tidy_answer("") == ("", [])


def test_an_answer_that_is_only_a_title_and_citations_says_nothing():
    title = "Hyde Forster Mccarthy Berry syndrome (symptoms)"
    assert says_nothing(f"[1] {title}", [title])
    assert says_nothing("[1] [2] [3]")
    assert not says_nothing(f"[1] {title}: cognitive impairment and plagiocephaly are seen in "
                            "most patients.", [title])


@pytest.mark.parametrize("text, n, expected", [
    ("A is b. C is 3.5 mg. D", 2, "A is b. C is 3.5 mg."),
    ("A is b. C is 3.", 2, None),  # "3." may be "3.5": not finished until the next begins
    ("Signs:\n- fever\n- cough\n", 3, "Signs:\n- fever\n- cough"),
    ("A is b. C is d. E", 0, None),  # 0: no budget
])
def test_sentence_budget_end(text, n, expected):
    end = sentence_budget_end(text, n)
    assert (None if end is None else text[:end]) == expected


@pytest.mark.parametrize("answer, is_cut", [
    ("Signs include:\n- fever\n- cough", False),  # a list item is whole without a full stop
    ("Signs:\n1. Fever [1]\n2. Cough", False),
    ("Symptoms:\n- Palpitations (a fast heartbeat) [3]\n- Chest pain [4]", False),  # no stop
    ("Signs:\n- Fever is common.\n- Cough is", True),  # the other item has a full stop
    ("Fever is common. Cough is", True),
    ("Fever is common. - Cough is", True),  # a dash inside a line is not a list item
])
def test_a_last_list_item_is_not_a_cut_off_ending(answer, is_cut):
    assert cut_off(answer) is is_cut
    tidied, notes = tidy_answer(answer)
    assert (tidied == answer) is (not is_cut) and bool(notes) is is_cut


def test_a_sentence_pasted_into_itself_is_found_and_removed():
    pasted = ("Caring for someone with Alzheimer disease can be hard on the family caring "
              "for someone with Alzheimer disease can be hard.")
    assert repeats_itself(pasted) and not repeats_itself("Caring for someone is hard.")
    answer = pasted + " Ask others for help."
    assert pasted_repeats(answer) == 1
    assert tidy_answer(answer) == ("Ask others for help.", [
        "removed 1 sentence(s) that repeat themselves inside"])


def test_sentences_in_the_askers_voice_are_removed():
    answer = ("To help my father at home, keep a routine. Exercise helps people with "
              "Parkinson disease stay mobile. I have tremors too.")
    assert user_voice("To help my father at home, keep a routine.")
    assert not user_voice("Exercise helps people with Parkinson disease stay mobile.")
    assert tidy_answer(answer) == ("Exercise helps people with Parkinson disease stay mobile.",
                                   ["removed 2 sentence(s) written as the person asking"])


def test_a_sentence_pointing_back_is_recognised():
    assert leans_back("These supplements are safe and effective [4].")
    assert leans_back("They can cause nausea.")
    assert not leans_back("Theophylline can cause nausea.")
