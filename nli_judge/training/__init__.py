"""Fine-tuning the NLI model with the Hugging Face Trainer.

``train`` (``python -m nli_judge.training.train``), ``arguments`` (the typed settings),
``trainer`` (the Trainer subclass: soft targets, the binary scheme, the epoch table),
``tracking`` (MLflow / wandb), ``soup`` (averaging checkpoints).
"""
