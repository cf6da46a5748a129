import pytest

from nli_judge.judge.sentences import claim_text, split_sentences


def texts(t):
    return [t[s:e] for s, e in split_sentences(t)]


def test_abbreviations_decimals_initials_and_citations():
    t = ("Dr. Smith gave 2.5 mg of aspirin, e.g. after meals. J. K. Rowling wrote it in the "
         "U.S. in 1998 [1]. Is that all? Yes!")
    assert texts(t) == ["Dr. Smith gave 2.5 mg of aspirin, e.g. after meals.",
                        "J. K. Rowling wrote it in the U.S. in 1998 [1].",
                        "Is that all?", "Yes!"]


def test_lists_markdown_headings_and_line_breaks():
    t = ("Here are the steps:\n- Drink **water** daily.\n* Rest for 2 days [2].\n"
         "1. See a doctor.\n2) Take the tablets\n\n## Causes\nGlaucoma is caused by\n"
         "pressure in the eye. It is common.")
    assert texts(t) == ["Here are the steps:", "Drink **water** daily.", "Rest for 2 days [2].",
                        "See a doctor.", "Take the tablets", "Causes",
                        "Glaucoma is caused by\npressure in the eye.", "It is common."]


def test_offsets_point_at_the_text():
    t = "  First one.\n\n- Second one [3].  "
    spans = split_sentences(t)
    assert [t[s:e] for s, e in spans] == ["First one.", "Second one [3]."]
    assert spans[1][0] == t.index("Second")


@pytest.mark.parametrize("t", ["", "   ", "\n\n"])
def test_empty_text_has_no_sentences(t):
    assert split_sentences(t) == []


def test_non_english_text():
    expected = ["Bonjour.", "Je suis là.", "你好。", "再见！"]
    assert texts("Bonjour. Je suis là. 你好。再见！") == expected


def test_claim_text_strips_markup():
    assert claim_text("- Rest for **2 days** [2, 3].") == "Rest for 2 days."


def test_answer_spans_are_the_judges_sentences_for_an_html_answer():
    """The rating form numbers sentences with ``answer_spans``; eval.agreement pairs a
    rater's flags with the judge's sentences by those numbers, so they must be the same."""
    from nli_judge import FaithfulnessJudge
    from nli_judge.judge.sentences import answer_spans, split_sentences

    answer = ("<p>Metformin treats type 2 diabetes</p><ul><li>Take it with food</li>"
              "<li>The usual dose is 500 mg.</li></ul>")
    passage = "Metformin treats type 2 diabetes. Take it with food. The dose is 500 mg."
    judged = FaithfulnessJudge.load().score(answer, [passage])
    assert answer_spans(answer) == [(s.start, s.end) for s in judged.sentences]
    assert len(answer_spans(answer)) == 3
    assert len(split_sentences(answer)) != 3  # raw splitting (the old form) disagrees
