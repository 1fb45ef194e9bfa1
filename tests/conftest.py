from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
# The five seed pages (tests that need only them); data/sources holds the real downloads too.
SOURCES = ROOT / "data" / "sources" / "pages"
BUNDLED = ROOT / "data" / "sources"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

SEED_IDS = {
    "000_e5be43bb7cdcd631.txt": "NCT05308836",
    "001_721fa60f9c1edb35.txt": "NCT03343782",
    "002_66764e625140ade7.txt": "NCT04061746",
    "003_7a11bbe47b24feb4.txt": "NCT01219465",
    "004_90e0e7b6a174f708.txt": "NCT02893306",
}


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test starts with the per-process caches of what pages show empty: the facet
    counts and the search index's views (keyed by catalogue version and manifest, which a
    rolled-back test can repeat) and the rendered pages in Django's (locmem) cache."""
    from django.core.cache import cache

    from catalogue import facets, search_index

    facets.forget()
    search_index.forget_views()
    cache.clear()


@pytest.fixture(autouse=True)
def _migration_rows(request):
    """The rows data migrations make (the curator group, the permissions) in every database
    test: a transactional test's flush empties them, and under pytest-xdist a module with
    such tests may run before this test in the same process."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction") or marker.args[:1] == (True,):
        return
    request.getfixturevalue("db")
    curator_group()


@pytest.fixture
def sources_dir(tmp_path) -> Path:
    """A private copy of the bundled sources, so a test may change or add files."""
    target = tmp_path / "sources"
    shutil.copytree(SOURCES, target)
    return target


@pytest.fixture
def fast(settings):
    """No polite delay and no backoff for the registry client; the retry logic still runs."""
    settings.CTGOV_API_DELAY = 0
    settings.CTGOV_API_BACKOFF = 0
    settings.CTGOV_API_TIMEOUT = 5
    settings.CTGOV_API_ATTEMPTS = 4
    return settings


@pytest.fixture
def without_search_index(monkeypatch):
    """The list answered by Postgres alone, as when the search index cannot answer."""
    from catalogue import search_index

    monkeypatch.setattr(search_index, "current", lambda: None)


@pytest.fixture
def seeded(db):
    """The five bundled trials, ingested."""
    call_command("ingest", str(SOURCES), verbosity=0)


@pytest.fixture
def curator(client):
    """A member of the curator group, logged in with `client`."""
    from django.contrib.auth.models import User

    user = User.objects.create_user("cura", password="x")
    user.is_staff = True
    user.save()
    user.groups.add(curator_group())
    client.force_login(user)
    return user


def curator_group():
    """The "curator" group as its data migrations make it; made again when a transactional
    test's flush emptied the tables first (under pytest-xdist any test module may run
    before this one in the same process)."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="curator").exists():
        for name, function in (
            ("0003_curator_group", "create_group"),
            ("0013_error_reports_conflict_decisions_notes", "grant_desk_permissions"),
            ("0017_one_trial_across_registries", "grant_identity_permissions"),
        ):
            module = importlib.import_module(f"catalogue.migrations.{name}")
            getattr(module, function)(apps, None)
    return Group.objects.get(name="curator")
