"""The one assembly: settings -> knowledge base, judge, chat model (with the local fallback)
-> bot, and the background work behind them (the index build, the local model's export).

The CLI, the app and tests ask this module for every heavy resource and for what they show
of the chatbot; the app imports nothing else of ``chatbot`` but ``settings`` and ``turn``
(ARCHITECTURE.md). The app caches what these functions return; nothing here is cached.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from chatbot.access import (
    VISITOR,
    Accounts,
    LoginRefused,
    User,
    delete_conversation,
    describe,
    is_local_request,
    purge,
)
from chatbot.chain.judge import load_judge
from chatbot.chain.questions import QuestionError, check_question
from chatbot.chain.rag import RAGChatbot
from chatbot.llm.factory import make_chat_model, resolve_local_backend
from chatbot.retrieval import index_build
from chatbot.retrieval.documents import SUFFIXES, DocumentError, load_bytes, medquad_documents
from chatbot.retrieval.index_build import catch_up, paused
from chatbot.retrieval.knowledge_base import KnowledgeBase, local_embeddings, open_saved_index
from chatbot.settings import ChatSettings
from chatbot.storage.store import Store


def load_knowledge_base(settings: ChatSettings, build_if_missing: bool = True,
                        progress: bool = True, background: bool = False) -> KnowledgeBase:
    """The saved index. When there is none and ``build_if_missing``: with ``background``, a
    build of the bundled MedQuAD corpus starts in its own process
    (``chatbot.retrieval.index_build``) and what it has made so far comes back at once (BM25
    over every chunk, dense search over the part embedded; ``kb.building`` says how far);
    without, it is built here first (resuming a stopped build), with a progress bar when
    ``progress``."""
    embeddings = local_embeddings(settings)
    kb = open_saved_index(settings, embeddings)
    if kb is None and not build_if_missing:
        raise FileNotFoundError(f"no index in {settings.index_dir}: run "
                                "python -m chatbot.retrieval.index_build")
    if kb is None and background:
        if index_build.read_progress(settings) is None:  # else the build checks its plan
            index_build.plan(medquad_documents(), settings.var_paths.index_build, embeddings,
                             settings.chunk_size, settings.chunk_overlap)
        index_build.start_background_build(settings)
        try:
            kb = index_build.partial_knowledge_base(settings, embeddings)
        except OSError:  # the build finished (and tidied up) just now
            kb = None
        kb = kb or open_saved_index(settings, embeddings)
    if kb is None:
        from tqdm.auto import tqdm

        bar = tqdm(unit="chunk", desc="embedding", disable=not progress)

        def show(p: dict) -> None:
            bar.total, bar.n = p["total"], p["done"]
            bar.refresh()

        kb = index_build.build(settings, embeddings=embeddings, on_progress=show)
        bar.close()
    kb.dense_weight = settings.dense_weight
    return kb


def build_chatbot(settings: ChatSettings, kb: KnowledgeBase | None = None, judge=None,
                  llm: BaseChatModel | None = None, use_judge: bool = True,
                  fallback: Callable[[], BaseChatModel] | None = None,
                  provider: str | None = None) -> RAGChatbot:
    """The one assembly of the chatbot (CLI, app and tests): a ready RAGChatbot. Pieces passed
    in are used as they are (the app passes its cached ones); missing ones are loaded from
    ``settings``. ``fallback`` builds the local model used when a remote one fails (default:
    a new local model); ``provider`` names the provider of ``llm`` (default: the settings')."""
    kb = kb or load_knowledge_base(settings, background=True)
    if judge is None and use_judge:
        judge = load_judge(settings)
    provider = provider or settings.provider
    llm = llm or make_chat_model(settings, provider)

    def local() -> BaseChatModel:
        return make_chat_model(settings, "local")

    return RAGChatbot(kb, judge, llm, settings, fallback=fallback or local, provider=provider)


def index_progress(settings: ChatSettings) -> dict | None:
    """The background index build's progress (done, total, eta_s, running), None when the
    index is built or no build started. A build that stopped (its process gone) or paused is
    resumed."""
    progress = None if settings.index_built else index_build.read_progress(settings)
    if progress is not None:
        progress["running"] = index_build.start_background_build(settings)
    return progress


def local_backend(settings: ChatSettings) -> str:
    """The local backend an answer runs on now. With ``auto``, once the index is built (not
    to slow its build down), the ONNX export starts in the background if it is not made."""
    from chatbot.llm.onnx_genai import onnx_genai_available, start_background_export

    backend = resolve_local_backend(settings)
    if (settings.local_backend == "auto" and backend != "onnx-genai-int4"
            and onnx_genai_available() and settings.index_built):
        start_background_export(settings)
    return backend


def chat_model(settings: ChatSettings, provider: str, temperature: float,
               backend: str) -> BaseChatModel:
    """The chat model for ``provider`` at ``temperature`` on the local ``backend``."""
    update = {"temperature": temperature, "local_backend": backend}
    return make_chat_model(settings.model_copy(update=update), provider)


def summarise(llm: BaseChatModel, text: str, title: str, judge):
    """A map-reduce summary of ``text`` with reader questions, judged against the text
    (``chatbot.chain.summarize``)."""
    from chatbot.chain.summarize import MapReduceSummarizer, judge_summary

    counter = getattr(llm, "count_tokens", None) or (lambda t: len(t.split()) * 4 // 3)
    result = MapReduceSummarizer(llm, counter)(text, title)
    judge_summary(result, text, judge)
    return result


__all__ = [
    # the assembly and its resources
    "build_chatbot", "catch_up", "chat_model", "index_progress", "load_judge",
    "load_knowledge_base", "local_backend", "paused", "summarise", "Store", "Accounts",
    # what the app shows and checks
    "RAGChatbot", "KnowledgeBase", "check_question", "QuestionError", "SUFFIXES",
    "DocumentError", "load_bytes", "VISITOR", "LoginRefused", "User", "is_local_request",
    "delete_conversation", "describe", "purge",
]
