"""--max-train-minutes: a run stops on wall-clock time and is saved and evaluated as if ended."""

import json

from transformers import TrainerControl, TrainerState

from nli_judge.training.arguments import DataArguments, ModelArguments, NLITrainingArguments
from nli_judge.training.train import train
from nli_judge.training.trainer import TimeLimit


def test_time_limit_stops_after_the_minutes_have_passed():
    now = [100.0]
    limit = TimeLimit(minutes=2, clock=lambda: now[0])
    state, control = TrainerState(), TrainerControl()
    limit.on_train_begin(None, state, control)
    for step, t in ((1, 160.0), (2, 219.0)):
        now[0], state.global_step = t, step
        limit.on_step_end(None, state, control)
        assert not control.should_training_stop
    now[0], state.global_step = 220.0, 3
    limit.on_step_end(None, state, control)
    assert control.should_training_stop and limit.stopped_at == 3


def test_a_run_out_of_time_is_saved_evaluated_and_says_where_it_stopped(tmp_path, tiny_mnli):
    out = tmp_path / "run"
    train(ModelArguments(max_length=64),
          DataArguments(train_file=[str(tiny_mnli)], validation_file=str(tiny_mnli)),
          NLITrainingArguments(output_dir=str(out), max_steps=500, max_train_minutes=1e-9,
                               per_device_train_batch_size=4, report_to="none"))
    results = json.loads((out / "train_results.json").read_text())
    assert results["global_step"] == 1 == results["stopped_by_time_limit_at_step"]
    assert (out / "final" / "model.safetensors").exists()
    assert json.loads((out / "metrics.json").read_text())["n"] == 40
    assert '"max_train_minutes": 1e-09' in (out / "RUN_CARD.md").read_text()
