"""ParsedTrial <-> plain dict, so a stored source's parse can be merged again without re-parsing."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import get_args, get_type_hints

from . import records
from .records import ParsedTrial


def _build(cls, data: dict):
    hints = get_type_hints(cls, vars(records))
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value, hint = data[f.name], hints[f.name]
        args = get_args(hint)
        if is_dataclass(hint) and isinstance(value, dict):
            value = _build(hint, value)
        elif args and is_dataclass(args[0]) and isinstance(value, list):
            value = [_build(args[0], item) for item in value]
        kwargs[f.name] = value
    return cls(**kwargs)


def record_from_dict(data: dict) -> ParsedTrial:
    """The inverse of ParsedTrial.to_dict(); unknown keys (from older versions) are ignored."""
    return _build(ParsedTrial, data)
