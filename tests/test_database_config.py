"""DATABASE_URL parsing and the embedded default."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.database import SERVER_SETTINGS, from_url


def test_url_with_host_port_and_options():
    config = from_url("postgres://cat:s%40cret@db.example:5433/catalogue?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("catalogue", "cat", "s@cret")
    assert (config["HOST"], config["PORT"]) == ("db.example", "5433")
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_url_with_a_socket_directory():
    config = from_url("postgresql://postgres:@/catalogue?host=/tmp/pg")
    assert config["HOST"] == "/tmp/pg" and config["NAME"] == "catalogue"
    assert config["OPTIONS"] == {}


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgres://u@h/"])
def test_bad_urls_fail_loudly(url):
    with pytest.raises(ImproperlyConfigured):
        from_url(url)


@pytest.mark.django_db
def test_tests_run_on_postgres_with_the_extensions():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'catalogue'")
        assert cursor.fetchone()
    assert {"pg_trgm", "unaccent", "btree_gin"} <= extensions


@pytest.mark.django_db
@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="a server of one's own is tuned by its owner"
)
def test_the_embedded_server_runs_with_the_catalogues_settings():
    with connection.cursor() as cursor:
        for name, value in SERVER_SETTINGS.items():
            cursor.execute("SELECT current_setting(%s)", [name])
            assert cursor.fetchone()[0] == value, name
