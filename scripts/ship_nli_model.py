"""Copy a finished training run's model into the package as the shipped checkpoint.

    python scripts/ship_nli_model.py var/runs/nli-minilm-pair

Copies ``RUN/final/*`` (fp16 safetensors, config, tokenizer) and the run's ``metrics.json``,
``epochs.md``, ``RUN_CARD.md`` and ``confusion_matrix.png`` to ``nli_judge/checkpoint/``.
``MODEL_CARD.md`` and ``JUDGE_CARD.md`` there are written by hand from these and kept;
the judge's calibration (``judge_calibration*.json``) belongs to the old weights and is
removed: run ``python -m eval.calibrate`` next.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DEST = Path(__file__).resolve().parents[1] / "nli_judge" / "checkpoint"
RUN_FILES = ("metrics.json", "epochs.md", "RUN_CARD.md", "confusion_matrix.png",
             "train_results.json", "dev_metrics.json")
KEEP = ("MODEL_CARD.md", "JUDGE_CARD.md")


def ship(run: Path, dest: Path = DEST) -> list[Path]:
    final = run / "final"
    if not (final / "model.safetensors").exists():
        raise SystemExit(f"error: {final} has no model.safetensors (did the run finish?)")
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():
        if old.name not in KEEP and old.is_file():
            old.unlink()
    copied = [Path(shutil.copy2(f, dest)) for f in sorted(final.iterdir()) if f.is_file()]
    copied += [Path(shutil.copy2(run / n, dest)) for n in RUN_FILES if (run / n).exists()]
    return copied


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for path in ship(Path(sys.argv[1])):
        print(path)
