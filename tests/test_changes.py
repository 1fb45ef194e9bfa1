"""The detail page's Changes section and the Atom feed, from the history the triggers keep."""

from __future__ import annotations

import copy
import io
import json

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from catalogue.models import Trial

from .conftest import curator_group
from .factories import make_trial
from .test_ctgov_pull import REAL
from .test_curation_admin import edit_trial

pytestmark = pytest.mark.django_db
NCT = "NCT00763412"


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def changes(client, registry_id: str) -> list:
    return soup(client.get(reverse("catalogue:trial_detail", args=[registry_id]))).select(
        "#changes li.change"
    )


def ingest_study(tmp_path, study: dict) -> None:
    path = tmp_path / "NCT00763412.json"
    path.write_text(json.dumps(study))
    call_command("ingest", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_registry_update_tells_arms_eligibility_and_sponsor_changes(client, tmp_path):
    ingest_study(tmp_path, REAL)
    study = copy.deepcopy(REAL)
    protocol = study["protocolSection"]
    protocol["armsInterventionsModule"]["armGroups"].append(
        {"label": "3. Open-label extension", "type": "EXPERIMENTAL"}
    )
    protocol["eligibilityModule"]["eligibilityCriteria"] = protocol["eligibilityModule"][
        "eligibilityCriteria"
    ].replace("Exclusion Criteria:\n", "* HbA1c below 9%\n\nExclusion Criteria:\n")
    protocol["sponsorCollaboratorsModule"]["leadSponsor"] = {
        "name": "Washington University School of Medicine",
        "class": "OTHER",
    }
    protocol["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2018-02-01"}
    ingest_study(tmp_path, study)

    newest, added = changes(client, NCT)
    assert newest["data-kind"] == "registry"
    assert newest.select_one(".change-registry").get_text() == "registry record of 1 February 2018"
    parts = {li["data-part"]: li.get_text(" ", strip=True) for li in newest.select("li[data-part]")}
    assert parts["arms"] == "Arms : added “3. Open-label extension”"
    assert parts["eligibility"] == "Eligibility : 1 criterion added"
    assert parts["sponsors"] == (
        "Lead sponsor : Arbelaez, Ana Maria → Washington University School of Medicine"
    )
    assert added["data-kind"] == "added"


@pytest.fixture
def curator(client):
    user = User.objects.create_user("zelda_quartermain", password="x", is_staff=True)
    user.groups.add(curator_group())
    client.force_login(user)
    return user


def test_a_curators_correction_is_told_apart_without_naming_the_curator(client, curator, seeded):
    trial = Trial.objects.get(registry_id="NCT05308836")
    edit_trial(client, trial, {"phases": ["PHASE1", "PHASE2"]}, None)
    client.logout()
    response = client.get(reverse("catalogue:trial_detail", args=[trial.registry_id]))
    assert b"zelda" not in response.content.lower()
    newest = soup(response).select("#changes li.change")[0]
    assert newest["data-kind"] == "curator"
    assert newest.select_one(".change-by").get_text() == "Correction by the catalogue's curators"
    assert not newest.select(".change-registry")  # the registry's date is the registry's
    phase = newest.select_one('li[data-part="phases"]')
    assert (phase.find("del").get_text(), phase.ins.get_text()) == ("Phase 1", "Phase 1, Phase 2")
    feed = client.get(reverse("catalogue:feed")).content
    assert b"zelda" not in feed.lower() and b"Correction by the catalogue" in feed


def test_a_long_history_costs_the_same_and_says_older_changes_are_left_out(
    client, django_assert_num_queries
):
    short, long = make_trial(), make_trial()
    for _ in range(30):
        Trial.objects.filter(pk=long.pk).update(enrollment=F("enrollment") + 1)
    Trial.objects.filter(pk=long.pk).update(last_update="2024-01-01")  # not a told change
    url = reverse("catalogue:trial_detail", args=[short.registry_id])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    with django_assert_num_queries(len(queries)):
        page = soup(client.get(reverse("catalogue:trial_detail", args=[long.registry_id])))
    entries = page.select("#changes li.change")
    assert len(entries) == 20
    assert entries[0].select_one("ins").get_text() == "50"  # 20 + 30
    assert page.select_one("#changes .older")
    assert not soup(client.get(url)).select_one("#changes .older")


def test_the_list_page_links_its_feed_with_the_same_filters(client):
    make_trial()
    page = soup(client.get(reverse("catalogue:trial_list"), {"phase": "PHASE1", "page": "1"}))
    link = page.select_one('head link[rel="alternate"][type="application/atom+xml"]')
    assert link["href"] == reverse("catalogue:feed") + "?phase=PHASE1"
    assert page.select_one("a.feed-link")["href"] == link["href"]


def test_the_feed_is_kept_per_catalogue_version(client, django_assert_max_num_queries):
    trial = make_trial(overall_status="RECRUITING")
    url = reverse("catalogue:feed")
    first = client.get(url).content
    with django_assert_max_num_queries(1):  # the catalogue version, nothing else
        assert client.get(url).content == first
    Trial.objects.filter(pk=trial.pk).update(overall_status="COMPLETED")
    feed = feedparser.parse(client.get(url).content)
    assert not feed.bozo
    [entry] = feed.entries
    assert entry.title.startswith(f"{trial.registry_id}: status changed")
    assert "Status: Recruiting → Completed" in entry.summary


def test_a_feed_of_a_search_or_with_bad_values_is_still_valid_atom(client):
    make_trial(brief_title="Wharton's jelly cells in type 1 diabetes")
    make_trial(brief_title="Adipose cells in foot ulcers")
    for params in ({"q": "wharton"}, {"phase": "PHASE9", "age": "old"}, {"q": "nothing-like-it"}):
        response = client.get(reverse("catalogue:feed"), params)
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (params, feed.get("bozo_exception"))
        assert feed.feed.title.startswith("MSC–Diabetes Trial Catalogue")
    assert (
        len(
            feedparser.parse(
                client.get(reverse("catalogue:feed"), {"q": "wharton"}).content
            ).entries
        )
        == 1
    )
