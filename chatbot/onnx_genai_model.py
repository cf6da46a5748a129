"""The local model on ONNX Runtime GenAI (``onnxruntime-genai``), int4, as a LangChain chat
model.

The GGUF model is dequantised once by transformers (``chatbot.local_model.load_causal_lm``),
exported once by ONNX Runtime GenAI's model builder to int4 (MatMulNBits, int8 compute on
the CPU) under the models cache, and run with as many threads as the machine has: ONNX
Runtime's default here was one thread, at half the speed. ``python -m chatbot.bench
--backends onnx-genai-int4 llama-cpp-q4_0`` compares it with llama.cpp (README).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from chatbot.llm import LocalChatBase
from chatbot.prompts import chat_dicts


def onnx_genai_available() -> bool:
    """Whether ``onnxruntime-genai`` is installed (and its library loads)."""
    try:
        import onnxruntime_genai  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def export_int4(hf_dir: Path, target: Path) -> Path:
    """The Hugging Face model folder ``hf_dir`` exported to an int4 ONNX Runtime GenAI folder
    ``target`` (made once with the model builder, about 3 minutes for Qwen2.5 0.5B on 2
    cores; reused after). Raises ``RuntimeError`` with the builder's last lines if it fails."""
    if (target / "genai_config.json").exists():
        return target
    tmp = target.with_name(target.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir),
           "-o", str(tmp), "-p", "int4", "-e", "cpu", "-c", str(tmp / "cache"),
           "--extra_options", "hf_token=false"]
    done = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if done.returncode != 0 or not (tmp / "genai_config.json").exists():
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"ONNX Runtime GenAI could not export {hf_dir}: " + " | ".join(tail))
    shutil.rmtree(tmp / "cache", ignore_errors=True)
    tmp.replace(target)
    return target


def int4_model_dir(gguf: Path, cache_dir: Path) -> Path:
    """The int4 ONNX Runtime GenAI folder of a GGUF file, made once under ``cache_dir``: the
    GGUF dequantised to float32 by transformers (cached, as for the transformers backend),
    then ``export_int4``."""
    from chatbot.local_model import load_causal_lm

    target = cache_dir / f"{gguf.stem}-int4-onnx"
    if (target / "genai_config.json").exists():
        return target
    hf_dir = cache_dir / f"{gguf.stem}-float32"
    if not (hf_dir / "config.json").exists():
        load_causal_lm(gguf, cache_dir, "float32")  # writes hf_dir
    return export_int4(hf_dir, target)


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
    sampled decoding, token streaming, stop strings, ``usage_metadata`` with token counts."""

    repetition_penalty: float = 1.1
    _model: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _end_tokens: set[int] = PrivateAttr()

    def __init__(self, model_dir: str | Path, n_threads: int | None = None, **kwargs):
        super().__init__(**kwargs)
        import onnxruntime_genai as og
        from transformers import AutoTokenizer

        config = set_threads(Path(model_dir), n_threads or os.cpu_count() or 1)
        end = config["model"].get("eos_token_id", [])
        self._end_tokens = set(end if isinstance(end, list) else [end])
        self._model = og.Model(str(model_dir))
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir))

    @property
    def _llm_type(self) -> str:
        return "groundedchat-onnx-genai"

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _tokens(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs
                ) -> tuple[int, Iterator[str]]:
        """(prompt tokens, the text piece of each generated token): until the end token (not
        yielded), the token budget or a stop string (the piece that completes it is cut
        before it)."""
        import onnxruntime_genai as og

        chat = chat_dicts(messages)
        ids = self._tokenizer.apply_chat_template(chat, add_generation_prompt=True,
                                                  tokenize=True, return_dict=True)["input_ids"]
        temperature = kwargs.get("temperature", self.temperature)
        params = og.GeneratorParams(self._model)
        search = dict(max_length=len(ids) + kwargs.get("max_new_tokens", self.max_new_tokens),
                      repetition_penalty=self.repetition_penalty, do_sample=bool(temperature))
        if temperature:
            search.update(temperature=temperature, top_p=0.9, top_k=40, random_seed=0)
        params.set_search_options(**search)

        def pieces() -> Iterator[str]:
            generator = og.Generator(self._model, params)
            generator.append_tokens(ids)
            decoder = og.Tokenizer(self._model).create_stream()
            text = ""
            while not generator.is_done():
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

        return len(ids), pieces()

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        n_in, stream = self._tokens(messages, stop, **kwargs)
        pieces = list(stream)
        usage = {"input_tokens": n_in, "output_tokens": len(pieces),
                 "total_tokens": n_in + len(pieces)}
        msg = AIMessage(content="".join(pieces).strip(), usage_metadata=usage,
                        response_metadata={"model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs
                ) -> Iterator[ChatGenerationChunk]:
        n_in, stream = self._tokens(messages, stop, **kwargs)
        n_out = 0
        for piece in stream:
            n_out += 1
            if piece:
                yield self._piece(piece, run_manager)
        yield self._usage(n_in, n_out)
