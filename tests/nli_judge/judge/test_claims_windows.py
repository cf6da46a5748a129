import pytest

from nli_judge.judge.claims import fragment_to_claim, is_no_claim
from nli_judge.judge.windows import evidence_windows
from nli_judge.text import mask_html


@pytest.mark.parametrize("s", [
    "Hello!", "Thanks!", "I hope this helps.", "Is there anything else I can help with?",
    "The documents don't say how long it lasts.", "I don't know.",
    "Please talk to your doctor about this.", "Here are the steps:",
    "This is not mentioned in the documents.",
])
def test_no_claim_sentences(s):
    assert is_no_claim(s)


@pytest.mark.parametrize("s", [
    "Aspirin thins the blood.", "Thank you for asking, aspirin is safe and it lowers fever.",
    "The clinic opens at 9am.",
])
def test_claim_sentences(s):
    assert not is_no_claim(s)


def test_fragment_answers_become_claims():
    assert fragment_to_claim("What is the capital of India?", "Delhi") == \
        "The capital of India is Delhi."
    assert fragment_to_claim("Where was Obama born?", "Hawaii.") == "Obama was born in Hawaii."
    assert fragment_to_claim("How many legs has a spider?", "Eight") == \
        "How many legs has a spider? Eight."


def words(s):
    return len(s.split())


def test_windows_cover_everything_with_overlap():
    p = " ".join(f"Sentence number {i} is here." for i in range(20))
    w = evidence_windows(p, words, budget=15, overlap=1)
    assert all(words(p[a:b]) <= 15 for a, b in w)
    assert w[0][0] == 0 and w[-1][1] == len(p)
    for (_, end), (next_start, _) in zip(w, w[1:], strict=False):
        assert next_start < end  # consecutive windows overlap by a sentence
    assert p[w[1][0]:].startswith("Sentence number 2 ")


def test_short_passage_is_one_window_and_long_sentence_is_cut_at_words():
    assert evidence_windows("  One short passage. ", words, 15) == [(2, 20)]
    long = "word " * 50
    w = evidence_windows(long, words, budget=12)
    assert len(w) > 4 and all(words(long[a:b]) <= 12 for a, b in w)
    assert w[-1][1] == len(long.rstrip())
    assert evidence_windows("   ", words, 12) == []


def test_mask_html_keeps_offsets():
    t = "<p>Aspirin <b>helps</b>.</p><p>It thins blood.</p>"
    m = mask_html(t)
    assert len(m) == len(t)
    assert m.split() == ["Aspirin", "helps", ".", "It", "thins", "blood."]
