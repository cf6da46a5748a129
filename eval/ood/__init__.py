"""The out-of-distribution protocol that chooses the shipped judge (``python -m eval.ood``)."""
