"""Experiment tracking setup: MLflow in a local sqlite store (default), wandb offline, or none.

Nothing here touches the network: MLflow telemetry is switched off and wandb runs offline.
"""

from __future__ import annotations

import os
from pathlib import Path


def setup_tracking(report_to: str, tracking_uri: str, experiment: str) -> list[str]:
    """Configure the environment for ``report_to``; return the Trainer's ``report_to`` list."""
    if report_to == "none":
        return []
    if report_to == "wandb":
        os.environ.setdefault("WANDB_MODE", "offline")
        try:
            import wandb  # noqa: F401
        except ImportError:
            raise SystemExit("error: --report-to wandb needs: pip install wandb") from None
        return ["wandb"]
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ["HF_MLFLOW_LOG_ARTIFACTS"] = "false"  # we log our own, small artifacts
    artifacts = None
    if tracking_uri.startswith("sqlite:///"):
        db = Path(tracking_uri.removeprefix("sqlite:///")).resolve()
        db.parent.mkdir(parents=True, exist_ok=True)
        # Beside the database, not MLflow's default ./mlruns in whatever folder we run from.
        artifacts = (db.parent / "mlartifacts").as_uri()
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment, artifact_location=artifacts)
    mlflow.set_experiment(experiment)
    os.environ["MLFLOW_TRACKING_URI"] = tracking_uri
    os.environ["MLFLOW_EXPERIMENT_NAME"] = experiment
    return ["mlflow"]
