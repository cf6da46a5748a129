"""The judge as a RAGAS metric: ``response`` against ``retrieved_contexts`` (and
``user_input``, the question, when given). No LLM and no embeddings are used.

    from ragas import EvaluationDataset, evaluate
    from nli_judge.integrations.ragas_metric import GroundedChatFaithfulness
    evaluate(dataset, metrics=[GroundedChatFaithfulness()])

``ragas.evaluate`` takes one number per sample; ``score_with_reason(sample)`` gives the same
number as a ``MetricResult`` with the per-sentence reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ragas.dataset_schema import SingleTurnSample
from ragas.metrics.base import MetricType, SingleTurnMetric
from ragas.metrics.result import MetricResult
from ragas.run_config import RunConfig

from nli_judge.judge.faithfulness import FaithfulnessJudge
from nli_judge.judge.results import FaithfulnessResult


@dataclass
class GroundedChatFaithfulness(SingleTurnMetric):
    """``judge``: a FaithfulnessJudge (default: the shipped one, loaded on first use)."""

    name: str = "groundedchat_faithfulness"
    _required_columns: dict[MetricType, set[str]] = field(default_factory=lambda: {
        MetricType.SINGLE_TURN: {"response", "retrieved_contexts", "user_input:optional"}})
    judge: FaithfulnessJudge | None = None

    def init(self, run_config: RunConfig) -> None:
        if self.judge is None:
            self.judge = FaithfulnessJudge.load()

    def judge_sample(self, sample: SingleTurnSample) -> FaithfulnessResult:
        """The judge's full result for one sample."""
        self.init(RunConfig())
        return self.judge.score(sample.response or "", sample.retrieved_contexts or [],
                                sample.user_input)

    def score_with_reason(self, sample: SingleTurnSample) -> MetricResult:
        result = self.judge_sample(sample)
        return MetricResult(value=result.score, reason=result.reason())

    async def _single_turn_ascore(self, sample: SingleTurnSample, callbacks=None) -> float:
        return self.judge_sample(sample).score
