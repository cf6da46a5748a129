"""The answer benchmark: its metrics on hand-checked cases, and a run over 3 held-out
questions with a real index, the real judge and the small test model."""

import pytest

from chatbot.bench.answers import (
    AnswerScore,
    bootstrap_mean,
    citation_precision,
    comparison_table,
    comparisons,
    evaluate,
    paired_difference,
    rouge_l,
    summary,
    table,
)
from chatbot.chain.extractive import add_quotes, extractive_answer
from chatbot.chain.tidy import cut_off
from chatbot.retrieval.documents import medquad_documents, medquad_questions
from chatbot.turn import Passage
from tests.chatbot.conftest import LEAFLETS


def _score(**kw):
    base = dict(question="q", answer="a", verdict="faithful", supported=1.0, citations=1,
                citation_precision=1.0, rouge_l=0.5, similarity=0.5, repeated=0,
                cut_off=False, words=1, seconds=1.0)
    return AnswerScore(**{**base, **kw})


def test_bootstrap_intervals_by_hand():
    assert bootstrap_mean([0.4] * 7) == pytest.approx((0.4, 0.4))  # no spread: just the mean
    assert bootstrap_mean([None, None]) is None
    lo, hi = bootstrap_mean([0.0, 1.0] * 50)
    assert 0.35 < lo < 0.5 < hi < 0.65 and (lo, hi) == bootstrap_mean([0.0, 1.0] * 50)
    # a constant paired shift is known exactly; questions one system lacks are left out
    a = [_score(rouge_l=r + 0.1, citation_precision=None if i == 0 else 1.0)
         for i, r in enumerate((0.1, 0.5, 0.3))]
    b = [_score(rouge_l=r) for r in (0.1, 0.5, 0.3)]
    assert paired_difference(a, b, "rouge_l") == pytest.approx((0.1, 0.1, 0.1))
    assert paired_difference(a, b, "citation_precision") == (0.0, 0.0, 0.0)


def test_two_saved_runs_are_compared_paired(tmp_path, capsys):
    import json
    from dataclasses import asdict

    from chatbot.bench.answers import main

    def run(path, shift, questions=("q1", "q2", "q3")):
        answers = [asdict(_score(question=q, rouge_l=r + shift))
                   for q, r in zip(questions, (0.1, 0.5, 0.3), strict=True)]
        path.write_text(json.dumps({"answers": {"model": answers}}))
        return str(path)

    before, after = run(tmp_path / "a.json", 0.0), run(tmp_path / "b.json", 0.2)
    assert main(["--compare", before, after, "--json"]) == 0
    diffs = json.loads(capsys.readouterr().out)["model: after - before"]
    assert diffs["rouge_l"] == pytest.approx([0.2, 0.2, 0.2])
    assert diffs["supported"] == [0.0, 0.0, 0.0]
    other = run(tmp_path / "c.json", 0.0, ("q1", "q2", "other"))
    assert main(["--compare", before, other]) == 2
    assert "do not hold the same questions" in capsys.readouterr().err


def test_rouge_l_by_hand():
    # LCS of "a b c d" and "a c d e" is "a c d": precision 3/4, recall 3/4
    assert rouge_l("a b c d", "A c d e") == pytest.approx(0.75)
    assert rouge_l("", "a b") == 0.0 and rouge_l("x y", "a b") == 0.0


def test_citation_precision_checks_each_cited_passage(judge):
    passages = [Passage(n=1, text=LEAFLETS["metformin"][1]),
                Passage(n=2, text=LEAFLETS["asthma"][1])]
    answer = ("Metformin is a medicine used to treat type 2 diabetes [1]. "
              "Metformin is used to treat type 2 diabetes [2]. A preventer inhaler is used "
              "every day [2]. Aspirin is in it [7].")
    n, precision = citation_precision(answer, passages, judge)
    # [1] supports its sentence, [2] does not support the metformin one, [2] supports the
    # inhaler one, [7] points at no passage
    assert n == 4 and precision == pytest.approx(0.5)
    assert citation_precision("No citations here.", passages, judge) == (0, None)


def test_extractive_answer_takes_the_top_passages_best_sentences(embeddings):
    passages = [Passage(n=1, text=LEAFLETS["asthma"][1])]
    answer = extractive_answer("Which inhaler relieves asthma symptoms quickly?", passages,
                               embeddings, n=2)
    assert "reliever inhaler, usually blue" in answer
    assert answer.count("[1]") == 2 and not cut_off(answer)
    chunk = Passage(n=1, text="Inhalers relieve asthma. A reliever inhaler, usually blue, "
                    "relieves asthma symptoms quickly. A preventer inhaler is used every")
    answer = extractive_answer("Which inhaler relieves asthma symptoms quickly?", [chunk],
                               embeddings, n=3)  # the chunk ends mid-sentence: left out
    assert "preventer" not in answer and "usually blue" in answer and not cut_off(answer)
    chunk = Passage(n=1, text="relieves asthma symptoms quickly when you have an attack. A "
                    "reliever inhaler, usually blue, relieves asthma symptoms quickly.")
    answer = extractive_answer("Which inhaler relieves asthma symptoms quickly?", [chunk],
                               embeddings, n=3)  # the chunk begins mid-sentence: left out
    assert answer == "A reliever inhaler, usually blue, relieves asthma symptoms quickly. [1]"


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    from chatbot.llm.factory import make_chat_model
    from chatbot.llm.gguf import SMOLLM2_135M
    from chatbot.settings import ChatSettings

    return make_chat_model(ChatSettings(var_dir=tmp_path_factory.mktemp("var"),
                                        local_model=SMOLLM2_135M.name, max_new_tokens=48),
                           "local")


