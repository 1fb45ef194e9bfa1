"""What search engines read: JSON-LD on every trial page, canonical links, Open Graph, sitemap.xml, robots.txt."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from catalogue.models import Trial
from catalogue.sitemaps import TrialSitemap

from .factories import make_trial

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page(client, url, params=None) -> BeautifulSoup:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def json_ld(soup: BeautifulSoup) -> dict:
    scripts = soup.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_every_trial_page_carries_a_medical_trial(client, seeded):
    for trial in Trial.objects.all():
        url = reverse("catalogue:trial_detail", args=[trial.registry_id])
        data = json_ld(page(client, url))
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "MedicalTrial"
        assert data["identifier"] == trial.registry_id
        assert data["url"] == f"http://testserver{url}"
        assert data["name"] == trial.title


def test_the_medical_trial_states_status_phase_conditions_sponsor_dates_and_places(client, seeded):
    data = json_ld(page(client, reverse("catalogue:trial_detail", args=["NCT01219465"])))
    assert data["status"] == "Unknown status"  # schema.org has no name for it: the label
    assert data["phase"] == ["Phase 1"]
    assert {"@type": "MedicalCondition", "name": "Diabetes Mellitus, Type 1"} in data[
        "healthCondition"
    ]
    assert data["sponsor"][0] == {"@type": "Organization", "name": "Qingdao University"}
    place = data["studyLocation"][0]
    assert place["address"]["addressCountry"] == "China"
    assert place["address"]["addressLocality"] == "Qingdao"
    assert data["sameAs"] == "https://clinicaltrials.gov/study/NCT01219465"


def test_dates_and_a_registry_status_schema_org_names(client, db):
    trial = make_trial(
        overall_status="RECRUITING",
        start_date=datetime.date(2019, 3, 1),
        start_date_precision="month",
        allocation="RANDOMIZED",
        masking="DOUBLE",
    )
    data = json_ld(page(client, reverse("catalogue:trial_detail", args=[trial.registry_id])))
    assert data["status"] == "https://schema.org/Recruiting"
    assert data["startDate"] == "2019-03"
    assert "endDate" not in data  # nothing stated, nothing claimed
    assert data["trialDesign"] == [
        "https://schema.org/RandomizedTrial",
        "https://schema.org/DoubleBlindedTrial",
    ]


def test_a_title_cannot_break_out_of_the_script(client, db):
    hostile = 'Cells</script><script>alert(1)</script><!-- & "quotes"'
    trial = make_trial(brief_title=hostile, brief_summary="<b>bold</b>")
    response = client.get(reverse("catalogue:trial_detail", args=[trial.registry_id]))
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert not [
        s for s in soup.find_all("script") if "alert" in (s.string or "") and not s.get("type")
    ]
    data = json_ld(soup)
    assert data["name"] == hostile  # the escapes read back as the same text
    assert data["description"] == "<b>bold</b>"


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("list", reverse("catalogue:trial_list")),
        ("landscape", reverse("catalogue:landscape")),
        ("detail", reverse("catalogue:trial_detail", args=["NCT01219465"])),
        ("data", reverse("catalogue:data")),
        ("api docs", reverse("api:docs")),
    ],
)
def test_every_page_has_a_canonical_link_and_open_graph_tags(client, seeded, name, url):
    soup = page(client, url)
    canonical = soup.select_one('link[rel="canonical"]')["href"]
    assert canonical == f"http://testserver{url}"
    og = {m["property"]: m["content"] for m in soup.select('meta[property^="og:"]')}
    assert og["og:url"] == canonical
    assert og["og:title"] and og["og:description"] and og["og:site_name"]
    assert og["og:type"] == ("article" if name == "detail" else "website")
    assert soup.select_one('meta[name="description"]')["content"] == og["og:description"]


def test_a_lists_canonical_link_keeps_the_filters_and_drops_the_noise(client, seeded):
    soup = page(
        client,
        reverse("catalogue:trial_list"),
        {
            "status": ["RECRUITING", "COMPLETED"],
            "sort": "start",
            "per_page": "50",
            "page": "1",
            "phase": "PHASE1",
            "bogus": "1",
        },
    )
    href = soup.select_one('link[rel="canonical"]')["href"]
    assert urlsplit(href).query == "phase=PHASE1&status=COMPLETED&status=RECRUITING"
    detail = page(client, reverse("catalogue:trial_detail", args=["NCT01219465"]), {"x": "1"})
    assert "?" not in detail.select_one('link[rel="canonical"]')["href"]


def test_the_sitemap_lists_the_pages_and_every_trial(client, seeded):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locations = []
    for entry in index.iter(f"{SITEMAP}loc"):
        part = ET.fromstring(client.get(urlsplit(entry.text).path).content)
        locations += [loc.text for loc in part.iter(f"{SITEMAP}loc")]
    paths = {urlsplit(u).path for u in locations}
    expected = {
        reverse("catalogue:trial_list"),
        reverse("catalogue:landscape"),
        reverse("catalogue:data"),
        reverse("api:docs"),
    }
    expected |= {
        reverse("catalogue:trial_detail", args=[rid])
        for rid in Trial.objects.values_list("registry_id", flat=True)
    }
    assert paths == expected


def test_trial_sitemaps_are_paged_at_50000_and_cost_one_query_a_page(
    client, seeded, django_assert_max_num_queries
):
    assert TrialSitemap.limit == 50_000
    with django_assert_max_num_queries(2):
        client.get("/sitemap-trials.xml")


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_off_data_urls(client, settings):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    assert "Disallow: /api/" in text and "Disallow: /trials.csv" in text
    assert "Disallow: /admin/" in text


def test_robots_txt_does_not_reveal_a_moved_admin(client, settings):
    settings.ADMIN_URL = "back-office-7f3a/"
    assert "back-office" not in client.get("/robots.txt").content.decode()
