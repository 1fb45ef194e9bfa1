"""config.env: settings from the environment fail loudly, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envfloat, envint, envlist


@pytest.mark.parametrize(("given", "expected"), [("7", 7), (" 0 ", 0), ("", None)])
def test_whole_numbers(monkeypatch, given, expected):
    monkeypatch.setenv("SOME_COUNT", given)
    if expected is None:
        with pytest.raises(ImproperlyConfigured, match="SOME_COUNT must be a whole number"):
            envint("SOME_COUNT", "3")
    else:
        assert envint("SOME_COUNT", "3") == expected


@pytest.mark.parametrize("given", ["2.5", "five", "-1", "1e3"])
def test_a_bad_whole_number_names_the_variable_and_the_value(monkeypatch, given):
    monkeypatch.setenv("SOME_COUNT", given)
    with pytest.raises(ImproperlyConfigured, match=rf"^SOME_COUNT .* got '{given}'$"):
        envint("SOME_COUNT", "3")


def test_the_default_is_read_the_same_way(monkeypatch):
    monkeypatch.delenv("SOME_COUNT", raising=False)
    assert envint("SOME_COUNT", "3") == 3
    with pytest.raises(ImproperlyConfigured, match=">= 1"):
        envint("SOME_COUNT", "0", minimum=1)


def test_numbers_booleans_and_lists(monkeypatch):
    monkeypatch.setenv("SOME_DELAY", "1.5")
    monkeypatch.setenv("SOME_FLAG", "yes")
    monkeypatch.setenv("SOME_HOSTS", " a.example , ,b.example")
    assert envfloat("SOME_DELAY", "0") == 1.5
    assert envbool("SOME_FLAG") is True
    assert envlist("SOME_HOSTS") == ["a.example", "b.example"]
    for name, value, read in [("SOME_DELAY", "nan", envfloat), ("SOME_FLAG", "maybe", envbool)]:
        monkeypatch.setenv(name, value)
        with pytest.raises(ImproperlyConfigured, match=name):
            read(name, "0")


def test_the_settings_read_their_counts_loudly(monkeypatch):
    """A count in the real settings module: CONN_MAX_AGE, read by config.database."""
    from config.database import database_settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("CONN_MAX_AGE", "1.5")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE"):
        database_settings(Path("."))
