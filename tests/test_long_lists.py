"""Long lists read well: a facet or chart of many values shows the largest and folds the rest
behind a disclosure; a trial's many collaborators and sites do too. (The bundled data has 55
countries, trials with 17 collaborators and 70 sites.)"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from catalogue.models import Location, Sponsor, TrialSponsor
from catalogue.templatetags.catalogue import fold

from .factories import make_trial

pytestmark = pytest.mark.django_db

COUNTRIES = [f"Country {letter}" for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]


@pytest.fixture
def many_countries():
    """Country A in 26 trials, B in 25, ... Z in 1: a facet of 26 values."""
    for number in range(len(COUNTRIES)):
        make_trial(countries=COUNTRIES[: number + 1])


def soup(client, url, params=None) -> BeautifulSoup:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def values(node) -> list[str]:
    return [li["data-value"] for li in node.select("li.option")]


def test_fold_hides_only_when_it_hides_three_or_more():
    assert fold(range(12)) == {"shown": list(range(12)), "rest": [], "rest_selected": False}
    assert fold(range(13))["rest"] == [10, 11, 12]
    assert fold(range(20), 15)["shown"] == list(range(15))


def test_a_facet_of_many_values_shows_the_largest_ten(client, many_countries):
    facet = soup(client, reverse("catalogue:trial_list")).select_one("#facet-country")
    shown = facet.select_one("fieldset > ul.options")
    assert values(shown) == COUNTRIES[:10]
    more = facet.select_one("details.more-options")
    assert more["id"] == "facet-country-more" and not more.has_attr("open")
    assert more.summary.get_text(strip=True) == "Show 16 more"
    assert values(more) == COUNTRIES[10:]


def test_a_ticked_value_in_the_fold_opens_it(client, many_countries):
    page = soup(client, reverse("catalogue:trial_list"), {"country": "Country X"})
    more = page.select_one("#facet-country-more")
    assert more.has_attr("open")
    assert more.select_one('input[value="Country X"]').has_attr("checked")


def test_the_country_chart_folds_after_fifteen_rows(client, many_countries):
    chart = soup(client, reverse("catalogue:landscape")).select_one("#chart-country")
    tables = chart.select("table.bar-chart")
    first = [th.get_text(strip=True) for th in tables[0].select("tbody th")]
    assert first == COUNTRIES[:15]
    assert chart.select_one("details.more-rows > summary").get_text(strip=True) == "Show 11 more"
    rest = [th.get_text(strip=True) for th in tables[1].select("tbody th")]
    assert rest == COUNTRIES[15:]
    assert tables[1].caption.get_text() == "Trials by country, continued"


def test_many_collaborators_and_sites_fold_after_ten(client):
    trial = make_trial(registry_id="NCT99990001")
    for position in range(14):
        sponsor = Sponsor.objects.create(name=f"Partner {position:02d}")
        role = "lead" if position == 0 else "collaborator"
        TrialSponsor.objects.create(trial=trial, sponsor=sponsor, role=role, position=position)
    for position in range(25):
        Location.objects.create(
            trial=trial, position=position, facility=f"Site {position:02d}", city="Lyon", country="France", status="RECRUITING"
        )  # fmt: skip
    page = soup(client, reverse("catalogue:trial_detail", args=["NCT99990001"]))
    sponsors = page.select_one("#sponsors")
    lead = {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True) for dt in sponsors.select("dt")}  # fmt: skip
    assert lead == {"Lead sponsor": "Partner 00"}
    assert sponsors.h3.get_text(" ", strip=True) == "Collaborators (13)"
    assert [li.get_text(strip=True) for li in sponsors.select("ul.spread")[0].select("li")] == [
        f"Partner {n:02d}" for n in range(1, 11)
    ]
    assert sponsors.select_one("details > summary").get_text(strip=True) == "Show 3 more"
    locations = page.select_one("#locations")
    assert locations.h3.get_text(" ", strip=True) == "Sites (25)"
    assert len(locations.select("ul.spread")[0].select("li")) == 10
    assert locations.select_one("details > summary").get_text(strip=True) == "Show 15 more sites"
    first = locations.select_one("ul.spread li").get_text(" ", strip=True)
    assert first == "Site 00 — Lyon, France · Recruiting"  # the status's label, not its enum
