"""Weight interpolation of two real checkpoints (the tiny training run and the shipped model)."""

import pytest
from safetensors.torch import load_file

from nli_judge.model.interpolate import interpolate, main
from nli_judge.model.nli_model import SHIPPED_MODEL_DIR, NLIModel


def test_halfway_is_the_mean_of_every_tensor_and_loads(tiny_run, tmp_path, capsys):
    start, end = tiny_run / "final", SHIPPED_MODEL_DIR
    out = main([str(start), str(end), "--alpha", "0.25", "--out", str(tmp_path / "mix")])
    a, b, m = (load_file(d / "model.safetensors") for d in (start, end, out))
    assert m.keys() == b.keys()
    for k in ("classifier.weight", "bert.embeddings.word_embeddings.weight"):
        want = (0.75 * a[k].float() + 0.25 * b[k].float()).to(b[k].dtype)
        assert (m[k] == want).all()
    probs = NLIModel.load(out).predict(["Aspirin reduces fever."], ["Aspirin lowers fever."])
    assert probs.shape == (1, 3)
    assert "wrote" in capsys.readouterr().out


def test_the_ends_give_back_each_checkpoint(tiny_run, tmp_path):
    start, end = tiny_run / "final", SHIPPED_MODEL_DIR
    zero = load_file(interpolate(start, end, 0.0, tmp_path / "0") / "model.safetensors")
    one = load_file(interpolate(start, end, 1.0, tmp_path / "1") / "model.safetensors")
    b = load_file(end / "model.safetensors")
    k = "classifier.weight"
    assert (one[k] == b[k]).all()
    assert (zero[k] == load_file(start / "model.safetensors")[k].to(b[k].dtype)).all()


def test_bad_alpha_and_missing_weights_are_clear(tiny_run, tmp_path):
    with pytest.raises(ValueError, match="alpha"):
        interpolate(tiny_run / "final", SHIPPED_MODEL_DIR, 1.5, tmp_path / "x")
    with pytest.raises(SystemExit, match="has no model.safetensors"):
        main([str(tmp_path), str(SHIPPED_MODEL_DIR), "--out", str(tmp_path / "y")])
