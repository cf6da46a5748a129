"""Average the weights of fine-tuned checkpoints ("model soup", Wortsman et al. 2022).

    python -m nli_judge.training.soup --models DIR DIR [DIR ...] --out DIR [--weights W W ...]

Checkpoints fine-tuned from the same starting weights (same base model, same seed, so the same
initial classifier head) can be averaged parameter by parameter; the uniform soup is often
more accurate than each ingredient, at no extra inference cost. Every checkpoint must have the
same architecture, parameter names, shapes, tokenizer and encoding; the soup is written as a
checkpoint folder (fp16 safetensors, as shipped) with a ``soup.json`` naming its ingredients.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

_COPY = ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
         "special_tokens_map.json")


class SoupError(ValueError):
    """The checkpoints cannot be averaged (different shapes, names or tokenizers)."""


def _check_compatible(folders: Sequence[Path]) -> None:
    first = json.loads((folders[0] / "config.json").read_text())
    for f in folders[1:]:
        cfg = json.loads((f / "config.json").read_text())
        for key in ("model_type", "hidden_size", "num_hidden_layers", "vocab_size",
                    "groundedchat_encoding"):
            if cfg.get(key) != first.get(key):
                raise SoupError(f"{f}: {key} is {cfg.get(key)!r}, {folders[0]} has "
                                f"{first.get(key)!r}")
        if (f / "tokenizer.json").read_bytes() != (folders[0] / "tokenizer.json").read_bytes():
            raise SoupError(f"{f}: tokenizer differs from {folders[0]}'s")


def average_state_dicts(states: Sequence[dict[str, torch.Tensor]],
                        weights: Sequence[float] | None = None) -> dict[str, torch.Tensor]:
    """The weighted mean of each parameter over ``states`` (weights default to uniform and are
    normalised to sum to 1); computed in fp32."""
    if not states:
        raise SoupError("no checkpoints to average")
    weights = list(weights or [1.0] * len(states))
    if len(weights) != len(states) or sum(weights) <= 0 or min(weights) < 0:
        raise SoupError("need one non-negative weight per checkpoint, not all zero")
    total = sum(weights)
    names = set(states[0])
    out = {}
    for k, sd in enumerate(states[1:], start=2):
        if set(sd) != names:
            diff = sorted(names ^ set(sd))[:3]
            raise SoupError(f"checkpoint {k} has other parameter names (e.g. {diff})")
    for name in states[0]:
        shapes = {tuple(sd[name].shape) for sd in states}
        if len(shapes) > 1:
            raise SoupError(f"parameter {name} has different shapes: {sorted(shapes)}")
        out[name] = sum(sd[name].float() * (w / total)
                        for sd, w in zip(states, weights, strict=True))
    return out


def make_soup(models: Sequence[str | Path], out: str | Path,
              weights: Sequence[float] | None = None) -> Path:
    """Average the checkpoints in ``models`` into the folder ``out`` and return it."""
    folders = [Path(m) for m in models]
    for f in folders:
        if not (f / "model.safetensors").exists():
            raise FileNotFoundError(f"no model.safetensors in {f}")
    _check_compatible(folders)
    soup = average_state_dicts([load_file(f / "model.safetensors") for f in folders], weights)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.half().contiguous() for k, v in soup.items()}, out / "model.safetensors",
              metadata={"format": "pt"})
    for name in _COPY:
        if (folders[0] / name).exists():
            shutil.copy2(folders[0] / name, out / name)
    (out / "soup.json").write_text(json.dumps({
        "ingredients": [str(f) for f in folders],
        "weights": list(weights or [1.0] * len(folders)),
        "method": "parameter-wise weighted mean (model soup)",
    }, indent=2) + "\n")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", required=True, help="checkpoint folders to average")
    ap.add_argument("--out", required=True, help="folder to write the averaged checkpoint to")
    ap.add_argument("--weights", nargs="+", type=float,
                    help="one weight per checkpoint (default: uniform)")
    args = ap.parse_args(argv)
    if len(args.models) < 2:
        ap.error("give at least two checkpoints to average")
    try:
        out = make_soup(args.models, args.out, args.weights)
    except (SoupError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}") from None
    print(f"wrote {out} (average of {len(args.models)} checkpoints)")


if __name__ == "__main__":
    main()
