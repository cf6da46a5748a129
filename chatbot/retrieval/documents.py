"""Documents for the knowledge base: the bundled MedQuAD corpus and users' own files.

Users' files may be .txt, .md, .pdf (pypdf) or .html (text only, no markup kept). A file
that cannot be used raises ``DocumentError`` with a message a person can act on.
"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from langchain_core.documents import Document

from nli_judge.text import BLOCK_TAGS, sha256_text

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "medquad"
SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm")
MAX_BYTES = 20 * 1024 * 1024


class DocumentError(ValueError):
    """A file that cannot be added (empty, unreadable, binary, too large, wrong type)."""


def checksum(text: str) -> str:
    """The document checksum the index keys on: SHA-256 of the text."""
    return sha256_text(text)


def medquad_documents(limit: int | None = None, data_dir: Path = DATA_DIR) -> list[Document]:
    """The bundled MedQuAD answers as Documents (metadata: doc_id, title, collection, url,
    focus, source)."""
    docs = []
    with gzip.open(data_dir / "documents.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append(Document(page_content=r["text"], metadata={
                "doc_id": r["id"], "title": r["title"], "collection": r["collection"],
                "url": r["url"], "focus": r["focus"], "source": "MedQuAD"}))
            if limit and len(docs) >= limit:
                break
    return docs


def medquad_questions(data_dir: Path = DATA_DIR) -> list[dict]:
    """Held-out MedQuAD questions: ``question``, ``doc_id`` (the answering document), ..."""
    with gzip.open(data_dir / "questions_heldout.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class _TextOnly(HTMLParser):
    _SKIP = {"script", "style", "head", "noscript", "template"}
    _BLOCK = frozenset(BLOCK_TAGS)

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """(title, text) of an HTML page: visible text only, scripts and styles dropped."""
    p = _TextOnly()
    p.feed(html)
    text = re.sub(r"[ \t]+", " ", "".join(p.parts))
    return p.title.strip(), re.sub(r"\s*\n\s*", "\n", text).strip()


def _pdf_text(data: bytes, name: str) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError(f"{name}: the PDF is encrypted")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as e:
        raise DocumentError(f"{name}: not a readable PDF ({e})") from None


def _decode(data: bytes, name: str) -> str:
    """Text from a file's bytes: UTF-16 or UTF-8 by their byte-order mark, else UTF-8, else
    Windows-1252 / Latin-1 (what older office tools write); NUL bytes without a UTF-16 mark
    mean a binary file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentError(f"{name}: starts like UTF-16 text but is not") from None
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{name}: looks binary, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def load_bytes(name: str, data: bytes, max_mb: float | None = None) -> Document:
    """One user file (its name decides the type) as a Document, or DocumentError.
    ``max_mb``: the size limit (default ``MAX_BYTES``; the app and the ingest command pass
    ``GC_MAX_UPLOAD_MB``)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{name}: unsupported type {suffix or '(none)'}; use "
                            f"{', '.join(SUFFIXES)}")
    limit = int(max_mb * 2**20) if max_mb else MAX_BYTES
    if len(data) > limit:
        raise DocumentError(f"{name}: {len(data) / 1e6:.1f} MB is over the "
                            f"{limit / 2**20:g} MB limit (GC_MAX_UPLOAD_MB)")
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty")
    title = Path(name).stem
    if suffix == ".pdf":
        text = _pdf_text(data, name)
    else:
        text = _decode(data, name)
        if suffix in (".html", ".htm"):
            page_title, text = html_to_text(text)
            title = page_title or title
        elif suffix == ".md":  # a leading "# Heading" is the title
            first = text.strip().splitlines()[0] if text.strip() else ""
            title = first.lstrip("#").strip() if first.startswith("#") else title
    text = text.strip()
    if len(text) < 20:
        raise DocumentError(f"{name}: no usable text found"
                            + (" (a scanned PDF needs OCR first)" if suffix == ".pdf" else ""))
    return Document(page_content=text, metadata={
        "doc_id": f"user-{checksum(text)[:12]}", "title": title, "collection": "uploaded",
        "url": "", "focus": title, "source": name})


def load_file(path: Path, max_mb: float | None = None) -> Document:
    """A user file from disk as a Document, or DocumentError (``max_mb``: see load_bytes)."""
    path = Path(path)
    if not path.is_file():
        raise DocumentError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DocumentError(f"{path}: cannot read ({e.strerror})") from None
    return load_bytes(path.name, data, max_mb)
