"""The faithfulness judge: is each sentence of an answer supported by the passages?

``faithfulness`` (``FaithfulnessJudge``, ``JudgeSettings``), ``results`` (what it returns),
``sentences`` / ``claims`` (answer sentences and which of them are claims), ``windows``
(evidence windows), ``evidence_checks`` (numbers and wording missing from the evidence),
``aggregation`` (the learned answer score), ``calibration`` (settings fitted on dev data),
``bench`` (speed), ``cli`` (``python -m nli_judge.judge``).
"""
