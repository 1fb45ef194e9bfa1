"""The web benchmark's seeding and measuring, on a small synthetic catalogue (bench.seed, bench.web)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import seed, web
from catalogue import search
from catalogue.models import EligibilityCriterion, Trial

pytestmark = pytest.mark.django_db

TRIALS = 200


@pytest.fixture
def synthetic(db):
    return seed.seed(TRIALS, seed=1)


def test_seeding_makes_synthetic_trials_with_their_rows(synthetic):
    assert synthetic["created"] == TRIALS
    trials = Trial.objects.filter(registry_id__startswith="NCT9")
    assert trials.count() == TRIALS
    assert all("SYNTHETIC" in title for title in trials.values_list("brief_title", flat=True))
    per_trial = EligibilityCriterion.objects.filter(trial__in=trials).count() / TRIALS
    assert 10 <= per_trial <= 40


def test_seeding_again_with_the_same_count_changes_nothing(synthetic):
    again = seed.seed(TRIALS, seed=1)
    assert again["created"] == 0
    assert Trial.objects.count() == TRIALS


def test_seeded_search_columns_are_what_search_refresh_makes(synthetic):
    ids = list(Trial.objects.order_by("pk").values_list("pk", flat=True))[:: TRIALS // 10]
    seeded = _search_columns(ids)
    search.refresh(Trial.objects.filter(pk__in=ids))
    assert _search_columns(ids) == seeded


def test_a_common_search_finds_some_trials_not_all(synthetic):
    for words in ("umbilical cord", "type 1 diabetes"):
        found = Trial.objects.matching(words).count()
        assert 0.1 * TRIALS < found < 0.9 * TRIALS, words


def test_measure_reports_every_scenario(synthetic):
    result = web.measure(TRIALS, requests=3, warmup=1)
    assert result["trials_in_database"] == TRIALS
    expected = {"list", "search", "search_3_filters", "deep_page", "sort_enrollment", "detail"}
    assert expected <= set(result["scenarios"])
    for name, numbers in result["scenarios"].items():
        assert numbers["status"] == [200], name
        assert numbers["requests"] == 3
        for key in ("total_ms", "sql_ms"):
            assert set(numbers[key]) == {"median", "p95", "max"}
        assert numbers["queries"]["min"] >= 1


def test_the_detail_page_takes_as_many_queries_for_any_trial(client, synthetic):
    small, large = _smallest_and_largest()
    counts = []
    for registry_id in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("catalogue:trial_detail", args=[registry_id])).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _search_columns(ids: list[int]) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, search_vector::text, search_text FROM catalogue_trial WHERE id = ANY(%s)",
            [ids],
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _smallest_and_largest() -> tuple[str, str]:
    """The trials with the fewest and the most child rows, one with a related trial if any."""
    from django.db.models import Count

    trials = Trial.objects.annotate(rows=Count("criteria", distinct=True) + Count("locations"))
    ordered = list(trials.order_by("rows", "pk").values_list("registry_id", flat=True))
    return ordered[0], ordered[-1]
