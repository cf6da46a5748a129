"""Sentences that are not claims: cut off, repeated, one-word fragments, an empty answer."""

import pytest

from nli_judge import FaithfulnessJudge
from nli_judge.judge.claims import is_incomplete, repeat_key
from nli_judge.judge.cli import format_result

PASSAGE = ("Metformin is a medicine used to treat type 2 diabetes. It lowers the amount of sugar "
           "the liver releases into the blood.")


@pytest.fixture(scope="module")
def judge():
    return FaithfulnessJudge.load()


@pytest.mark.parametrize("sentence,last,expected", [
    ("Metformin is", True, True),                      # cut off by the token limit
    ("2. Metformin is a medicine used to", True, True),
    ("Metformin.", False, True),                       # a one-word fragment
    ("", True, True),
    ("Metformin is a medicine.", True, False),
    ("Metformin treats diabetes", True, False),       # no full stop, but a whole claim
    ("Metformin is", False, False),                    # not the last: a bad split, not a cut
])
def test_incomplete_rule(sentence, last, expected):
    assert is_incomplete(sentence, last) is expected


def test_repeat_key_ignores_case_spacing_and_punctuation():
    assert repeat_key("Metformin treats  diabetes.") == repeat_key("metformin treats diabetes!")
    assert repeat_key("Metformin treats diabetes.") != repeat_key("Metformin treats asthma.")


def test_cut_off_answer_from_the_readme_screenshot(judge):
    answer = ("1. Metformin is a medicine used to treat type 2 diabetes. 2. Metformin is a "
              "medicine used to treat type 2 diabetes. 3. Metformin is")
    r = judge.score(answer, [PASSAGE])
    labels = [s.label for s in r.sentences]
    assert [x for x in labels if x != "no_claim"] == ["supported", "repeated", "incomplete"]
    assert [s.text for s in r.sentences if s.label == "no_claim"] == ["2.", "3."]
    # the repeat is left out; the cut-off counts as an unsupported claim (score 0)
    assert r.score < judge.score(answer.rsplit(" 3.", 1)[0], [PASSAGE]).score
    assert any("repeats sentence 1" in n for n in r.notes)
    assert any("cut off" in n for n in r.notes)
    text = format_result(r)
    assert "incomplete" in text and "repeated" in text


def test_repeated_sentence_alone_does_not_change_the_score(judge):
    once = judge.score("Metformin lowers blood sugar.", [PASSAGE])
    twice = judge.score("Metformin lowers blood sugar. Metformin lowers blood sugar.", [PASSAGE])
    assert [s.label for s in twice.sentences] == [once.sentences[0].label, "repeated"]
    assert twice.score == pytest.approx(once.score)


def test_one_word_fragment_in_an_answer_is_incomplete(judge):
    r = judge.score("Metformin treats type 2 diabetes. Metformin.", [PASSAGE])
    assert r.sentences[1].label == "incomplete"


def test_short_answer_to_a_question_is_still_judged_as_a_claim(judge):
    r = judge.score("Metformin", [PASSAGE], question="What is used to treat type 2 diabetes?")
    assert r.sentences[0].label not in ("incomplete", "no_claim")


def test_empty_answer_is_not_faithful(judge):
    for answer in ("", "   \n"):
        r = judge.score(answer, [PASSAGE])
        assert r.verdict == "unfaithful" and r.score == 0.0
        assert any("empty answer" in n for n in r.notes)
