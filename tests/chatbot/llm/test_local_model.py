"""The real local provider path: a GGUF file from a PyPI package, transformers, streaming.
SmolLM2-135M stands in for the default 0.5B model (same code path, seconds instead of a
minute)."""

import hashlib

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from chatbot.llm.factory import LocalChatModel
from chatbot.llm.gguf import SMOLLM2_135M, GGUFSource, ModelFileError, assemble_gguf


@pytest.fixture(scope="module")
def smol(tmp_path_factory):
    cache = tmp_path_factory.mktemp("models")
    return LocalChatModel.from_source(SMOLLM2_135M.name, cache, max_new_tokens=12), cache


def test_local_model_answers_and_streams(smol):
    llm, cache = smol
    msgs = [SystemMessage("Answer briefly."), HumanMessage("What colour is the sky?")]
    out = llm.invoke(msgs)
    assert out.content.strip() and out.usage_metadata["output_tokens"] <= 12
    assert out.usage_metadata["input_tokens"] > 5
    chunks = list(llm.stream(msgs))
    assert "".join(c.content for c in chunks).strip() == out.content  # greedy: same text
    assert len([c for c in chunks if c.content]) > 1
    assert llm.count_tokens("hello world") == llm.get_num_tokens("hello world") >= 2
    # the converted weights were cached as safetensors for the next start
    assert list(cache.glob("*/model.safetensors"))


def test_sha256_check_rejects_a_corrupted_file(tmp_path, monkeypatch):
    import chatbot.llm.gguf as lm

    part = tmp_path / "pkg" / "part01.bin"
    part.parent.mkdir()
    part.write_bytes(b"GGUF" + b"\x00" * 100)
    monkeypatch.setattr(lm, "_package_file", lambda package, rel: part)
    good = lm.sha256_file(part)
    src = GGUFSource("fake", (("pkg", "part01.bin"), ("pkg", "part01.bin")), good)
    with pytest.raises(ModelFileError, match="sha256"):
        assemble_gguf(src, tmp_path / "cache")  # two parts joined != one part's hash
    assert not (tmp_path / "cache" / "fake.gguf").exists()  # the bad file is removed
    ok = GGUFSource("fake1", (("pkg", "part01.bin"),) * 2,
                    hashlib.sha256(part.read_bytes() * 2).hexdigest())
    assert assemble_gguf(ok, tmp_path / "cache").read_bytes() == part.read_bytes() * 2


def test_missing_package_is_a_clear_error(tmp_path):
    src = GGUFSource("nope", (("no_such_model_package", "x.bin"),), "0" * 64)
    with pytest.raises(ModelFileError, match="not installed"):
        assemble_gguf(src, tmp_path)
