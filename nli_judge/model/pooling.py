"""Classification heads: the usual ``[CLS]`` pooler, or the mean of the token vectors.

all-MiniLM-L6-v2 was trained as a sentence-transformer with *mean* pooling: its ``[CLS]``
vector was never trained to summarise the input, so a ``[CLS]`` head starts from little
(training sits near loss ln 3 for a few hundred steps). ``pooling="mean"`` feeds the classifier
the attention-masked mean of the last hidden states instead, the representation the base model
was trained to produce. The choice is stored in the checkpoint's config
(``groundedchat_pooling``), and ``load_classifier`` builds the matching class, so every
consumer (``NLIModel``, training, evaluation) loads a checkpoint the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import torch
from transformers import (
    AutoConfig,
    AutoModelForSequenceClassification,
    BertForSequenceClassification,
)
from transformers.modeling_outputs import SequenceClassifierOutput

Pooling = Literal["cls", "mean"]


class BertMeanPoolingForSequenceClassification(BertForSequenceClassification):
    """``BertForSequenceClassification`` with mean pooling instead of the ``[CLS]`` pooler.

    Same parameter names as the parent (the unused pooler is dropped), so a checkpoint saves
    and loads with ``save_pretrained`` / ``from_pretrained``. ``forward`` returns logits only;
    the training loss is computed by the Trainer.
    """

    def __init__(self, config):
        super().__init__(config)
        self.bert.pooler = None

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None,
                **kwargs) -> SequenceClassifierOutput:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        if attention_mask is None:
            attention_mask = torch.ones(hidden.shape[:2], device=hidden.device)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        logits = self.classifier(self.dropout(pooled))
        loss = None
        if labels is not None:
            loss = torch.nn.functional.cross_entropy(logits.float(), labels)
        return SequenceClassifierOutput(loss=loss, logits=logits)


def load_classifier(path: str | Path, pooling: Pooling | None = None, **kwargs):
    """A sequence classifier from ``path`` with the checkpoint's pooling (or ``pooling`` when
    given, e.g. for a base model that has none yet). ``kwargs`` go to ``from_pretrained``."""
    config = AutoConfig.from_pretrained(path, **{k: v for k, v in kwargs.items()
                                                 if k in ("num_labels", "id2label", "label2id")})
    pooling = pooling or getattr(config, "groundedchat_pooling", "cls")
    if pooling == "cls":
        model = AutoModelForSequenceClassification.from_pretrained(path, **kwargs)
    elif pooling == "mean":
        if config.model_type != "bert":
            raise ValueError(f"mean pooling is implemented for BERT models only, not "
                             f"{config.model_type!r}; use pooling 'cls'")
        model = BertMeanPoolingForSequenceClassification.from_pretrained(path, **kwargs)
    else:
        raise ValueError(f"unknown pooling {pooling!r}: use 'cls' or 'mean'")
    model.config.groundedchat_pooling = pooling
    return model
