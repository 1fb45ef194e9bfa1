"""catalogue.version: the token the in-memory caches of what trials show are keyed by."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict

from catalogue import facets, search
from catalogue.filters import TrialFilter
from catalogue.models import Trial
from catalogue.version import catalogue_version

from .factories import make_trial

pytestmark = pytest.mark.django_db


def test_a_new_trial_moves_the_version_on():
    before = catalogue_version()
    make_trial(registry_id="NCT00000101")
    assert catalogue_version() != before


def test_rewriting_the_search_documents_moves_the_version_on(django_capture_on_commit_callbacks):
    """refresh_search changes no tracked field, only the search columns: the version still moves."""
    make_trial(registry_id="NCT00000102")
    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        search.refresh(Trial.objects.all())
    assert callbacks, "moved on only once the rewrite commits"
    assert catalogue_version() != before


def test_search_counts_are_not_served_from_before_a_search_refresh(
    django_capture_on_commit_callbacks, without_search_index
):
    """Counts of a search are remembered per version; after refresh_search they are counted again."""
    make_trial(registry_id="NCT00000103", brief_title="Wharton jelly cells")
    stale = make_trial(registry_id="NCT00000104", brief_title="Wharton jelly cells")
    # A stored search document out of date (as after a change to how documents are built):
    # the search columns are not in the change history, so this alone moves nothing.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalogue_trial SET search_text = 'cells', "
            "search_vector = to_tsvector('simple', 'cells') WHERE id = %s",
            [stale.pk],
        )

    def total(q: str) -> int | None:
        filterset = TrialFilter(QueryDict(f"q={q}"), queryset=Trial.objects.all())
        return facets.facet_counts(filterset).total

    assert total("wharton") == 1
    with django_capture_on_commit_callbacks(execute=True):
        search.refresh(Trial.objects.all())
    assert total("wharton") == 2
