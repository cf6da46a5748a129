"""Fine-tune an NLI model with the Hugging Face Trainer.

    python -m nli_judge.training.train [--config FILE.json] [--train-file F ...]
                                       [--encoding pair|concat] [--output-dir DIR] ...

Writes to ``--output-dir``: ``epochs.csv`` / ``epochs.md`` (epoch, training loss, validation
loss, accuracy, macro F1), ``train_results.json`` (TrainOutput: runtime, samples/s, steps/s),
``metrics.json`` and ``confusion_matrix.png`` (final validation), ``RUN_CARD.md`` and the model
in ``final/`` (fp16 safetensors with its tokenizer). With ``--report-to mlflow`` (default) the
same goes to an MLflow run in ``var/mlflow.db``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from transformers import AutoTokenizer

from nli_judge.data.label_fixes import apply_label_fixes, read_label_fixes
from nli_judge.data.pairs import DataError, NLIExamples, read_many, read_pairs, swap_contradictions
from nli_judge.evaluation.metrics import (
    format_report,
    format_source_table,
    nli_metrics,
    per_source_metrics,
    save_confusion_png,
)
from nli_judge.model.base_models import resolve_base_model
from nli_judge.model.encoding import encode_pairs
from nli_judge.model.labels import ID2LABEL, LABEL2ID
from nli_judge.model.nli_model import NLIModel, set_threads
from nli_judge.model.pooling import load_classifier
from nli_judge.training.arguments import (
    DataArguments,
    ModelArguments,
    NLITrainingArguments,
    parse_train_args,
)
from nli_judge.training.tracking import setup_tracking
from nli_judge.training.trainer import (
    EpochTable,
    PairCollator,
    SoftTargetTrainer,
    TimeLimit,
    compute_eval_metrics,
)


def load_hub_dataset(name: str, split: str = "train") -> NLIExamples:
    """Load a hub NLI dataset such as ``glue/mnli`` with ``datasets`` (needs the network)."""
    from datasets import load_dataset

    path, _, config = name.partition("/")
    try:
        ds = load_dataset(path, config or None, split=split)
    except Exception as e:  # offline: ConnectionError, LocalEntryNotFoundError, ...
        raise DataError(
            f"cannot load dataset {name!r} ({type(e).__name__}); no hub is reachable? "
            "Use --train-file with local files instead"
        ) from None
    ds = ds.filter(lambda r: r["label"] in ID2LABEL)
    return NLIExamples(list(ds["premise"]), list(ds["hypothesis"]), list(ds["label"]),
                       [f"{name}:{r}" for r in ds["idx"]])


def build_dataset(tokenizer, ex: NLIExamples, model_args: ModelArguments,
                  soft: np.ndarray | None = None, weights: np.ndarray | None = None) -> Dataset:
    enc = encode_pairs(tokenizer, ex.premises, ex.hypotheses, model_args.encoding,
                       model_args.max_length)
    cols = dict(enc, labels=list(ex.labels), length=[len(x) for x in enc["input_ids"]])
    if any(ex.binary):
        cols["binary"] = list(ex.binary)
    if soft is not None:
        cols["soft_labels"] = soft.tolist()
    if weights is not None:
        cols["weights"] = weights.tolist()
    return Dataset.from_dict(cols)


@dataclass
class TrainingData:
    """What ``load_training_data`` read: the pairs, their soft targets and loss weights, the
    validation pairs, and the counts for the run card."""

    train: NLIExamples
    soft: np.ndarray
    weights: np.ndarray | None
    validation: NLIExamples
    counts: dict = field(default_factory=dict)


def load_training_data(data_args: DataArguments) -> TrainingData:
    """Training pairs (files or a hub dataset; sources excluded, label fixes and swapped
    contradictions applied) and the validation pairs."""
    train_ex = load_hub_dataset(data_args.dataset) if data_args.dataset else read_many(
        data_args.train_file)
    if data_args.exclude_sources and train_ex.sources:
        drop = set(data_args.exclude_sources)
        train_ex = train_ex.subset([i for i, s in enumerate(train_ex.sources) if s not in drop])
    if data_args.max_train_samples:
        train_ex = train_ex.subset(list(range(min(data_args.max_train_samples, len(train_ex)))))
    counts: dict = {"train_files": data_args.dataset or data_args.train_file,
                    "train_pairs_read": len(train_ex),
                    "excluded_sources": data_args.exclude_sources}
    soft = np.eye(3, dtype=np.float32)[train_ex.labels]
    weights = None
    if data_args.label_fixes:
        fixes = read_label_fixes(data_args.label_fixes)
        train_ex, soft, fix_counts = apply_label_fixes(
            train_ex, fixes, data_args.label_fix_mode, data_args.soft_weight)
        counts["label_fixes"] = {"file": data_args.label_fixes,
                                 "mode": data_args.label_fix_mode, **fix_counts}
    if data_args.swap_contradictions:
        swapped = swap_contradictions(train_ex)
        soft = np.concatenate([soft, np.eye(3, dtype=np.float32)[swapped.labels]])
        train_ex.extend(swapped)
        weights = np.where(np.asarray(train_ex.labels) == 2, 0.5, 1.0).astype(np.float32)
        counts["swapped_contradictions_added"] = len(swapped)
    counts["train_pairs_used"] = len(train_ex)
    counts["train_label_counts"] = {ID2LABEL[i]: int(c) for i, c in
                                    enumerate(np.bincount(train_ex.labels, minlength=3))}
    counts["binary_rows"] = int(sum(train_ex.binary))
    val_ex = read_pairs(data_args.validation_file)
    if data_args.max_eval_samples:
        val_ex = val_ex.subset(list(range(min(data_args.max_eval_samples, len(val_ex)))))
    counts["validation_file"] = data_args.validation_file
    counts["validation_pairs"] = len(val_ex)
    return TrainingData(train_ex, soft, weights, val_ex, counts)


def load_model(model_args: ModelArguments):
    """(tokenizer, classifier) from ``model_name_or_path``, in fp32: a checkpoint stored in
    fp16 (ours are) would otherwise train in fp16 on the CPU and overflow to NaN."""
    base = resolve_base_model(model_args.model_name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = load_classifier(base, model_args.pooling, num_labels=3, id2label=ID2LABEL,
                            label2id=LABEL2ID, dtype=torch.float32)
    model.config.groundedchat_encoding = model_args.encoding
    model.config.groundedchat_max_length = model_args.max_length
    return tokenizer, model


def save_final(model, tokenizer, out: Path, fp16: bool) -> Path:
    """The trained model (fp16 weights with ``fp16``) and its tokenizer in ``out/final``."""
    final = out / "final"
    if fp16:
        model.half()
    model.save_pretrained(final)
    tokenizer.save_pretrained(final)
    return final


def final_evaluation(final: Path, data: TrainingData, data_args: DataArguments,
                     args: NLITrainingArguments, title: str) -> tuple[dict, str, str]:
    """Evaluate the saved model: (validation metrics, their report, the dev table or "").
    Writes metrics.json, confusion_matrix.png and, with a dev file, dev_metrics.json."""
    out = Path(args.output_dir)
    nli = NLIModel.load(final, device="cuda" if torch.cuda.is_available() and not args.use_cpu
                        else None)
    val = data.validation
    metrics = nli_metrics(val.labels, nli.predict(val.premises, val.hypotheses,
                                                  batch_size=args.per_device_eval_batch_size))
    metrics["validation_file"] = data_args.validation_file
    report = format_report(metrics)
    print("\nFinal model on", data_args.validation_file, "\n" + report)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    save_confusion_png(metrics, out / "confusion_matrix.png", title)
    if not data_args.dev_file:
        return metrics, report, ""
    dev = read_pairs(data_args.dev_file)
    by_source = per_source_metrics(
        nli.predict(dev.premises, dev.hypotheses, batch_size=args.per_device_eval_batch_size),
        dev.labels, dev.binary, dev.sources)
    dev_md = format_source_table(by_source)
    print("\nDev parts per source (" + data_args.dev_file + ")\n" + dev_md)
    (out / "dev_metrics.json").write_text(json.dumps(by_source, indent=2))
    return metrics, report, dev_md


def _run_card(model_args, data_args, args: NLITrainingArguments, counts, train_metrics,
              table_md, report, dev_md: str = "") -> str:
    settings = {**dataclasses.asdict(model_args), **dataclasses.asdict(data_args),
                **args.changed()}
    return "\n".join([
        "# NLI training run", "",
        "Command: `python -m nli_judge.training.train " + " ".join(sys.argv[1:]) + "`", "",
        "## Settings (training arguments: those that differ from TrainingArguments' defaults)",
        "", "```json", json.dumps(settings, indent=2, default=str), "```", "",
        "## Data", "", "```json", json.dumps(counts, indent=2), "```", "",
        "## Per epoch (validation file)", "", table_md, "",
        "## TrainOutput", "", "```json", json.dumps(train_metrics, indent=2), "```", "",
        "## Final validation", "", "```", report, "```", "",
        *(["## Dev parts, per source", "", dev_md, ""] if dev_md else []),
    ])


def train(model_args: ModelArguments, data_args: DataArguments,
          args: NLITrainingArguments) -> dict:
    """Train, evaluate and save one model; return the final validation metrics."""
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    set_threads()
    torch.manual_seed(args.seed)
    data = load_training_data(data_args)
    print(json.dumps(data.counts), flush=True)
    tokenizer, model = load_model(model_args)
    base_name = Path(resolve_base_model(model_args.model_name_or_path)).name
    run_name = args.run_name or f"{base_name}-{model_args.encoding}-{time.strftime('%H%M%S')}"
    # The Trainer's checkpoints in output_dir/trainer; the run's own files in output_dir.
    trainer_args = dataclasses.replace(
        args, output_dir=str(out / "trainer"), run_name=run_name,
        report_to=setup_tracking(args.tracker, args.tracking_uri, args.experiment_name))
    table = EpochTable(out)
    time_limit = TimeLimit(args.max_train_minutes) if args.max_train_minutes else None
    callbacks = [table, time_limit] if time_limit else [table]
    trainer = SoftTargetTrainer(
        model=model, args=trainer_args,
        train_dataset=build_dataset(tokenizer, data.train, model_args, data.soft, data.weights),
        eval_dataset=build_dataset(tokenizer, data.validation, model_args),
        data_collator=PairCollator(tokenizer), compute_metrics=compute_eval_metrics,
        callbacks=callbacks, label_smoothing=args.label_smoothing_factor,
        head_learning_rate=args.head_learning_rate,
    )
    mlflow = None
    if args.tracker == "mlflow":
        import mlflow

        mlflow.start_run(run_name=run_name)  # the Trainer's callback logs into this run
    try:
        resume = args.resume and any((out / "trainer").glob("checkpoint-*"))
        result = trainer.train(resume_from_checkpoint=True if resume else None)
        train_metrics = {k: result.metrics[k] for k in
                         ("train_runtime", "train_samples_per_second", "train_steps_per_second",
                          "train_loss") if k in result.metrics}
        train_metrics["global_step"] = result.global_step
        if time_limit and time_limit.stopped_at is not None:
            train_metrics["stopped_by_time_limit_at_step"] = time_limit.stopped_at
        print("\nTrainOutput: " + ", ".join(f"{k}={v:.4g}" for k, v in train_metrics.items()))
        (out / "train_results.json").write_text(json.dumps(train_metrics, indent=2))
        final = save_final(model, tokenizer, out, args.export_fp16)
        metrics, report, dev_md = final_evaluation(final, data, data_args, args,
                                                   f"{base_name} ({model_args.encoding})")
        (out / "RUN_CARD.md").write_text(_run_card(
            model_args, data_args, args, data.counts, train_metrics, table.markdown(), report,
            dev_md))
        if mlflow:
            mlflow.log_metrics({"final_accuracy": metrics["accuracy"],
                                "final_macro_f1": metrics["macro_f1"]})
            for path in ("confusion_matrix.png", "RUN_CARD.md", "epochs.csv", "metrics.json"):
                mlflow.log_artifact(str(out / path))
    finally:
        if mlflow:
            mlflow.end_run()
    return metrics


def main(argv: list[str] | None = None) -> None:
    model_args, data_args, args = parse_train_args(argv, description=__doc__)
    try:
        train(model_args, data_args, args)
    except DataError as e:
        raise SystemExit(f"error: {e}") from None


if __name__ == "__main__":
    main()
