"""The faithfulness judge on the shipped model: real tokenizer, real weights."""

import json

import pytest

from nli_judge import FaithfulnessJudge, FaithfulnessResult

PASSAGE = ("Metformin is a medicine used to treat type 2 diabetes. It lowers the amount of sugar "
           "the liver releases into the blood. The usual starting dose is 500 mg twice a day "
           "with meals. Common side effects include nausea and diarrhoea.")


@pytest.fixture(scope="module")
def judge():
    return FaithfulnessJudge.load()


def test_faithful_paraphrase_is_supported(judge):
    r = judge.score("Metformin is used to treat type 2 diabetes.", [PASSAGE])
    assert [s.label for s in r.sentences] == ["supported"]
    assert r.verdict == "faithful" and r.score >= r.threshold


def test_swapped_number_is_not_supported(judge):
    r = judge.score("The usual starting dose is 5000 mg twice a day.", [PASSAGE])
    assert r.sentences[0].label in {"unsupported", "contradicted"}
    assert r.verdict == "unfaithful"


def test_swapped_entity_is_not_supported(judge):
    r = judge.score("Metformin is a medicine used to treat asthma.", [PASSAGE])
    assert r.sentences[0].label in {"unsupported", "contradicted"}


def test_negation_is_contradicted(judge):
    r = judge.score("Metformin does not lower the amount of sugar the liver releases.", [PASSAGE])
    assert r.sentences[0].label == "contradicted"
    assert r.sentences[0].contradiction > r.sentences[0].entailment


def test_evidence_at_the_end_of_a_long_passage_is_found(judge):
    filler = " ".join(f"Paragraph {i} talks about the opening hours of the hospital library, "
                      "which change every season." for i in range(60))
    long_passage = filler + " The hospital car park has 420 spaces."
    assert len(judge.model.tokenizer(long_passage)["input_ids"]) > 1000
    r = judge.score("The hospital car park has 420 spaces.", [long_passage])
    s = r.sentences[0]
    assert s.label == "supported"
    assert "420 spaces" in long_passage[s.window_start:s.window_end]


def test_claim_supported_by_one_passage_and_contradicted_by_another_is_flagged(judge):
    r = judge.score("The clinic is open on Sundays.",
                    ["The clinic is open on Sundays from 10am to 2pm.",
                     "The clinic is closed on Sundays."])
    s = r.sentences[0]
    assert s.label == "contradicted" and s.passage == 1


@pytest.mark.xfail(strict=True, reason="known limit (JUDGE_CARD.md): v4 labels the sentence "
                   "contradicted, but the learned answer score still calls the answer faithful; "
                   "capping the score on that label costs dev accuracy (python -m "
                   "eval.contradiction_cap); strict, so a model that fixes it shows up here")
def test_an_answer_with_a_contradicted_claim_is_not_faithful(judge):
    r = judge.score("The clinic is open on Sundays.",
                    ["The clinic is open on Sundays from 10am to 2pm.",
                     "The clinic is closed on Sundays."])
    assert r.verdict == "unfaithful"


def test_script_in_an_answer_does_not_take_the_real_sentence_with_it(judge):
    answer = "<script>alert(1)</script> Aspirin thins the blood."
    r = judge.score(answer, ["Aspirin thins the blood."])
    (s,) = r.sentences
    assert s.label == "supported" and r.verdict == "faithful"
    assert s.text == "Aspirin thins the blood." == answer[s.start:s.end]  # offsets: the original


def test_abstention_only_answer_is_faithful(judge):
    r = judge.score("Hello! The documents don't say how long recovery takes. I hope this helps.",
                    [PASSAGE])
    assert [s.label for s in r.sentences] == ["no_claim"] * 3
    assert r.verdict == "faithful" and r.score == 1.0


