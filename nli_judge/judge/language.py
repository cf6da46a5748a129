"""Which language is a sentence in? The judge's model reads English only, so a sentence in
another language is skipped (label ``other_language``) instead of being scored with a
confidence the model does not have.

The rules, cheapest first:
1. Letters mostly outside the Latin script (Chinese, Japanese, Cyrillic, Arabic, Greek, ...):
   not English; the language is named by py3langid (the maintained fork of langid.py, its
   model shipped in the package, deterministic).
2. Latin script: count the function words ("the", "is", "with"; "der", "und", "ist"; ...) of
   English and of six common languages. Two English ones, or fewer than ``min_words`` words
   ("Yes.", "Ibuprofen 400 mg"): English. This keeps medical sentences full of Latin drug
   names English.
3. At least two of another language's, more than any other's: that language (short German or
   Spanish sentences that a character model is unsure about).
4. Otherwise py3langid, restricted to common Latin-script languages, decides when its
   normalised probability is at least ``min_confidence`` and the sentence has more function
   words of that language than of English (names alone are no sentence in a language); else
   English.
"""

from __future__ import annotations

import functools
import re
import unicodedata

ENGLISH = "en"
# Latin-script languages py3langid may choose between in rule 4.
LATIN_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl",
                   "cs", "ro", "hu", "tr", "id", "ca", "hr", "sk", "sl", "et", "lt", "lv")
_FUNCTION_WORDS = {lang: frozenset(words.split()) for lang, words in {
    "en": "the a an is are was were be been and or of to in on for with by from as at that "
          "this it its these those can may should will not no you your they their he she his "
          "her we our has have had do does which who what when how if than also",
    "de": "der die das den dem des und ist sind mit nicht ein eine einen wird werden bei zu "
          "von für auf im auch sich oder kein keine wie nach",
    "fr": "le la les et est sont des une un du pour avec dans pas ne qui que au aux sur ou "
          "il elle ce cette",
    "es": "el los las y es son del una un con por para no que en se su al como pero",
    "it": "il lo gli le è sono della delle degli con per non che una uno di nel alla come",
    "pt": "o os as é são da do das dos uma um com para não que em se ao como",
    "nl": "de het een en zijn van met niet voor op ook wordt worden bij aan dat als",
}.items()}
_WORD = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=2)
def _identifier(restricted: bool):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if restricted:
        ident.set_languages(list(LATIN_LANGUAGES))
    return ident


def _latin_share(letters: list[str]) -> float:
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return latin / len(letters)


def detect(text: str, min_words: int = 4, min_confidence: float = 0.9) -> str:
    """The ISO 639 code of ``text``'s language by the rules above (``en`` when unsure)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ENGLISH
    if _latin_share(letters) < 0.5:
        lang, _ = _identifier(False).classify(text)
        return "zh" if lang in {"yue", "wuu"} else lang
    words = [w.lower() for w in _WORD.findall(text)]
    counts = {lang: sum(w in fw for w in words) for lang, fw in _FUNCTION_WORDS.items()}
    if counts[ENGLISH] >= 2 or len(words) < min_words:
        return ENGLISH
    best = max(counts, key=lambda lang: (counts[lang], lang == ENGLISH))
    if counts[best] >= 2 and sorted(counts.values())[-2] < counts[best]:
        return best
    lang, prob = _identifier(True).classify(text)
    # Names alone ("al-Wilaya al-Islamiyya Gharb Afriqiyyah") are no sentence in a language:
    # the identifier must be sure and find one of that language's function words.
    if prob >= min_confidence and counts.get(lang, 0) > counts[ENGLISH]:
        return lang
    return ENGLISH
