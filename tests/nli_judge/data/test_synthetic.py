"""The rule-based edits that make synthetic unsupported claims."""

import random

from nli_judge.data.synthetic import (
    EDITS,
    antonym,
    corrupt,
    document_numbers,
    names,
    negate,
    paraphrase,
    swap_name,
    swap_number,
    swap_pair,
    swap_roles,
    swap_unit,
)

S = "However, the clinic in Leeds treated 1,200 patients in March with 5 mg of Aspirin daily."


def test_each_edit_changes_what_it_says():
    rng = random.Random(0)
    for pool in (["40"], []):
        out = swap_number(S, rng, pool)
        assert out != S and document_numbers(out) != document_numbers(S)
    assert swap_unit("Take 5 mg for 3 days.", random.Random(1)) in (
        "Take 5 g for 3 days.", "Take 5 mg for 3 weeks.")
    assert swap_name(S, rng, ["Paris"]).count("Paris") == 1
    assert negate("Aspirin is a painkiller.", rng) == "Aspirin is not a painkiller."
    assert negate("Aspirin does not cure cancer.", rng) == "Aspirin does cure cancer."
    assert negate("It isn't contagious.", rng) == "It is contagious."
    assert antonym("Symptoms increase at night.", rng) == "Symptoms decrease at night."
    swapped = swap_pair("The court said Smith defeated Jones in the final.", rng)
    assert swapped == "The court said Jones defeated Smith in the final."


def test_edits_that_do_not_apply_say_so():
    rng = random.Random(0)
    plain = "it helps a lot"
    assert swap_number(plain, rng, []) is None and swap_unit(plain, rng) is None
    assert swap_name(plain, rng, ["Leeds"]) is None and negate(plain, rng) is None
    assert corrupt(plain, rng, [], []) is None


def test_corrupt_names_the_edit_and_paraphrase_keeps_the_claim():
    rng = random.Random(3)
    for _ in range(20):
        edited, name = corrupt(S, rng, document_numbers(S), names(S) + ["Paris"])
        assert name in EDITS and edited != S
    assert paraphrase("However, aspirin (a painkiller) thins the blood.", random.Random(0)) in {
        "However, aspirin (a painkiller) thins the blood.",
        "Aspirin (a painkiller) thins the blood.",
        "However, aspirin thins the blood.", "Aspirin thins the blood."}
    assert document_numbers(S) == ["1,200", "5"] and "Leeds" in names(S)


def test_swap_roles_swaps_the_phrases_around_a_relation_verb():
    rng = random.Random(0)
    assert swap_roles("Smoking causes lung cancer.", rng) == "Lung cancer causes smoking."
    assert swap_roles("Apple acquired Beats for $3 billion.", rng) == \
        "Beats acquired Apple for $3 billion."
    assert swap_roles("Doctors said the drug treats high blood pressure.", rng) == \
        "Doctors said high blood pressure treats the drug."
    assert swap_roles("Aspirin inhibits platelet aggregation in adults.", rng) == \
        "Platelet aggregation inhibits Aspirin in adults."  # a name, perhaps: kept
    # no relation verb, or a phrase too long to be a noun phrase: the edit does not apply
    assert swap_roles("It helps a lot.", rng) is None
    assert swap_roles("Eating very large spicy late meals causes gas.",
                      rng) is None
    # an adjective ("the affected area"), a pronoun subject, a noun that looks like a verb
    for sentence in ("Symptoms depend on the affected area of the body.",
                     "It affects how we think and act.",
                     "The environmental triggers remain unclear."):
        assert swap_roles(sentence, rng) is None, sentence
    assert corrupt("Smoking causes lung cancer.", rng, [], [], ("roles",)) == (
        "Lung cancer causes smoking.", "roles")
