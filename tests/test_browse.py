"""The trial list: what a result shows, filters, bad parameters, sorting, pagination, and its query budget."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import SEED_IDS
from .factories import make_trial, make_trials

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:trial_list")


def page_for(client, params=None) -> BeautifulSoup:
    response = client.get(LIST, params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def ids(page: BeautifulSoup) -> list[str]:
    return [li["data-registry-id"] for li in page.select("li.result")]


def problems(page: BeautifulSoup) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.select("#results .messages li")]


def test_a_result_shows_what_a_person_scans_for(client):
    make_trial(
        registry_id="NCT00000042",
        brief_title="Umbilical cord MSCs for type 1 diabetes",
        overall_status="RECRUITING",
        phases=["PHASE1", "PHASE2"],
        cell_sources=["umbilical_cord"],
        donor="allogeneic",
        diabetes_types=["t1d"],
        enrollment=60,
        countries=["China", "Vietnam"],
        start_date=datetime.date(2020, 2, 1),
        start_date_precision="month",
    )
    item = page_for(client).select_one('li.result[data-registry-id="NCT00000042"]')
    link = item.select_one("h3 a")
    assert link.get_text(strip=True) == "Umbilical cord MSCs for type 1 diabetes"
    assert link["href"] == reverse("catalogue:trial_detail", args=["NCT00000042"])
    assert item.select_one(".id").get_text() == "NCT00000042"
    status = item.select_one(".status")
    assert status.get_text(strip=True) == "Recruiting" and "status-recruiting" in status["class"]
    assert item.select_one(".phase").get_text(strip=True) == "Phase 1, Phase 2"
    facts = {
        dt.get_text(strip=True): dt.find_next("dd").get_text(strip=True) for dt in item.select("dt")
    }
    assert facts == {
        "Cell source": "Umbilical cord",
        "Donor": "Allogeneic",
        "Condition": "Type 1 diabetes",
        "Enrollment": "60",
        "Countries": "China, Vietnam",
        "Start": "February 2020",
    }


def test_phase_2_lists_the_phase_2_trial(client, seeded):
    assert ids(page_for(client, {"phase": "PHASE2"})) == ["NCT02893306"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "RECRUITING"}, ["NCT04061746"]),
        ({"status": ["COMPLETED", "UNKNOWN"]}, ["NCT01219465", "NCT03343782", "NCT05308836"]),
        ({"country": "Vietnam"}, ["NCT03343782", "NCT05308836"]),
        (
            {"study_type": "INTERVENTIONAL"},
            ["NCT01219465", "NCT03343782", "NCT04061746", "NCT05308836"],
        ),
        ({"sponsor_class": "OTHER"}, ["NCT04061746", "NCT05308836"]),
        ({"age": "50"}, ["NCT01219465", "NCT02893306", "NCT03343782", "NCT05308836"]),
        ({"age": "3"}, ["NCT01219465", "NCT03343782"]),
        ({"enrollment_min": "30", "enrollment_max": "50"}, ["NCT01219465", "NCT03343782"]),
        ({"start_year_min": "2015"}, ["NCT04061746", "NCT05308836"]),
        ({"start_year_min": "2012", "start_year_max": "2020"}, ["NCT02893306", "NCT04061746"]),
    ],
)
def test_filters_on_the_bundled_trials(client, seeded, params, expected):
    assert sorted(ids(page_for(client, params))) == expected


@pytest.mark.parametrize(
    ("param", "value", "field", "other"),
    [
        ("donor", "autologous", "donor", "allogeneic"),
        ("route", "intraportal", "routes", ["intravenous"]),
        ("diabetes_type", "diabetic_foot", "diabetes_types", ["t2d"]),
        ("cell_source", "adipose", "cell_sources", ["bone_marrow"]),
    ],
)
def test_classification_filters(client, param, value, field, other):
    wanted = make_trial(**{field: value if field == "donor" else [value]})
    make_trial(**{field: other})
    assert ids(page_for(client, {param: value})) == [wanted.registry_id]


def test_out_of_scope_trials_are_hidden_by_default(client):
    shown = make_trial()
    hidden = make_trial(in_scope=False, scope_reason="Islet transplant without MSCs")
    assert ids(page_for(client)) == [shown.registry_id]
    page = page_for(client, {"include_out_of_scope": "1"})
    assert sorted(ids(page)) == sorted([shown.registry_id, hidden.registry_id])
    tagged = page.select_one(f'li.result[data-registry-id="{hidden.registry_id}"] .out-of-scope')
    assert tagged is not None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"phase": "PHASE9"}, "Phase: ignored “PHASE9”. It is not one of the options."),
        ({"age": "abc"}, "Accepts age (years): ignored “abc”. Enter a number."),
        ({"page": "999"}, "There is no page 999: the list has 1 page. Showing page 1."),
        ({"page": "abc"}, "Page: ignored “abc”, which is not a page number. Showing page 1."),
        ({"sort": "sideways"}, "Sort: ignored “sideways”. It is not one of the options."),
        ({"per_page": "7"}, "Per page: ignored “7”. It is not one of the options."),
        (
            {"enrollment_min": "-4"},
            "Enrollment from: ignored “-4”. Ensure this value is greater than or equal to 0.",
        ),
        ({"start_year_max": "20x"}, "Started until: ignored “20x”. Enter a whole number."),
        ({"donor": "martian"}, "Donor: ignored “martian”. It is not one of the options."),
        # A message shows a character it cannot print as U+FFFD.
        ({"country": "Chi\x00na"}, "Country: ignored “Chi\ufffdna”. It is not one of the options."),
    ],
)
def test_a_bad_parameter_is_ignored_with_a_message(client, seeded, params, message):
    page = page_for(client, params)
    assert problems(page) == [message]
    assert len(ids(page)) == 5


def test_good_values_of_a_filter_survive_a_bad_one(client, seeded):
    page = page_for(client, [("phase", "PHASE2"), ("phase", "PHASE9"), ("age", "abc")])
    assert ids(page) == ["NCT02893306"]
    assert len(problems(page)) == 2


def test_a_very_long_search_is_cut_with_a_message(client, seeded):
    page = page_for(client, {"q": "cells " * 50})
    assert problems(page) == ["Search: only the first 200 characters of the search were used."]
    assert page.select_one("#q")["value"] == ("cells " * 50)[:200].strip()


def test_nul_is_dropped_from_a_search(client, seeded):
    page = page_for(client, {"q": "cells\x00"})
    assert problems(page) == []
    assert page.select_one("#q")["value"] == "cells"


SORTED = {
    "-start": ["B", "A", "C", "D"],
    "start": ["C", "A", "B", "D"],
    "-updated": ["C", "B", "A", "D"],
    "-enrollment": ["D", "C", "A", "B"],
    "enrollment": ["B", "A", "C", "D"],
    "-phase": ["C", "D", "B", "A"],
    "phase": ["A", "B", "D", "C"],
}


@pytest.mark.parametrize("sort", SORTED)
def test_sorting(client, sort):
    def day(year):
        return datetime.date(year, 1, 1)

    made = {
        "A": make_trial(
            start_date=day(2015), last_update=day(2016), enrollment=20, phases=["EARLY_PHASE1"]
        ),
        "B": make_trial(
            start_date=day(2020), last_update=day(2021), enrollment=10, phases=["PHASE1"]
        ),
        "C": make_trial(
            start_date=day(2010), last_update=day(2022), enrollment=30, phases=["PHASE2", "PHASE3"]
        ),
        "D": make_trial(start_date=None, last_update=None, enrollment=400, phases=["PHASE2"]),
    }
    names = {t.registry_id: name for name, t in made.items()}
    page = page_for(client, {"sort": sort})
    assert [names[i] for i in ids(page)] == SORTED[sort]
    assert page.select_one("#sort option[selected]")["value"] in (sort, "")


def test_pagination_keeps_every_filter_and_pages_do_not_overlap(client):
    make_trials(25, countries=["Japan"], enrollment=40)
    make_trials(3, countries=["Chile"])
    params = {"country": "Japan", "sort": "-enrollment", "per_page": "10"}
    first = page_for(client, params)
    assert first.select_one("#result-count").get_text(strip=True) == "25 trials, showing 1–10"
    seen = ids(first)
    next_link = first.select_one('.pagination a[rel="next"]')
    while next_link is not None:
        query = parse_qs(urlsplit(next_link["href"]).query)
        assert {k: v for k, v in query.items() if k != "page"} == {
            k: [v] for k, v in params.items()
        }
        page = page_for(client, {k: v[0] for k, v in query.items()})
        seen += ids(page)
        next_link = page.select_one('.pagination a[rel="next"]')
    assert len(seen) == len(set(seen)) == 25


def test_past_the_last_page_shows_the_last_page(client):
    make_trials(12)
    page = page_for(client, {"per_page": "10", "page": "7"})
    assert len(ids(page)) == 2
    assert page.select_one('.pagination a[aria-current="page"]').get_text() == "2"
    assert problems(page) == ["There is no page 7: the list has 2 pages. Showing page 2."]


def test_active_filters_are_listed_and_each_is_removable(client, seeded):
    page = page_for(
        client,
        [("phase", "PHASE1"), ("phase", "PHASE2"), ("q", "cells"), ("age", "30"), ("page", "1")],
    )
    chips = {a.get_text(" ", strip=True): a["href"] for a in page.select(".active-filters a.chip")}
    removes = {
        text.removeprefix("Remove ").removesuffix(" ×"): href for text, href in chips.items()
    }
    assert set(removes) == {"Phase: Phase 1", "Phase: Phase 2", "Search: “cells”", "Accepts age 30"}
    assert parse_qs(urlsplit(removes["Phase: Phase 1"]).query) == {
        "phase": ["PHASE2"],
        "q": ["cells"],
        "age": ["30"],
    }
    assert parse_qs(urlsplit(removes["Accepts age 30"]).query) == {
        "phase": ["PHASE1", "PHASE2"],
        "q": ["cells"],
    }
    assert page.select_one(".active-filters a.clear-all")["href"] == LIST


def test_no_filters_no_summary(client, seeded):
    assert page_for(client).select_one(".active-filters") is None


def test_the_result_count_is_a_live_region(client, seeded):
    count = page_for(client, {"phase": "PHASE1"}).select_one("#result-count")
    assert count["role"] == "status" and count["aria-live"] == "polite"
    assert count.get_text(strip=True) == "4 trials"


def test_every_control_is_labelled_and_there_is_an_apply_button(client, seeded):
    page = page_for(client)
    form = page.select_one("form#browse")
    assert form["method"] == "get" and form["action"] == LIST
    for control in form.select("input, select"):
        assert form.select_one(f'label[for="{control["id"]}"]'), control
    assert form.select_one("button#apply[type=submit]").get_text(strip=True) == "Apply filters"
    assert [h.get_text(strip=True) for h in page.select("h1")] == ["Trials"]


def test_htmx_updates_keep_the_url_in_step(client, seeded):
    form = page_for(client).select_one("form#browse")
    assert form["hx-get"] == LIST and form["hx-push-url"] == "true"
    assert form["hx-target"] == form["hx-select"] == "#results"


def test_scripts_are_local_files_and_nothing_is_inline(client, seeded):
    page = page_for(client, {"q": "cells"})
    assert [s["src"] for s in page.select("script")] == [
        "/static/vendor/htmx.min.js",
        "/static/js/site.js",
    ]
    assert all(not s.string for s in page.select("script"))
    handlers = [a for tag in page.find_all(True) for a in tag.attrs if a.startswith("on")]
    assert handlers == []
    # The canonical link names this page's public address; nothing is fetched from it.
    remote = [
        t
        for t in page.select("[src], link[href]:not([rel=canonical])")
        if "//" in (t.get("src") or t.get("href"))
    ]
    assert remote == []


def test_the_home_page_is_the_list(client, seeded):
    response = client.get("/", {"phase": "PHASE2"})
    assert response.status_code in (301, 302)
    assert response["Location"] == f"{LIST}?phase=PHASE2"


def query_count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params", [{}, {"q": "diabetes", "phase": "PHASE1", "country": "China"}, {"q": "diabetis"}]
)
def test_query_count_does_not_grow_with_the_trials_shown(
    client, django_assert_max_num_queries, params
):
    make_trial(brief_summary="Stem cells for type 1 diabetes")
    one = query_count(client, LIST, {**params, "per_page": "50"})
    make_trials(60, brief_summary="Stem cells for type 1 diabetes")
    with django_assert_max_num_queries(one):
        page = client.get(LIST, {**params, "per_page": "50"})
    assert len(BeautifulSoup(page.content, "html.parser").select("li.result")) == 50
    assert one <= 6


def test_every_bundled_trial_is_listed(client, seeded):
    assert set(ids(page_for(client))) == set(SEED_IDS.values())
