"""Indexing and retrieval on a real FAISS index with real MiniLM embeddings."""


import pytest
from langchain_core.documents import Document

from chatbot.retrieval.knowledge_base import IndexMismatchError, KnowledgeBase
from tests.chatbot.conftest import leaflet_docs


@pytest.mark.parametrize("mode", ["dense", "sparse", "hybrid"])
def test_paraphrased_question_finds_its_document(kb, mode):
    hits = kb.search("which puffer do I take each day to calm my airways?", k=3, mode=mode) \
        if mode != "sparse" else kb.search("daily preventer inhaler asthma", k=3, mode=mode)
    assert hits[0].document.metadata["doc_id"] == "leaflet-asthma"


def test_hybrid_hits_carry_dense_similarity_and_metadata(kb):
    hits = kb.search("What is the starting dose of metformin?", k=4)
    assert hits[0].document.metadata["doc_id"] == "leaflet-metformin"
    assert all(h.dense is not None and -1.0 <= h.dense <= 1.0 for h in hits)
    assert hits[0].dense > 0.5
    assert {"title", "collection", "url", "chunk"} <= set(hits[0].document.metadata)


def test_metadata_filter_restricts_the_collection(kb):
    hits = kb.search("medicine for diabetes", k=5, where={"collection": "leaflets"})
    assert hits and {h.document.metadata["collection"] for h in hits} == {"leaflets"}


def test_save_load_and_incremental_update(tmp_path, embeddings):
    docs = leaflet_docs()
    kb = KnowledgeBase.build(docs[:2], embeddings, chunk_size=200, chunk_overlap=20)
    kb.save(tmp_path)
    again = KnowledgeBase.load(tmp_path, embeddings, 200, 20)
    assert set(again.documents()) == {"leaflet-asthma", "leaflet-metformin"}
    changed = Document(page_content=docs[1].page_content + " It can be taken with food.",
                       metadata=dict(docs[1].metadata))
    counts = again.add([docs[0], changed, docs[2]])
    assert counts["added"] == 1 and counts["replaced"] == 1 and counts["unchanged"] == 1
    again.save(tmp_path)
    third = KnowledgeBase.load(tmp_path, embeddings, 200, 20)
    assert len(third.documents()) == 3
    chunk_ids = [c.metadata["doc_id"] for c in third.chunks()]
    assert chunk_ids.count("leaflet-metformin") == third.documents()["leaflet-metformin"]["chunks"]
    assert "taken with food" in " ".join(c.page_content for c in third.chunks())


def test_index_with_other_settings_or_foreign_files_is_refused(tmp_path, embeddings):
    kb = KnowledgeBase.build(leaflet_docs()[:1], embeddings)
    kb.save(tmp_path)
    with pytest.raises(IndexMismatchError, match="other settings"):
        KnowledgeBase.load(tmp_path, embeddings, 500, 50)
    (tmp_path / "index.pkl").write_bytes(b"not what we wrote")
    with pytest.raises(IndexMismatchError, match="refusing to unpickle"):
        KnowledgeBase.load(tmp_path, embeddings, 1000, 100)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(IndexMismatchError, match="no manifest"):
        KnowledgeBase.load(tmp_path, embeddings, 1000, 100)


def test_retrieval_metrics_on_known_questions(kb):
    from chatbot.bench.retrieval import evaluate

    qs = [{"question": "What dose of metformin do people start on?",
           "doc_id": "leaflet-metformin"},
          {"question": "How can I sleep better at night?", "doc_id": "leaflet-sleep"},
          {"question": "a question about nothing in particular", "doc_id": "no-such-doc"}]
    res = evaluate(kb, qs, modes=("dense", "hybrid"), progress=False)
    for mode in ("dense", "hybrid"):
        m = res[mode]
        assert m["n"] == 3 and m["recall@1"] == m["recall@10"] == pytest.approx(2 / 3)
        assert m["mrr"] == pytest.approx(2 / 3)
