"""The list and detail pages as a visitor gets them (parsed HTML, not substrings)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from .conftest import SEED_IDS

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_list_shows_every_bundled_trial(client, seeded):
    page = soup(client.get(reverse("catalogue:trial_list")))
    ids = {item["data-registry-id"] for item in page.select("[data-registry-id]")}
    assert ids == set(SEED_IDS.values())


def test_home_leads_to_the_list(client):
    response = client.get("/")
    assert response.status_code in (301, 302) and response["Location"].startswith("/trials/")


def test_detail_shows_every_section(client, seeded):
    page = soup(client.get(reverse("catalogue:trial_detail", args=["NCT05308836"])))
    assert page.h1.get_text(strip=True).startswith("Evaluate Safety of Adipose Derived")
    for section in (
        "status",
        "summary",
        "design",
        "arms",
        "outcomes",
        "eligibility",
        "sponsors",
        "locations",
        "references",
        "sources",
    ):
        assert page.find("section", id=section) is not None, section
    nested = page.select("#eligibility ol.criteria > li > ul > li")
    assert [li.get_text(strip=True) for li in nested] == [
        "Fasting blood glucose ≥ 7 mmol / L,",
        "HbA1C ≥ 6.5%.",
    ]
    pmids = [a.get_text(strip=True) for a in page.select("#references a[href*='pubmed']")]
    assert pmids == ["PMID 32010488", "PMID 32582156"]
    assert page.select_one("#sources a[href='https://clinicaltrials.gov/study/NCT05308836']")


def test_related_trials_link_when_in_the_catalogue(client, seeded):
    page = soup(client.get(reverse("catalogue:trial_detail", args=["NCT04061746"])))
    linked = [a.get_text(strip=True) for a in page.select(".related a")]
    assert linked == ["NCT01219465"]


def test_dates_show_their_real_precision(client, seeded):
    page = soup(client.get(reverse("catalogue:trial_detail", args=["NCT02893306"])))
    facts = {
        dt.get_text(strip=True): dt.find_next("dd").get_text(strip=True)
        for dt in page.select("#status dt")
    }
    assert facts["Start"] == "March 2012"
    assert facts["Completion"] == "March 2017"


def test_unknown_trial_is_404(client, seeded):
    assert client.get(reverse("catalogue:trial_detail", args=["NCT99999999"])).status_code == 404


def test_detail_query_count_is_constant(client, seeded, django_assert_max_num_queries):
    for registry_id in SEED_IDS.values():
        with django_assert_max_num_queries(20):
            client.get(reverse("catalogue:trial_detail", args=[registry_id]))


def test_detail_leaves_the_saved_pages_in_the_database(client, seeded):
    """The sources section lists files; their saved text and parse (tens of kB) stay unread."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("catalogue:trial_detail", args=["NCT02893306"]))
    assert response.status_code == 200
    read = " ".join(q["sql"] for q in queries if "catalogue_sourcedocument" in q["sql"])
    assert read and "raw_text" not in read and '"parsed"' not in read


def test_detail_sections_come_in_reading_order(client, seeded):
    page = soup(client.get(reverse("catalogue:trial_detail", args=["NCT04061746"])))
    order = [s["id"] for s in page.select("article.trial > section")]
    assert order == [
        "status",
        "flags",
        "classification",
        "summary",
        "design",
        "arms",
        "outcomes",
        "eligibility",
        "sponsors",
        "locations",
        "references",
        "related",
        "changes",
        "sources",
        "cite",
    ]
    toc = [a["href"].lstrip("#") for a in page.select("nav.toc a")]
    assert set(toc) <= set(order)


def test_detail_has_a_permalink_to_cite(client, seeded):
    page = soup(client.get(reverse("catalogue:trial_detail", args=["NCT02893306"])))
    link = page.select_one("#cite .permalink a")
    assert link["href"] == "/trials/NCT02893306/"
    assert link.get_text() == "http://testserver/trials/NCT02893306/"
    assert "NCT02893306" in page.select_one("#cite .citation").get_text()


def test_nav_marks_the_current_page(client, seeded):
    for name in ("catalogue:trial_list", "catalogue:landscape"):
        page = soup(client.get(reverse(name)))
        assert page.select_one('nav[aria-label="Main"] a[aria-current="page"]')["href"] == reverse(
            name
        )


def test_registry_enums_read_as_words():
    from catalogue.templatetags.catalogue import enum_text

    assert enum_text("SINGLE_GROUP") == "Single group"
    assert enum_text("NA") == "Not applicable"
    assert enum_text("") == ""
