"""Run an NLI checkpoint with ONNX Runtime, in fp32 or with int8 dynamic quantisation.

The checkpoint is exported once with ``torch.onnx`` (dynamo exporter, dynamic batch and
sequence axes); ``int8`` then quantises its weights with onnxruntime's ``quantize_dynamic``.
Files are cached under ``cache_dir / <first 16 hex of the weights' sha256>/``, so a changed
checkpoint gets a fresh export. ``OnnxClassifier`` takes the same padded batch as the PyTorch
model and returns its logits, so ``NLIModel.predict`` works unchanged on top of it.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import numpy as np
import torch

from nli_judge.text import sha256_file
from nli_judge.var_paths import VarPaths

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _weights_digest(folder: Path) -> str:
    return sha256_file(folder / "model.safetensors")[:16]


def export_onnx(model, tokenizer, folder: str | Path, int8: bool,
                cache_dir: str | Path | None = None, output_name: str = "logits") -> Path:
    """The ONNX file for the checkpoint in ``folder`` (exported now if not cached).
    ``model`` maps the tokenizer's tensors to one output, saved as ``output_name``; exports
    with another output name are cached apart (``<digest>-<output_name>``). ``model`` may be a
    function that loads it, called only when no export is cached."""
    folder = Path(folder)
    suffix = "" if output_name == "logits" else f"-{output_name}"
    out = Path(cache_dir or VarPaths.from_env().onnx) / (_weights_digest(folder) + suffix)
    fp32, quantised = out / "model.onnx", out / "model.int8.onnx"
    if not fp32.exists():
        out.mkdir(parents=True, exist_ok=True)
        example = tokenizer(["A premise.", "Another, longer premise here."],
                            ["A hypothesis.", "Two."], padding=True, return_tensors="pt")
        inputs = {k: example[k] for k in _INPUTS if k in example}
        batch, seq = torch.export.Dim("batch", max=4096), torch.export.Dim("seq", max=512)
        if not isinstance(model, torch.nn.Module):
            model = model()
        model = model.eval()
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            logging.getLogger("torch.onnx").setLevel(logging.ERROR)
            program = torch.onnx.export(
                model, (), kwargs=inputs, input_names=list(inputs), output_names=[output_name],
                dynamic_shapes={k: {0: batch, 1: seq} for k in inputs}, dynamo=True,
                verbose=False)
        tmp = fp32.with_suffix(f".{os.getpid()}.tmp")  # two processes may export at once
        program.save(str(tmp), external_data=False)
        tmp.replace(fp32)
    if int8 and not quantised.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = quantised.with_suffix(f".{os.getpid()}.tmp")
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        tmp.replace(quantised)
    return quantised if int8 else fp32


class OnnxClassifier:
    """An ONNX Runtime session with the PyTorch model's call shape: padded batch -> logits."""

    def __init__(self, path: str | Path, num_threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads
        options.log_severity_level = 3
        self.path = Path(path)
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def __call__(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        feed = {k: batch[k].cpu().numpy().astype(np.int64) for k in self.inputs}
        return torch.from_numpy(self.session.run(None, feed)[0])
