"""Split text into sentences with character offsets.

Built for LLM answers and evidence passages: survives abbreviations (Dr., e.g., U.S.), decimals
(3.5 mg), initials, bullet and numbered lists, markdown headings and emphasis, citation markers
such as [1] or [2, 3], and line breaks. Each span is ``(start, end)`` into the original text,
without the list marker or surrounding whitespace; ``claim_text`` gives the text to judge
(markdown, list markers and citation markers removed).
"""

from __future__ import annotations

import re

from nli_judge.text import mask_html

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "cf",
    "al", "approx", "no", "nos", "fig", "figs", "vol", "pp", "ed", "eds", "inc", "ltd", "co",
    "corp", "dept", "u.s", "u.k", "u.n", "a.m", "p.m", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "min", "max", "avg", "est", "gen", "gov", "rev",
    "ph.d", "m.d", "b.a", "m.a", "b.sc", "m.sc", "op", "ca", "resp", "ref", "incl", "tel",
}
# A list item or heading at the start of a line: "- ", "* ", "• ", "1. ", "2) ", "a) ", "# ".
LINE_MARKER = re.compile(r"^[ \t]*(?:[-*+•‣◦]|\d{1,3}[.)]|[a-z][.)]|#{1,6}|>)[ \t]+")
# Candidate sentence end: . ! ? (or …), then closing quotes/brackets and citation markers.
END = re.compile(
    r"(?:\.{3}|[.!?…])+[\"'”’)\]]*(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\])*(?=\s|$)|[。！？]+"
)
CITATION = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")
MARKDOWN = re.compile(r"(\*\*|__|\*|`|~~)")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at ``dot`` ends an abbreviation or an initial, not a sentence."""
    m = re.search(r"([A-Za-z][A-Za-z.]*)$", text[:dot])
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    return len(word) == 1 and m.group(1).isupper()  # an initial, "J. K. Rowling"


def _line_spans(text: str) -> list[tuple[int, int]]:
    """Blocks of text that never share a sentence: a blank line, a list item or heading, or a
    line after one that ended with sentence punctuation or a colon starts a new block."""
    spans: list[tuple[int, int]] = []
    pos = 0
    prev_heading = False
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        body = text[start:end]
        if not body.strip():
            spans.append((-1, -1))
            prev_heading = False
            continue
        m = LINE_MARKER.match(body)
        content_start = start + (m.end() if m else len(body) - len(body.lstrip()))
        prev = spans[-1] if spans else (-1, -1)
        joins = (
            prev[0] >= 0 and not m and not prev_heading
            and not re.search(r"[.!?:…。！？\"'”)\]]\s*$", text[prev[0]:prev[1]])
        )
        prev_heading = bool(m) and m.group(0).strip().startswith("#")
        if joins:
            spans[-1] = (prev[0], end)
        else:
            spans.append((content_start, end))
    return [s for s in spans if s[0] >= 0]


def _block_sentences(block: str) -> list[tuple[int, int]]:
    """Sentence spans inside one block (relative to the block)."""
    spans, start = [], 0
    for m in END.finditer(block):
        if block[m.start()] == "." and _is_abbreviation(block, m.start()):
            if not block[m.start():m.end()].startswith(".."):
                continue
        nxt = block[m.end():].lstrip()
        if nxt and nxt[0].islower():
            continue  # "e.g. this", "approx. five": a lower-case word goes on
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(block)))
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` character spans of the sentences of ``text``, in order."""
    if not text or not text.strip():
        return []
    out: list[tuple[int, int]] = []
    for b_start, b_end in _line_spans(text):
        block = text[b_start:b_end]
        for s, e in _block_sentences(block):
            piece = block[s:e]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                trail = len(piece) - len(piece.rstrip())
                out.append((b_start + s + lead, b_start + e - trail))
    return out


def claim_text(sentence: str) -> str:
    """The text of a sentence to judge: no list marker, markdown emphasis or citation markers."""
    t = LINE_MARKER.sub("", sentence)
    t = CITATION.sub("", t)
    t = MARKDOWN.sub("", t)
    return re.sub(r"\s+", " ", t).strip()


def answer_spans(answer: str) -> list[tuple[int, int]]:
    """An answer's sentences exactly as the judge cuts them: (start, end) offsets into
    ``answer``, split after HTML tags are masked (a rating form that shows these sentences
    and the judge's verdicts then refer to the same sentence numbers)."""
    return split_sentences(mask_html(answer))
