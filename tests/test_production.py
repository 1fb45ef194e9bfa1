"""Production settings, headers, health check and error pages."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from config.logging import JsonFormatter

ROOT = settings.BASE_DIR


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The test process's own settings (debug, test key, plain HTTP) must not leak in.
    leaked = {"DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"}
    environment = {k: v for k, v in os.environ.items() if k not in leaked}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.subprocess
def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "production-secret-key-that-is-long-and-random-1234567890",
        ALLOWED_HOSTS="catalogue.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.subprocess
def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage("check", SECRET_KEY="", ALLOWED_HOSTS="catalogue.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get("/trials/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert body["sync"] == {
        "last_success": None,
        "age_hours": None,
        "max_age_hours": 48,
        "stale": True,
    }  # no sync yet: reported, but the site is healthy
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_sync_status_endpoint_alarms_when_the_last_success_is_too_old(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from catalogue.models import SyncRun

    assert client.get("/healthz/sync").status_code == 503  # never synced
    now = timezone.now()
    run = SyncRun.objects.create(
        query="q", started_at=now - timedelta(hours=3), finished_at=now - timedelta(hours=2)
    )
    assert client.get("/healthz/sync").status_code == 503  # running or failed is no success
    SyncRun.objects.filter(pk=run.pk).update(status="succeeded")
    response = client.get("/healthz/sync")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert 1.9 < response.json()["sync"]["age_hours"] < 2.1
    settings.SYNC_MAX_AGE_HOURS = 1
    response = client.get("/healthz/sync")
    assert response.status_code == 503 and response.json()["status"] == "stale"
    assert client.get("/healthz").status_code == 200  # the load balancer's check is unmoved
    assert client.get("/healthz").json()["sync"]["stale"] is True


@pytest.mark.django_db
def test_health_check_says_503_when_the_database_is_gone(client, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_404_page_looks_like_the_site(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text(strip=True) == "Page not found"
    assert page.select_one("header.site-header a.brand")


def test_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    page = BeautifulSoup(render_to_string("500.html"), "html.parser")
    assert page.h1.get_text(strip=True) == "Something went wrong"


def test_json_log_lines_carry_the_extra_fields():
    record = logging.makeLogRecord(
        {"name": "catalogue.requests", "levelname": "INFO", "msg": "request", "status": 200}
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "request" and entry["status"] == 200 and entry["level"] == "INFO"


@pytest.mark.subprocess
def test_admin_url_comes_from_a_setting():
    result = manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        DJANGO_DEBUG="1",
        ADMIN_URL="curation-desk/",
    )
    assert result.stdout.strip().splitlines()[-1] == "/curation-desk/", result.stderr
