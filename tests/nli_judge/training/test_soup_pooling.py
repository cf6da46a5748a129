"""Model soups (weight averaging) and the mean-pooling head, on real checkpoints."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from nli_judge import NLIModel
from nli_judge.model.nli_model import SHIPPED_MODEL_DIR
from nli_judge.model.pooling import BertMeanPoolingForSequenceClassification
from nli_judge.training.arguments import DataArguments, ModelArguments, NLITrainingArguments
from nli_judge.training.soup import SoupError, average_state_dicts, main, make_soup
from nli_judge.training.train import train


def test_average_is_the_weighted_mean():
    a = {"w": torch.tensor([1.0, 2.0]), "b": torch.tensor([0.0])}
    b = {"w": torch.tensor([3.0, 6.0]), "b": torch.tensor([4.0])}
    uniform = average_state_dicts([a, b])
    assert uniform["w"].tolist() == [2.0, 4.0] and uniform["b"].tolist() == [2.0]
    weighted = average_state_dicts([a, b], [3, 1])
    assert weighted["w"].tolist() == [1.5, 3.0]


def test_mismatched_checkpoints_are_refused():
    a = {"w": torch.zeros(2)}
    with pytest.raises(SoupError, match="shapes"):
        average_state_dicts([a, {"w": torch.zeros(3)}])
    with pytest.raises(SoupError, match="parameter names"):
        average_state_dicts([a, {"v": torch.zeros(2)}])
    with pytest.raises(SoupError, match="weight"):
        average_state_dicts([a, a], [1.0])


def test_soup_of_a_checkpoint_with_itself_is_that_checkpoint(tmp_path):
    out = make_soup([SHIPPED_MODEL_DIR, SHIPPED_MODEL_DIR], tmp_path / "soup")
    orig, soup = (load_file(d / "model.safetensors") for d in (SHIPPED_MODEL_DIR, out))
    assert set(orig) == set(soup)
    assert all(torch.equal(orig[k], soup[k]) for k in orig)
    assert json.loads((out / "soup.json").read_text())["weights"] == [1.0, 1.0]
    probs = NLIModel.load(out).predict(["A man plays a guitar."], ["A man plays music."])
    assert probs.shape == (1, 3) and probs[0].argmax() == 0


def test_soup_cli_needs_two_checkpoints_and_names_the_problem(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--models", str(SHIPPED_MODEL_DIR), "--out", str(tmp_path / "x")])
    with pytest.raises(SystemExit, match="no model.safetensors"):
        main(["--models", str(SHIPPED_MODEL_DIR), str(tmp_path), "--out", str(tmp_path / "x")])


def test_mean_pooling_head_trains_saves_and_pools_the_mean(tmp_path, tiny_mnli):
    m = ModelArguments(max_length=64, pooling="mean")
    d = DataArguments(train_file=[str(tiny_mnli)], validation_file=str(tiny_mnli))
    c = NLITrainingArguments(output_dir=str(tmp_path / "o"), max_steps=2,
                             per_device_train_batch_size=8, report_to="none")
    train(m, d, c)
    nli = NLIModel.load(tmp_path / "o" / "final")
    assert isinstance(nli.model, BertMeanPoolingForSequenceClassification)
    assert nli.model.config.groundedchat_pooling == "mean"
    assert not any("pooler" in k for k in load_file(tmp_path / "o" / "final" /
                                                    "model.safetensors"))
    batch = nli.tokenizer(["A short premise here.", "Another one."], ["A hypothesis.", "Two."],
                          padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = nli.model.bert(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        expected = nli.model.classifier((hidden * mask).sum(1) / mask.sum(1))
        got = nli.model(**batch).logits
    np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-4)
