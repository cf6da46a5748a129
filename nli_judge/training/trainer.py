"""Trainer pieces: soft-target loss, the batch collator and the per-epoch results table."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import torch
from transformers import Trainer, TrainerCallback

from nli_judge.evaluation.metrics import nli_metrics

TABLE_COLUMNS = ("epoch", "training_loss", "validation_loss", "accuracy", "macro_f1")


def soft_target_loss(logits: torch.Tensor, soft: torch.Tensor, weights: torch.Tensor | None = None,
                     label_smoothing: float = 0.0, binary: torch.Tensor | None = None
                     ) -> torch.Tensor:
    """Mean over pairs of ``weight * cross-entropy(smoothed soft target, softmax(logits))``.

    Rows flagged ``binary`` (faithfulness labels: supported / unsupported) are scored on two
    classes instead: entailment against not-entailment, p(not) = p(neutral) + p(contradiction),
    with the soft target's entailment share as the target (smoothed the same way). The 3-way
    head stays, and binary rows never say whether an unsupported claim is neutral or
    contradicted."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    k = logp.shape[-1]
    target = soft * (1 - label_smoothing) + label_smoothing / k
    per_pair = -(target * logp).sum(-1)
    if binary is not None and bool(binary.any()):
        p_entail = soft[:, 0] * (1 - label_smoothing) + label_smoothing / 2
        log_not = torch.logsumexp(logp[:, 1:], dim=-1)
        two_way = -(p_entail * logp[:, 0] + (1 - p_entail) * log_not)
        per_pair = torch.where(binary.bool(), two_way, per_pair)
    return (per_pair * weights).mean() if weights is not None else per_pair.mean()


class SoftTargetTrainer(Trainer):
    """A Trainer whose training loss is cross-entropy against soft targets.

    Training batches carry ``soft_labels`` (n, 3): one-hot gold labels, or the mixed targets of
    ``--label-fix-mode soft``; label smoothing is applied on top; optional per-pair
    ``weights`` scale each pair's loss. Evaluation batches carry
    only ``labels`` and get the model's plain cross-entropy.
    """

    def __init__(self, *args, label_smoothing: float = 0.0,
                 head_learning_rate: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_smoothing = label_smoothing
        self.head_learning_rate = head_learning_rate

    def create_optimizer(self, model=None):
        """AdamW with an optional faster learning rate for the head (classifier + pooler)."""
        if self.optimizer is not None or not self.head_learning_rate:
            return super().create_optimizer(model)
        model = model or self.model
        groups: dict[tuple[bool, bool], list] = {}
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            head = name.startswith(("classifier", "bert.pooler", "pooler"))
            decay = p.ndim >= 2
            groups.setdefault((head, decay), []).append(p)
        self.optimizer = torch.optim.AdamW(
            [{"params": ps,
              "lr": self.head_learning_rate if head else self.args.learning_rate,
              "weight_decay": self.args.weight_decay if decay else 0.0}
             for (head, decay), ps in groups.items()],
            lr=self.args.learning_rate,
        )
        return self.optimizer

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        soft = inputs.pop("soft_labels", None)
        weights = inputs.pop("weights", None)
        binary = inputs.pop("binary", None)
        if soft is None:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        inputs.pop("labels", None)
        outputs = model(**inputs)
        loss = soft_target_loss(outputs.logits, soft, weights, self.label_smoothing, binary)
        return (loss, outputs) if return_outputs else loss


class PairCollator:
    """Pad a list of tokenised pairs per batch; keep ``labels``, ``soft_labels``, ``weights``
    and the ``binary`` row flags."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, features: list[dict]) -> dict[str, torch.Tensor]:
        feats = [dict(f) for f in features]
        soft = [f.pop("soft_labels") for f in feats] if "soft_labels" in feats[0] else None
        weights = [f.pop("weights") for f in feats] if "weights" in feats[0] else None
        binary = [f.pop("binary") for f in feats] if "binary" in feats[0] else None
        for f in feats:
            f.pop("length", None)
        batch = self.tokenizer.pad(feats, return_tensors="pt")
        if soft is not None:
            batch["soft_labels"] = torch.tensor(np.asarray(soft), dtype=torch.float32)
        if weights is not None:
            batch["weights"] = torch.tensor(weights, dtype=torch.float32)
        if binary is not None:
            batch["binary"] = torch.tensor(binary, dtype=torch.bool)
        return batch


def compute_eval_metrics(pred) -> dict[str, float]:
    """Trainer hook: accuracy and macro F1 from logits."""
    logits = pred.predictions[0] if isinstance(pred.predictions, tuple) else pred.predictions
    probs = torch.softmax(torch.as_tensor(logits, dtype=torch.float32), dim=-1).numpy()
    m = nli_metrics(pred.label_ids, probs)
    return {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"]}


class EpochTable(TrainerCallback):
    """After each evaluation, print and save the table: epoch, training loss (mean of the
    losses logged since the last evaluation), validation loss, accuracy, macro F1."""

    def __init__(self, output_dir: str | Path):
        self.output_dir = Path(output_dir)
        self.rows: list[dict] = []
        self._losses: list[float] = []

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self._losses.append(float(logs["loss"]))
        if logs and not np.isfinite(float(logs.get("grad_norm", 0.0))):
            raise FloatingPointError(f"training diverged at step {state.global_step}: gradient "
                                     f"norm {logs['grad_norm']} (fp16 weights? learning rate?)")

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        metrics = metrics or {}
        self.rows.append({
            "epoch": round(float(state.epoch or 0), 2),
            "training_loss": float(np.mean(self._losses)) if self._losses else float("nan"),
            "validation_loss": metrics.get("eval_loss", float("nan")),
            "accuracy": metrics.get("eval_accuracy", float("nan")),
            "macro_f1": metrics.get("eval_macro_f1", float("nan")),
        })
        self._losses = []
        print("\n" + self.markdown(), flush=True)
        self.save()

    def markdown(self) -> str:
        lines = ["| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---:|" * len(TABLE_COLUMNS)]
        for r in self.rows:
            lines.append(
                f"| {r['epoch']:g} | {r['training_loss']:.4f} | {r['validation_loss']:.4f} "
                f"| {r['accuracy']:.4f} | {r['macro_f1']:.4f} |"
            )
        return "\n".join(lines)

    def save(self) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        with open(self.output_dir / "epochs.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=TABLE_COLUMNS)
            w.writeheader()
            w.writerows(self.rows)
        (self.output_dir / "epochs.md").write_text(self.markdown() + "\n", encoding="utf-8")


class TimeLimit(TrainerCallback):
    """Stop training once ``minutes`` of wall-clock time have passed since training began
    (checked after every step); ``stopped_at`` is the step it stopped at, or None."""

    def __init__(self, minutes: float, clock=time.monotonic):
        self.seconds = minutes * 60.0
        self.clock = clock
        self.started: float | None = None
        self.stopped_at: int | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = self.clock()

    def on_step_end(self, args, state, control, **kwargs):
        if self.started is not None and self.clock() - self.started >= self.seconds:
            control.should_training_stop = True
            self.stopped_at = self.stopped_at or state.global_step
        return control
