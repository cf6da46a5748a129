"""A real training run of a few steps: real tokenizer, real MiniLM, real Trainer."""

import json
import sqlite3

import numpy as np
import pytest
from transformers import TrainingArguments

from nli_judge.data.pairs import DataError
from nli_judge.model.nli_model import NLIModel
from nli_judge.training.arguments import (
    DataArguments,
    ModelArguments,
    NLITrainingArguments,
    parse_train_args,
)
from nli_judge.training.train import load_hub_dataset, train


def test_training_writes_model_table_and_metrics(tiny_run):
    table = (tiny_run / "epochs.csv").read_text().splitlines()
    assert table[0] == "epoch,training_loss,validation_loss,accuracy,macro_f1"
    assert len(table) == 2
    train_results = json.loads((tiny_run / "train_results.json").read_text())
    assert train_results["global_step"] == 4
    assert {"train_runtime", "train_samples_per_second", "train_steps_per_second"} <= set(
        train_results)
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert metrics["n"] == 40 and 0.0 <= metrics["accuracy"] <= 1.0
    assert (tiny_run / "confusion_matrix.png").exists()
    assert "TrainOutput" in (tiny_run / "RUN_CARD.md").read_text()


def test_trained_model_is_saved_fp16_and_predicts_probabilities(tiny_run):
    from safetensors import safe_open

    with safe_open(tiny_run / "final" / "model.safetensors", "pt") as f:
        assert str(f.get_tensor(next(iter(f.keys()))).dtype) == "torch.float16"
    model = NLIModel.load(tiny_run / "final")
    assert model.encoding == "pair" and model.max_length == 256
    probs = model.predict(["A dog runs.", "It rains."] * 3, ["An animal moves.", "It is dry."] * 3,
                          batch_size=4)
    assert probs.shape == (6, 3) and probs.dtype == np.float32
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert np.allclose(probs[0], probs[2], atol=1e-5)  # batching and sorting keep the order
    assert model.predict([], []).shape == (0, 3)


def test_mlflow_run_is_tracked_in_sqlite(tiny_run):
    con = sqlite3.connect(tiny_run / "mlflow.db")
    runs = con.execute("select run_uuid, name, status from runs").fetchall()
    assert [(r[1], r[2]) for r in runs] == [("tiny", "FINISHED")]
    keys = {k for (k,) in con.execute("select distinct key from metrics")}
    assert {"eval_accuracy", "eval_macro_f1", "final_accuracy"} <= keys
    params = dict(con.execute("select key, value from params").fetchall())
    assert params["learning_rate"] == "5e-05"
    artifacts = {p.name for p in (tiny_run / "mlartifacts").rglob("*") if p.is_file()}
    assert {"confusion_matrix.png", "RUN_CARD.md", "epochs.csv", "metrics.json"} <= artifacts


def test_concat_encoding_and_soft_label_fixes_train(tmp_path, tiny_mnli):
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("id,new_label,exclude\nmnli_tiny.tsv:1,neutral,\nmnli_tiny.tsv:2,,yes\n")
    m = ModelArguments(encoding="concat", max_length=64)
    d = DataArguments(train_file=[str(tiny_mnli)], validation_file=str(tiny_mnli),
                      label_fixes=str(fixes), label_fix_mode="soft", swap_contradictions=True)
    c = NLITrainingArguments(output_dir=str(tmp_path / "o"), max_steps=2,
                             per_device_train_batch_size=8, report_to="none",
                             label_smoothing_factor=0.1, head_learning_rate=1e-3)
    metrics = train(m, d, c)
    assert metrics["n"] == 40
    card = (tmp_path / "o" / "RUN_CARD.md").read_text()
    assert '"softened": 1' in card and '"excluded": 1' in card
    assert '"swapped_contradictions_added": 14' in card and '"train_pairs_used": 53' in card
    assert NLIModel.load(tmp_path / "o" / "final").encoding == "concat"


def test_config_file_with_flag_override(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"learning_rate": 1e-4, "encoding": "concat",
                               "train_file": ["a.tsv"]}))
    m, d, c = parse_train_args(["--config", str(cfg), "--encoding", "pair",
                                "--train-file", "b.tsv", "c.tsv", "--report-to", "none"])
    assert c.learning_rate == 1e-4 and m.encoding == "pair"
    assert d.train_file == ["b.tsv", "c.tsv"]
    # TrainingArguments itself, with this project's defaults where they differ
    assert isinstance(c, TrainingArguments)
    assert c.per_device_train_batch_size == 32 and c.train_sampling_strategy == "group_by_length"
    assert c.changed()["per_device_train_batch_size"] == 32 and "seed" not in c.changed()


def test_a_step_run_evaluates_once_at_its_end():
    c = NLITrainingArguments(output_dir="x", max_steps=40, report_to="none")
    assert (c.eval_strategy, c.eval_steps) == ("steps", 40)
    assert NLITrainingArguments(output_dir="x", report_to="none").eval_strategy == "epoch"


def test_unknown_config_key_is_refused(tmp_path, capsys):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"learnin_rate": 1e-4}))
    with pytest.raises(SystemExit):
        parse_train_args(["--config", str(cfg)])
    assert "learnin_rate" in capsys.readouterr().err


def test_hub_dataset_offline_fails_with_a_clear_message():
    with pytest.raises(DataError, match="cannot load dataset 'glue/mnli'.*--train-file"):
        load_hub_dataset("glue/mnli")
