"""Wiring: settings -> knowledge base, judge, chat model (with the local fallback) -> bot."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from chatbot.chain import RAGChatbot
from chatbot.ingest import ingest
from chatbot.knowledge_base import KnowledgeBase, local_embeddings, open_saved_index
from chatbot.llm import make_chat_model
from chatbot.settings import ChatSettings


def load_knowledge_base(settings: ChatSettings, build_if_missing: bool = True,
                        progress: bool = True) -> KnowledgeBase:
    """The saved index; built from the bundled MedQuAD corpus first when there is none."""
    embeddings = local_embeddings()
    kb = open_saved_index(settings, embeddings)
    if kb is None:
        if not build_if_missing:
            raise FileNotFoundError(f"no index in {settings.index_dir}: run "
                                    "python -m chatbot.ingest")
        ingest([], settings, embeddings=embeddings, progress=progress)
        kb = open_saved_index(settings, embeddings)
    kb.dense_weight = settings.dense_weight
    return kb


def load_judge(settings: ChatSettings):
    """The shipped faithfulness judge on ``settings.judge_backend``."""
    from nli_judge import FaithfulnessJudge, NLIModel

    nli = NLIModel.load(backend=settings.judge_backend, onnx_cache=settings.var_paths.onnx)
    return FaithfulnessJudge.load(nli)


def build_chatbot(settings: ChatSettings, kb: KnowledgeBase | None = None, judge=None,
                  llm: BaseChatModel | None = None, use_judge: bool = True,
                  fallback: Callable[[], BaseChatModel] | None = None,
                  provider: str | None = None) -> RAGChatbot:
    """The one assembly of the chatbot (CLI, app and tests): a ready RAGChatbot. Pieces passed
    in are used as they are (the app passes its cached ones); missing ones are loaded from
    ``settings``. ``fallback`` builds the local model used when a remote one fails (default:
    a new local model); ``provider`` names the provider of ``llm`` (default: the settings')."""
    kb = kb or load_knowledge_base(settings)
    if judge is None and use_judge:
        judge = load_judge(settings)
    provider = provider or settings.provider
    llm = llm or make_chat_model(settings, provider)

    def local() -> BaseChatModel:
        return make_chat_model(settings, "local")

    return RAGChatbot(kb, judge, llm, settings, fallback=fallback or local, provider=provider)
