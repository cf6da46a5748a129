"""Clean endings and no repeats: what the chat does to a finished answer before it is judged.

Small local models repeat sentences word for word and stop mid-sentence when the token
budget runs out ("... 3. Metformin is"). ``tidy_answer`` drops a sentence that repeats an
earlier one and a trailing fragment, and says what it removed; ``repeated_sentences`` and
``cut_off`` are the checks (the answer benchmark counts them too).
"""

from __future__ import annotations

import re

from chatbot.chain.citations import CITATION
from nli_judge.judge.sentences import answer_spans, claim_text

_END = re.compile(r"[.!?)\"'”’:]\s*$")
_FULL_STOP = re.compile(r"[.!?][\"'”’]?\s*$")


def _key(sentence: str) -> str:
    return re.sub(r"\W+", " ", claim_text(sentence).lower()).strip()


def repeated_sentences(answer: str) -> int:
    """Sentences that repeat an earlier one of the answer word for word (ignoring case,
    spaces, list markers and citation markers)."""
    seen, n = set(), 0
    for s, e in answer_spans(answer):
        key = _key(answer[s:e])
        if key:
            n += key in seen
            seen.add(key)
    return n


def repeats_itself(sentence: str, n: int = 6) -> bool:
    """Does ``sentence`` hold the same ``n`` words twice (a sentence pasted into itself:
    "Caring for X is hard. Caring for X is hard" read as one sentence)?"""
    w = re.findall(r"\w+", claim_text(sentence).lower())
    grams = [tuple(w[i:i + n]) for i in range(len(w) - n + 1)]
    return len(set(grams)) < len(grams)


_USER_VOICE = re.compile(
    r"\bmy (father|mother|dad|mom|mum|son|daughter|husband|wife|child|children|kids?|baby|"
    r"brother|sister|friend|partner|grand\w+|family|doctor)\b|^\W*(I|I'm|I've|I am|I have|We"
    r" have|My)\b", re.I)
_BACK_REFERENCE = re.compile(r"^\W*(These|This|Those|They|It|Its|Their|Such|He|She|Both)\b")


def user_voice(sentence: str) -> bool:
    """Is ``sentence`` written as the person asking ("To help my father ...", "I have
    ...")? Copied from the question, it is no answer."""
    return bool(_USER_VOICE.search(claim_text(sentence)))


def leans_back(sentence: str) -> bool:
    """Does ``sentence`` open with a word that points at the sentence before it ("These
    supplements ...", "They ...")? Quoted alone it says something else."""
    return bool(_BACK_REFERENCE.match(claim_text(sentence)))


def pasted_repeats(answer: str) -> int:
    """Sentences of ``answer`` that repeat themselves inside (``repeats_itself``)."""
    return sum(repeats_itself(answer[s:e]) for s, e in answer_spans(answer))


_LIST_ITEM = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")


def cut_off(answer: str) -> bool:
    """The answer stops inside a sentence: no closing punctuation after its last words
    (citation markers do not count as words). A last line that is a list item ("- Fever",
    "3. Rest") is whole without a full stop when the list's other items have none either
    (an item ending in a bracket, "- Palpitations (a fast heartbeat)", has none); "3.
    Metformin is" after items that end in full stops was cut."""
    text = CITATION.sub("", answer).strip()
    if not text or _END.search(text):
        return False
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not _LIST_ITEM.match(lines[-1]):
        return True
    return any(_FULL_STOP.search(line) for line in lines[:-1] if _LIST_ITEM.match(line))


def sentence_budget_end(text: str, n: int) -> int | None:
    """Where a streaming answer ``text`` ends once it holds ``n`` finished sentences or list
    lines: a sentence is finished once the next one has begun, or a line break follows it
    (so "3." of "3.5" is never taken for an end). None while fewer are finished."""
    if n <= 0:
        return None
    spans = answer_spans(text)
    done = spans if text.endswith("\n") else spans[:-1]
    return done[n - 1][1] if len(done) >= n else None


def says_nothing(answer: str, titles: list[str] = (), min_words: int = 6) -> bool:
    """Fewer than ``min_words`` words once citation markers and the passages' ``titles``
    are taken out: a small model's "[1] Asthma (symptoms)" is not an answer."""
    text = CITATION.sub(" ", answer)
    for title in titles:
        if title:
            text = text.replace(title, " ")
    return len(re.findall(r"\w+", text)) < min_words


def _sentences(answer: str) -> list[tuple[int, int]]:
    """The judge's sentence spans, with a span that has no letters (an inline list marker
    such as "3.") joined to the sentence after it."""
    out, pending = [], None
    for s, e in answer_spans(answer):
        if pending is not None:
            s, pending = pending, None
        if not re.search(r"[^\W\d_]", answer[s:e]):
            pending = s
            continue
        out.append((s, e))
    if pending is not None:
        out.append((pending, len(answer.rstrip())))
    return out


def tidy_answer(answer: str) -> tuple[str, list[str]]:
    """(``answer`` without repeated sentences, sentences that repeat themselves inside,
    sentences in the asker's voice and a cut-off last sentence, notes saying what was
    removed). An answer that is one fragment is kept as it is."""
    spans = _sentences(answer)
    keep, seen, notes, dropped, pasted, voiced = [], set(), [], 0, 0, 0
    for j, (s, e) in enumerate(spans):
        key = _key(answer[s:e])
        if key and key in seen:
            dropped += 1
            continue
        if repeats_itself(answer[s:e]):
            pasted += 1
            continue
        if user_voice(answer[s:e]):
            voiced += 1
            continue
        seen.add(key)
        keep.append(j)
    if dropped:
        notes.append(f"removed {dropped} repeated sentence(s)")
    if pasted:
        notes.append(f"removed {pasted} sentence(s) that repeat themselves inside")
    if voiced:
        notes.append(f"removed {voiced} sentence(s) written as the person asking")
    last = spans[keep[-1]] if keep else None
    if len(keep) > 1 and cut_off(answer[:last[1]]):  # with its line: a list item?
        notes.append(f"removed the unfinished last sentence: "
                     f"{answer[last[0]:last[1]].strip()!r}")
        keep.pop()
    if not notes:
        return answer, []
    out = []
    for j in keep:  # each kept sentence with what stands before it (spaces, list marker)
        out.append(answer[spans[j - 1][1] if j else 0:spans[j][1]])
    return "".join(out).strip(), notes
