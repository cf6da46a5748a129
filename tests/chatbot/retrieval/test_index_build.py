"""The background index build: shards, progress, resume after a stop, answering from what is
ready, and the finished index, on a small real corpus (MiniLM on ONNX Runtime, FAISS, BM25)."""

import json
import os
import signal
import time

import numpy as np
import pytest
from langchain_core.language_models import FakeListChatModel

from chatbot.chain.rag import RAGChatbot
from chatbot.retrieval import index_build
from chatbot.retrieval.documents import medquad_documents
from chatbot.retrieval.knowledge_base import KnowledgeBase, open_saved_index
from chatbot.settings import ChatSettings
from tests.chatbot.conftest import leaflet_docs


class Stop(Exception):
    pass


class CountingEmbeddings:
    """The real embeddings, counting the texts embedded."""

    def __init__(self, inner):
        self.inner, self.texts = inner, 0
        self.int8 = getattr(inner, "int8", False)

    def embed_documents(self, texts):
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def corpus():
    return leaflet_docs() + [d for d in medquad_documents(60) if len(d.page_content) < 2500][:12]


def stop_after(shards: int):
    seen = []

    def on_progress(p):
        seen.append(p)
        if len(seen) == shards:
            raise Stop

    return on_progress, seen


def test_build_stops_resumes_where_it_stopped_and_matches_a_direct_build(
        tmp_path, monkeypatch, corpus, embeddings):
    monkeypatch.setattr(index_build, "SHARD", 8)
    settings = ChatSettings(var_dir=tmp_path / "var")
    counting = CountingEmbeddings(embeddings)
    on_progress, seen = stop_after(2)
    with pytest.raises(Stop):
        index_build.build(settings, corpus, counting, on_progress=on_progress)
    total = seen[0]["total"]
    assert total > 24 and [p["done"] for p in seen] == [8, 16]
    progress = index_build.read_progress(settings)
    assert progress["done"] == 16 and progress["total"] == total and not progress["running"]
    assert progress["chunks_per_s"] > 0 and progress["eta_s"] >= 0
    assert not (settings.index_dir / "manifest.json").exists()

    counting.texts = 0
    kb = index_build.build(settings, corpus, counting)
    assert counting.texts == total - 16  # only the shards that were missing
    assert not settings.var_paths.index_build.exists()
    saved = open_saved_index(settings, embeddings)
    direct = KnowledgeBase.build(corpus, embeddings)
    assert saved.documents() == direct.documents() == kb.documents()
    q = "How often should I use my reliever inhaler before seeing a GP?"
    for mode in ("dense", "sparse", "hybrid"):
        got = [(h.document.metadata["doc_id"], h.document.metadata["chunk"])
               for h in saved.search(q, 5, mode)]
        want = [(h.document.metadata["doc_id"], h.document.metadata["chunk"])
                for h in direct.search(q, 5, mode)]
        assert got == want
    # bf16 vectors depend a little on what else is in the batch (shards vs one build)
    assert np.isclose(saved.search(q, 1)[0].dense, direct.search(q, 1)[0].dense, atol=1e-3)


def test_partial_index_answers_from_bm25_and_the_shards_done(tmp_path, monkeypatch, corpus,
                                                             embeddings):
    monkeypatch.setattr(index_build, "SHARD", 8)
    settings = ChatSettings(var_dir=tmp_path / "var")
    # the asthma leaflet goes last, so that it is not embedded yet
    docs = corpus[1:] + corpus[:1]
    with pytest.raises(Stop):
        index_build.build(settings, docs, embeddings, on_progress=stop_after(1)[0])
    kb = index_build.partial_knowledge_base(settings, embeddings)
    assert kb.building["done"] == 8 and kb.building["total"] > 8
    assert len(kb.chunks()) == kb.building["total"]  # BM25 sees every chunk
    assert kb.store.index.ntotal == 8
    hits = kb.search("reliever inhaler asthma nurse", 3, "dense")  # becomes hybrid
    assert hits[0].document.metadata["doc_id"] == "leaflet-asthma"  # not embedded yet: BM25
    assert hits[0].dense > 0.5  # found it; embedded on the fly, it ranks first by meaning too

    bot = RAGChatbot(kb, None, FakeListChatModel(responses=["Use a reliever inhaler [1]."]),
                     ChatSettings(var_dir=settings.var_dir, top_k=3))
    turn = bot.ask("When should an asthma patient see a nurse about the reliever inhaler?")
    assert turn.route == "rag" and turn.passages[0].doc_id == "leaflet-asthma"
    assert any("still being built: 8 of" in n for n in turn.notes)


