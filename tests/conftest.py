"""Test settings: no network, no telemetry; shared fixtures."""

import os
from pathlib import Path

for key, value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "RAGAS_DO_NOT_TRACK": "true",
    "TOKENIZERS_PARALLELISM": "false",
    "DEEPEVAL_TELEMETRY_OPT_OUT": "YES",
    "DEEPEVAL_UPDATE_WARNING_OPT_IN": "NO",
}.items():
    os.environ.setdefault(key, value)
# One cache of ONNX exports for every test's var folder (an export takes ~10 s).
os.environ.setdefault("GC_ONNX_CACHE", str(Path(__file__).resolve().parents[1] / "var" / "onnx"))


import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def tiny_mnli() -> Path:
    """40 MNLI training rows (TSV, with bare quotes in the text)."""
    return FIXTURES / "mnli_tiny.tsv"


@pytest.fixture(scope="session")
def base_model_path() -> str:
    from nli_judge.model.base_models import resolve_base_model

    return resolve_base_model("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def tokenizer(base_model_path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(base_model_path)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, tiny_mnli):
    """A real 4-step training run (MiniLM, Trainer, MLflow in sqlite) on 40 pairs."""
    from nli_judge.training.train import main

    out = tmp_path_factory.mktemp("run")
    db = out / "mlflow.db"
    main([
        "--train-file", str(tiny_mnli), "--validation-file", str(tiny_mnli),
        "--max-steps", "4", "--per-device-train-batch-size", "8", "--logging-steps", "1",
        "--output-dir", str(out), "--tracking-uri", f"sqlite:///{db}",
        "--experiment-name", "test", "--run-name", "tiny",
    ])
    return out


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """A var folder with the three test leaflets indexed, the app's settings pointed at it
    and Streamlit's resource cache cleared around the test."""
    import streamlit as st

    from chatbot.retrieval.ingest import ingest
    from chatbot.settings import ChatSettings
    from tests.chatbot.retrieval.test_ingest import write_leaflets

    var = tmp_path / "var"
    ingest([write_leaflets(tmp_path / "docs")], ChatSettings(var_dir=var), progress=False)
    monkeypatch.setenv("GC_VAR_DIR", str(var))
    monkeypatch.setenv("GC_GUARD", "warn")
    monkeypatch.setenv("GC_QUOTE_SENTENCES", "0")  # the model's own sentences, as written
    # the chat page loads the local model while a question is typed: the 135M test model,
    # not the 0.5B one (tests that ask put a fake chat model in its place)
    monkeypatch.setenv("GC_LOCAL_MODEL", "smollm2-135m-instruct")
    # llama.cpp, named: with auto the app would start making the ONNX export in the background
    # (tested in tests/chatbot/llm/test_onnx_genai.py)
    monkeypatch.setenv("GC_LOCAL_BACKEND", "llama-cpp")
    st.cache_resource.clear()
    yield var
    st.cache_resource.clear()


@pytest.fixture
def on_this_machine(monkeypatch):
    """The app opened in a browser on its own machine. AppTest gives no real client address
    (a mock object), so every AppTest user is a remote visitor unless this says otherwise;
    the real-browser test covers the real address check."""
    monkeypatch.setattr("app.access.on_this_machine", lambda: True)
