"""Base-model resolution: aliases, pass-through, and the split-zip unpacking that
all-mpnet-base-v2's PyPI parts need."""

import zipfile

import pytest

from nli_judge.model.base_models import resolve_base_model, unpack_split_zip


def _split_zip(tmp_path, files: dict[str, str], pieces: int = 3):
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    data = archive.read_bytes()
    size = len(data) // pieces + 1
    parts = []
    for i in range(pieces):
        part = tmp_path / f"model.zip.{i + 1:03d}"
        part.write_bytes(data[i * size:(i + 1) * size])
        parts.append(part)
    return parts


def test_split_zip_is_joined_unpacked_once_and_its_model_folder_found(tmp_path):
    parts = _split_zip(tmp_path, {"m/config.json": "{}", "m/1_Pooling/config.json": "{}",
                                  "m/vocab.txt": "a\nb\n"})
    folder = unpack_split_zip(parts, tmp_path / "out")
    assert folder == tmp_path / "out" / "m"
    assert (folder / "vocab.txt").read_text() == "a\nb\n"
    (folder / "vocab.txt").write_text("changed")
    assert unpack_split_zip(parts, tmp_path / "out") == folder
    assert (folder / "vocab.txt").read_text() == "changed"  # not unpacked again


def test_archive_without_a_model_is_an_error(tmp_path):
    parts = _split_zip(tmp_path, {"readme.txt": "no model here"}, pieces=2)
    with pytest.raises(RuntimeError, match="no config.json"):
        unpack_split_zip(parts, tmp_path / "out")


def test_minilm_alias_resolves_to_the_pypi_package_and_others_pass_through():
    from pathlib import Path

    assert (Path(resolve_base_model("all-MiniLM-L6-v2")) / "config.json").exists()
    assert resolve_base_model("bert-base-cased") == "bert-base-cased"
