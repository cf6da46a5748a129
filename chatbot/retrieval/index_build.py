"""Build the knowledge base in the background, in shards that survive a restart.

    python -m chatbot.retrieval.index_build [--medquad-limit N] [--var-dir DIR]

What the app and ``python -m chatbot ask`` start when there is no index yet (``make index``
runs it in the foreground). First the plan: every chunk of every document with its id and
metadata, written in seconds. Then the chunks are embedded shard by shard (``SHARD`` chunks
each, saved as they finish) while ``progress.json`` says how far it got and how fast; a
restart resumes at the first missing shard. When every shard is there the FAISS index is
assembled and saved like any other (``var/index/``) and the build folder is removed.

While it runs, ``partial_knowledge_base`` gives a KnowledgeBase with BM25 over every chunk
and dense search over the shards that are done.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from chatbot.jobs.background import add_job_arguments, job_settings, live_pid, start_detached
from chatbot.retrieval.documents import checksum, medquad_documents
from chatbot.retrieval.knowledge_base import (
    KnowledgeBase,
    embedding_id,
    local_embeddings,
    new_manifest,
)
from chatbot.settings import ChatSettings

SHARD = 1024
PLAN, CHUNKS, PROGRESS, LOCK = "plan.json", "chunks.jsonl", "progress.json", "build.pid"


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


def _shard_path(folder: Path, i: int) -> Path:
    return folder / f"shard-{i:05d}.npy"


def plan(documents: list[Document], folder: Path, embeddings, chunk_size: int,
         chunk_overlap: int) -> dict:
    """Chunk ``documents`` and write the plan (``plan.json``, ``chunks.jsonl``) into
    ``folder``, unless a plan for the same documents, embeddings and chunk settings is there
    already (then it is reused: that is how a build resumes). Returns the plan."""
    manifest = new_manifest(embeddings, chunk_size, chunk_overlap)
    digests = {d.metadata["doc_id"]: checksum(d.page_content) for d in documents}
    if (folder / PLAN).exists():
        existing = json.loads((folder / PLAN).read_text())
        old = existing["manifest"]
        if all(old[k] == manifest[k] for k in ("embedding_model", "chunk_size",
                                                "chunk_overlap")) and \
                {k: v["sha256"] for k, v in old["documents"].items()} == digests:
            return existing
        shutil.rmtree(folder)  # other documents, model or chunking: its shards are no use
    folder.mkdir(parents=True, exist_ok=True)
    split = KnowledgeBase.splitter(chunk_size, chunk_overlap)
    tmp = folder / (CHUNKS + ".tmp")
    total = 0
    with open(tmp, "w", encoding="utf-8") as out:
        for d in documents:
            pieces = split.split_documents([d])
            for i, c in enumerate(pieces):
                meta = {**c.metadata, "chunk": i, "chunks": len(pieces)}
                out.write(json.dumps({"text": c.page_content, "metadata": meta}) + "\n")
            total += len(pieces)
            manifest["documents"][d.metadata["doc_id"]] = {
                "sha256": digests[d.metadata["doc_id"]], "title": d.metadata.get("title", ""),
                "collection": d.metadata.get("collection", ""), "chunks": len(pieces)}
    tmp.replace(folder / CHUNKS)
    data = {"manifest": manifest, "total": total, "shard": SHARD,
            "shards": (total + SHARD - 1) // SHARD}
    _write_json(folder / PLAN, data)
    return data


def read_chunks(folder: Path) -> list[Document]:
    with open(folder / CHUNKS, encoding="utf-8") as f:
        return [Document(page_content=r["text"], metadata=r["metadata"])
                for r in map(json.loads, f)]


def done_shards(folder: Path, n_shards: int) -> list[int]:
    """The shards already embedded, in order, up to the first missing one."""
    done = []
    for i in range(n_shards):
        if not _shard_path(folder, i).exists():
            break
        done.append(i)
    return done


def build(settings: ChatSettings, documents: list[Document] | None = None, embeddings=None,
          on_progress=None) -> KnowledgeBase:
    """Plan (or resume) and embed every shard, then save the finished index in
    ``settings.index_dir``. ``documents``: default the bundled MedQuAD corpus.
    ``on_progress(progress_dict)`` is called after each shard."""
    folder = settings.var_paths.index_build
    embeddings = embeddings or local_embeddings(settings)
    if documents is None:
        documents = medquad_documents()
    p = plan(documents, folder, embeddings, settings.chunk_size, settings.chunk_overlap)
    chunks = read_chunks(folder)
    start = len(done_shards(folder, p["shards"]))
    t0, resumed_at = time.time(), start * p["shard"]
    for i in range(start, p["shards"]):
        part = chunks[i * p["shard"]:(i + 1) * p["shard"]]
        vectors = np.asarray(embeddings.embed_documents([c.page_content for c in part]),
                             dtype=np.float32)
        tmp = folder / f"shard-{i:05d}.tmp.npy"
        np.save(tmp, vectors)
        tmp.replace(_shard_path(folder, i))
        done = min((i + 1) * p["shard"], p["total"])
        rate = (done - resumed_at) / max(time.time() - t0, 1e-6)
        progress = {"done": done, "total": p["total"], "chunks_per_s": round(rate, 1),
                    "eta_s": round((p["total"] - done) / rate) if rate else None,
                    "updated": time.time(), "pid": os.getpid()}
        _write_json(folder / PROGRESS, progress)
        if on_progress:
            on_progress(progress)
    kb = assemble(folder, p, chunks, embeddings)
    kb.save(settings.index_dir)
    shutil.rmtree(folder, ignore_errors=True)
    return kb


def _with_vectors(store, chunks: list[Document], vectors: np.ndarray, embeddings):
    """``store`` (a FAISS store, or None for a new one) with ``chunks`` and their ``vectors``
    added."""
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy

    pairs = list(zip((c.page_content for c in chunks), vectors.tolist(), strict=True))
    metadatas = [c.metadata for c in chunks]
    ids = [f"{c.metadata['doc_id']}#{c.metadata['chunk']}" for c in chunks]
    if store is None:
        return FAISS.from_embeddings(pairs, embeddings, metadatas=metadatas, ids=ids,
                                     distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)
    store.add_embeddings(pairs, metadatas=metadatas, ids=ids)
    return store


def assemble(folder: Path, p: dict, chunks: list[Document], embeddings,
             shards: list[int] | None = None) -> KnowledgeBase:
    """A KnowledgeBase over the embedded ``shards`` (default all); during a build it also
    carries every chunk for BM25 and the progress."""
    shards = list(range(p["shards"])) if shards is None else shards
    complete = len(shards) == p["shards"]
    n = min(len(shards) * p["shard"], p["total"])
    store = None
    if n:
        vectors = np.concatenate([np.load(_shard_path(folder, i)) for i in shards])
        store = _with_vectors(None, chunks[:n], vectors, embeddings)
    manifest = json.loads(json.dumps(p["manifest"]))
    if complete:
        return KnowledgeBase(store, embeddings, manifest)
    return KnowledgeBase(store, embeddings, manifest, all_chunks=chunks,
                         building={"done": n, "total": p["total"]})


def catch_up(kb: KnowledgeBase, settings: ChatSettings) -> KnowledgeBase:
    """Add to a partial ``kb`` (``partial_knowledge_base``) the shards embedded since, in
    place, and refresh its progress: the chunks, BM25 and the vectors it holds are kept (a
    new partial knowledge base would read and index all of them again). A ``kb`` that is not
    partial, or whose build is gone (finished or removed), is returned as it is."""
    folder = settings.var_paths.index_build
    if kb.building is None or not (folder / PLAN).exists():
        return kb
    with kb.lock:
        try:
            p = json.loads((folder / PLAN).read_text())
            have = -(-kb.building["done"] // p["shard"])  # shards in kb (the last may be short)
            new = done_shards(folder, p["shards"])[have:]
            vectors = [np.load(_shard_path(folder, i)) for i in new]
            progress = _progress(folder, p)
        except (OSError, ValueError):  # the build finished and tidied up just now
            return kb
        done = kb.building["done"]
        if new:
            start, done = have * p["shard"], min((new[-1] + 1) * p["shard"], p["total"])
            kb.store = _with_vectors(kb.store, kb.all_chunks[start:done],
                                     np.concatenate(vectors), kb.embeddings)
        kb.building = progress | {"done": done}
    return kb


def read_progress(settings: ChatSettings) -> dict | None:
    """The running or stopped build's progress: done, total, chunks_per_s, eta_s, running
    (a build process is alive); None when no build was started."""
    folder = settings.var_paths.index_build
    if not (folder / PLAN).exists():
        return None
    return _progress(folder, json.loads((folder / PLAN).read_text()))


def _progress(folder: Path, p: dict) -> dict:
    """``read_progress`` for a plan ``p`` already read (plan.json is megabytes for MedQuAD)."""
    progress = {"done": 0, "total": p["total"], "chunks_per_s": None, "eta_s": None}
    if (folder / PROGRESS).exists():
        progress.update(json.loads((folder / PROGRESS).read_text()))
    progress["running"] = _build_pid(folder) is not None
    return progress


def partial_knowledge_base(settings: ChatSettings, embeddings=None) -> KnowledgeBase | None:
    """What a build has made so far (BM25 over every chunk, dense over finished shards), or
    None when no build has planned anything yet."""
    folder = settings.var_paths.index_build
    if not (folder / PLAN).exists():
        return None
    p = json.loads((folder / PLAN).read_text())
    embeddings = embeddings or local_embeddings(settings)
    if p["manifest"]["embedding_model"] != embedding_id(embeddings):
        return None
    kb = assemble(folder, p, read_chunks(folder), embeddings,
                  done_shards(folder, p["shards"]))
    if kb.building is not None:
        kb.building = _progress(folder, p) | {"done": kb.building["done"]}
    return kb


def _build_pid(folder: Path) -> int | None:
    """The pid of a live build process for ``folder``, if there is one."""
    return live_pid(folder / LOCK)


PAUSES = "pauses"  # one mark per answer being written while the build is stopped


@contextmanager
def paused(settings: ChatSettings):
    """Stop a running background build while the body runs (an answer being generated), and
    let it go on afterwards, once no other answer holds it: on 2 cores the two slow each other
    down many times over. Each pause leaves a mark (``pauses/<pid>-<id>``) while it lasts, so
    that ``resume`` does not let the build go on in the middle of someone's answer."""
    folder = settings.var_paths.index_build
    pid = _build_pid(folder)
    if pid is None:
        yield
        return
    mark = folder / PAUSES / f"{os.getpid()}-{uuid.uuid4().hex}"
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.touch()
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        mark.unlink(missing_ok=True)
        resume(settings)


