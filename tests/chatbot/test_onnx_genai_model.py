"""The ONNX Runtime GenAI backend of the local model on the real SmolLM2-135M GGUF (the test
stand-in for the default Qwen 0.5B): exported once to int4 by the model builder, answers,
streams the same text, stops at stop strings and the token budget, counts tokens."""

import json

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from chatbot.llm import make_chat_model
from chatbot.local_model import SMOLLM2_135M
from chatbot.onnx_genai_model import OnnxGenAIChatModel, onnx_genai_available
from chatbot.settings import ChatSettings

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not onnx_genai_available(), reason="onnxruntime-genai is not installed (a project dependency)")]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return ChatSettings(var_dir=tmp_path_factory.mktemp("var"), local_model=SMOLLM2_135M.name,
                        local_backend="onnx-genai-int4", max_new_tokens=16)


@pytest.fixture(scope="module")
def model(settings):
    return make_chat_model(settings, "local")


def test_exported_once_to_int4_with_the_machines_threads(model, settings):
    import os

    (export,) = settings.var_paths.models.glob("*-int4-onnx")
    config = json.loads((export / "genai_config.json").read_text())["model"]["decoder"]
    assert config["session_options"]["intra_op_num_threads"] == os.cpu_count()
    assert not list(settings.var_paths.models.glob("*.part"))  # no half-made export left
    stamp = (export / "model.onnx").stat().st_mtime_ns
    assert isinstance(make_chat_model(settings, "local"), OnnxGenAIChatModel)
    assert (export / "model.onnx").stat().st_mtime_ns == stamp  # reused, not made again


def test_answers_and_streams_the_same_text(model):
    msgs = [SystemMessage("Answer briefly."), HumanMessage("What colour is the sky?")]
    out = model.invoke(msgs)
    assert out.content.strip() and "<|" not in out.content  # no end token in the text
    assert 0 < out.usage_metadata["output_tokens"] <= 16 < out.usage_metadata["input_tokens"]
    chunks = list(model.stream(msgs))
    assert "".join(c.content for c in chunks).strip() == out.content  # greedy: same text
    (usage,) = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage["input_tokens"] == out.usage_metadata["input_tokens"]
    assert len([c for c in chunks if c.content]) > 1  # streamed token by token
    assert model.count_tokens("hello world") == model.get_num_tokens("hello world") >= 2


def test_stop_strings_and_token_budget(model):
    msgs = [HumanMessage("Count from one to twenty in words, separated by commas.")]
    full = model.invoke(msgs).content  # greedy: every call below is this answer, cut
    short = model.invoke(msgs, max_new_tokens=6)
    assert short.usage_metadata["output_tokens"] <= 6 and full.startswith(short.content)
    word = full.split()[3]
    stopped = model.invoke(msgs, stop=[word]).content
    assert stopped == full[:full.find(word)].strip() and word not in stopped
