"""What the chatbot accepts as a question: ``check_question`` cleans it or says why not."""

from __future__ import annotations

from nli_judge.text import strip_invisible


class QuestionError(ValueError):
    """A question the chatbot cannot take (empty, or over the size limit); the message says
    why and what to do."""


def check_question(question: str, max_chars: int) -> str:
    """``question`` as the chatbot reads it: zero-width, bidirectional and control characters
    removed (so they cannot hide a word from the safety route or the retriever), spaces
    trimmed. Raises ``QuestionError`` for an empty question or one over ``max_chars``."""
    text = strip_invisible(question if isinstance(question, str) else "").strip()
    if not text:
        raise QuestionError("the question is empty: type a question")
    if len(text) > max_chars:
        raise QuestionError(f"the question has {len(text):,} characters, over the limit of "
                            f"{max_chars:,} (GC_MAX_QUESTION_CHARS): ask a shorter question, "
                            "or add long text as a document")
    return text
