"""The judge inside the evaluation tools its users already run. Each adapter is thin: it
calls ``FaithfulnessJudge.score`` and returns the same score, with the per-sentence reason.

- ``ragas_metric.GroundedChatFaithfulness``: a RAGAS single-turn metric (``ragas.evaluate``).
- ``deepeval_metric.GroundedChatFaithfulnessMetric``: a DeepEval ``BaseMetric``.
- ``langchain_evaluator``: a LangChain ``StringEvaluator`` and a LangSmith-style
  ``(run, example) -> {key, score, comment}`` function.

Each module imports its library only when used.
"""
