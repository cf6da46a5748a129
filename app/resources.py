"""What the pages share, created once per server process (``st.cache_resource``): settings,
the knowledge base, the judge, chat models and the database.

A chat model placed in ``st.session_state["chat_model"]`` is used instead of the configured
one: that is how tests put LangChain's fake chat model at the LLM boundary.
"""

from __future__ import annotations

import streamlit as st

from chatbot.settings import ChatSettings
from chatbot.storage import Store


@st.cache_resource(show_spinner=False)
def settings() -> ChatSettings:
    return ChatSettings()


@st.cache_resource(show_spinner="Loading the knowledge base...")
def knowledge_base(var_dir: str):
    from chatbot.service import load_knowledge_base

    return load_knowledge_base(settings(), build_if_missing=True, progress=False)


@st.cache_resource(show_spinner="Loading the faithfulness judge...")
def judge(backend: str = "torch"):
    from chatbot.service import load_judge

    return load_judge(settings().model_copy(update={"judge_backend": backend}))


@st.cache_resource(show_spinner="Loading the language model...")
def chat_model(provider: str, temperature: float):
    from chatbot.llm import make_chat_model

    return make_chat_model(settings().model_copy(update={"temperature": temperature}), provider)


@st.cache_resource(show_spinner=False)
def store(url: str) -> Store:
    return Store(url)


def get_store() -> Store:
    return store(settings().db_url)
