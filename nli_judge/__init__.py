"""The NLI model and the faithfulness judge built on it (rooms: ARCHITECTURE.md).

Public API:
- ``NLIModel``: ``NLIModel.load()`` loads the shipped MNLI checkpoint;
  ``.predict(premises, hypotheses)`` returns (n, 3) probabilities, label-id order
  0 entailment, 1 neutral, 2 contradiction. ``NLIModel.load(backend=...)`` runs it on one
  of ``BACKENDS``: PyTorch fp32 / int8 or ONNX Runtime fp32 / int8.
- ``LABELS``: the label names in id order.
- ``FaithfulnessJudge``: ``FaithfulnessJudge.load().score(answer, passages, question)`` ->
  ``FaithfulnessResult`` (score, verdict, one ``SentenceVerdict`` per answer sentence).
- ``read_pairs`` / ``NLIExamples``: labelled pair files; ``nli_metrics``: their metrics.
- ``VarPaths``: every default path under ``var/`` (or ``$GC_VAR_DIR``).
"""

from nli_judge.data.pairs import DataError, NLIExamples, read_pairs
from nli_judge.evaluation.metrics import nli_metrics
from nli_judge.judge.faithfulness import FaithfulnessJudge, InputTooLarge, JudgeSettings
from nli_judge.judge.results import FaithfulnessResult, SentenceVerdict
from nli_judge.model.labels import LABELS
from nli_judge.model.nli_model import BACKENDS, SHIPPED_MODEL_DIR, NLIModel
from nli_judge.var_paths import VarPaths

__all__ = ["BACKENDS", "LABELS", "SHIPPED_MODEL_DIR", "DataError", "FaithfulnessJudge",
           "FaithfulnessResult", "InputTooLarge", "JudgeSettings", "NLIExamples", "NLIModel",
           "SentenceVerdict", "VarPaths", "nli_metrics", "read_pairs"]