def test_benchmark_on_three_questions(embeddings, judge, small_model, tmp_path):
    from chatbot.retrieval.knowledge_base import KnowledgeBase
    from chatbot.service import build_chatbot
    from chatbot.settings import ChatSettings

    questions = medquad_questions()[200:203]
    docs = {d.metadata["doc_id"]: d for d in medquad_documents()}
    wanted = {q["doc_id"] for q in questions}
    others = [d for k, d in docs.items() if k not in wanted][:10]
    kb = KnowledgeBase.build([docs[k] for k in sorted(wanted)] + others, embeddings)
    bot = build_chatbot(ChatSettings(var_dir=tmp_path, min_relevance=0.0, guard="off"),
                        kb=kb, judge=judge, llm=small_model)
    refs = {k: docs[k].page_content for k in wanted}
    scores = evaluate(bot, questions, refs, embeddings, progress=False)
    assert [len(scores[s]) for s in ("raw", "model", "retry", "extractive")] == [3, 3, 3, 3]
    for raw, tidied in zip(scores["raw"], scores["model"], strict=True):
        assert tidied.repeated == 0 and (not tidied.cut_off or raw.cut_off)
    for s in [x for v in scores.values() for x in v]:
        assert s.answer and 0 <= s.rouge_l <= 1 and -1 <= s.similarity <= 1
        assert s.words == len(s.answer.split()) and s.seconds > 0
    for s in scores["extractive"]:
        assert s.citations >= 1 and s.repeated == 0 and not s.cut_off
    results = {name: summary(v) for name, v in scores.items()}
    assert results["extractive"]["answers"] == 3 and results["extractive"]["cut_off"] == 0
    assert "| extractive |" in table(results)
    lo, hi = results["extractive"]["rouge_l_ci"]
    assert lo <= results["extractive"]["rouge_l"] <= hi
    diffs = comparisons(scores)
    assert set(diffs) == {"raw - extractive", "model - extractive", "retry - extractive"}
    assert "| model - extractive |" in comparison_table(diffs)


def test_quotes_leave_out_what_the_answer_already_says(embeddings):
    passages = [Passage(n=1, text=LEAFLETS["asthma"][1])]
    question = "Which inhaler relieves asthma symptoms quickly?"
    said = "A reliever inhaler, usually blue, is used to relieve symptoms quickly [1]."
    answer, added = add_quotes(question, said, passages, embeddings, n=2)
    first, quotes = answer.split("\n\n")
    assert first == said and added == 1 and "usually blue" not in quotes
    assert quotes in LEAFLETS["asthma"][1]  # the other best sentence, word for word
    more, added = add_quotes(question, said, passages, embeddings, n=4)
    assert added == 3 and more.startswith(said + "\n\n") and quotes in more
    assert add_quotes(question, said, passages, embeddings, n=0) == (said, 0)
    assert add_quotes(question, said, [], embeddings) == (said, 0)
    assert add_quotes(question, "", passages, embeddings) == ("", 0)
    whole = LEAFLETS["asthma"][1]
    assert add_quotes(question, whole, passages, embeddings) == (whole, 0)  # all said


def test_raw_is_the_answer_as_generated_and_the_chat_rows_add_the_quotes(kb, embeddings, judge):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from chatbot.service import build_chatbot
    from chatbot.settings import ChatSettings

    said = "Metformin is used to treat type 2 diabetes."
    bot = build_chatbot(ChatSettings(top_k=3), kb, judge,
                        llm=FakeListChatModel(responses=[said]))
    question = {"question": "What is metformin used for?", "doc_id": "leaflet-metformin"}
    scores = evaluate(bot, [question], {"leaflet-metformin": LEAFLETS["metformin"][1]},
                      embeddings, systems=("raw", "model", "retry"), progress=False)
    assert scores["raw"][0].answer == said
    for system in ("model", "retry"):
        answer, quotes = scores[system][0].answer.split("\n\n")
        assert answer == said.replace(".", " [1].") and "500 mg" in quotes


def test_quotes_are_whole_sentences_each_once(embeddings):
    text = ("Juvenile leukemia is a childhood disease of the marrow. Certain factors affect "
            "prognosis and treatment. Juvenile leukemia is a childhood disease of the marrow. "
            "These resources address the diagnosis: - Gene Review: JMML - Genetic Testing "
            "Registry: JMML")
    answer, added = add_quotes("What is juvenile leukemia?", "It causes fever.",
                               [Passage(n=1, text=text)], embeddings, n=4)
    assert added == 2 and answer.count("childhood disease") == 1  # the passage says it twice
    assert "Registry" not in answer and not cut_off(answer)  # a run-on list of links is not
    # the baseline is unchanged: it still quotes what its passage says twice
    assert extractive_answer("What is juvenile leukemia?", [Passage(n=1, text=text)],
                             embeddings, n=4).count("childhood disease") == 2
