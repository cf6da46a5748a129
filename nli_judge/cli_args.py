"""Build an argparse CLI from typed dataclasses, with an optional JSON config file.

Each dataclass field becomes ``--field-name`` with the field's ``metadata["help"]``. ``list``
fields are repeatable (``--train-file a --train-file b`` or ``--train-file a b``), ``bool``
fields get ``--x/--no-x``, ``Literal`` fields get choices. ``--config FILE.json`` supplies
values first; flags on the command line override them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin


def _base_type(tp: Any) -> tuple[Any, bool]:
    """Strip ``X | None``; return (type, optional)."""
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def build_parser(dataclass_types: list[type], description: str = "") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--config", type=Path, help="JSON file of settings (flags override it)")
    for dc in dataclass_types:
        group = parser.add_argument_group(dc.__name__)
        hints = typing.get_type_hints(dc)
        for f in dataclasses.fields(dc):
            tp, _ = _base_type(hints[f.name])
            flag = "--" + f.name.replace("_", "-")
            kw: dict[str, Any] = {"dest": f.name, "help": f.metadata.get("help", ""),
                                  "default": argparse.SUPPRESS}
            if tp is bool:
                kw["action"] = argparse.BooleanOptionalAction
            elif get_origin(tp) is list:
                kw.update(action="extend", nargs="+", type=get_args(tp)[0])
            elif get_origin(tp) is Literal:
                kw.update(choices=list(get_args(tp)), type=type(get_args(tp)[0]))
            else:
                kw["type"] = tp
            if f.default is not dataclasses.MISSING:
                kw["help"] += f" (default: {f.default})"
            elif f.default_factory is not dataclasses.MISSING:
                kw["help"] += f" (default: {f.default_factory()})"
            group.add_argument(flag, **kw)
    return parser


def parse_dataclasses(
    dataclass_types: list[type], argv: list[str] | None = None, description: str = ""
) -> tuple:
    """Parse ``argv`` into one instance per dataclass type (in the given order)."""
    parser = build_parser(dataclass_types, description)
    ns = vars(parser.parse_args(argv))
    values: dict[str, Any] = {}
    config = ns.pop("config", None)
    if config:
        try:
            values.update(json.loads(Path(config).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as e:
            parser.error(f"cannot read config {config}: {e}")
    values.update(ns)
    known = {f.name for dc in dataclass_types for f in dataclasses.fields(dc)}
    unknown = sorted(set(values) - known)
    if unknown:
        parser.error(f"unknown setting(s) in config: {', '.join(unknown)}")
    out = []
    for dc in dataclass_types:
        names = {f.name for f in dataclasses.fields(dc)}
        out.append(dc(**{k: v for k, v in values.items() if k in names}))
    return tuple(out)
