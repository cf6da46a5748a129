"""Citations placed from the judge's evidence, with the real judge."""

from chatbot.chain.citations import cite

PASSAGES = ["Metformin lowers blood sugar in people with type 2 diabetes. It is taken by mouth.",
            "Aspirin thins the blood."]


def check_offsets(answer, result):
    for s in result.sentences:
        assert answer[s.start:s.end] == s.text


def test_each_supported_sentence_cites_the_passage_that_supports_it(judge):
    answer = "Metformin lowers blood sugar. Aspirin thins the blood!\nThe moon is made of cheese."
    result = judge.score(answer, PASSAGES)
    assert [s.label for s in result.sentences] == ["supported", "supported", "unsupported"]
    cited, moved = cite(answer, result)
    assert cited == ("Metformin lowers blood sugar [1]. Aspirin thins the blood [2]!\n"
                     "The moon is made of cheese.")
    check_offsets(cited, moved)
    assert [s.score for s in moved.sentences] == [s.score for s in result.sentences]
    assert moved.score == result.score and moved.verdict == result.verdict


def test_a_sentence_that_already_cites_is_left_alone(judge):
    answer = "Aspirin thins the blood [1]. Metformin lowers blood sugar."
    cited, moved = cite(answer, judge.score(answer, PASSAGES))
    assert cited == "Aspirin thins the blood [1]. Metformin lowers blood sugar [1]."
    check_offsets(cited, moved)


def test_no_result_no_citations():
    assert cite("Aspirin thins the blood.", None) == ("Aspirin thins the blood.", None)


def test_the_marker_goes_after_a_closing_bracket():
    from nli_judge import FaithfulnessResult
    from nli_judge.judge.results import SentenceVerdict

    answer = "Aspirin thins the blood (an anticoagulant)."
    verdict = SentenceVerdict(text=answer, start=0, end=len(answer), label="supported",
                              passage=1)
    cited, moved = cite(answer, FaithfulnessResult(score=0.9, verdict="faithful",
                                                   sentences=[verdict]))
    assert cited == "Aspirin thins the blood (an anticoagulant) [2]."
    check_offsets(cited, moved)
