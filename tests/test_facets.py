"""Facet counts beside the list's filters: every filter but their own applies to them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from catalogue.models import Trial
from catalogue.vocabulary import CellSource, DiabetesType

from .factories import make_trial

pytestmark = pytest.mark.django_db


def page_for(client, params=None) -> BeautifulSoup:
    response = client.get(reverse("catalogue:trial_list"), params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def counts(page: BeautifulSoup, facet: str) -> dict[str, int]:
    return {
        li["data-value"]: int(li["data-count"]) for li in page.select(f'[data-facet="{facet}"]')
    }


def result_ids(page: BeautifulSoup) -> list[str]:
    return [li["data-registry-id"] for li in page.select("li.result")]


def test_phase_counts_on_the_bundled_trials(client, seeded):
    page = page_for(client)
    assert counts(page, "phase") == {
        "EARLY_PHASE1": 0,
        "PHASE1": 4,
        "PHASE2": 1,
        "PHASE3": 0,
        "PHASE4": 0,
        "NA": 0,
    }


def test_a_facet_ignores_its_own_filter_and_applies_the_others(client, seeded):
    page = page_for(client, {"phase": "PHASE2"})
    assert result_ids(page) == ["NCT02893306"]
    assert counts(page, "phase")["PHASE1"] == 4
    assert counts(page, "status") == {
        "RECRUITING": 0,
        "ACTIVE_NOT_RECRUITING": 1,
        "COMPLETED": 0,
        "UNKNOWN": 0,
    }


def test_zero_count_options_stay_visible_and_muted(client, seeded):
    page = page_for(client, {"phase": "PHASE2"})
    recruiting = page.select_one('[data-facet="status"][data-value="RECRUITING"]')
    assert recruiting["data-count"] == "0"
    assert "empty" in recruiting["class"]
    assert not recruiting.find("input").has_attr("disabled")


def test_the_classifier_vocabularies_are_listed_whole_in_order(client):
    page = page_for(client)
    assert list(counts(page, "cell_source")) == list(CellSource.values)
    assert list(counts(page, "diabetes_type")) == list(DiabetesType.values)
    assert list(counts(page, "donor")) == ["autologous", "allogeneic", "unknown"]


def test_cell_source_counts_follow_donor_but_not_cell_source(client):
    make_trial(cell_sources=["umbilical_cord"], donor="allogeneic")
    make_trial(cell_sources=["umbilical_cord", "placenta"], donor="allogeneic")
    make_trial(cell_sources=["bone_marrow"], donor="autologous")
    make_trial(cell_sources=["adipose"], donor="allogeneic")

    page = page_for(client, {"donor": "allogeneic", "cell_source": "umbilical_cord"})
    assert len(result_ids(page)) == 2
    cell = counts(page, "cell_source")
    assert (cell["umbilical_cord"], cell["placenta"], cell["adipose"], cell["bone_marrow"]) == (
        2,
        1,
        1,
        0,
    )
    assert counts(page, "donor") == {"autologous": 0, "allogeneic": 2, "unknown": 0}


def test_choices_within_a_facet_widen_the_list(client, seeded):
    page = page_for(client, [("phase", "PHASE1"), ("phase", "PHASE2")])
    assert len(result_ids(page)) == 5
    checked = [i["value"] for i in page.select('input[name="phase"]:checked')]
    assert checked == ["PHASE1", "PHASE2"]


def test_counts_follow_the_search(client, seeded):
    page = page_for(client, {"q": "umbilical cord"})
    assert counts(page, "status") == {
        "RECRUITING": 1,
        "ACTIVE_NOT_RECRUITING": 0,
        "COMPLETED": 0,
        "UNKNOWN": 1,
    }


def test_countries_come_from_the_data_most_trials_first(client):
    for countries in (["Vietnam"], ["Vietnam", "China"], ["Iran, Islamic Republic of"]):
        make_trial(countries=countries)
    page = page_for(client, {"country": "China"})
    assert counts(page, "country") == {"Vietnam": 2, "China": 1, "Iran, Islamic Republic of": 1}
    assert result_ids(page) and len(result_ids(page)) == 1


def test_out_of_scope_trials_are_not_counted_unless_asked_for(client):
    make_trial(cell_sources=["adipose"])
    make_trial(cell_sources=["adipose"], in_scope=False, scope_reason="Not MSC")
    assert counts(page_for(client), "cell_source")["adipose"] == 1
    page = page_for(client, {"include_out_of_scope": "1"})
    assert counts(page, "cell_source")["adipose"] == 2
    assert len(result_ids(page)) == 2


def test_every_count_is_the_number_of_results_its_option_gives(client, seeded):
    page = page_for(client)
    for option in page.select("[data-facet]"):
        if option["data-count"] == "0":
            continue
        chosen = page_for(client, {option["data-facet"]: option["data-value"]})
        assert len(result_ids(chosen)) == int(option["data-count"]), (
            option["data-facet"],
            option["data-value"],
        )


def test_umbilical_cord_trials_done_means(client, seeded):
    """The issue's acceptance test: it needs the classifier to have filled cell_sources."""
    if not Trial.objects.exclude(cell_sources=[]).exists():
        pytest.xfail("the classifier has not filled cell_sources yet")
    page = page_for(client, {"cell_source": "umbilical_cord"})
    assert sorted(result_ids(page)) == ["NCT01219465", "NCT04061746"]
    assert counts(page, "cell_source")["umbilical_cord"] == 2


