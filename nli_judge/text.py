"""Small text rules shared across the project, each written once.

Stop words and content words (the judge's lexical signals, the summariser's word counts), HTML
masking (the judge and the rating form must cut an answer into the same sentences) and SHA-256
digests (document checksums, model files). Imports nothing else of the project.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

STOP_WORDS = frozenset("""a an the and or but if of to in on at by for with from as is are was
were be been it its this that these those not no do does did so than then there what which who
how when where can will just should also into about over after before very""".split())
_TOKEN = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The lower-cased word tokens of ``text`` (letters, digits, underscore; any script)."""
    return _TOKEN.findall(text.lower())


def stem(word: str) -> str:
    """A crude suffix strip ("doses" -> "dos", "treated" -> "treat"), for matching only."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Lower-cased, crudely stemmed words of ``text`` that are not ``STOP_WORDS``."""
    return {stem(w) for w in words(text) if w not in STOP_WORDS}


# --- HTML ------------------------------------------------------------------------------------
BLOCK_TAGS = ("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
              "table", "section", "article")
_BLOCK_TAG = re.compile(r"</?(" + "|".join(BLOCK_TAGS) + r")\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]{0,500}>")
# Elements whose content is code, not prose (an unclosed one runs to the end, as in a browser).
_HIDDEN = re.compile(r"<(script|style|template|noscript)\b[^>]*>.*?(?:</\1\s*>|\Z)",
                     re.I | re.S)


def mask_html(text: str) -> str:
    """Blank out HTML tags with spaces (block tags with a newline), and the whole of script,
    style, template and noscript elements, keeping every offset, so spans found in the result
    index the original text."""
    if "<" not in text:
        return text
    text = _HIDDEN.sub(lambda m: " " * len(m.group(0)), text)
    text = _BLOCK_TAG.sub(lambda m: "\n" + " " * (len(m.group(0)) - 1), text)
    return _TAG.sub(lambda m: " " * len(m.group(0)), text)


# --- invisible characters --------------------------------------------------------------------
def strip_invisible(text: str) -> str:
    """``text`` without format characters (zero-width spaces and joiners, bidirectional
    controls, soft hyphens: Unicode category Cf) and with control characters other than tab
    and newline (NUL, BEL, ...: category Cc) turned into spaces: what the model should read.
    Display keeps the original text."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        out.append(" " if cat == "Cc" and ch not in "\t\n" else ch)
    return "".join(out)


# --- digests ---------------------------------------------------------------------------------
def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: str | Path, chunk: int = 1 << 22) -> str:
    """Hex SHA-256 of a file, read in ``chunk``-byte blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
