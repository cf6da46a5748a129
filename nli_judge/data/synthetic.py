"""Rule-based edits of true sentences: synthetic training pairs for the judge (FactCC-style).

A RAG answer goes wrong about a passage in a few typical ways: a number, date, unit or name
taken from elsewhere, a negated verb, subject and object swapped, a sentence that no passage
says. ``corrupt`` makes one such error in a sentence taken from a document (an *unsupported*
claim against that document); ``paraphrase`` makes a light, meaning-keeping edit (a
*supported* claim). Every function is deterministic given its ``random.Random``; ``None``
means the edit does not apply to this sentence.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]*\w)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_UNITS = [("mg", "g"), ("milligrams", "grams"), ("days", "weeks"), ("weeks", "months"),
          ("months", "years"), ("hours", "days"), ("minutes", "hours"), ("percent", "times"),
          ("kilograms", "pounds"), ("miles", "kilometers"), ("mL", "L")]
_MONTHS = ("January February March April May June July August September October November "
           "December").split()
_ANTONYMS = [("increase", "decrease"), ("increases", "decreases"), ("increased", "decreased"),
             ("more", "less"), ("higher", "lower"), ("high", "low"), ("before", "after"),
             ("common", "rare"), ("commonly", "rarely"), ("early", "late"), ("larger", "smaller"),
             ("large", "small"), ("men", "women"), ("children", "adults"), ("won", "lost"),
             ("win", "lose"), ("first", "last"), ("always", "never"), ("often", "seldom"),
             ("most", "few"), ("older", "younger"), ("above", "below"), ("inside", "outside"),
             ("safe", "unsafe"), ("effective", "ineffective"), ("reduce", "raise"),
             ("reduces", "raises"), ("mild", "severe"), ("acute", "chronic"),
             ("positive", "negative"), ("north", "south"), ("east", "west"),
             ("rise", "fall"), ("rose", "fell"), ("start", "end"), ("started", "ended")]
_ANTONYM = {a: b for a, b in _ANTONYMS} | {b: a for a, b in _ANTONYMS}
_AUX = re.compile(r"\b(is|are|was|were|can|could|may|might|will|would|should|must|has|have|"
                  r"had|does|do|did)\b(?! not\b)", re.I)
_NEGATED = re.compile(r"\b(is|are|was|were|can|could|may|might|will|would|should|must|has|have|"
                      r"had|does|do|did) not\b|\b(isn't|aren't|wasn't|weren't|can't|cannot|"
                      r"won't|doesn't|don't|didn't|hasn't|haven't)\b", re.I)
_UNNEGATE = {"isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were",
             "can't": "can", "cannot": "can", "won't": "will", "doesn't": "does",
             "don't": "do", "didn't": "did", "hasn't": "has", "haven't": "have"}
# Capitalised word runs not at the start of the sentence: names, places, organisations.
_NAME = re.compile(r"(?<=[a-z,;:()] )((?:[A-Z][a-zA-Z'\-]+)"
                   r"(?: (?:of |de |van )?[A-Z][a-zA-Z'\-]+)*)")
_LEADS = re.compile(r"^(However|Also|In addition|Additionally|Moreover|Furthermore|In fact|"
                    r"Generally|Usually|Overall|Indeed),\s+")
_PARENS = re.compile(r"\s*\([^()]{1,80}\)")
# Verbs that relate an agent to a patient: "X causes Y" and "Y causes X" say different things.
_RELATION = re.compile(
    r"\b(causes|caused|leads to|led to|treats|treated|prevents|prevented|affects|affected|"
    r"inhibits|inhibited|activates|activated|blocks|blocked|infects|infected|damages|damaged|"
    r"triggers|triggered|precedes|preceded|replaced|replaces|defeated|beat|attacked|killed|"
    r"hired|acquired|bought|married|sued|arrested|interviewed|signed|criticised|criticized|"
    r"produces|produced|controls|controlled|regulates|regulated|converts|converted)\b")
# Where a noun phrase around the verb ends: punctuation, a clause word or a preposition.
_PHRASE_END = re.compile(r"[,;:.()]|\b(?:and|or|but|that|which|who|because|when|while|if|in|on|"
                         r"at|by|with|for|from|into|to|of|during|after|before|than|as)\b")
_PHRASE_START = re.compile(r".*(?:[,;:()]|\b(?:and|or|but|that|which|who|because|when|while|"
                           r"if|in|on|at|by|with|for|from|of|after|before|said|says|reported|found|showed|shows|"
                           r"suggests|suggested))\s", re.S)
# Sentence-initial words that are not names (lower-cased when they move to the middle).
_COMMON_START = re.compile(r"^(?:the|a|an|this|these|those|that|its|their|his|her|our|some|"
                           r"many|most|each|every|no|\w+ing)\b", re.I)


def names(text: str) -> list[str]:
    """Capitalised word runs that are not sentence-initial (crude named entities)."""
    return [m.group(1) for m in _NAME.finditer(text)]


def swap_number(sentence: str, rng: random.Random, pool: list[str]) -> str | None:
    """Replace one number with another from ``pool`` (the document's numbers) or a nearby
    value; years move by a few years."""
    found = list(_NUMBER.finditer(sentence))
    if not found:
        return None
    m = rng.choice(found)
    old = m.group(1)
    others = [n for n in pool if n != old]
    if others and rng.random() < 0.5:
        new = rng.choice(others)
    elif _YEAR.fullmatch(old):
        new = str(int(old) + rng.choice([-10, -5, -3, -2, -1, 1, 2, 3, 5, 10]))
    else:
        value = float(old.replace(",", ""))
        factor = rng.choice([0.1, 0.25, 0.5, 2, 3, 4, 10])
        new_value = value * factor if value else rng.randint(1, 9)
        new = str(round(new_value)) if "." not in old else f"{new_value:.1f}"
        if new == old:
            new = str(int(value) + rng.randint(1, 9))
    return sentence[:m.start(1)] + new + sentence[m.end(1):]


def swap_unit(sentence: str, rng: random.Random) -> str | None:
    """Change a unit (mg -> g, days -> weeks) or a month name."""
    options = []
    for a, b in _UNITS:
        for old, new in ((a, b), (b, a)):
            for m in re.finditer(rf"\b{re.escape(old)}\b", sentence):
                options.append((m.start(), m.end(), new))
    for m in re.finditer(r"\b(" + "|".join(_MONTHS) + r")\b", sentence):
        options.append((m.start(), m.end(), rng.choice([x for x in _MONTHS if x != m.group(1)])))
    if not options:
        return None
    s, e, new = rng.choice(options)
    return sentence[:s] + new + sentence[e:]


def swap_name(sentence: str, rng: random.Random, pool: list[str]) -> str | None:
    """Replace a name with another name from ``pool`` (the document's, or another's)."""
    found = list(_NAME.finditer(sentence))
    if not found:
        return None
    m = rng.choice(found)
    others = [n for n in pool if n != m.group(1) and n not in m.group(1)
              and m.group(1) not in n]
    if not others:
        return None
    return sentence[:m.start(1)] + rng.choice(others) + sentence[m.end(1):]


def swap_pair(sentence: str, rng: random.Random) -> str | None:
    """Swap two names or two numbers inside the sentence (who did what to whom, which value
    belongs where): subject and object change places."""
    for found in (names(sentence), [m.group(1) for m in _NUMBER.finditer(sentence)]):
        distinct = list(dict.fromkeys(found))
        if len(distinct) >= 2:
            a, b = rng.sample(distinct, 2)
            marker = "\x00"
            out = sentence.replace(a, marker, 1).replace(b, a, 1).replace(marker, b, 1)
            return out if out != sentence else None
    return None


# Words that cannot make a phrase worth swapping on their own, or end one before a noun.
_FUNCTION_WORDS = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his",
                   "her", "our", "your", "my", "one", "it", "they", "we", "you", "he", "she",
                   "i", "there", "which", "who", "what", "how"}
# A word right after the "verb" that shows it was a noun ("environmental triggers remain").
_NOT_AFTER_VERB = re.compile(r"(?:is|are|was|were|be|been|remain|remains|may|can|will|has|have|"
                             r"had|do|does|did|not)\b", re.I)


def _is_phrase(words: str) -> bool:
    """A noun phrase to swap: some word that is not a function word, and not ending in a
    determiner (a verb after a determiner is an adjective: "the affected area")."""
    low = words.lower().split()
    return any(w not in _FUNCTION_WORDS for w in low) and low[-1] not in _FUNCTION_WORDS


def swap_roles(sentence: str, rng: random.Random) -> str | None:
    """Swap the noun phrases around a relation verb ("Smoking causes lung cancer" -> "Lung
    cancer causes smoking"): the same words in another order, a claim the passage does not
    make. Each phrase is 1-5 words, cut at punctuation, clause words and prepositions."""
    found = list(_RELATION.finditer(sentence))
    rng.shuffle(found)
    for m in found:
        before = sentence[:m.start()]
        cut = _PHRASE_START.match(before)
        left_start = cut.end() if cut else 0
        left = before[left_start:].strip()
        after = sentence[m.end():]
        stop = _PHRASE_END.search(after)
        right = after[:stop.start() if stop else len(after)].strip()
        if not (1 <= len(left.split()) <= 5 and 1 <= len(right.split()) <= 5) \
                or left.lower() == right.lower() or not _is_phrase(left) \
                or not _is_phrase(right) or _NOT_AFTER_VERB.match(right):
            continue  # "the affected area", "It affects ...", "triggers remain": no roles
        new_left, new_right = right, left
        if left_start == 0:  # the sentence's first word moves: fix the capitals
            new_left = new_left[:1].upper() + new_left[1:]
            if _COMMON_START.match(new_right):
                new_right = new_right[:1].lower() + new_right[1:]
        r_start = m.end() + after.index(right)
        out = (sentence[:left_start] + before[left_start:].replace(left, new_left, 1)
               + sentence[m.start():r_start] + new_right + sentence[r_start + len(right):])
        if out != sentence:
            return out
    return None


def negate(sentence: str, rng: random.Random) -> str | None:
    """Negate the first auxiliary verb ("is" -> "is not"), or drop an existing negation."""
    m = _NEGATED.search(sentence)
    if m:
        if m.group(2):
            word = m.group(2)
            new = _UNNEGATE[word.lower()]
            new = new.capitalize() if word[0].isupper() else new
            return sentence[:m.start()] + new + sentence[m.end():]
        return sentence[:m.start()] + m.group(1) + sentence[m.end():]
    m = _AUX.search(sentence)
    if not m:
        return None
    return sentence[:m.end()] + " not" + sentence[m.end():]


def antonym(sentence: str, rng: random.Random) -> str | None:
    """Replace one word by its opposite (increase -> decrease, common -> rare)."""
    found = [m for m in re.finditer(r"\b[a-zA-Z]+\b", sentence) if m.group(0).lower() in _ANTONYM]
    if not found:
        return None
    m = rng.choice(found)
    new = _ANTONYM[m.group(0).lower()]
    new = new.capitalize() if m.group(0)[0].isupper() else new
    return sentence[:m.start()] + new + sentence[m.end():]


# name -> edit(sentence, rng, numbers pool, names pool); the names in reports and the card.
EDITS: dict[str, Callable[[str, random.Random, list[str], list[str]], str | None]] = {
    "number": lambda s, rng, nums, ents: swap_number(s, rng, nums),
    "unit": lambda s, rng, nums, ents: swap_unit(s, rng),
    "name": lambda s, rng, nums, ents: swap_name(s, rng, ents),
    "swap": lambda s, rng, nums, ents: swap_pair(s, rng),
    "roles": lambda s, rng, nums, ents: swap_roles(s, rng),
    "negation": lambda s, rng, nums, ents: negate(s, rng),
    "antonym": lambda s, rng, nums, ents: antonym(s, rng),
}


def corrupt(sentence: str, rng: random.Random, numbers_pool: list[str], names_pool: list[str],
            edits: tuple[str, ...] = tuple(EDITS)) -> tuple[str, str] | None:
    """One error in ``sentence``: (edited sentence, edit name), trying the ``edits`` in a
    random order; None when none applies."""
    order = list(edits)
    rng.shuffle(order)
    for name in order:
        out = EDITS[name](sentence, rng, numbers_pool, names_pool)
        if out and out != sentence:
            return out, name
    return None


def paraphrase(sentence: str, rng: random.Random) -> str:
    """A meaning-keeping light edit: drop a leading connective or a parenthesis, or keep the
    sentence as it is (an exact copy is the commonest supported answer sentence)."""
    out = sentence
    if rng.random() < 0.5:
        out = _LEADS.sub("", out)
        out = out[:1].upper() + out[1:]
    if rng.random() < 0.5:
        out = _PARENS.sub("", out)
    return out


def document_numbers(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in _NUMBER.finditer(text)))
