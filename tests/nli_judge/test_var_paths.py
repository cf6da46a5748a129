"""One place names every default path under var/, and $GC_VAR_DIR moves them all."""

from pathlib import Path

from chatbot.settings import ChatSettings
from nli_judge.training.arguments import NLITrainingArguments
from nli_judge.var_paths import VarPaths


def test_gc_var_dir_moves_every_default(monkeypatch, tmp_path):
    monkeypatch.setenv("GC_VAR_DIR", str(tmp_path / "v"))
    paths = VarPaths.from_env()
    assert paths.root == tmp_path / "v" and paths.onnx == tmp_path / "v" / "onnx"
    assert paths.mlflow_uri == f"sqlite:///{tmp_path / 'v' / 'mlflow.db'}"
    args = NLITrainingArguments(report_to="none")
    assert Path(args.output_dir) == paths.runs / "nli" and args.tracking_uri == paths.mlflow_uri
    s = ChatSettings()
    assert s.var_dir == paths.root and s.index_dir == paths.index
    assert s.db_url == f"sqlite:///{paths.database}"


def test_default_is_var_in_the_working_directory(monkeypatch):
    monkeypatch.delenv("GC_VAR_DIR", raising=False)
    assert VarPaths.from_env().root == Path("var") == ChatSettings().var_dir