def test_mixed_answer_marks_each_sentence_and_offsets_point_at_the_text(judge):
    answer = ("Hi there! Metformin treats type 2 diabetes [1].\n\n- It often causes hair loss.\n"
              "- Nausea is a common side effect.")
    r = judge.score(answer, [PASSAGE])
    labels = [s.label for s in r.sentences]
    assert labels[0] == "no_claim" and labels[1] == "supported" and labels[3] == "supported"
    assert labels[2] in {"unsupported", "contradicted"}
    for s in r.sentences:
        assert answer[s.start:s.end] == s.text
    assert r.sentences[2].text == "It often causes hair loss."
    # The answer's score is the calibrated aggregate of its claim sentences (the shipped
    # judge learns it: tests/nli_judge/test_aggregation.py checks that formula).
    claims = [s.score for s in r.sentences if s.label != "no_claim"]
    how = judge.settings.aggregate
    if how != "learned":
        expected = {"min": min(claims), "mean": sum(claims) / len(claims),
                    "share": sum(s.label == "supported" for s in r.sentences) / len(claims)}[how]
        assert r.score == pytest.approx(expected)
    assert r.score < judge.score("Nausea is a common side effect.", [PASSAGE]).score


def test_short_answer_uses_the_question(judge):
    r = judge.score("Type 2 diabetes", [PASSAGE], question="What is metformin used to treat?")
    assert r.sentences[0].label == "supported"
    assert "metformin" in r.sentences[0].claim.lower()


def test_bare_fragment_does_not_contradict_its_evidence(judge):
    # Seen on HaluEval qa dev: "American" alone scored 0.94 contradiction against this text.
    passage = ("Stanley Tucci and Richard Schiff appear in supporting roles. Stanley Tucci "
               "(born November 11, 1960) is an American character actor, writer, producer.")
    r = judge.score("American", [passage],
                    question="The Public Eye features an actor with the last name Tucci of what "
                    "nationality?")
    assert r.sentences[0].label != "contradicted"
    assert r.verdict == "faithful"


@pytest.mark.parametrize("answer, passages", [
    ("", [PASSAGE]),
    ("   \n ", [PASSAGE]),
    ("Metformin treats diabetes.", []),
    ("Metformin treats diabetes.", ["", "   "]),
    ("<p>Metformin treats <b>type 2 diabetes</b>.</p>", ["<div>" + PASSAGE + "</div>"]),
    ("Die Metformin behandelt Diabetes. 二甲双胍治疗糖尿病。", [PASSAGE]),
    ("Metformin " * 700 + "treats diabetes.", [PASSAGE * 30]),
])
def test_odd_inputs_give_results(judge, answer, passages):
    r = judge.score(answer, passages)
    assert isinstance(r, FaithfulnessResult) and 0.0 <= r.score <= 1.0
    assert r.verdict in {"faithful", "unfaithful"}
    json.loads(r.to_json())


def test_no_passages_means_unsupported(judge):
    r = judge.score("Metformin treats diabetes.", [])
    assert r.sentences[0].label == "unsupported" and r.verdict == "unfaithful"
    assert any("no evidence" in n for n in r.notes)


def test_html_answer_is_judged_as_text(judge):
    answer = "<p>Metformin treats <b>type 2 diabetes</b>.</p>"
    r = judge.score(answer, [PASSAGE])
    assert [s.label for s in r.sentences] == ["supported"]


def test_batch_equals_single_and_round_trips_json(judge):
    items = [{"answer": "Metformin treats type 2 diabetes.", "passages": [PASSAGE]},
             ("Metformin cures asthma.", [PASSAGE])]
    batch = judge.score_batch(items)
    single = [judge.score(items[0]["answer"], [PASSAGE]), judge.score(*items[1])]
    for b, s in zip(batch, single, strict=True):
        assert b.score == pytest.approx(s.score, abs=1e-5) and b.verdict == s.verdict
    assert FaithfulnessResult.from_dict(json.loads(batch[0].to_json())) == batch[0]


def test_runnable_takes_langchain_documents(judge):
    from langchain_core.documents import Document

    chain = judge.as_runnable()
    r = chain.invoke({"question": "What does metformin treat?",
                      "answer": "Metformin treats type 2 diabetes.",
                      "documents": [Document(page_content=PASSAGE)]})
    assert isinstance(r, FaithfulnessResult) and r.verdict == "faithful"


def test_unknown_setting_is_refused():
    with pytest.raises(TypeError, match="unknown judge setting"):
        FaithfulnessJudge.load(windw_tokens=3)
