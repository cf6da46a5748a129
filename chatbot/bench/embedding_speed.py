"""Embedding speed of the knowledge base's backends on MedQuAD chunks, and how close their
vectors are to PyTorch's.

    python -m chatbot.bench.embedding_speed [--chunks 2000] [--backends torch torch-bf16 ...]

Embeds the same sample of chunks (every k-th chunk of the full MedQuAD split, so lengths
are as in the real build) with each backend; prints chunks/s, the projected time for the
whole index, and the mean / minimum cosine to the PyTorch vectors.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from chatbot.retrieval.documents import medquad_documents
from chatbot.retrieval.embeddings import make_embeddings
from chatbot.retrieval.knowledge_base import KnowledgeBase
from chatbot.settings import ChatSettings


def sample_chunks(n: int, settings: ChatSettings) -> tuple[list[str], int]:
    """Every k-th chunk of the MedQuAD split (n of them) and the total chunk count."""
    split = KnowledgeBase.splitter(settings.chunk_size, settings.chunk_overlap)
    chunks = [c.page_content for c in split.split_documents(medquad_documents())]
    step = max(1, len(chunks) // n)
    return chunks[::step][:n], len(chunks)


def bench(texts: list[str], backends: list[str], settings: ChatSettings) -> dict[str, dict]:
    out, reference = {}, None
    for backend in backends:
        emb = make_embeddings(backend, cache_dir=settings.onnx_dir)
        emb.embed_documents(texts[:8])  # warm-up
        t0 = time.perf_counter()
        vectors = np.asarray(emb.embed_documents(texts), dtype=np.float32)
        seconds = time.perf_counter() - t0
        if reference is None:
            reference = vectors
        cos = (vectors * reference).sum(1)
        out[backend] = {"chunks_per_s": len(texts) / seconds, "seconds": seconds,
                        "cos_mean": float(cos.mean()), "cos_min": float(cos.min())}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chatbot.bench.embedding_speed",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=2000, help="chunks to embed per backend")
    ap.add_argument("--backends", nargs="+",
                    default=["torch", "torch-bf16", "onnx", "onnx-int8"],
                    choices=["torch", "torch-bf16", "onnx", "onnx-int8"],
                    help="the first is the reference for the cosine columns")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    settings = ChatSettings()
    texts, total = sample_chunks(args.chunks, settings)
    res = bench(texts, args.backends, settings)
    if args.json:
        print(json.dumps({"chunks": len(texts), "total_chunks": total, "backends": res}, indent=1))
        return 0
    print(f"{len(texts)} MedQuAD chunks; the full index has {total:,}")
    print(f"| backend | chunks/s | full index (min) | cosine to {args.backends[0]}: mean | min |")
    print("|---|---:|---:|---:|---:|")
    for name, r in res.items():
        print(f"| {name} | {r['chunks_per_s']:.1f} | {total / r['chunks_per_s'] / 60:.1f} | "
              f"{r['cos_mean']:.4f} | {r['cos_min']:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
