"""Settings read from the environment, each failing loudly on a bad value: ImproperlyConfigured
naming the variable and what it holds, never a bare ValueError or a silently rounded number.

Used by config.settings and config.database; no Django import beyond the exception, so the
database module can read it before settings exist.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def envbool(name: str, default: str = "0") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envfloat(name: str, default: str) -> float:
    """A number >= 0 ("1.5", "30")."""
    value = os.environ.get(name, default).strip()
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0:  # also refuses nan
        raise ImproperlyConfigured(f"{name} must be a number >= 0, got {value!r}")
    return number


def envint(name: str, default: str, minimum: int = 0) -> int:
    """A whole number >= `minimum` ("5"; not "2.5", not "five")."""
    value = os.environ.get(name, default).strip()
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return number
