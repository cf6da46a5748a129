"""The safety route: messages about self-harm, suicide or a medical emergency get a fixed,
careful answer that points to emergency help. The LLM is never called for them."""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(kill|hurt|harm|cut)(ing)?\s+(my ?self|myself)\b",
    r"\bsuicid(e|al)\b", r"\bend(ing)?\s+(my|it all|my own)\s*(life)?\b",
    r"\b(don'?t|do not) want to (live|be alive|wake up)\b", r"\bself[- ]?harm",
    r"\boverdos(e|ed|ing)\b", r"\btake (all|a lot of) (my|the) (pills|tablets)\b",
    r"\b(chest pain|can'?t breathe|cannot breathe|not breathing|stopped breathing)\b",
    r"\b(stroke|heart attack|seizure|unconscious|passed out|anaphyla\w*)\b.*\b(now|right now|"
    r"happening|having)\b",
    r"\b(now|right now|having|is having)\b.*\b(stroke|heart attack|seizure|anaphyla\w*)\b",
    r"\b(bleeding (heavily|a lot|won'?t stop)|severe bleeding)\b",
    r"\b(poison(ed|ing)?|swallowed (bleach|poison))\b",
]
_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)

SAFETY_ANSWER = (
    "I'm really sorry you're going through this. I can't help with this safely here, but "
    "people can, right now:\n\n"
    "- If you or someone else is in immediate danger or has a medical emergency, call your "
    "local emergency number (112 in Europe, 911 in the US and Canada, 999 in the UK) or go to "
    "the nearest emergency department.\n"
    "- If you are thinking about suicide or harming yourself, please contact a crisis line: "
    "988 (call or text, US), 116 123 (Samaritans, UK and Ireland), or find one near you at "
    "findahelpline.com.\n"
    "- If you can, tell someone you trust what is happening and stay with them.\n\n"
    "You don't have to go through this alone."
)


def needs_safety_route(message: str) -> bool:
    """True when ``message`` mentions self-harm, suicide or a medical emergency."""
    return bool(_RE.search(message or ""))
