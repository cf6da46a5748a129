"""The checkpoint shipped in nli_judge/checkpoint loads and labels obvious pairs."""

import json

import numpy as np

from nli_judge import LABELS, SHIPPED_MODEL_DIR, NLIModel


def test_shipped_checkpoint_labels_three_obvious_pairs():
    model = NLIModel.load()
    assert model.encoding == "pair"
    probs = model.predict(
        ["A man is playing a guitar on stage.",
         "A man is playing a guitar on stage.",
         "A man is playing a guitar on stage."],
        ["A man is playing an instrument.",
         "Nobody is playing any instrument.",
         "The man is a famous musician from Spain."],
    )
    assert probs.shape == (3, 3)
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert [LABELS[i] for i in probs.argmax(1)] == ["entailment", "contradiction", "neutral"]


def test_shipped_checkpoint_is_small_fp16_with_its_card_and_metrics():
    weights = SHIPPED_MODEL_DIR / "model.safetensors"
    assert weights.stat().st_size < 60_000_000
    assert (SHIPPED_MODEL_DIR / "MODEL_CARD.md").exists()
    metrics = json.loads((SHIPPED_MODEL_DIR / "metrics.json").read_text())
    assert metrics["n"] == 1963 and metrics["validation_file"].endswith("mnli_heldout.tsv")
