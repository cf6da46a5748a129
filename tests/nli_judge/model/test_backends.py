"""The shipped model on every inference backend: PyTorch fp32 / int8 and ONNX Runtime
fp32 / int8 (a real export into a temporary cache)."""

import numpy as np
import pytest

from nli_judge import FaithfulnessJudge, NLIModel

PREMISES = ["A man is playing a guitar on stage.", "A man is playing a guitar on stage.",
            "The clinic opens at 9 am on weekdays and is closed at weekends."]
HYPOTHESES = ["A man is playing an instrument.", "Nobody is playing any instrument.",
              "The clinic is open on Saturdays."]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def reference():
    return NLIModel.load().predict(PREMISES, HYPOTHESES)


def test_onnx_fp32_gives_the_torch_probabilities(onnx_cache, reference):
    nli = NLIModel.load(backend="onnx", onnx_cache=onnx_cache)
    assert nli.backend == "onnx" and nli._onnx.path.name == "model.onnx"
    np.testing.assert_allclose(nli.predict(PREMISES, HYPOTHESES), reference, atol=1e-4)
    exported = nli._onnx.path.stat().st_mtime_ns
    again = NLIModel.load(backend="onnx", onnx_cache=onnx_cache)  # cached, not re-exported
    assert again._onnx.path.stat().st_mtime_ns == exported


@pytest.mark.parametrize("backend", ["onnx-int8", "torch-int8"])
def test_int8_backends_keep_the_labels(backend, onnx_cache, reference):
    nli = NLIModel.load(backend=backend, onnx_cache=onnx_cache)
    probs = nli.predict(PREMISES, HYPOTHESES)
    assert nli.backend == backend
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (probs.argmax(1) == reference.argmax(1)).all()
    assert not np.allclose(probs, reference, atol=1e-6)  # really quantised


def test_judge_runs_on_onnx(onnx_cache):
    judge = FaithfulnessJudge.load(NLIModel.load(backend="onnx-int8", onnx_cache=onnx_cache))
    r = judge.score("The clinic opens at 9 am on weekdays. It is open on Saturdays.",
                    [PREMISES[2]])
    assert r.sentences[1].label != "supported"
    assert r.sentences[0].entailment > r.sentences[1].entailment
    assert judge.model.backend == "onnx-int8" and 0.0 <= r.score <= 1.0


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown backend 'tensorrt'"):
        NLIModel.load(backend="tensorrt")


def test_judge_reads_the_calibration_of_its_backend(tmp_path):
    import json
    import shutil

    from nli_judge.model.nli_model import SHIPPED_MODEL_DIR

    folder = tmp_path / "ckpt"
    shutil.copytree(SHIPPED_MODEL_DIR, folder)
    (folder / "judge_calibration.torch-int8.json").write_text(
        json.dumps({"settings": {"threshold": 0.11, "max_windows": 3}}))
    int8 = FaithfulnessJudge.load(NLIModel.load(folder, backend="torch-int8"))
    fp32 = FaithfulnessJudge.load(NLIModel.load(folder))
    assert (int8.settings.threshold, int8.settings.max_windows) == (0.11, 3)
    shipped = json.loads((SHIPPED_MODEL_DIR / "judge_calibration.json").read_text())
    assert fp32.settings.threshold == shipped["settings"]["threshold"]


def test_torch_int8_keeps_the_feed_forward_output_projections_in_fp32():
    import torch

    nli = NLIModel.load(backend="torch-int8")
    linear = {name: m for name, m in nli.model.named_modules()
              if name.endswith(("dense", "query", "key", "value", "classifier"))}
    ffn_out = [n for n in linear if n.endswith(".output.dense") and "attention" not in n]
    assert len(ffn_out) == 6 and all(type(linear[n]) is torch.nn.Linear for n in ffn_out)
    others = [n for n in linear if n not in ffn_out]
    assert len(others) == 6 * 5 + 2  # q, k, v, attention output, intermediate; pooler, head
    assert all(hasattr(linear[n], "_packed_params") for n in others)  # int8
