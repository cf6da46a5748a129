"""The local GGUF model on llama.cpp (``llama-cpp-python``) as a LangChain chat model.

The fastest local backend on 2 CPU cores (``python -m chatbot.bench.llm_speed``; table in
docs/local-model-speed.md):
the GGUF file runs as it is, quantised, with the chat template stored in it. ``make setup``
builds ``llama-cpp-python`` from its source package once (pip caches the wheel); where it is
missing, ``chatbot.llm.factory`` falls back to the transformers backend.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from chatbot.llm.base import LocalChatBase, chat_dicts


def llama_cpp_available() -> bool:
    """Whether ``llama-cpp-python`` is installed (and its library loads)."""
    try:
        import llama_cpp  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def requantise_q4_0(gguf: str | Path, cache_dir: Path) -> Path:
    """``gguf`` re-quantised to Q4_0 in every layer, the output layer included (made once
    under ``cache_dir`` in a few seconds, reused after): the default local model
    (``GC_LOCAL_QUANT``). Q4_0 has llama.cpp's repacked CPU kernels: on 2 cores, first token
    2.39 s against 2.88 s (p50) and 23.2 against 19.3 tokens/s for the shipped Q4_K_M mix
    (``python -m chatbot.bench.llm_speed --backends llama-cpp llama-cpp-q4_0``,
    docs/local-model-speed.md). The answer
    benchmark, run with Q4_0 and the context budget together, scored the same as the shipped
    file with whole passages within its paired intervals (docs/answer-benchmark.md)."""
    import ctypes

    import llama_cpp

    gguf = Path(gguf)
    target = cache_dir / f"{gguf.stem}-q4_0.gguf"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0
    params.output_tensor_type = llama_cpp.GGML_TYPE_Q4_0
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    tmp = target.with_suffix(".part")
    from llama_cpp._utils import suppress_stdout_stderr  # what Llama(verbose=False) uses

    with suppress_stdout_stderr(disable=False):  # llama.cpp logs every tensor to stderr
        failed = llama_cpp.llama_model_quantize(str(gguf).encode(), str(tmp).encode(),
                                                ctypes.byref(params)) != 0
    if failed:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"llama.cpp could not re-quantise {gguf} to Q4_0")
    tmp.replace(target)
    return target


class LlamaCppChatModel(LocalChatBase):
    """A GGUF model on llama.cpp: chat template from the file, greedy or sampled decoding,
    token streaming, ``usage_metadata`` with token counts."""

    repeat_penalty: float = 1.1
    _llama: Any = PrivateAttr()

    def __init__(self, gguf: str | Path, n_ctx: int = 4096, n_threads: int | None = None,
                 prompt_lookup: int = 0, flash_attn: bool = True, **kwargs):
        """``prompt_lookup``: tokens guessed per step by prompt-lookup decoding (a draft
        copied from where the last tokens occur in the prompt, checked in one pass; answers
        that quote their passages come out faster, the text is the same); 0 turns it off."""
        super().__init__(**kwargs)
        from llama_cpp import Llama
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        draft = LlamaPromptLookupDecoding(num_pred_tokens=prompt_lookup) if prompt_lookup else None
        self._llama = Llama(model_path=str(gguf), n_ctx=n_ctx, verbose=False,
                            n_threads=n_threads or os.cpu_count() or 1, draft_model=draft,
                            flash_attn=flash_attn, logits_all=bool(draft))

    @property
    def _llm_type(self) -> str:
        return "groundedchat-llama-cpp"

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs) -> dict:
        temperature = kwargs.get("temperature", self.temperature)
        return dict(
            messages=chat_dicts(messages),
            max_tokens=kwargs.get("max_new_tokens", self.max_new_tokens),
            temperature=temperature, top_p=0.9 if temperature else 1.0,
            top_k=40 if temperature else 1, repeat_penalty=self.repeat_penalty, stop=stop or [],
            seed=0)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        out = self._llama.create_chat_completion(**self._request(messages, stop, **kwargs))
        u = out["usage"]
        msg = AIMessage(content=out["choices"][0]["message"]["content"].strip(),
                        usage_metadata={"input_tokens": u["prompt_tokens"],
                                        "output_tokens": u["completion_tokens"],
                                        "total_tokens": u["total_tokens"]},
                        response_metadata={"model_name": self.model_name,
                                           "finish_reason": out["choices"][0]["finish_reason"]})
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs
                ) -> Iterator[ChatGenerationChunk]:
        n_out, finish = 0, None
        for part in self._llama.create_chat_completion(
                **self._request(messages, stop, **kwargs), stream=True):
            choice = part["choices"][0]
            finish = choice.get("finish_reason") or finish
            piece = choice["delta"].get("content") or ""
            if not piece:
                continue
            n_out += 1  # llama.cpp streams one token per chunk
            yield self._piece(piece, run_manager)
        # the context holds the prompt and the answer, less its last token when the budget
        # ran out (a sampled token is fed back only to sample the next one)
        n_in = max(0, self._llama.n_tokens - n_out + (finish == "length"))
        yield self._usage(n_in, n_out, finish_reason=finish)
