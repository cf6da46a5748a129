"""The one assembly: settings -> knowledge base, judge, chat model (with the local fallback)
-> bot. ``load_knowledge_base``, ``load_judge`` and ``build_chatbot`` are the chatbot's public
face for the CLI, the app and tests."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from chatbot.chain.judge import load_judge
from chatbot.chain.rag import RAGChatbot
from chatbot.llm.factory import make_chat_model
from chatbot.retrieval import index_build
from chatbot.retrieval.documents import medquad_documents
from chatbot.retrieval.knowledge_base import KnowledgeBase, local_embeddings, open_saved_index
from chatbot.settings import ChatSettings


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


__all__ = ["build_chatbot", "load_judge", "load_knowledge_base"]
