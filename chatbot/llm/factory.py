"""Chat models: the offline local model as a LangChain chat model, and the provider factory.

``local`` (default): ``LocalChatModel`` over a GGUF model loaded with transformers (see
``chatbot.llm.gguf``), streaming tokens. ``openai``: ``langchain_openai.ChatOpenAI`` with
OPENAI_API_KEY and optionally OPENAI_BASE_URL (vLLM, Ollama, llama.cpp server, ...).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from chatbot.llm.base import LocalChatBase, chat_dicts, local_gguf
from chatbot.llm.gguf import load_causal_lm
from chatbot.settings import ChatSettings


class LocalChatModel(LocalChatBase):
    """A transformers causal LM as a LangChain chat model (chat template, greedy or sampled
    decoding, token streaming, ``usage_metadata`` with token counts)."""

    _model: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()

    def __init__(self, model, tokenizer, **kwargs):
        super().__init__(**kwargs)
        self._model, self._tokenizer = model, tokenizer

    @classmethod
    def from_source(cls, source: str, cache_dir: Path, dtype: str = "bfloat16",
                    int8: bool = False, **kwargs) -> LocalChatModel:
        """Load a known GGUF source (``SOURCES``) or a ``.gguf`` path, verified and cached,
        in ``dtype``; ``int8``: then quantise its linear layers dynamically (PyTorch)."""
        model, tokenizer = load_causal_lm(local_gguf(source, cache_dir), cache_dir, dtype)
        if int8:
            import torch

            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear},
                                                           dtype=torch.qint8)
        return cls(model, tokenizer, model_name=kwargs.pop("model_name", source), **kwargs)

    @property
    def _llm_type(self) -> str:
        return "groundedchat-local"

    @property
    def tokenizer(self):
        return self._tokenizer

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _inputs(self, messages: list[BaseMessage]):
        chat = chat_dicts(messages)
        ids = self._tokenizer.apply_chat_template(chat, add_generation_prompt=True,
                                                  return_tensors="pt", return_dict=True)
        return ids

    def _gen_kwargs(self, inputs, stop: list[str] | None, **kwargs) -> dict:
        temperature = kwargs.get("temperature", self.temperature)
        gk = dict(**inputs, max_new_tokens=kwargs.get("max_new_tokens", self.max_new_tokens),
                  pad_token_id=self._tokenizer.eos_token_id)
        if temperature and temperature > 0:
            gk.update(do_sample=True, temperature=temperature, top_p=0.9)
        else:
            gk.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if stop:
            gk["stop_strings"], gk["tokenizer"] = stop, self._tokenizer
        return gk

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        import torch

        inputs = self._inputs(messages)
        n_in = int(inputs["input_ids"].shape[1])
        with torch.inference_mode():
            out = self._model.generate(**self._gen_kwargs(inputs, stop, **kwargs))
        new = out[0, n_in:]
        text = self._tokenizer.decode(new, skip_special_tokens=True).strip()
        usage = {"input_tokens": n_in, "output_tokens": int(new.shape[0]),
                 "total_tokens": n_in + int(new.shape[0])}
        msg = AIMessage(content=text, usage_metadata=usage,
                        response_metadata={"model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs
                ) -> Iterator[ChatGenerationChunk]:
        import torch
        from transformers import TextIteratorStreamer

        inputs = self._inputs(messages)
        n_in = int(inputs["input_ids"].shape[1])
        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True,
                                        skip_special_tokens=True)
        gk = self._gen_kwargs(inputs, stop, **kwargs) | {"streamer": streamer}

        def work():
            with torch.inference_mode():
                self._model.generate(**gk)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        produced = []
        for piece in streamer:
            if not piece:
                continue
            produced.append(piece)
            yield self._piece(piece, run_manager)
        thread.join()
        yield self._usage(n_in, self.count_tokens("".join(produced)))


def resolve_local_backend(settings: ChatSettings) -> str:
    """The backend ``local_chat_model`` runs: ``settings.local_backend``, or for ``auto``:
    ONNX Runtime GenAI once its int4 export is made (``chatbot.llm.onnx_genai``; the app
    makes it in the background), else llama.cpp when llama-cpp-python is installed, else
    transformers."""
    from chatbot.llm.llama_cpp import llama_cpp_available
    from chatbot.llm.onnx_genai import export_ready, onnx_genai_available

    if settings.local_backend != "auto":
        return settings.local_backend
    if onnx_genai_available() and export_ready(settings):
        return "onnx-genai-int4"
    return "llama-cpp" if llama_cpp_available() else "transformers"


def local_chat_model(settings: ChatSettings) -> BaseChatModel:
    """``settings.local_model`` on ``resolve_local_backend(settings)``."""
    from chatbot.llm.llama_cpp import LlamaCppChatModel, requantise_q4_0

    backend = resolve_local_backend(settings)
    common = dict(max_new_tokens=settings.max_new_tokens, temperature=settings.temperature)
    if backend == "llama-cpp":
        gguf = local_gguf(settings.local_model, settings.var_paths.models)
        if settings.local_quant == "q4_0":
            gguf = requantise_q4_0(gguf, settings.var_paths.models)
        return LlamaCppChatModel(gguf, model_name=settings.local_model, **common)
    if backend == "onnx-genai-int4":
        from chatbot.llm.onnx_genai import OnnxGenAIChatModel, int4_model_dir

        gguf = local_gguf(settings.local_model, settings.var_paths.models)
        return OnnxGenAIChatModel(int4_model_dir(gguf, settings.var_paths.models),
                                  model_name=settings.local_model, **common)
    int8 = backend == "transformers-int8"
    return LocalChatModel.from_source(settings.local_model, settings.var_paths.models,
                                      dtype="float32" if int8 else "bfloat16", int8=int8,
                                      **common)


def make_chat_model(settings: ChatSettings, provider: str | None = None) -> BaseChatModel:
    """The chat model for ``provider`` (default: ``settings.provider``)."""
    provider = provider or settings.provider
    if provider == "local":
        return local_chat_model(settings)
    if provider == "openai":
        if not settings.openai_api_key and not settings.openai_base_url:
            raise ValueError("the openai provider needs OPENAI_API_KEY (and OPENAI_BASE_URL for "
                             "an OpenAI-compatible server)")
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=settings.openai_model, base_url=settings.openai_base_url,
                          api_key=settings.openai_api_key or "not-needed",
                          temperature=settings.temperature, timeout=settings.llm_timeout_s,
                          max_retries=1, max_completion_tokens=settings.max_new_tokens)
    raise ValueError(f"unknown provider {provider!r}: local or openai")
