"""The knowledge base's embedding backends against sentence-transformers' own fp32 vectors
(the real all-MiniLM-L6-v2): same order, unit length, close vectors."""

import numpy as np
import pytest

from chatbot.retrieval.embeddings import make_embeddings
from chatbot.retrieval.knowledge_base import embedding_id

TEXTS = ["What are the symptoms of asthma?",
         "Metformin is a medicine used to treat type 2 diabetes. " * 12,  # long: sorted last
         "short",
         "Glaucoma is a group of diseases that can damage the eye's optic nerve."]


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    from chatbot.retrieval.embeddings import minilm_path

    return SentenceTransformer(str(minilm_path()), device="cpu").encode(
        TEXTS, normalize_embeddings=True)


@pytest.mark.parametrize("backend,min_cos", [("torch", 0.99999), ("torch-bf16", 0.99),
                                             ("onnx", 0.99999), ("onnx-int8", 0.8)])
def test_backend_vectors_match_sentence_transformers(backend, min_cos, reference, tmp_path):
    emb = make_embeddings(backend, cache_dir=tmp_path / "onnx" if backend == "onnx-int8"
                          else None, batch_size=2)  # batches of 2: order must survive sorting
    v = np.asarray(emb.embed_documents(TEXTS))
    assert v.shape == (4, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    cos = (v * reference).sum(1)
    assert cos.min() >= min_cos, cos
    # each text is nearest to its own reference vector (nothing shuffled by the batching)
    assert list((v @ reference.T).argmax(1)) == [0, 1, 2, 3]
    # alone or in a batch: the same vector (int8 quantises activations per batch, bf16 rounds
    # differently with other padding, so those agree less tightly)
    assert float(np.dot(emb.embed_query(TEXTS[0]), v[0])) > (0.95 if backend == "onnx-int8"
                                                             else 0.999)
    assert embedding_id(emb) == ("all-MiniLM-L6-v2-int8" if backend == "onnx-int8"
                                 else "all-MiniLM-L6-v2")


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown embedding backend"):
        make_embeddings("tpu")
