"""ParsedTrial <-> plain dict, so a stored source's parse can be merged again without re-parsing."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from typing import get_args, get_type_hints

import records
from records import ParsedTrial


@cache
def _shape(cls) -> tuple[tuple[str, type | None, type | None], ...]:
    """(field, its dataclass type, its list's dataclass type) per field; resolving the type
    hints is slow and every stored source of every rebuilt trial goes through here."""
    hints = get_type_hints(cls, vars(records))
    shape = []
    for f in fields(cls):
        hint, args = hints[f.name], get_args(hints[f.name])
        single = hint if isinstance(hint, type) and is_dataclass(hint) else None
        items = args[0] if args and isinstance(args[0], type) and is_dataclass(args[0]) else None
        shape.append((f.name, single, items))
    return tuple(shape)


def _build(cls, data: dict):
    kwargs = {}
    for name, single, items in _shape(cls):
        if name not in data:
            continue
        value = data[name]
        if single and isinstance(value, dict):
            value = _build(single, value)
        elif items and isinstance(value, list):
            value = [_build(items, item) for item in value]
        kwargs[name] = value
    return cls(**kwargs)


def record_from_dict(data: dict) -> ParsedTrial:
    """The inverse of ParsedTrial.to_dict(); unknown keys (from older versions) are ignored."""
    return _build(ParsedTrial, data)
