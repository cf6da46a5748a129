"""Fine-tune an NLI model with the Hugging Face Trainer.

    python -m nli_judge.train [--config FILE.json] [--train-file F ...] [--encoding pair|concat]
                              [--output-dir DIR] [--num-train-epochs N] ...

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
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from transformers import AutoTokenizer, TrainingArguments

from nli_judge.base_models import resolve_base_model
from nli_judge.cli_args import parse_dataclasses
from nli_judge.config import DataArguments, ModelArguments, TrainConfig
from nli_judge.data import DataError, NLIExamples, read_many, read_pairs, swap_contradictions
from nli_judge.encoding import encode_pairs
from nli_judge.label_fixes import apply_label_fixes, read_label_fixes
from nli_judge.labels import ID2LABEL, LABEL2ID
from nli_judge.metrics import (
    format_report,
    format_source_table,
    nli_metrics,
    per_source_metrics,
    save_confusion_png,
)
from nli_judge.model import NLIModel, set_threads
from nli_judge.pooling import load_classifier
from nli_judge.tracking import setup_tracking
from nli_judge.trainer import EpochTable, PairCollator, SoftTargetTrainer, compute_eval_metrics


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


def _run_card(model_args, data_args, cfg, counts, train_metrics, table_md, report,
              dev_md: str = "") -> str:
    settings = {**dataclasses.asdict(model_args), **dataclasses.asdict(data_args),
                **dataclasses.asdict(cfg)}
    return "\n".join([
        "# NLI training run", "",
        "Command: `python -m nli_judge.train " + " ".join(sys.argv[1:]) + "`", "",
        "## Settings", "", "```json", json.dumps(settings, indent=2), "```", "",
        "## Data", "", "```json", json.dumps(counts, indent=2), "```", "",
        "## Per epoch (validation file)", "", table_md, "",
        "## TrainOutput", "", "```json", json.dumps(train_metrics, indent=2), "```", "",
        "## Final validation", "", "```", report, "```", "",
        *(["## Dev parts, per source", "", dev_md, ""] if dev_md else []),
    ])


def train(model_args: ModelArguments, data_args: DataArguments, cfg: TrainConfig) -> dict:
    """Train, evaluate and save one model; return the final validation metrics."""
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    set_threads()
    torch.manual_seed(cfg.seed)

    # --- data --------------------------------------------------------------------------------
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
    print(json.dumps(counts), flush=True)

    # --- model -------------------------------------------------------------------------------
    base = resolve_base_model(model_args.model_name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(base)
    # fp32 always: a checkpoint stored in fp16 (ours are) would otherwise train in fp16 on
    # the CPU and overflow to NaN within a few hundred steps.
    model = load_classifier(base, model_args.pooling, num_labels=3, id2label=ID2LABEL,
                            label2id=LABEL2ID, dtype=torch.float32)
    model.config.groundedchat_encoding = model_args.encoding
    model.config.groundedchat_max_length = model_args.max_length
    train_ds = build_dataset(tokenizer, train_ex, model_args, soft, weights)
    val_ds = build_dataset(tokenizer, val_ex, model_args)

    report_to = setup_tracking(cfg.report_to, cfg.tracking_uri, cfg.experiment_name)
    run_name = cfg.run_name or f"{Path(base).name}-{model_args.encoding}-{time.strftime('%H%M%S')}"
    args = TrainingArguments(
        output_dir=str(out / "trainer"),
        num_train_epochs=cfg.num_train_epochs,
        max_steps=cfg.max_steps,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type=cfg.lr_scheduler_type,
        warmup_steps=cfg.warmup_ratio,
        weight_decay=cfg.weight_decay,
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.eval_batch_size,
        seed=cfg.seed,
        eval_strategy="epoch" if cfg.max_steps < 0 else "steps",
        eval_steps=None if cfg.max_steps < 0 else max(1, cfg.max_steps),
        logging_strategy="steps",
        logging_steps=cfg.logging_steps,
        save_strategy="steps" if cfg.save_steps else "no",
        save_steps=cfg.save_steps or 500,
        save_total_limit=2,
        report_to=report_to,
        run_name=run_name,
        remove_unused_columns=False,
        train_sampling_strategy="group_by_length" if cfg.group_by_length else "random",
        use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0,
    )
    table = EpochTable(out)
    trainer = SoftTargetTrainer(
        model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
        data_collator=PairCollator(tokenizer), compute_metrics=compute_eval_metrics,
        callbacks=[table], label_smoothing=cfg.label_smoothing,
        head_learning_rate=cfg.head_learning_rate,
    )
    mlflow = None
    if cfg.report_to == "mlflow":
        import mlflow

        mlflow.start_run(run_name=run_name)  # the Trainer's callback logs into this run
    try:
        resume = cfg.resume and any((out / "trainer").glob("checkpoint-*"))
        result = trainer.train(resume_from_checkpoint=True if resume else None)
        train_metrics = {k: result.metrics[k] for k in
                         ("train_runtime", "train_samples_per_second", "train_steps_per_second",
                          "train_loss") if k in result.metrics}
        train_metrics["global_step"] = result.global_step
        print("\nTrainOutput: " + ", ".join(f"{k}={v:.4g}" for k, v in train_metrics.items()))
        (out / "train_results.json").write_text(json.dumps(train_metrics, indent=2))

        # --- save and evaluate the final model ------------------------------------------------
        final = out / "final"
        if cfg.export_fp16:
            model.half()
        trainer.model.save_pretrained(final)
        tokenizer.save_pretrained(final)
        nli = NLIModel.load(final)
        metrics = nli_metrics(val_ex.labels, nli.predict(val_ex.premises, val_ex.hypotheses,
                                                         batch_size=cfg.eval_batch_size))
        metrics["validation_file"] = data_args.validation_file
        report = format_report(metrics)
        print("\nFinal model on", data_args.validation_file, "\n" + report)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        png = save_confusion_png(metrics, out / "confusion_matrix.png",
                                 f"{Path(base).name} ({model_args.encoding})")
        dev_md = ""
        if data_args.dev_file:
            dev = read_pairs(data_args.dev_file)
            by_source = per_source_metrics(
                nli.predict(dev.premises, dev.hypotheses, batch_size=cfg.eval_batch_size),
                dev.labels, dev.binary, dev.sources)
            dev_md = format_source_table(by_source)
            print("\nDev parts per source (" + data_args.dev_file + ")\n" + dev_md)
            (out / "dev_metrics.json").write_text(json.dumps(by_source, indent=2))
        card = out / "RUN_CARD.md"
        card.write_text(_run_card(model_args, data_args, cfg, counts, train_metrics,
                                  table.markdown(), report, dev_md))
        if mlflow:
            mlflow.log_metrics({"final_accuracy": metrics["accuracy"],
                                "final_macro_f1": metrics["macro_f1"]})
            for path in (png, card, out / "epochs.csv", out / "metrics.json"):
                mlflow.log_artifact(str(path))
    finally:
        if mlflow:
            mlflow.end_run()
    return metrics


def main(argv: list[str] | None = None) -> None:
    model_args, data_args, cfg = parse_dataclasses(
        [ModelArguments, DataArguments, TrainConfig], argv, description=__doc__)
    try:
        train(model_args, data_args, cfg)
    except DataError as e:
        raise SystemExit(f"error: {e}") from None


if __name__ == "__main__":
    main()
