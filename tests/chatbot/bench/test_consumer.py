"""The consumer-question benchmark (chatbot.bench.consumer): its bundled data, its measures,
and a real run of the chat's retrieval step over the test knowledge base."""

import json

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from chatbot.bench.consumer import (
    Corpus,
    compare_runs,
    compare_table,
    focus_words,
    load_part,
    normalise_url,
    same_text,
    score_question,
    shingles,
    summary,
)
from chatbot.service import build_chatbot
from chatbot.settings import ChatSettings


def test_the_bundled_parts_hold_judged_consumer_questions():
    test, tune = load_part("test"), load_part("tune")
    assert len(test) == 137 and len(tune) == 24 + 71
    assert {q["part"] for q in tune} == {"validation", "alexa"}
    assert not {q["question"] for q in test} & {q["question"] for q in tune}
    assert all(any(a["reference_score"] >= 3 for a in q["answers"]) for q in test)


def test_urls_of_one_page_are_spelled_one_way():
    assert normalise_url("https://www.nlm.nih.gov/medlineplus/ency/article/000141.htm") == \
        normalise_url("https://medlineplus.gov/ency/article/000141.htm/")
    assert normalise_url("https://rarediseases.info.nih.gov/diseases/5708/idiopathic-achalasia") \
        == normalise_url("https://rarediseases.info.nih.gov/gard/5708/achalasia") == "gard/5708"


def test_focus_words_come_from_the_good_answers_titles():
    q = {"answers": [{"reference_score": 4, "text": "Anal fissure (Treatment): Anal ..."},
                     {"reference_score": 3, "text": "What is Adrenoleukodystrophy?: X"},
                     {"reference_score": 1, "text": "Asthma (Treatment): Asthma is ..."}]}
    assert focus_words(q) == {"anal", "fissure", "adrenoleukodystrophy"}


def test_same_text_needs_half_of_the_passages_word_sequences():
    answer = shingles("Hairy cell leukemia is a cancer of the blood and bone marrow that "
                      "grows slowly.")
    assert same_text("hairy cell leukemia is a cancer of the blood and bone marrow", [answer])
    assert not same_text("a cancer of the blood that spreads to the liver and the lungs "
                         "quickly in children", [answer])


QUESTION = {"qid": "x1", "part": "test",
            "question": "my dad has hairy cell leukimia what are the signs of it",
            "answers": [{"url": "https://example.org/hcl", "reference_score": 4,
                         "text": "Hairy Cell Leukemia (Symptoms): ..."}]}


def test_a_question_scored_through_the_real_chat(kb, judge):
    bot = build_chatbot(ChatSettings(top_k=3, quote_sentences=0), kb, judge,
                        llm=FakeListChatModel(responses=[
                            "Hairy cell leukemia can cause infections and tiredness."]))
    hcl = next(d for d in kb.chunks() if d.metadata["focus"] == "Hairy Cell Leukemia")
    q = {**QUESTION, "answers": [{**QUESTION["answers"][0], "url": hcl.metadata["url"]}]}
    s = score_question(bot, Corpus(kb), q, answer=True)
    assert s.in_corpus and s.good_top3 and s.topic == "Hairy Cell Leukemia"
    assert s.on_focus and not s.off_topic and not s.abstained and s.verdict == "faithful"
    assert s.sentences and all(on for _, on in s.sentences) and s.first_token_s > 0
    off = score_question(bot, Corpus(kb), {**QUESTION, "question": "How do I fix a bicycle "
                                           "chain?"}, answer=False)
    assert off.abstained and off.on_focus is None and not off.in_corpus
    result = summary([s, off])
    assert result["abstained"]["share"] == 0.5 and result["good_top3"]["n"] == 1


def test_two_saved_runs_compare_paired(tmp_path):
    def run(path, good):
        rows = [{"qid": str(i), "part": "test", "good_top3": g, "passages_on_focus": 1.0,
                 "abstained": False, "off_topic": False, "supported": 1.0}
                for i, g in enumerate(good)]
        path.write_text(json.dumps({"questions": rows}))
        return path

    diffs = compare_runs(run(tmp_path / "a.json", [False, False, True, None]),
                         run(tmp_path / "b.json", [True, False, True, None]))
    assert diffs["questions"] == 4 and abs(diffs["good_top3"][0] - 1 / 3) < 1e-9
    shown = compare_table(diffs)
    assert "paired over 4 questions" in shown and "| good_top3 | +0.333 |" in shown
    assert "| abstained | +0.000 |" in shown
