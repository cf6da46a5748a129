"""Bad input to the judge API, one row per case: each gets a clear result, never a confident
wrong one (issue 14, section 1). The same table runs through the CLI's --json output."""

import json

import pytest

from nli_judge import FaithfulnessJudge, InputTooLarge
from nli_judge.judge.cli import main as cli_main
from nli_judge.judge.language import detect

PASSAGE = "Aspirin thins the blood. It is taken for pain and fever."

# (case, answer, passages, verdict, labels of the sentences, words a note must contain)
CASES = [
    ("empty answer", "", [PASSAGE], "unfaithful", [], "empty answer"),
    ("whitespace answer", "  \n\t ", [PASSAGE], "unfaithful", [], "empty answer"),
    ("no evidence", "Aspirin thins the blood.", [], "unfaithful", ["unsupported"],
     "no evidence passages"),
    ("blank evidence", "Aspirin thins the blood.", ["  ", "\n"], "unfaithful", ["unsupported"],
     "no evidence passages"),
    ("German", "Der Patient hat Fieber.", ["Der Patient hat kein Fieber und ist gesund."],
     "unsupported_language", ["other_language"], "not in English (de)"),
    ("Chinese", "阿司匹林可以治愈癌症。", ["阿司匹林是一种止痛药。"], "unsupported_language",
     ["other_language"], "not in English (zh)"),
    ("French and Spanish", "Le patient a de la fièvre. El paciente tiene fiebre.", [PASSAGE],
     "unsupported_language", ["other_language", "other_language"], "no sentence in English"),
    ("mixed: the English sentence is judged", "Aspirin thins the blood. Der Patient hat "
     "kein Fieber und ist gesund.", [PASSAGE], "faithful", ["supported", "other_language"],
     "sentence 2 is not in English (de)"),
    ("mixed: a wrong English sentence still fails", "Aspirin cures cancer. Der Patient hat "
     "kein Fieber und ist gesund.", [PASSAGE], "unfaithful", ["unsupported", "other_language"],
     "not in English"),
    ("script element", "<script>alert(1)</script> Aspirin thins the blood.", [PASSAGE],
     "faithful", ["supported"], None),
    ("img onerror", '<img src=x onerror="alert(1)"> Aspirin thins the blood.', [PASSAGE],
     "faithful", ["supported"], None),
    ("zero-width characters", "Aspi\u200brin thins the\u200d blood.", [PASSAGE], "faithful",
     ["supported"], None),
    ("bidirectional controls", "\u202eAspirin thins the blood.\u202c", [PASSAGE], "faithful",
     ["supported"], None),
    ("control characters", "Aspirin thins\x00 the blood.\x07", [PASSAGE], "faithful",
     ["supported"], None),
    ("invisible characters in the evidence", "Aspirin thins the blood.",
     ["Aspi\u200brin thi\u00adns the blood."], "faithful", ["supported"], None),
]


@pytest.fixture(scope="module")
def judge():
    return FaithfulnessJudge.load()


@pytest.mark.parametrize("case, answer, passages, verdict, labels, note", CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_result(judge, case, answer, passages, verdict, labels, note):
    r = judge.score(answer, passages)
    assert r.verdict == verdict, (case, r.notes)
    assert [s.label for s in r.sentences] == labels
    if verdict != "faithful":
        assert r.score < judge.settings.threshold  # never a passing score
    if note:
        assert any(note in n for n in r.notes), r.notes
    assert all(s.text == answer[s.start:s.end] for s in r.sentences)  # shown as given


def test_the_english_model_still_checks_english_sentences_with_foreign_names(judge):
    r = judge.score("Insulin glargine is taken once a day. Streptococcus pneumoniae causes "
                    "pneumonia.", ["Insulin glargine is taken once a day. Streptococcus "
                                   "pneumoniae is a common cause of pneumonia."])
    assert [s.label for s in r.sentences] == ["supported", "supported"]


@pytest.mark.parametrize("text, lang", [
    ("Der Patient hat kein Fieber und ist gesund.", "de"), ("Le patient a de la fièvre.", "fr"),
    ("El paciente tiene fiebre.", "es"), ("阿司匹林可以治愈癌症。", "zh"),
    ("Парацетамол помогает от боли.", "ru"), ("Metformin is used for diabetes [1].", "en"),
    ("Acetylsalicylic acid inhibits cyclooxygenase enzymes.", "en"), ("Yes.", "en"),
    ("Ibuprofen 400 mg", "en"), ("", "en"),
])
def test_language_detection(text, lang):
    assert detect(text) == lang


def test_too_large_is_refused_not_truncated(judge):
    with pytest.raises(InputTooLarge, match="max_answer_chars"):
        judge.score("Aspirin thins the blood. " * 1000, [PASSAGE])


@pytest.mark.parametrize("case", ["German", "mixed: the English sentence is judged",
                                  "zero-width characters", "empty answer"])
def test_the_cli_gives_the_same_results(case, capsys):
    _, answer, passages, verdict, labels, _ = next(c for c in CASES if c[0] == case)
    cli_main(["--answer", answer, "--json", *[a for p in passages for a in ("--passage", p)]])
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == verdict and [s["label"] for s in out["sentences"]] == labels