def _answers_writing(folder: Path) -> int:
    """Pauses still held by a live process (the marks of dead processes are removed)."""
    live = 0
    for mark in (folder / PAUSES).glob("*") if (folder / PAUSES).is_dir() else []:
        try:
            os.kill(int(mark.name.split("-")[0]), 0)
            live += 1
        except (ProcessLookupError, ValueError):
            mark.unlink(missing_ok=True)
        except PermissionError:  # alive, another user's
            live += 1
    return live


def resume(settings: ChatSettings) -> None:
    """Let a paused build go on, unless an answer is being written (a process that paused it
    and died mid-answer holds it no longer)."""
    folder = settings.var_paths.index_build
    if not _answers_writing(folder):
        _continue(_build_pid(folder))


def _continue(pid: int | None) -> None:
    if pid is not None:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


def start_background_build(settings: ChatSettings, medquad_limit: int | None = None) -> bool:
    """Start ``python -m chatbot.retrieval.index_build`` as a detached process (log:
    ``index_build.log`` in the var folder) unless the index exists or a build is running.
    Returns True when a build is now running."""
    if settings.index_built:
        return False
    folder = settings.var_paths.index_build
    if _build_pid(folder) is not None:
        resume(settings)
        return True
    cmd = [sys.executable, "-m", "chatbot.retrieval.index_build", "--var-dir",
           str(settings.var_dir), "--low-priority"]
    if medquad_limit:
        cmd += ["--medquad-limit", str(medquad_limit)]
    start_detached(cmd, folder / LOCK, settings.var_dir / "index_build.log",
                   {"GC_VAR_DIR": str(settings.var_dir)})
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chatbot.retrieval.index_build",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--medquad-limit", type=int, help="index only the first N documents")
    add_job_arguments(ap)
    args = ap.parse_args(argv)
    settings = job_settings(args)
    if settings.index_built:
        print(f"{settings.index_dir} is built already (python -m chatbot.retrieval.ingest "
              "adds files)")
        return 0
    folder = settings.var_paths.index_build
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOCK).write_text(str(os.getpid()))
    from tqdm.auto import tqdm

    bar = tqdm(unit="chunk", desc="embedding", mininterval=5)

    def show(p: dict) -> None:
        bar.total, bar.n = p["total"], p["done"]
        bar.refresh()

    t0 = time.perf_counter()
    kb = build(settings, medquad_documents(args.medquad_limit), on_progress=show)
    bar.close()
    print(f"{len(kb.documents())} documents, {len(kb.chunks())} chunks in "
          f"{time.perf_counter() - t0:.0f} s: {settings.index_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
