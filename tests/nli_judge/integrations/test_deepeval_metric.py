"""Our judge as a DeepEval metric, through ``deepeval.evaluate`` (no LLM is called)."""

import math

import pytest
from deepeval import evaluate
from deepeval.evaluate.configs import AsyncConfig, CacheConfig, DisplayConfig
from deepeval.test_case import LLMTestCase

from nli_judge.integrations.deepeval_metric import GroundedChatFaithfulnessMetric
from tests.nli_judge.integrations.conftest import BAD, GOOD, PASSAGES, QUESTION


def test_deepeval_evaluate_gives_the_judges_scores(judge, direct, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # deepeval writes a .deepeval folder where it runs
    cases = [LLMTestCase(input=QUESTION, actual_output=a, retrieval_context=PASSAGES)
             for a in (GOOD, BAD)]
    metric = GroundedChatFaithfulnessMetric(judge=judge)
    out = evaluate(cases, [metric], async_config=AsyncConfig(run_async=False),
                   display_config=DisplayConfig(show_indicator=False, print_results=False),
                   cache_config=CacheConfig(write_cache=False))
    by_answer = {t.actual_output: t.metrics_data[0] for t in out.test_results}
    for a in (GOOD, BAD):
        assert math.isclose(by_answer[a].score, direct[a].score)
        assert by_answer[a].success == (direct[a].verdict == "faithful")
    assert "Metformin cures asthma." in by_answer[BAD].reason


def test_measure_needs_the_retrieval_context(judge):
    metric = GroundedChatFaithfulnessMetric(judge=judge, threshold=0.9)
    with pytest.raises(ValueError, match="retrieval_context"):
        metric.measure(LLMTestCase(input=QUESTION, actual_output=GOOD))
    assert metric.threshold == 0.9 and not metric.is_successful()