def test_a_partial_index_catches_up_in_place(tmp_path, monkeypatch, corpus, embeddings):
    monkeypatch.setattr(index_build, "SHARD", 8)
    settings = ChatSettings(var_dir=tmp_path / "var")
    with pytest.raises(Stop):
        index_build.build(settings, corpus, embeddings, on_progress=stop_after(1)[0])
    kb = index_build.partial_knowledge_base(settings, embeddings)
    assert index_build.catch_up(kb, settings) is kb and kb.store.index.ntotal == 8  # no news
    bm25 = kb.sparse("inhaler", 1) and kb._bm25
    with pytest.raises(Stop):
        index_build.build(settings, corpus, embeddings, on_progress=stop_after(2)[0])
    assert index_build.catch_up(kb, settings) is kb
    assert kb.building["done"] == kb.store.index.ntotal == 24 < kb.building["total"]
    assert kb._bm25 is bm25  # BM25 over every chunk is kept, not built again
    fresh = index_build.partial_knowledge_base(settings, embeddings)
    q = "What is metformin used for?"
    assert [h.document.metadata for h in kb.search(q, 5, "hybrid")] == \
        [h.document.metadata for h in fresh.search(q, 5, "hybrid")]
    assert index_build.read_progress(settings)["done"] == kb.building["done"]
    index_build.build(settings, corpus, embeddings)  # finished: the build folder is gone
    assert index_build.catch_up(kb, settings) is kb and kb.building["done"] == 24


def test_a_plan_for_other_documents_is_not_reused(tmp_path, monkeypatch, corpus, embeddings):
    monkeypatch.setattr(index_build, "SHARD", 8)
    folder = tmp_path / "build"
    first = index_build.plan(corpus, folder, embeddings, 1000, 100)
    (folder / "shard-00000.npy").write_bytes(b"stale")
    assert index_build.plan(corpus, folder, embeddings, 1000, 100) == first  # resumed
    assert (folder / "shard-00000.npy").exists()
    other = index_build.plan(corpus[:3], folder, embeddings, 1000, 100)
    assert other["total"] < first["total"] and not (folder / "shard-00000.npy").exists()
    assert json.loads((folder / "plan.json").read_text())["total"] == other["total"]


@pytest.mark.slow
def test_background_process_builds_the_index_while_the_caller_goes_on(tmp_path):
    settings = ChatSettings(var_dir=tmp_path / "var")
    settings.var_dir.mkdir()
    assert index_build.start_background_build(settings, medquad_limit=40)
    assert index_build.start_background_build(settings, medquad_limit=40)  # one build only
    deadline = time.time() + 240
    while not (settings.index_dir / "manifest.json").exists() and time.time() < deadline:
        time.sleep(1)
    log = (settings.var_dir / "index_build.log").read_text()
    assert (settings.index_dir / "manifest.json").exists(), log
    assert len(open_saved_index(settings).documents()) == 40
    assert index_build.read_progress(settings) is None
    assert not index_build.start_background_build(settings)  # built: nothing to start


def _stopped(pid: int) -> bool:
    """Whether ``pid`` is stopped (state T), after giving a signal 1 s to land."""
    states = []
    for _ in range(20):
        with open(f"/proc/{pid}/stat") as f:
            states.append(f.read().rsplit(")", 1)[1].split()[0] == "T")
        if len(states) > 1 and states[-1] == states[-2]:
            break
        time.sleep(0.05)
    return states[-1]


def test_a_build_is_paused_while_an_answer_is_written(tmp_path):
    import subprocess
    import sys

    settings = ChatSettings(var_dir=tmp_path / "var")
    folder = settings.var_paths.index_build
    folder.mkdir(parents=True)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (folder / index_build.LOCK).write_text(str(child.pid))
        with index_build.paused(settings):
            assert _stopped(child.pid)
        assert not _stopped(child.pid)
        with pytest.raises(RuntimeError), index_build.paused(settings):
            raise RuntimeError("the answer failed")
        assert not _stopped(child.pid)  # let go on even when the answer failed
        with index_build.paused(settings):
            assert index_build.start_background_build(settings)  # the app's progress check
            assert _stopped(child.pid)  # does not let it go on in the middle of an answer
            with index_build.paused(settings):  # a second user's answer
                pass
            assert _stopped(child.pid)  # the first answer still holds it
        assert not _stopped(child.pid)
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        mark = folder / index_build.PAUSES / f"{dead.pid}-x"
        mark.touch()  # a process that paused the build and died mid-answer
        os.kill(child.pid, signal.SIGSTOP)
        index_build.resume(settings)
        assert not _stopped(child.pid) and not mark.exists()
    finally:
        child.kill()
