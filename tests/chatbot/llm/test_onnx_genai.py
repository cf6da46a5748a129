"""The ONNX Runtime GenAI backend of the local model on the real SmolLM2-135M GGUF (the test
stand-in for the default Qwen 0.5B): exported once to int4 by the model builder with logits
for the last token only, answers, streams the same text, stops at stop strings and the token
budget, counts tokens, and reads the prompt prefix it shares with the last call from its KV
cache without changing the answer."""

import json
import os
import time

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from chatbot.jobs.background import live_pid
from chatbot.llm.factory import make_chat_model, resolve_local_backend
from chatbot.llm.gguf import SMOLLM2_135M
from chatbot.llm.onnx_genai import (
    EXPORT_FAILED,
    EXPORT_PID,
    OnnxGenAIChatModel,
    export_ready,
    main,
    onnx_genai_available,
    start_background_export,
)
from chatbot.settings import ChatSettings

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not onnx_genai_available(), reason="onnxruntime-genai is not installed (a project dependency)")]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return ChatSettings(var_dir=tmp_path_factory.mktemp("var"), local_model=SMOLLM2_135M.name,
                        local_backend="onnx-genai-int4", max_new_tokens=16)


@pytest.fixture(scope="module")
def exported(settings, tmp_path_factory):
    """The export made as the app makes it: the chat page asks which backend to run, and with
    ``auto`` and the index built, a detached process starts making it at low priority. What
    the app resolved before and after, and the pids seen."""
    import streamlit as st

    from app import resources
    from chatbot.retrieval.ingest import ingest
    from tests.chatbot.retrieval.test_ingest import write_leaflets

    ingest([write_leaflets(tmp_path_factory.mktemp("docs"))], settings, progress=False)
    auto = settings.model_copy(update={"local_backend": "auto"})
    pid_file = settings.var_paths.models / EXPORT_PID
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GC_VAR_DIR", str(settings.var_dir))
        env.setenv("GC_LOCAL_MODEL", settings.local_model)
        env.delenv("GC_LOCAL_BACKEND", raising=False)
        st.cache_resource.clear()
        seen = {"before": resources.local_backend(), "pid": live_pid(pid_file)}
        seen["again"] = start_background_export(auto)  # running: no second process
        seen["pid_again"] = live_pid(pid_file)
        deadline = time.monotonic() + 600
        while not export_ready(auto) and time.monotonic() < deadline:
            time.sleep(0.5)
        while live_pid(pid_file) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        seen["after"] = resources.local_backend()
        seen["app_model"] = type(resources.chat_model("local", 0.0))
        seen["after_start"] = start_background_export(auto)
        st.cache_resource.clear()
    return seen


@pytest.fixture(scope="module")
def model(settings, exported):
    return make_chat_model(settings, "local")


def test_the_app_has_it_made_in_the_background_then_runs_it(exported, settings):
    assert exported["before"] in ("llama-cpp", "transformers")  # no export yet
    assert exported["pid"] is not None  # ... and the app started making it
    assert exported["again"] and exported["pid_again"] == exported["pid"]
    assert exported["after"] == "onnx-genai-int4"  # auto runs it once it is made
    assert exported["app_model"] is OnnxGenAIChatModel
    assert exported["after_start"] is False  # made: nothing started
    log = (settings.var_dir / "onnx_export.log").read_text()
    assert "int4-last-logits-onnx" in log  # the command says where it put it


def test_a_failed_export_is_kept_and_not_started_again(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GC_LOCAL_MODEL", str(tmp_path / "missing.gguf"))
    assert main(["--var-dir", str(tmp_path / "var")]) == 1
    assert "the export failed" in capsys.readouterr().err
    settings = ChatSettings(var_dir=tmp_path / "var")
    assert (settings.var_paths.models / EXPORT_FAILED).read_text().strip()
    assert start_background_export(settings) is False
    assert not (settings.var_paths.models / EXPORT_PID).exists()  # nothing was started
    assert resolve_local_backend(settings) != "onnx-genai-int4"


def test_exported_once_to_int4_with_the_machines_threads(model, settings):
    import onnx

    (export,) = settings.var_paths.models.glob("*-int4-last-logits-onnx")
    config = json.loads((export / "genai_config.json").read_text())["model"]["decoder"]
    assert config["session_options"]["intra_op_num_threads"] == os.cpu_count()
    graph = onnx.load(export / "model.onnx", load_external_data=False).graph
    (logits,) = [o for o in graph.output if o.name == "logits"]
    assert logits.type.tensor_type.shape.dim[1].dim_value == 1  # the last token's only
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


def test_the_shared_prompt_prefix_comes_from_the_kept_cache(settings, model):
    system = SystemMessage("You are a helpful assistant. Answer in one short sentence.")
    questions = ["What is the capital of France?", "What do bees make?",
                 "Name a colour of the rainbow."]
    fresh = []
    for q in questions:  # each on a model of its own: no kept cache
        own = make_chat_model(settings, "local")
        out = own.invoke([system, HumanMessage(q)])
        assert out.usage_metadata["input_token_details"]["cache_read"] == 0
        fresh.append(out.content)
    shared_prefix = len(model._tokenizer.apply_chat_template(
        [{"role": "system", "content": system.content}], tokenize=True,
        return_dict=True)["input_ids"])
    model.invoke([system, HumanMessage("Hello.")])  # the kept cache now starts with system
    for q, expected in zip(questions + questions[:1], fresh + fresh[:1], strict=True):
        chunks = list(model.stream([system, HumanMessage(q)]))
        (usage,) = [c.usage_metadata for c in chunks if c.usage_metadata]
        assert "".join(c.content for c in chunks).strip() == expected  # same answer
        assert usage["input_token_details"]["cache_read"] >= shared_prefix - 2
        assert usage["input_token_details"]["cache_read"] < usage["input_tokens"]
    again = model.invoke([system, HumanMessage(questions[0])])  # the very same prompt:
    assert again.content == fresh[0]  # its last two tokens are read anew
    assert again.usage_metadata["input_token_details"]["cache_read"] == \
        again.usage_metadata["input_tokens"] - 2
