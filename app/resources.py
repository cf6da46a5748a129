"""What the pages share, created once per server process (``st.cache_resource``): settings,
the knowledge base, the judge, chat models and the database.

A chat model placed in ``st.session_state["chat_model"]`` is used instead of the configured
one: that is how tests put LangChain's fake chat model at the LLM boundary.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

from chatbot.access import Accounts, purge
from chatbot.settings import ChatSettings
from chatbot.storage.store import Store

RETENTION_EVERY_S = 3600.0


@st.cache_resource(show_spinner=False)
def settings() -> ChatSettings:
    return ChatSettings()


def knowledge_base(var_dir: str):
    """The saved index; while there is none, what the background build has made so far
    (``kb.building`` set), loaded once and caught up with each shard embedded since."""
    from chatbot.retrieval.index_build import catch_up

    s = settings()
    if s.index_built:
        return _saved_index(var_dir)
    return catch_up(_building_index(var_dir), s)


@st.cache_resource(show_spinner="Loading the knowledge base...")
def _saved_index(var_dir: str):
    from chatbot.service import load_knowledge_base

    kb = load_knowledge_base(settings(), progress=False)
    kb.prepare()  # BM25 now, not in the first answer
    return kb


@st.cache_resource(show_spinner="Preparing the knowledge base...", max_entries=1)
def _building_index(var_dir: str):
    from chatbot.service import load_knowledge_base

    kb = load_knowledge_base(settings(), progress=False, background=True)
    kb.prepare()
    return kb


def index_progress() -> dict | None:
    """The background build's progress (done, total, eta_s, running), None when the index
    is built or no build started. A build that stopped (its process gone) is resumed."""
    from chatbot.retrieval.index_build import read_progress, start_background_build

    s = settings()
    progress = None if s.index_built else read_progress(s)
    if progress is not None:
        progress["running"] = start_background_build(s)  # resumes a stopped or paused one
    return progress


@st.cache_resource(show_spinner="Loading the faithfulness judge...")
def judge(backend: str = "torch"):
    from chatbot.service import load_judge

    return load_judge(settings().model_copy(update={"judge_backend": backend}))


def chat_model(provider: str, temperature: float):
    """The chat model, one per provider, temperature and local backend: the default ``auto``
    runs llama.cpp until the faster ONNX Runtime GenAI export is made, then that one."""
    return _chat_model(provider, temperature, local_backend())


def local_backend() -> str:
    """The local backend an answer runs on now. With ``auto``, once the index is built (not
    to slow its build down), the ONNX export starts in the background if it is not made."""
    from chatbot.llm.factory import resolve_local_backend
    from chatbot.llm.onnx_genai import onnx_genai_available, start_background_export

    s = settings()
    backend = resolve_local_backend(s)
    if (s.local_backend == "auto" and backend != "onnx-genai-int4" and onnx_genai_available()
            and s.index_built):
        start_background_export(s)
    return backend


@st.cache_resource(show_spinner="Loading the language model...", max_entries=3)
def _chat_model(provider: str, temperature: float, backend: str):
    from chatbot.llm.factory import make_chat_model

    update = {"temperature": temperature, "local_backend": backend}
    return make_chat_model(settings().model_copy(update=update), provider)


@st.cache_resource(show_spinner=False)
def store(url: str) -> Store:
    return Store(url)


def get_store() -> Store:
    return store(settings().db_url)


@st.cache_resource(show_spinner=False)
def _accounts(url: str) -> Accounts:
    return Accounts(store(url))


def accounts() -> Accounts:
    return _accounts(settings().db_url)


@st.cache_resource(show_spinner=False)
def _last_purge() -> dict:
    return {"at": 0.0}


def enforce_retention() -> None:
    """Delete conversations past ``retention_days``: at the server's first run and then at
    most hourly. A failure (database down) is logged, never shown to a visitor."""
    last = _last_purge()
    if time.time() - last["at"] < RETENTION_EVERY_S:
        return
    last["at"] = time.time()
    try:
        counts = purge(get_store(), settings().retention_days)
    except Exception as e:
        logging.getLogger(__name__).warning("retention purge failed: %s", e)
        return
    if counts["conversations"]:
        logging.getLogger(__name__).info("retention: deleted %s", counts)
