"""The judge as a DeepEval metric: ``actual_output`` against ``retrieval_context`` (and
``input``, the question). No LLM is called.

    from deepeval import evaluate
    from deepeval.test_case import LLMTestCase
    from nli_judge.integrations.deepeval_metric import GroundedChatFaithfulnessMetric
    evaluate([LLMTestCase(input=q, actual_output=a, retrieval_context=passages)],
             [GroundedChatFaithfulnessMetric(threshold=0.5)])
"""

from __future__ import annotations

from deepeval.metrics import BaseMetric
from deepeval.test_case import LLMTestCase, LLMTestCaseParams

from nli_judge.judge.faithfulness import FaithfulnessJudge


class GroundedChatFaithfulnessMetric(BaseMetric):
    """``threshold``: the score a test case must reach to pass (default: the judge's own
    calibrated threshold); ``judge``: a FaithfulnessJudge (default: the shipped one)."""

    _required_params = [LLMTestCaseParams.ACTUAL_OUTPUT, LLMTestCaseParams.RETRIEVAL_CONTEXT]

    def __init__(self, threshold: float | None = None, judge: FaithfulnessJudge | None = None,
                 include_reason: bool = True):
        self.judge = judge or FaithfulnessJudge.load()
        self.threshold = self.judge.settings.threshold if threshold is None else threshold
        self.include_reason = include_reason
        self.async_mode = False
        self.strict_mode = False
        self.evaluation_model = "groundedchat-nli-judge"
        self.score, self.reason, self.success, self.error = None, None, None, None
        self.result = None

    def measure(self, test_case: LLMTestCase, *args, **kwargs) -> float:
        missing = [p.value for p in self._required_params
                   if getattr(test_case, p.value, None) is None]
        if missing:
            self.error = f"test case lacks {', '.join(missing)}"
            raise ValueError(self.error)
        self.result = self.judge.score(test_case.actual_output, test_case.retrieval_context,
                                       test_case.input)
        self.score = self.result.score
        self.reason = self.result.reason() if self.include_reason else None
        self.success = self.score >= self.threshold
        return self.score

    async def a_measure(self, test_case: LLMTestCase, *args, **kwargs) -> float:
        return self.measure(test_case)

    def is_successful(self) -> bool:
        return bool(self.success) and self.error is None

    @property
    def __name__(self):
        return "GroundedChat Faithfulness"
