"""The API answers what the HTML list shows, pages by cursor, and fails in JSON, never with a 500."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import http_date

from catalogue.filters import TrialFilter
from catalogue.models import Trial

from .factories import make_trial, make_trials

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:trial_list")
TRIALS = reverse("api:trials")
FACETS = reverse("api:facets")


@pytest.fixture
def catalogue(seeded):
    """The bundled trials plus enough varied ones for several pages of every order."""
    for i in range(24):
        make_trial(
            brief_title=f"{'Umbilical cord' if i % 2 else 'Bone marrow'} mesenchymal cells {i}",
            cell_sources=["umbilical_cord" if i % 2 else "bone_marrow"],
            diabetes_types=["t1d" if i % 3 else "t2d"],
            phases=[["PHASE1"], ["PHASE2"], ["PHASE1", "PHASE2"], []][i % 4],
            overall_status=["RECRUITING", "COMPLETED", "UNKNOWN"][i % 3],
            enrollment=[10, 20, 30, None][i % 4],  # ties: the registry id decides
            start_date=datetime.date(2010 + i % 5, 1, 1) if i % 6 else None,
            countries=[["China"], ["India"], ["China", "Spain"]][i % 3],
        )


def html_ids(client, params: dict) -> list[list[str]]:
    """The registry ids of each page of the HTML list, 10 a page."""
    pages, number = [], 1
    while True:
        response = client.get(LIST, {**params, "per_page": 10, "page": number})
        page = BeautifulSoup(response.content, "html.parser")
        pages.append([li["data-registry-id"] for li in page.select("li.result")])
        if page.select_one('.pagination a[rel="next"]') is None:
            return pages
        number += 1


def api_ids(client, params: dict) -> list[list[str]]:
    """The registry ids of each page of the API, 10 a page, following `next`."""
    pages, url, query = [], TRIALS, {**params, "page_size": 10}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append([t["registry_id"] for t in body["results"]])
        url, query = body["next"], None
    return pages


COMBINATIONS = [
    {},
    {"sort": "start"},
    {"sort": "-enrollment", "cell_source": "umbilical_cord"},
    {"sort": "enrollment", "phase": ["PHASE1", "PHASE2"]},
    {"sort": "-phase", "status": "COMPLETED"},
    {"q": "mesenchymal"},
    {"q": "umbilical cord", "sort": "relevance"},
    {"q": "umbilicle"},  # misspelled: the corrected search, as on the page
    {"country": ["China", "Spain"], "diabetes_type": "t1d", "sort": "-updated"},
    {"include_out_of_scope": "on", "start_year_min": 2011, "start_year_max": 2013},
    {"enrollment_min": 15, "enrollment_max": 30, "age": 30},
]


@pytest.mark.parametrize("params", COMBINATIONS)
def test_the_api_pages_hold_the_html_pages_trials_in_order(client, catalogue, params):
    html = html_ids(client, params)
    assert sum(map(len, html))
    assert api_ids(client, params) == html


def test_a_page_says_how_many_match_and_links_the_next(client, catalogue):
    body = client.get(TRIALS, {"cell_source": "bone_marrow", "page_size": 5}).json()
    assert body["count"] == Trial.objects.filter(cell_sources__contains=["bone_marrow"]).count()
    assert len(body["results"]) == 5
    nxt = parse_qs(urlsplit(body["next"]).query)
    assert nxt["cell_source"] == ["bone_marrow"] and nxt["page_size"] == ["5"]
    assert "cursor" in nxt


def test_every_filter_of_the_list_is_a_parameter_of_the_api(client):
    schema = client.get(reverse("api:schema")).json()
    listed = {p["name"] for p in schema["paths"]["/api/v1/trials"]["get"]["parameters"]}
    assert set(TrialFilter.base_filters) | {"sort", "include_out_of_scope"} <= listed
    assert {"cursor", "page_size"} <= listed
    assert "per_page" not in listed and "page" not in listed
    counted = {p["name"] for p in schema["paths"]["/api/v1/facets"]["get"]["parameters"]}
    assert counted == listed - {"cursor", "page_size"}


def test_facet_counts_are_the_list_pages_counts(client, catalogue):
    params = {"cell_source": "umbilical_cord", "status": "RECRUITING"}
    page = BeautifulSoup(client.get(LIST, params).content, "html.parser")
    shown = {
        (el["data-facet"], el["data-value"]): int(el["data-count"])
        for el in page.select("[data-facet][data-count]")
    }
    body = client.get(FACETS, params).json()
    counted = {(f["param"], o["value"]): o["count"] for f in body["facets"] for o in f["options"]}
    assert shown and counted == shown
    assert body["total"] == client.get(TRIALS, params).json()["count"]
    chosen = {
        (f["param"], o["value"]) for f in body["facets"] for o in f["options"] if o["selected"]
    }
    assert chosen == {("cell_source", "umbilical_cord"), ("status", "RECRUITING")}


def test_one_trial_has_every_section_and_its_evidence(client, seeded):
    body = client.get(reverse("api:trial", args=["NCT01219465"])).json()
    for key in ("eligibility", "arms", "interventions", "outcomes", "locations", "references"):
        assert key in body
    assert "investigators" in body and "detailed_description" in body
    assert body["classification"]["cell_sources"] == ["umbilical_cord"]
    assert body["classification"]["evidence"]["donor"][0]["value"] == "allogeneic"
    assert body["sources"][0]["sha256"]


def test_vocabularies_are_the_filters_choices(client):
    body = client.get(reverse("api:vocabularies")).json()
    by_param = {v["param"]: v for v in body["vocabularies"]}
    assert {"status", "phase", "cell_source", "donor", "diabetes_type", "route", "sort"} <= set(
        by_param
    )
    cell = {t["value"]: t["label"] for t in by_param["cell_source"]["values"]}
    assert cell["umbilical_cord"] == "Umbilical cord"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": "red"}, "Unknown parameter “colour”"),
        ({"per_page": "50"}, "Unknown parameter “per_page”"),
        ({"phase": "PHASE9"}, "Phase: ignored “PHASE9”"),
        ({"age": "old"}, "Accepts age (years): ignored “old”"),
        ({"enrollment_min": "99999999999"}, "Enrollment from: ignored"),
        ({"sort": "sideways"}, "Sort: ignored “sideways”"),
        ({"q": "x" * 201}, "only the first 200 characters"),
        ({"country": "Chi\x00na"}, "Country: ignored"),
        ({"page_size": "0"}, "Page size: “0” is not a whole number from 1 to 100"),
        ({"page_size": "101"}, "Page size"),
        ({"page_size": "٣"}, "Page size"),
        ({"cursor": "made-up"}, "Cursor: not one this API made"),
    ],
)
def test_a_bad_parameter_is_a_json_400_that_names_it(client, seeded, params, message):
    response = client.get(TRIALS, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "invalid"
    assert any(message in m for m in body["messages"]), body


def test_every_bad_parameter_is_named_at_once(client, seeded):
    body = client.get(TRIALS, {"colour": "red", "phase": "PHASE9", "status": "NOPE"}).json()
    assert len(body["messages"]) == 3


def test_a_cursor_belongs_to_its_query(client, catalogue):
    nxt = client.get(TRIALS, {"phase": "PHASE1", "page_size": 2}).json()["next"]
    cursor = parse_qs(urlsplit(nxt).query)["cursor"][0]
    response = client.get(TRIALS, {"phase": "PHASE2", "page_size": 2, "cursor": cursor})
    assert response.status_code == 400
    assert "another query" in response.json()["messages"][0]


def test_a_cursor_from_before_a_change_is_a_409(client, catalogue):
    nxt = client.get(TRIALS, {"page_size": 2}).json()["next"]
    make_trial()
    response = client.get(nxt)
    assert response.status_code == 409
    assert response.json()["error"] == "stale_cursor"


def test_unknown_trial_path_and_method_are_json(client, seeded):
    missing = client.get(reverse("api:trial", args=["NCT99999999"]))
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "not_found",
        "messages": ["No trial has the registry id “NCT99999999”."],
    }
    nowhere = client.get("/api/v1/nothing/here")
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "not_found"
    posted = client.post(TRIALS, {})
    assert posted.status_code == 405 and posted.json()["error"] == "method_not_allowed"
    extra = client.get(reverse("api:trial", args=["NCT01219465"]), {"x": "1"})
    assert extra.status_code == 400


def test_a_conditional_get_answers_304_until_the_catalogue_changes(client, seeded):
    first = client.get(TRIALS, {"phase": "PHASE2"})
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = client.get(TRIALS, {"phase": "PHASE2"}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    since = client.get(TRIALS, {"phase": "PHASE2"}, headers={"if-modified-since": modified})
    assert since.status_code == 304
    detail = reverse("api:trial", args=["NCT01219465"])
    assert client.get(detail, headers={"if-none-match": etag}).status_code == 304
    Trial.objects.filter(registry_id="NCT01219465").update(enrollment=51)
    changed = client.get(TRIALS, {"phase": "PHASE2"}, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_last_modified_is_the_newest_change(client, seeded):
    Trial.objects.filter(registry_id="NCT01219465").update(enrollment=52)
    response = client.get(reverse("api:vocabularies"))
    stamp = datetime.datetime.now(datetime.UTC).timestamp()
    assert (
        abs(
            datetime.datetime.strptime(response["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
            .replace(tzinfo=datetime.UTC)
            .timestamp()
            - stamp
        )
        < 60
    )
    later = http_date(stamp + 3600)
    assert (
        client.get(reverse("api:vocabularies"), headers={"if-modified-since": later}).status_code
        == 304
    )


def test_cors_is_open_for_the_api_only(client, seeded):
    origin = {"origin": "https://example.org"}
    assert client.get(TRIALS, headers=origin)["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(TRIALS, headers={**origin, "access-control-request-method": "GET"})
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get(LIST, headers=origin)


def test_a_client_over_its_budget_gets_429_with_retry_after(client, seeded, settings):
    settings.API_RATE_LIMIT = "3/min"
    cache.clear()
    codes = [client.get(reverse("api:vocabularies")).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    over = client.get(reverse("api:vocabularies"))
    assert over.status_code == 429
    assert 0 < int(over["Retry-After"]) <= 60
    assert over.json()["error"] == "throttled"
    # Another address has its own budget.
    assert client.get(reverse("api:vocabularies"), REMOTE_ADDR="10.9.9.9").status_code == 200
    # A forged X-Forwarded-For does not buy a new one.
    forged = client.get(reverse("api:vocabularies"), HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert forged.status_code == 429
    cache.clear()


@pytest.mark.parametrize(
    "params", [{}, {"q": "mesenchymal", "phase": "PHASE1"}, {"cell_source": "adipose"}]
)
def test_a_page_costs_the_same_queries_however_many_trials(
    client, django_assert_max_num_queries, params
):
    make_trials(3, brief_title="mesenchymal stem cells", cell_sources=["adipose"])
    with django_assert_max_num_queries(20) as few:
        client.get(TRIALS, {**params, "page_size": 100})
    make_trials(60, brief_title="mesenchymal stem cells", cell_sources=["adipose"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(TRIALS, {**params, "page_size": 100})
    assert len(response.json()["results"]) >= 60


def test_one_trial_costs_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(18):
        assert client.get(reverse("api:trial", args=["NCT02893306"])).status_code == 200


def test_the_index_links_everything(client, seeded):
    body = client.get(reverse("api:index")).json()
    for name in ("trials", "facets", "vocabularies", "schema", "docs"):
        assert client.get(body[name]).status_code == 200


def test_head_answers_like_get_without_a_body(client, seeded):
    response = client.head(TRIALS)
    assert response.status_code == 200 and response.content == b""
    assert response["ETag"] == client.get(TRIALS)["ETag"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/trials/NCT0%00",
        "/api/v1/trials?%00=1",
        "/api/v1/trials?q=%00%00",
        "/api/v1/facets?country=%00",
        "/api/v1/trials?cursor=%00",
        "/api/v1/trials?sort=%F0%9F%92%A5",
        "/api/v1/trials?phase=" + "PHASE1%2C" * 500,
    ],
)
def test_hostile_input_is_a_4xx_in_json(client, seeded, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) in (
        {"error", "messages"},
        {"count", "next", "catalogue_version", "results"},
    )
