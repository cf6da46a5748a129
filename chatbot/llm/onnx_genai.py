"""The local model on ONNX Runtime GenAI (``onnxruntime-genai``), int4, as a LangChain chat
model.

The GGUF model is dequantised once by transformers (``chatbot.llm.gguf.load_causal_lm``),
exported once by ONNX Runtime GenAI's model builder to int4 (MatMulNBits, int8 compute on
the CPU) under the models cache, and run with as many threads as the machine has: ONNX
Runtime's default here was one thread, at half the speed. Two things keep the first token
near llama.cpp's: the export computes logits for the last prompt token only
(``prune_lm_head``; the output layer is a quarter of the model, and the prompt's other
logits are never read), and the model keeps its KV cache between calls and reads only the
part of a prompt after what it shares with the last one (the system prompt, as llama.cpp
does). ``python -m chatbot.bench.llm_speed --backends onnx-genai-int4 llama-cpp-q4_0`` compares it
with llama.cpp (docs/local-model-speed.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from chatbot.jobs.background import add_job_arguments, job_settings, live_pid, start_detached
from chatbot.llm.base import LocalChatBase, chat_dicts, gguf_stem, local_gguf
from chatbot.settings import ChatSettings


def onnx_genai_available() -> bool:
    """Whether ``onnxruntime-genai`` is installed (and its library loads)."""
    try:
        import onnxruntime_genai  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def export_int4(hf_dir: Path, target: Path) -> Path:
    """The Hugging Face model folder ``hf_dir`` exported to an int4 ONNX Runtime GenAI folder
    ``target`` that computes logits for the last input token only (made once with the model
    builder, under a minute for Qwen2.5 0.5B on 2 cores; reused after). Raises
    ``RuntimeError`` with the builder's last lines if it fails."""
    if (target / "genai_config.json").exists():
        return target
    tmp = target.with_name(target.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir),
           "-o", str(tmp), "-p", "int4", "-e", "cpu", "-c", str(tmp / "cache"),
           "--extra_options", "hf_token=false", "prune_lm_head=true"]
    done = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if done.returncode != 0 or not (tmp / "genai_config.json").exists():
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"ONNX Runtime GenAI could not export {hf_dir}: " + " | ".join(tail))
    shutil.rmtree(tmp / "cache", ignore_errors=True)
    tmp.replace(target)
    return target


EXPORT_SUFFIX = "-int4-last-logits-onnx"
EXPORT_PID, EXPORT_FAILED = "onnx_export.pid", "onnx_export.failed"


def int4_model_dir(gguf: Path, cache_dir: Path) -> Path:
    """The int4 ONNX Runtime GenAI folder of a GGUF file, made once under ``cache_dir``: the
    GGUF dequantised to float32 by transformers (cached, as for the transformers backend),
    then ``export_int4``."""
    from chatbot.llm.gguf import load_causal_lm

    target = cache_dir / f"{gguf.stem}{EXPORT_SUFFIX}"
    if (target / "genai_config.json").exists():
        return target
    hf_dir = cache_dir / f"{gguf.stem}-float32"
    if not (hf_dir / "config.json").exists():
        load_causal_lm(gguf, cache_dir, "float32")  # writes hf_dir
    return export_int4(hf_dir, target)


def export_dir(settings: ChatSettings) -> Path:
    """Where ``int4_model_dir`` puts the export of ``settings.local_model``."""
    return settings.var_paths.models / f"{gguf_stem(settings.local_model)}{EXPORT_SUFFIX}"


def export_ready(settings: ChatSettings) -> bool:
    """Whether the int4 export of ``settings.local_model`` is made (it appears whole)."""
    return (export_dir(settings) / "genai_config.json").exists()


def start_background_export(settings: ChatSettings) -> bool:
    """Start ``python -m chatbot.llm.onnx_genai --low-priority`` as a detached process (log:
    ``onnx_export.log`` in the var folder) unless the export is made or being made, or failed
    before (``EXPORT_FAILED`` in the models folder says why; running the command in the
    foreground tries again). Returns True when one is now running."""
    failed = settings.var_paths.models / EXPORT_FAILED
    if export_ready(settings) or failed.exists():
        return False
    pid_file = settings.var_paths.models / EXPORT_PID
    if live_pid(pid_file) is None:
        cmd = [sys.executable, "-m", "chatbot.llm.onnx_genai", "--var-dir",
               str(settings.var_dir), "--low-priority"]
        start_detached(cmd, pid_file, settings.var_dir / "onnx_export.log",
                       {"GC_VAR_DIR": str(settings.var_dir),
                        "GC_LOCAL_MODEL": settings.local_model})
    return True


def set_threads(model_dir: Path, n_threads: int) -> dict:
    """Write ``n_threads`` into the export's session options (``genai_config.json``); the
    config."""
    path = model_dir / "genai_config.json"
    config = json.loads(path.read_text())
    options = config["model"]["decoder"].setdefault("session_options", {})
    if options.get("intra_op_num_threads") != n_threads:
        options["intra_op_num_threads"] = n_threads
        path.write_text(json.dumps(config, indent=4))
    return config


