"""Build or update the knowledge base index.

    python -m chatbot.retrieval.ingest                  # the bundled MedQuAD corpus
    python -m chatbot.retrieval.ingest FILE_OR_DIR ...  # your own .txt / .md / .pdf / .html

Files that cannot be used are listed with the reason and skipped; the index is written only
after every good file is in, so a failure never leaves a half-written index.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from chatbot.retrieval import index_build
from chatbot.retrieval.documents import SUFFIXES, DocumentError, load_file, medquad_documents
from chatbot.retrieval.knowledge_base import (
    IndexMismatchError,
    KnowledgeBase,
    local_embeddings,
    open_saved_index,
)
from chatbot.settings import ChatSettings


def expand(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES)
        else:
            out.append(p)
    return out


def ingest(paths: list[Path], settings: ChatSettings, medquad_limit: int | None = None,
           rebuild: bool = False, embeddings=None, progress: bool = True) -> dict:
    """Index the bundled MedQuAD corpus (no ``paths``) or the files under ``paths``.
    Returns counts and the per-file errors; nothing is saved unless something was added."""
    from tqdm.auto import tqdm

    embeddings = embeddings or local_embeddings(settings)
    if rebuild:
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        shutil.rmtree(settings.var_paths.index_build, ignore_errors=True)
    kb = open_saved_index(settings, embeddings)
    docs, errors = [], {}
    for f in expand(paths):
        try:
            docs.append(load_file(f, settings.max_upload_mb))
        except DocumentError as e:
            errors[str(f)] = str(e)
    if not paths:  # the bundled corpus (unchanged documents are skipped by checksum)
        docs = medquad_documents(medquad_limit)
    bar = tqdm(total=0, unit="chunk", desc="embedding", disable=not progress)

    def tick(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    if kb is None and not paths:  # the bundled corpus: in shards, resumable after a stop
        t0 = time.perf_counter()
        kb = index_build.build(settings, docs, embeddings,
                               on_progress=lambda p: tick(p["done"], p["total"]))
        bar.close()
        return {"added": len(docs), "replaced": 0, "unchanged": 0, "chunks": len(kb.chunks()),
                "errors": errors, "seconds": round(time.perf_counter() - t0, 1),
                "documents": len(kb.documents()), "index": str(settings.index_dir)}

    t0 = time.perf_counter()
    if kb is None and not docs:
        return {"added": 0, "replaced": 0, "unchanged": 0, "chunks": 0, "errors": errors,
                "seconds": 0.0, "documents": 0, "index": str(settings.index_dir)}
    if kb is None:
        kb = KnowledgeBase.build(docs, embeddings, settings.chunk_size, settings.chunk_overlap,
                                 progress=tick)
        counts = {"added": len(docs), "replaced": 0, "unchanged": 0,
                  "chunks": len(kb.store.index_to_docstore_id)}
    else:
        counts = kb.add(docs, progress=tick)
    bar.close()
    if counts["added"] or counts["replaced"]:
        kb.save(settings.index_dir)
    return {**counts, "errors": errors, "seconds": round(time.perf_counter() - t0, 1),
            "documents": len(kb.documents()), "index": str(settings.index_dir)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path, help="files or folders to add")
    ap.add_argument("--chunk-size", type=int, help="characters per chunk (default 1000)")
    ap.add_argument("--chunk-overlap", type=int, help="overlap between chunks (default 100)")
    ap.add_argument("--medquad-limit", type=int, help="index only the first N MedQuAD documents")
    ap.add_argument("--rebuild", action="store_true", help="delete the index and start over")
    ap.add_argument("--var-dir", type=Path, help="where the index lives (default var/)")
    args = ap.parse_args(argv)
    overrides = {k: v for k, v in (("chunk_size", args.chunk_size),
                                   ("chunk_overlap", args.chunk_overlap),
                                   ("var_dir", args.var_dir)) if v is not None}
    settings = ChatSettings(**overrides)
    try:
        report = ingest(args.paths, settings, args.medquad_limit, args.rebuild)
    except IndexMismatchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for msg in report["errors"].values():
        print(f"skipped {msg}", file=sys.stderr)
    print(f"{report['added']} added, {report['replaced']} replaced, {report['unchanged']} "
          f"unchanged documents ({report['chunks']} new chunks) in {report['seconds']} s; "
          f"{report['documents']} documents in {report['index']}")
    return 1 if report["errors"] and not (report["added"] or report["replaced"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
