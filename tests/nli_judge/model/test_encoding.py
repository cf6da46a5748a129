from nli_judge.model.encoding import encode_pairs


def _tokens(tokenizer, enc, i=0):
    return tokenizer.convert_ids_to_tokens(enc["input_ids"][i])


def test_pair_encoding_has_sep_between_and_segment_ids(tokenizer):
    enc = encode_pairs(tokenizer, ["A man eats."], ["Someone eats."], "pair")
    ids = enc["input_ids"][0]
    assert _tokens(tokenizer, enc) == ["[CLS]", "a", "man", "eats", ".", "[SEP]",
                                       "someone", "eats", ".", "[SEP]"]
    assert ids.count(tokenizer.sep_token_id) == 2
    assert enc["token_type_ids"][0] == [0] * 6 + [1] * 4


def test_concat_encoding_has_no_separator_between(tokenizer):
    enc = encode_pairs(tokenizer, ["A man eats."], ["Someone eats."], "concat")
    ids = enc["input_ids"][0]
    assert _tokens(tokenizer, enc) == ["[CLS]", "a", "man", "eats", ".", "someone", "eats", ".",
                                       "[SEP]"]
    assert ids.count(tokenizer.sep_token_id) == 1 and ids[-1] == tokenizer.sep_token_id
    assert set(enc["token_type_ids"][0]) == {0}


def test_truncation_cuts_the_premise_and_keeps_the_hypothesis(tokenizer):
    premise = "word " * 600
    for encoding in ("pair", "concat"):
        enc = encode_pairs(tokenizer, [premise], ["the final claim"], encoding, max_length=64)
        toks = _tokens(tokenizer, enc)
        assert len(toks) == 64
        assert toks[-4:-1] == ["the", "final", "claim"]


def test_unknown_encoding_is_refused(tokenizer):
    import pytest

    with pytest.raises(ValueError, match="unknown encoding"):
        encode_pairs(tokenizer, ["a"], ["b"], "sideways")