class OnnxGenAIChatModel(LocalChatBase):
    """An ONNX Runtime GenAI model folder: chat template from its tokenizer files, greedy or
    sampled decoding, token streaming, stop strings, ``usage_metadata`` with token counts
    (``input_token_details["cache_read"]``: the prompt tokens taken from the last call's KV
    cache). One call at a time: calls from several threads wait for each other."""

    repetition_penalty: float = 1.1
    _model: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _og_tokenizer: Any = PrivateAttr()
    _end_tokens: set[int] = PrivateAttr()
    _n_ctx: int = PrivateAttr()
    _kept: tuple[tuple, Any] | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, model_dir: str | Path, n_threads: int | None = None, n_ctx: int = 4096,
                 **kwargs):
        """``n_ctx``: the longest prompt and answer the kept KV cache holds (a longer call
        gets a cache of its own size)."""
        super().__init__(**kwargs)
        import onnxruntime_genai as og
        from transformers import AutoTokenizer

        config = set_threads(Path(model_dir), n_threads or os.cpu_count() or 1)
        end = config["model"].get("eos_token_id", [])
        self._end_tokens = set(end if isinstance(end, list) else [end])
        self._model = og.Model(str(model_dir))
        self._og_tokenizer = og.Tokenizer(self._model)  # ~0.7 s to make: once, not per answer
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        self._n_ctx = n_ctx

    @property
    def _llm_type(self) -> str:
        return "groundedchat-onnx-genai"

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _generator(self, ids: list[int], max_new: int, temperature: float) -> tuple[Any, int]:
        """(a generator holding ``ids``, how many of them came from the kept KV cache). The
        generator of the last call is kept when the search settings are the same and both fit
        in ``n_ctx``: it is rewound to the prefix it shares with ``ids``, less the last two
        tokens: read anew, they go through the same kernels as a whole prompt, so the logits
        are those of a fresh read (one token alone takes another path that rounds otherwise,
        and the small test model then wrote a different answer)."""
        import onnxruntime_genai as og

        search = dict(repetition_penalty=self.repetition_penalty, do_sample=bool(temperature))
        if temperature:
            search.update(temperature=temperature, top_p=0.9, top_k=40, random_seed=0)
        key = tuple(sorted(search.items()))
        fits = len(ids) + max_new <= self._n_ctx
        if fits and self._kept is not None and self._kept[0] == key:
            generator = self._kept[1]
            before = generator.get_sequence(0)
            shared = 0
            for a, b in zip(before, ids[:-2], strict=False):
                if a != b:
                    break
                shared += 1
            generator.rewind_to(shared)
        else:
            params = og.GeneratorParams(self._model)
            params.set_search_options(
                max_length=self._n_ctx if fits else len(ids) + max_new, **search)
            generator, shared = og.Generator(self._model, params), 0
            self._kept = (key, generator) if fits else None
        generator.append_tokens(ids[shared:])
        return generator, shared

    def _tokens(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs
                ) -> tuple[int, Iterator[str], dict]:
        """(prompt tokens, the text piece of each generated token, {"cache_read": prompt
        tokens taken from the kept KV cache}, filled once the first piece is asked for): until
        the end token (not yielded), the token budget or a stop string (the piece that
        completes it is cut before it)."""

        chat = chat_dicts(messages)
        ids = self._tokenizer.apply_chat_template(chat, add_generation_prompt=True,
                                                  tokenize=True, return_dict=True)["input_ids"]
        max_new = kwargs.get("max_new_tokens", self.max_new_tokens)
        temperature = kwargs.get("temperature", self.temperature)
        details: dict = {}

        def pieces() -> Iterator[str]:
            with self._lock:
                generator, details["cache_read"] = self._generator(ids, max_new, temperature)
                decoder = self._og_tokenizer.create_stream()
                text = ""
                for _ in range(max_new):
                    if generator.is_done():
                        return
                    generator.generate_next_token()
                    token = generator.get_next_tokens()[0]
                    if token in self._end_tokens:
                        return
                    piece = decoder.decode(token)
                    cut = min((i for s in stop or [] if (i := (text + piece).find(s)) >= 0),
                              default=-1)
                    if cut >= 0:
                        yield (text + piece)[len(text):cut]
                        return
                    text += piece
                    yield piece

        return len(ids), pieces(), details

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        n_in, stream, details = self._tokens(messages, stop, **kwargs)
        pieces = list(stream)
        usage = {"input_tokens": n_in, "output_tokens": len(pieces),
                 "total_tokens": n_in + len(pieces), "input_token_details": details}
        msg = AIMessage(content="".join(pieces).strip(), usage_metadata=usage,
                        response_metadata={"model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs
                ) -> Iterator[ChatGenerationChunk]:
        n_in, stream, details = self._tokens(messages, stop, **kwargs)
        n_out = 0
        for piece in stream:
            n_out += 1
            if piece:
                yield self._piece(piece, run_manager)
        yield self._usage(n_in, n_out, input_token_details=details)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m chatbot.llm.onnx_genai",
        description="Make the int4 ONNX Runtime GenAI export of the local model "
        "(GC_LOCAL_MODEL) once, under the var folder's models: about a minute and a half on 2 "
        "cores. GC_LOCAL_BACKEND=auto (the default) runs it once it is there, llama.cpp "
        "before; the app starts this in the background once the index is built.")
    add_job_arguments(ap)
    settings = job_settings(ap.parse_args(argv))
    t0 = time.perf_counter()
    models = settings.var_paths.models
    models.mkdir(parents=True, exist_ok=True)
    failed = models / EXPORT_FAILED
    failed.unlink(missing_ok=True)
    try:
        path = int4_model_dir(local_gguf(settings.local_model, models), models)
    except Exception as e:  # kept, so that the app does not start it again and again
        failed.write_text(f"{type(e).__name__}: {e}\n")
        print(f"error: the export failed ({failed}): {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"{path} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
