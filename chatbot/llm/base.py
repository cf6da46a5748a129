"""What every local chat backend builds on, and where its GGUF file comes from.

``LocalChatBase`` (generation settings, the model's own token counter, streamed chunks with
token counts) and ``local_gguf`` / ``gguf_stem`` (a known source's verified file, or a
``.gguf`` path). The backends (``chatbot.llm.factory.LocalChatModel`` on transformers,
``chatbot.llm.llama_cpp``, ``chatbot.llm.onnx_genai``) import this module and never the
factory in ``chatbot.llm.factory`` that chooses among them, so no backend imports back its chooser.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import ConfigDict

from chatbot.llm.gguf import SOURCES, GGUFSource, assemble_gguf

_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


def chat_dicts(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the ``{"role", "content"}`` dicts that chat templates (and the
    local backends) take; any other message type counts as the user's."""
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


class LocalChatBase(BaseChatModel):
    """What the local backends share: their generation settings, their own token counter
    (which LangChain and ``chatbot.chain.context_budget`` use), and the streamed chunks: one per
    text piece, then an empty one with the token counts (``usage_metadata``)."""

    model_name: str = "local"
    max_new_tokens: int = 384
    temperature: float = 0.0
    model_config = ConfigDict(arbitrary_types_allowed=True)

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` with this model's own tokenizer."""
        raise NotImplementedError

    def get_num_tokens(self, text: str) -> int:  # LangChain's counter would download GPT-2
        return self.count_tokens(text)

    @staticmethod
    def _piece(piece: str, run_manager: CallbackManagerForLLMRun | None
               ) -> ChatGenerationChunk:
        chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
        if run_manager:
            run_manager.on_llm_new_token(piece, chunk=chunk)
        return chunk

    def _usage(self, n_in: int, n_out: int, input_token_details: dict | None = None,
               **metadata) -> ChatGenerationChunk:
        usage = {"input_tokens": n_in, "output_tokens": n_out, "total_tokens": n_in + n_out}
        if input_token_details:
            usage["input_token_details"] = input_token_details
        return ChatGenerationChunk(message=AIMessageChunk(
            content="", usage_metadata=usage,
            response_metadata={"model_name": self.model_name, **metadata}))


def _known_source(source: str) -> GGUFSource:
    if source not in SOURCES:
        raise ValueError(f"unknown local model {source!r}: one of {', '.join(SOURCES)} "
                         "or a path to a .gguf file")
    return SOURCES[source]


def gguf_stem(source: str) -> str:
    """The file name, without ``.gguf``, that ``local_gguf(source, ...)`` returns, found
    without joining or checking the file."""
    if source.endswith(".gguf"):
        return Path(source).stem
    known = _known_source(source)
    if len(known.parts) == 1 and known.sha256 is None:  # the package's own file
        return Path(known.parts[0][1]).stem
    return known.name


def local_gguf(source: str, cache_dir: Path) -> Path:
    """The GGUF file of a known source (``SOURCES``, verified and cached) or a ``.gguf``
    path."""
    if source.endswith(".gguf"):
        return Path(source)
    return assemble_gguf(_known_source(source), cache_dir)
