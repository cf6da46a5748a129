"""Where the project keeps what it builds, caches and measures: one folder, ``var`` in the
working directory, or ``$GC_VAR_DIR`` (the chatbot's ``ChatSettings.var_dir`` reads the same
variable). Nothing under it is committed; every default path under it is named here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VarPaths:
    """The folders and files under ``root``."""

    root: Path = Path("var")

    @classmethod
    def from_env(cls) -> VarPaths:
        """``$GC_VAR_DIR``, else ``var``."""
        return cls(Path(os.environ.get("GC_VAR_DIR") or "var"))

    @property
    def models(self) -> Path:
        """Unpacked model files (GGUF-converted LLMs, the mpnet base)."""
        return self.root / "models"

    @property
    def onnx(self) -> Path:
        """ONNX exports of the NLI model, per weights digest."""
        return self.root / "onnx"

    @property
    def runs(self) -> Path:
        """Training runs."""
        return self.root / "runs"

    @property
    def judge_data(self) -> Path:
        """The judge model's training mix (``nli_judge.data.judge_data``)."""
        return self.root / "judge_data"

    @property
    def audit(self) -> Path:
        """Label audit CSVs."""
        return self.root / "audit"

    @property
    def index(self) -> Path:
        """The chatbot's FAISS + BM25 index."""
        return self.root / "index"

    @property
    def index_build(self) -> Path:
        """A knowledge-base build in progress: its plan, embedded shards and progress."""
        return self.root / "index_build"

    @property
    def database(self) -> Path:
        """The chatbot's SQLite database (when no DATABASE_URL is set)."""
        return self.root / "groundedchat.db"

    @property
    def mlflow_uri(self) -> str:
        """The MLflow tracking store (sqlite) of training runs and benchmark runs."""
        return f"sqlite:///{self.root / 'mlflow.db'}"
