"""The llama.cpp backend of the local model on the real SmolLM2-135M GGUF (the test stand-in
for the default Qwen 0.5B): answers, streams the same text, counts tokens, and is what
``local_backend=auto`` picks when llama-cpp-python is installed (``make setup`` builds it)."""

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from chatbot.llm.factory import LocalChatModel, make_chat_model
from chatbot.llm.gguf import SMOLLM2_135M
from chatbot.llm.llama_cpp import llama_cpp_available
from chatbot.settings import ChatSettings

pytestmark = pytest.mark.skipif(not llama_cpp_available(),
                                reason="llama-cpp-python is not installed (make setup builds it)")


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    settings = ChatSettings(var_dir=tmp_path_factory.mktemp("var"),
                            local_model=SMOLLM2_135M.name, max_new_tokens=16)
    return make_chat_model(settings, "local")


def test_auto_backend_is_llama_cpp_and_answers_and_streams(llama):
    from chatbot.llm.llama_cpp import LlamaCppChatModel

    assert isinstance(llama, LlamaCppChatModel)
    msgs = [SystemMessage("Answer briefly."), HumanMessage("What colour is the sky?")]
    out = llama.invoke(msgs)
    assert out.content.strip()
    assert 0 < out.usage_metadata["output_tokens"] <= 16 < out.usage_metadata["input_tokens"]
    chunks = list(llama.stream(msgs))
    assert "".join(c.content for c in chunks).strip() == out.content  # greedy: same text
    (usage,) = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage["output_tokens"] == len([c for c in chunks if c.content]) > 1
    assert usage["input_tokens"] == out.usage_metadata["input_tokens"]
    assert llama.count_tokens("hello world") == llama.get_num_tokens("hello world") >= 2


def test_stop_sequences_and_token_budget(llama):
    msgs = [HumanMessage("Count from one to twenty in words, separated by commas.")]
    out = llama.invoke(msgs, max_new_tokens=6)
    assert out.usage_metadata["output_tokens"] <= 6
    assert out.response_metadata["finish_reason"] == "length"
    stopped = llama.invoke(msgs, stop=[","])
    assert "," not in stopped.content


def test_transformers_backend_is_the_fallback(tmp_path):
    settings = ChatSettings(var_dir=tmp_path, local_model=SMOLLM2_135M.name,
                            local_backend="transformers", max_new_tokens=16)
    assert isinstance(make_chat_model(settings, "local"), LocalChatModel)


def test_q4_0_requantisation_is_made_once_and_answers(tmp_path):
    from gguf import GGUFReader

    from chatbot.llm.llama_cpp import LlamaCppChatModel

    settings = ChatSettings(var_dir=tmp_path, local_model=SMOLLM2_135M.name, max_new_tokens=16,
                            local_quant="q4_0")
    llm = make_chat_model(settings, "local")
    (made,) = settings.var_paths.models.glob("*-q4_0.gguf")
    types = {t.name: t.tensor_type.name for t in GGUFReader(made).tensors}
    assert types["output.weight" if "output.weight" in types else "token_embd.weight"] == "Q4_0"
    assert {v for k, v in types.items() if k.endswith("attn_q.weight")} == {"Q4_0"}
    assert isinstance(llm, LlamaCppChatModel) and llm.invoke("Hi").content.strip()
    stamp = made.stat().st_mtime_ns
    make_chat_model(settings, "local")
    assert made.stat().st_mtime_ns == stamp  # reused, not made again
