"""Which answer sentences make a claim, and how a short answer becomes one.

A sentence makes no factual claim when it is a greeting or sign-off, a question back to the
user, an offer of help, an abstention ("I don't know", "the documents don't say"), a referral
("talk to your doctor") or a bare heading. Those are ``no_claim`` and never count against an
answer.
"""

from __future__ import annotations

import re

# Greetings, thanks, sign-offs: only when the sentence is short (no claim rides along).
_SOCIAL = re.compile(
    r"^(hi|hello|hey|dear|greetings|good (morning|afternoon|evening)|thanks?|thank you|"
    r"you'?re welcome|my pleasure|no problem|sure|of course|certainly|okay|ok|great|"
    r"take care|best wishes|good luck|stay (safe|well))\b",
    re.IGNORECASE,
)
_NO_CLAIM = [
    r"\b(i hope (this|that|it) helps?|hope (this|that) helps|glad to help|happy to help)\b",
    r"\b(let me know|feel free to|don'?t hesitate to|if you have (any )?(other|more|further) questions)\b",
    # abstentions
    r"\b(i (do not|don'?t|cannot|can'?t|could not|couldn'?t) (know|say|find|answer|tell|determine|be sure))\b",
    r"\b(i'?m not sure|i am not sure|i have no information|no information (is|was) (available|provided|given))\b",
    r"\b(the|these|provided|retrieved|available|given) (documents?|passages?|sources?|context|texts?|information)"
    r" (do(es)? not|don'?t|did not|didn'?t|never) (say|mention|cover|contain|provide|include|address|specify|state|discuss)",
    r"\b(not (mentioned|covered|specified|stated|addressed|discussed|provided) in the "
    r"(documents?|passages?|sources?|context|texts?))\b",
    r"\b(there is no (information|mention|data)|is not covered by)\b",
    r"\b(i (can ?not|can'?t|am unable to) (provide|give|offer) (a )?(diagnosis|medical advice))\b",
    # referrals to a professional
    r"^(please )?((you )?(should|may want to|might want to|can) )?(talk|speak|consult|check|see|ask|contact)"
    r"( with| to)? (your|a|an) (doctor|physician|pharmacist|nurse|gp|health ?care (provider|professional)"
    r"|medical professional|specialist)",
]
NO_CLAIM = re.compile("|".join(f"(?:{p})" for p in _NO_CLAIM), re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)


def is_no_claim(sentence: str) -> bool:
    """True for sentences that make no factual claim (see the module docstring)."""
    text = sentence.strip()
    if not _WORD.search(text):
        return True  # punctuation, emoji, markup only
    if re.fullmatch(r"\W*(\d{1,3}|[a-zA-Z])[.)]\W*", text):
        return True  # an inline list number: "... diabetes. 2. Metformin ..."
    if text.endswith("?") or text.endswith("？"):
        return True  # a question back to the user
    if text.endswith(":") and len(_WORD.findall(text)) <= 8:
        return True  # "Here are the steps:", a lead-in
    if _SOCIAL.match(text) and len(_WORD.findall(text)) <= 6:
        return True
    return bool(NO_CLAIM.search(text))


def is_heading(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a heading: a markdown ``#`` line, or a whole line in
    bold (``**Causes**``) with no sentence punctuation."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip().startswith("#"):
        return True
    line_end = text.find("\n", end)
    line = text[line_start: len(text) if line_end < 0 else line_end].strip()
    return bool(re.fullmatch(r"(\*\*|__)[^*_]+(\*\*|__):?", line)) and line == text[start:end]


# Words a finished English sentence does not end on: "Metformin is", "caused by the".
_DANGLING = set("""a an the and or but nor of to in on at by for with from as into onto about
than that which who whose whom is are was were be been being has have had do does did can could
may might must shall should will would very its their his her our your my this these those such
if because while when where although so not no""".split())
_TERMINAL = re.compile(r"[.!?…。！？:;\"'”’)\]*]\s*$")


def is_incomplete(sentence: str, last: bool) -> bool:
    """A sentence that is not a whole claim: an empty or one-word fragment ("Metformin."), or
    the answer's ``last`` sentence cut off by a token limit (no closing punctuation, and it
    ends on a word no sentence ends on: "Metformin is")."""
    words = _WORD.findall(sentence)
    if len(words) <= 1:
        return True
    if not last or _TERMINAL.search(sentence):
        return False
    return words[-1].lower() in _DANGLING


def repeat_key(claim: str) -> str:
    """What two sentences share when one repeats the other word for word (case, spacing and
    punctuation aside)."""
    return " ".join(_WORD.findall(claim.lower()))


_WH = re.compile(
    r"^\s*(what|who|which|where|when)\s+(is|are|was|were)\s+(?P<rest>.+?)\s*\??\s*$", re.I
)


def fragment_to_claim(question: str, answer: str) -> str:
    """Turn a short answer into a claim using its question.

    "What is the capital of India?" + "Delhi" -> "The capital of India is Delhi."
    Questions that no rule fits give "<question> <answer>", which an NLI model still reads.
    """
    q, a = question.strip(), answer.strip().rstrip(".!")
    m = _WH.match(q)
    if m:
        verb, rest = m.group(2).lower(), m.group("rest")
        rest = rest[0].upper() + rest[1:]
        words = rest.split()
        cut = next((i for i, w in enumerate(words) if i > 0 and _is_participle(w)), None)
        if cut is not None:  # "what is X used to treat" -> "X is used to treat A"
            subject, tail = " ".join(words[:cut]), " ".join(words[cut:])
            subject = subject[0].upper() + subject[1:]
            if m.group(1).lower() in ("where", "when") and cut == len(words) - 1:
                prep = "in " if m.group(1).lower() == "where" or re.fullmatch(r"\d{3,4}", a) else ""
                return f"{subject} {verb} {tail} {prep}{a}."
            return f"{subject} {verb} {tail} {a}."
        if m.group(1).lower() == "where":
            return f"{rest} {verb} in {a}."
        if m.group(1).lower() == "when":
            prep = "in " if re.fullmatch(r"\d{3,4}", a) else ""
            return f"{rest} {verb} {prep}{a}."
        return f"{rest} {verb} {a}."
    return f"{q} {a}."


_PARTICIPLES = {"born", "used", "known", "made", "called", "given", "taken", "done", "seen",
                "found", "shown", "written", "caused", "spread", "built", "held", "grown"}


def _is_participle(word: str) -> bool:
    w = word.lower()
    return w in _PARTICIPLES or (w.endswith("ed") and len(w) > 4)


def is_fragment(answer: str, max_words: int = 6) -> bool:
    """A short answer with no sentence of its own ("Delhi", "In 1998", "Yes, twice")."""
    return 0 < len(_WORD.findall(answer)) <= max_words
