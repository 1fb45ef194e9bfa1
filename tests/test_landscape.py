"""The landscape page: each chart's table holds the right numbers, and every chart follows the filters."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import make_trial, make_trials

pytestmark = pytest.mark.django_db

LANDSCAPE = reverse("catalogue:landscape")


def page_for(client, params=None) -> BeautifulSoup:
    response = client.get(LANDSCAPE, params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def table(page: BeautifulSoup, chart: str) -> dict[str, list[str]]:
    """A chart's table as {row header: [cells]}, with the column headers under ""; bars left out."""
    rows = {
        "": [th.get_text(strip=True) for th in page.select(f"#{chart} thead th:not(.bar-cell)")][1:]
    }
    for tr in page.select(f"#{chart} tbody tr"):
        rows[tr.th.get_text(strip=True)] = [
            td.get_text(strip=True) for td in tr.select("td:not(.bar-cell)")
        ]
    return rows


def test_phase_and_status_on_the_bundled_trials(client, seeded):
    page = page_for(client)
    assert page.select_one("#result-count").get_text(strip=True) == "5 trials"
    assert table(page, "chart-phase") == {
        "": ["Trials"],
        "Early phase 1": ["0"],
        "Phase 1": ["4"],
        "Phase 2": ["1"],
        "Phase 3": ["0"],
        "Phase 4": ["0"],
        "Not applicable": ["0"],
    }
    assert table(page, "chart-status") == {
        "": ["Trials"],
        "Recruiting": ["1"],
        "Active, not recruiting": ["1"],
        "Completed": ["2"],
        "Unknown status": ["1"],
    }


def test_every_chart_follows_the_filters(client, seeded):
    page = page_for(client, {"phase": "PHASE2"})
    assert page.select_one("#result-count").get_text(strip=True) == "1 trial"
    assert table(page, "chart-status") == {"": ["Trials"], "Active, not recruiting": ["1"]}
    years = table(page, "chart-year")
    assert list(years)[1:] == ["2012"] and years[""][-1] == "All"
    assert sum(int(n) for n in table(page, "chart-phase")["Phase 2"]) == 1


def test_start_years_run_without_gaps_and_stack_by_cell_source(client):
    def started(year, sources):
        return make_trial(start_date=datetime.date(year, 6, 1), cell_sources=sources)

    started(2015, ["umbilical_cord"])
    started(2015, ["bone_marrow", "umbilical_cord"])
    started(2018, ["adipose"])
    make_trial(start_date=None, cell_sources=["adipose"])
    page = page_for(client)
    assert table(page, "chart-year") == {
        "": ["Bone marrow", "Umbilical cord", "Adipose tissue", "All"],
        "2015": ["1", "2", "0", "3"],
        "2016": ["0", "0", "0", "0"],
        "2017": ["0", "0", "0", "0"],
        "2018": ["0", "0", "1", "1"],
    }
    assert (
        "1 trial without a start date is not in this chart."
        in page.select_one("#chart-year .note").get_text()
    )
    stacked = page.select("#chart-year svg g")
    assert len(stacked) == 4 and len(stacked[0].select("rect")) == 2


def test_the_matrix_counts_cell_source_by_condition(client):
    make_trial(cell_sources=["umbilical_cord"], diabetes_types=["t1d"])
    make_trial(cell_sources=["umbilical_cord"], diabetes_types=["t1d", "nephropathy"])
    make_trial(cell_sources=["bone_marrow", "adipose"], diabetes_types=["diabetic_foot"])
    make_trial(cell_sources=[], diabetes_types=["t2d"])
    rows = table(page_for(client), "chart-matrix")
    columns = rows[""]
    assert columns[:3] == ["Type 1 diabetes", "Type 2 diabetes", "Diabetic foot ulcer"]

    def cell(source, condition):
        return int(rows[source][columns.index(condition)])

    assert cell("Umbilical cord", "Type 1 diabetes") == 2
    assert cell("Umbilical cord", "Diabetic nephropathy") == 1
    assert (
        cell("Bone marrow", "Diabetic foot ulcer")
        == cell("Adipose tissue", "Diabetic foot ulcer")
        == 1
    )
    assert cell("Not classified", "Type 2 diabetes") == 1
    assert cell("Dental pulp", "Type 1 diabetes") == 0


def test_countries_largest_first(client):
    for countries in (["Spain"], ["China"], ["China", "Spain"], ["China"]):
        make_trial(countries=countries)
    rows = table(page_for(client), "chart-country")
    assert list(rows) == ["", "China", "Spain"]
    assert rows["China"] == ["3"]


def test_each_chart_shows_its_numbers_as_text(client, seeded):
    page = page_for(client)
    svg = page.select_one("#chart-year .chart-figure svg")
    assert svg["role"] == "img" and svg["aria-label"]
    assert page.select_one("#chart-year .chart-table table caption")
    for chart in ("chart-phase", "chart-status", "chart-country"):
        rows = page.select(f"#{chart} table.bar-chart tbody tr")
        assert rows and all(r.select_one(".bar-cell svg[aria-hidden=true] rect") for r in rows)
        widths = [float(r.select_one("rect")["width"]) for r in rows]
        assert max(widths) == 100
    assert page.select_one("#chart-matrix table caption")


def test_bar_lengths_are_shares_of_the_largest(client, seeded):
    rows = page_for(client).select("#chart-phase tbody tr")
    lengths = {r.th.get_text(strip=True): r.select_one("rect")["width"] for r in rows}
    assert (lengths["Phase 1"], lengths["Phase 2"], lengths["Phase 3"]) == ("100.0", "25.0", "0.0")


def test_the_landscape_and_the_list_count_the_same_trials(client, seeded):
    for params in ({}, {"q": "umbilicle"}, {"age": "50", "status": "COMPLETED"}):
        landscape = page_for(client, params).select_one("#result-count").get_text(strip=True)
        listed = BeautifulSoup(
            client.get(reverse("catalogue:trial_list"), params).content, "html.parser"
        )
        assert landscape == listed.select_one("#result-count").get_text(strip=True).split(",")[0]


def test_nothing_remote_and_no_inline_script(client, seeded):
    response = client.get(LANDSCAPE)
    page = BeautifulSoup(response.content, "html.parser")
    assert all(
        s.get("src", "").startswith("/static/") and not s.string for s in page.select("script")
    )
    assert "//" not in " ".join(
        t.get("src", "") + t.get("href", "")
        for t in page.select("script, link:not([rel=canonical])")  # canonical: never fetched
    )
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_landscape_queries_do_not_grow_with_the_trials(client, django_assert_max_num_queries):
    make_trial()
    with CaptureQueriesContext(connection) as one:
        client.get(LANDSCAPE)
    make_trials(50, cell_sources=["adipose", "placenta"], countries=["Chile", "Peru"])
    with django_assert_max_num_queries(len(one)):
        assert client.get(LANDSCAPE).status_code == 200
