"""The faithfulness judge the chain checks answers with, built from the chatbot's settings."""

from __future__ import annotations

from chatbot.settings import ChatSettings


def load_judge(settings: ChatSettings):
    """The shipped faithfulness judge on ``settings.judge_backend``, with the deployment's
    calibration when there is one (``settings.judge_calibration_dir``)."""
    from nli_judge import FaithfulnessJudge, NLIModel

    nli = NLIModel.load(backend=settings.judge_backend, onnx_cache=settings.onnx_dir)
    return FaithfulnessJudge.load(nli, calibration=settings.judge_calibration_dir)
