"""Interpolate the weights of two checkpoints of the same model (WiSE-FT, model soups).

    python -m nli_judge.model.interpolate FROM TO --alpha 0.5 --out DIR

Writes ``(1 - alpha) * FROM + alpha * TO``, tensor by tensor, into ``DIR`` with TO's config and
tokenizer, so ``NLIModel.load(DIR)`` reads it. Two fine-tunings of one starting point often
keep more of what the first knew this way than the second alone (Wortsman et al., 2022); the
model card records what it did for the judge model (MNLI held-out against the dev parts).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

WEIGHTS = "model.safetensors"
KEEP = ("config.json", "tokenizer.json", "tokenizer_config.json")


def interpolate(start: Path, end: Path, alpha: float, out: Path) -> Path:
    """Write the interpolated checkpoint into ``out`` and return ``out``. Both folders must
    hold ``model.safetensors`` with the same tensor names and shapes."""
    from safetensors.torch import load_file, save_file

    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
    a, b = (load_file(Path(d) / WEIGHTS) for d in (start, end))
    if a.keys() != b.keys() or any(a[k].shape != b[k].shape for k in a):
        raise ValueError(f"{start} and {end} are not checkpoints of the same model")
    mixed = {k: ((1 - alpha) * a[k].float() + alpha * b[k].float()).to(b[k].dtype) for k in a}
    out.mkdir(parents=True, exist_ok=True)
    for name in KEEP:
        if (Path(end) / name).exists():
            shutil.copy(Path(end) / name, out / name)
    save_file(mixed, out / WEIGHTS, metadata={"format": "pt"})
    return out


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("start", type=Path, help="checkpoint folder weighted 1 - alpha")
    ap.add_argument("end", type=Path, help="checkpoint folder weighted alpha (config from here)")
    ap.add_argument("--alpha", type=float, default=0.5, help="weight of END, 0-1")
    ap.add_argument("--out", type=Path, required=True, help="folder to write")
    args = ap.parse_args(argv)
    for d in (args.start, args.end):
        if not (d / WEIGHTS).exists():
            raise SystemExit(f"error: {d} has no {WEIGHTS}")
    try:
        out = interpolate(args.start, args.end, args.alpha, args.out)
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None
    print(f"wrote {out} ({1 - args.alpha:g} x {args.start} + {args.alpha:g} x {args.end})")
    return out


if __name__ == "__main__":
    main()
