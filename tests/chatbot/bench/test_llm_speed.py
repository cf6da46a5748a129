"""The local-model speed bench: its fixed prompts, its percentiles, and one timed answer from
the small test model on the chosen backend."""

import pytest

from chatbot.bench.llm_speed import bench_prompts, p95, summarise, time_answer
from chatbot.chain.prompts import ANSWER
from chatbot.retrieval.documents import medquad_questions
from chatbot.settings import ChatSettings


def test_prompts_are_the_chat_prompt_over_the_answer_document():
    prompts = bench_prompts(3, ChatSettings(top_k=2))
    questions = [q["question"] for q in medquad_questions()[-3:]]
    assert len(prompts) == 3
    for messages, q in zip(prompts, questions, strict=True):
        system, human = messages
        assert system.content == ANSWER.messages[0].prompt.template
        assert human.content.startswith("<passage title=") and human.content.endswith(q)
        assert human.content.count("</passage>") == 2  # top_k=2 passages


def test_percentiles_by_hand():
    assert p95([5.0, 1.0, 3.0]) == 5.0
    assert p95(list(map(float, range(1, 21)))) == 19.0  # rank round(0.95 * 19) = 18
    runs = [{"ttft_s": t, "tokens_per_s": 10.0 * t, "total_s": 2 * t, "tokens": 11 * t - 10}
            for t in (1, 2, 3)]  # 1, 12 and 23 tokens
    s = summarise(runs)
    assert s["ttft_s"] == {"p50": 2, "p95": 3} and s["total_s"]["p50"] == 4
    assert s["tokens_per_s"] == {"p50": 25.0, "p95": 30.0}  # the 1-token answer is left out
    assert s["pooled_tokens_per_s"] == pytest.approx((0 + 11 + 22) / (1 + 2 + 3))


def test_time_answer_on_the_small_model(tmp_path):
    from chatbot.llm.factory import make_chat_model
    from chatbot.llm.gguf import SMOLLM2_135M

    llm = make_chat_model(ChatSettings(var_dir=tmp_path, local_model=SMOLLM2_135M.name,
                                       max_new_tokens=16), "local")
    r = time_answer(llm, bench_prompts(1, ChatSettings(top_k=1))[0])
    assert 0 < r["ttft_s"] <= r["total_s"]
    assert 1 <= r["tokens"] <= 16 and r["tokens_per_s"] > 0
    assert r["tokens_per_s"] == pytest.approx((r["tokens"] - 1) / (r["total_s"] - r["ttft_s"]))
