"""The judge in LangChain and LangSmith evaluations.

- ``GroundedChatStringEvaluator``: a LangChain ``StringEvaluator``;
  ``evaluate_strings(prediction=answer, reference=passages, input=question)`` ->
  ``{"score", "value", "reasoning", "result"}`` (``reference``: a list of passages or one text).
- ``langsmith_evaluator(...)``: a LangSmith-style ``(run, example) -> {key, score, comment}``
  function, ready for ``langsmith.evaluate(..., evaluators=[...])`` or
  ``langsmith.evaluation.run_evaluator``.
- The judge is also a LangChain Runnable: ``FaithfulnessJudge.load().as_runnable()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_classic.evaluation.schema import StringEvaluator

from nli_judge.judge.faithfulness import FaithfulnessJudge

KEY = "groundedchat_faithfulness"


def _passages(reference: str | Sequence[str] | None) -> list[str]:
    if reference is None:
        return []
    return [reference] if isinstance(reference, str) else [str(p) for p in reference]


class GroundedChatStringEvaluator(StringEvaluator):
    """``judge``: a FaithfulnessJudge (default: the shipped one)."""

    def __init__(self, judge: FaithfulnessJudge | None = None):
        self.judge = judge or FaithfulnessJudge.load()

    @property
    def evaluation_name(self) -> str:
        return KEY

    @property
    def requires_reference(self) -> bool:
        return True  # the passages

    @property
    def requires_input(self) -> bool:
        return False  # the question helps with short answers but is optional

    def _check_evaluation_args(self, reference: Any = None, input_: Any = None) -> None:
        # LangChain's check would warn about (and the docs say ignore) an input that is not
        # required; ours is optional and used.
        if reference is None:
            raise ValueError(f"{self.__class__.__name__} requires the passages as reference")

    def _evaluate_strings(self, *, prediction: str, reference: Any = None, input: Any = None,
                          **kwargs: Any) -> dict:
        result = self.judge.score(prediction, _passages(reference), input)
        return {"score": result.score, "value": result.verdict, "reasoning": result.reason(),
                "result": result.to_dict()}


def _get(mapping: dict | None, key: str) -> Any:
    return (mapping or {}).get(key)


def langsmith_evaluator(judge: FaithfulnessJudge | None = None, answer_key: str = "answer",
                        contexts_key: str = "contexts", question_key: str = "question"
                        ) -> Callable[[Any, Any], dict]:
    """A ``(run, example) -> {"key", "score", "comment"}`` evaluator. The answer is the run's
    output ``answer_key``; the passages its output ``contexts_key`` (else the example's
    inputs or outputs); the question the run's or the example's input ``question_key``."""
    holder: dict[str, FaithfulnessJudge] = {}

    def evaluate(run: Any, example: Any = None) -> dict:
        if "judge" not in holder:
            holder["judge"] = judge or FaithfulnessJudge.load()
        outputs, inputs = run.outputs or {}, run.inputs or {}
        ex_in = getattr(example, "inputs", None) or {}
        ex_out = getattr(example, "outputs", None) or {}
        contexts = (_get(outputs, contexts_key) or _get(ex_in, contexts_key)
                    or _get(ex_out, contexts_key))
        question = _get(inputs, question_key) or _get(ex_in, question_key)
        result = holder["judge"].score(str(_get(outputs, answer_key) or ""), _passages(contexts),
                                       question)
        return {"key": KEY, "score": result.score, "comment": result.reason()}

    return evaluate
