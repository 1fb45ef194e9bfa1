"""Downloads of the filtered list: the same trials in the same order as the list, in the canonical shape."""

from __future__ import annotations

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.export import CSV_COLUMNS, trial_to_dict
from catalogue.models import Trial

from .factories import make_trial, make_trials

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:trial_list")
CSV = reverse("catalogue:download", args=["csv"])
JSON = reverse("catalogue:download", args=["json"])


def listed(client, params) -> list[str]:
    """Every registry id the list shows for these parameters, page after page."""
    ids, number = [], 1
    while True:
        page = BeautifulSoup(client.get(LIST, {**params, "page": number}).content, "html.parser")
        ids += [li["data-registry-id"] for li in page.select("li.result")]
        if page.select_one('.pagination a[rel="next"]') is None:
            return ids
        number += 1


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "-start"},
        {"sort": "enrollment", "phase": "PHASE1"},
        {"q": "diabetes", "sort": "relevance"},
        {"q": "diabetes"},
        {"status": "COMPLETED", "sort": "-phase"},
    ],
)
def test_downloads_agree_with_the_list_page_by_page(client, seeded, params):
    shown = listed(client, {**params, "per_page": "10"})
    assert shown
    assert [r["registry_id"] for r in csv_rows(client.get(CSV, params))] == shown
    assert [t["registry_id"] for t in json.loads(client.get(JSON, params).content)] == shown


def test_the_list_links_to_downloads_of_itself(client, seeded):
    page = BeautifulSoup(
        client.get(LIST, {"phase": "PHASE1", "page": "1", "per_page": "10"}).content, "html.parser"
    )
    assert page.select_one('a[data-download="csv"]')["href"] == f"{CSV}?phase=PHASE1"
    assert page.select_one('a[data-download="json"]')["href"] == f"{JSON}?phase=PHASE1"


def test_json_is_the_canonical_shape(client, seeded):
    response = client.get(JSON, {"phase": "PHASE2"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="msc-diabetes-trials-')
    expected = trial_to_dict(Trial.objects.for_export().get(registry_id="NCT02893306"))
    assert json.loads(response.content) == [expected]


def test_csv_has_the_export_columns(client, seeded):
    response = client.get(CSV, {"phase": "PHASE2"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_rows(response)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert (rows[0]["registry_id"], rows[0]["phases"], rows[0]["start_date"]) == (
        "NCT02893306",
        "PHASE2",
        "2012-03",
    )


def test_out_of_scope_trials_are_left_out_unless_included(client):
    make_trial(registry_id="NCT10000001")
    make_trial(registry_id="NCT10000002", in_scope=False)
    assert [r["registry_id"] for r in csv_rows(client.get(CSV))] == ["NCT10000001"]
    included = csv_rows(client.get(CSV, {"include_out_of_scope": "1", "sort": "start"}))
    assert sorted(r["registry_id"] for r in included) == ["NCT10000001", "NCT10000002"]


def test_bad_parameters_do_not_break_a_download(client, seeded):
    response = client.get(CSV, {"phase": "PHASE9", "age": "abc", "sort": "x"})
    assert response.status_code == 200
    assert len(csv_rows(response)) == 5


def test_an_unknown_format_is_not_found(client):
    assert client.get("/trials.xml").status_code == 404


@pytest.mark.parametrize("url", [CSV, JSON])
def test_download_queries_do_not_grow_with_the_trials(client, django_assert_max_num_queries, url):
    make_trial()
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    make_trials(50)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.status_code == 200