# Searches with several facet filters read the search's matches once for every facet
# (catalogue.facets); each count must still be what that option alone would give.
NARROWING = [
    {"q": "umbilical cord", "phase": ["PHASE1", "PHASE2"], "donor": ["allogeneic"]},
    {"q": "diabetes", "status": ["RECRUITING", "COMPLETED"], "cell_source": ["bone_marrow"], "country": ["China"]},
    {"q": "placebo -adipose", "diabetes_type": ["t1d"], "route": ["intravenous"], "age": "30"},
    {"q": "mesenchymal", "phase": ["PHASE2"], "study_type": ["INTERVENTIONAL"], "include_out_of_scope": "1"},
    {"q": "zzzz nothing", "phase": ["PHASE2"], "donor": ["autologous"]},
    {  # every facet filtered: no facet is counted over all the filters, only the total
        "q": "cells", "status": ["RECRUITING"], "phase": ["PHASE2"], "cell_source": ["adipose"],
        "donor": ["allogeneic"], "diabetes_type": ["t2d"], "route": ["intravenous"],
        "study_type": ["INTERVENTIONAL"], "sponsor_class": ["OTHER"], "country": ["China"],
    },
]  # fmt: skip


@pytest.mark.parametrize("answered_by", ["index", "postgres"])
@pytest.mark.parametrize("params", NARROWING, ids=lambda p: p["q"])
def test_counts_with_a_search_and_several_filters_are_each_options_results(
    params, answered_by, request
):
    from django.http import QueryDict

    from bench import seed
    from catalogue.facets import PARAMS, facet_counts
    from catalogue.filters import TrialFilter

    if answered_by == "postgres":
        request.getfixturevalue("without_search_index")
    seed.seed(300, seed=3)
    data = QueryDict(mutable=True)
    for name, value in params.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    filterset = TrialFilter(data, queryset=Trial.objects.all())
    assert (filterset.found is not None) == (answered_by == "index")
    counted = facet_counts(filterset)
    assert counted.total == filterset.filtered().count()
    for param in PARAMS:
        others = filterset.filtered(skip={param})
        for value, n in counted.by_facet[param].items():
            alone = filterset.filters[param].filter(others, [value]).count()
            assert n == alone, (param, value)


def test_the_next_page_of_a_search_does_not_count_its_matches_again(
    client, seeded, without_search_index
):
    # The remembered counts of the Postgres path (the search index counts without SQL).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def facet_queries(params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("catalogue:trial_list"), params).status_code == 200
        return sum("count(*)" in q["sql"] and "UNION ALL" in q["sql"] for q in queries)

    search = {"q": "diabetes", "phase": "PHASE1", "donor": "allogeneic"}
    assert facet_queries(search) >= 1  # with the catalogue-wide counts, the first time
    assert facet_queries({**search, "sort": "-enrollment"}) == 0
    assert facet_queries({**search, "q": "diabetes mellitus"}) == 1  # another search counts


def test_remembered_counts_follow_a_change_to_the_catalogue(client, seeded):
    search = {"q": "umbilical cord", "phase": "PHASE1", "donor": "allogeneic"}
    before = counts(page_for(client, search), "cell_source")["umbilical_cord"]
    Trial.objects.filter(cell_sources__contains=["umbilical_cord"]).filter(
        registry_id=Trial.objects.matching("umbilical cord").values("registry_id")[:1]
    ).update(cell_sources=["adipose"])
    after = counts(page_for(client, search), "cell_source")["umbilical_cord"]
    assert before >= 1 and after == before - 1
