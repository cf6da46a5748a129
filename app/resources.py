"""What the pages share, created once per server process (``st.cache_resource``): settings,
the knowledge base, the judge, chat models and the database. Each comes from
``chatbot.service``, the one assembly; this module only caches what it returns.

A chat model placed in ``st.session_state["chat_model"]`` is used instead of the configured
one: that is how tests put LangChain's fake chat model at the LLM boundary.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

import chatbot.service as service
from chatbot.service import Accounts, Store, purge
from chatbot.settings import ChatSettings

RETENTION_EVERY_S = 3600.0


@st.cache_resource(show_spinner=False)
def settings() -> ChatSettings:
    return ChatSettings()


def knowledge_base(var_dir: str):
    """The saved index; while there is none, what the background build has made so far
    (``kb.building`` set), loaded once and caught up with each shard embedded since."""
    s = settings()
    if s.index_built:
        return _saved_index(var_dir)
    return service.catch_up(_building_index(var_dir), s)


@st.cache_resource(show_spinner="Loading the knowledge base...")
def _saved_index(var_dir: str):
    kb = service.load_knowledge_base(settings(), progress=False)
    kb.prepare()  # BM25 now, not in the first answer
    return kb


@st.cache_resource(show_spinner="Preparing the knowledge base...", max_entries=1)
def _building_index(var_dir: str):
    kb = service.load_knowledge_base(settings(), progress=False, background=True)
    kb.prepare()
    return kb


def index_progress() -> dict | None:
    """The background build's progress (done, total, eta_s, running), None when the index
    is built or no build started. A build that stopped (its process gone) is resumed."""
    return service.index_progress(settings())


@st.cache_resource(show_spinner="Loading the faithfulness judge...")
def judge(backend: str = "torch"):
    return service.load_judge(settings().model_copy(update={"judge_backend": backend}))


def chat_model(provider: str, temperature: float):
    """The chat model, one per provider, temperature and local backend: the default ``auto``
    runs llama.cpp until the faster ONNX Runtime GenAI export is made, then that one."""
    return _chat_model(provider, temperature, local_backend())


def local_backend() -> str:
    """The local backend an answer runs on now (``chatbot.service.local_backend``: with
    ``auto`` it starts the ONNX export in the background once the index is built)."""
    return service.local_backend(settings())


@st.cache_resource(show_spinner="Loading the language model...", max_entries=3)
def _chat_model(provider: str, temperature: float, backend: str):
    return service.chat_model(settings(), provider, temperature, backend)


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
