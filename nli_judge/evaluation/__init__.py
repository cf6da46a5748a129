"""Measuring the NLI model on labelled pairs.

``evaluate`` (``python -m nli_judge.evaluation.evaluate``), ``metrics`` (accuracy, macro F1,
per-source tables, the confusion matrix), ``audit`` (confidently wrong training labels).
"""
