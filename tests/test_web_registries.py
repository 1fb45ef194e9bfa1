"""The web pages and registries: the record link on the detail page, the registry filter with its
counts, trials by registry on the landscape, and words kept as the registry wrote them."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import Trial

from .factories import make_trial, make_trials
from .test_parser_ictrp import EXPORT

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path, seeded):
    """The five bundled trials and the constructed ICTRP export."""
    shutil.copy(EXPORT, tmp_path)
    call_command("ingest", str(tmp_path), verbosity=0)


def page(client, name: str, *args, params=None) -> BeautifulSoup:
    response = client.get(reverse(f"catalogue:{name}", args=args), params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def facts(soup: BeautifulSoup, section: str) -> dict[str, str]:
    dl = soup.select_one(f"#{section} dl.facts")
    return {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in dl.find_all("dt")
    }


# --- the detail page -----------------------------------------------------------------


def test_detail_names_the_registry_and_links_to_its_own_record(client, world):
    soup = page(client, "trial_detail", "ChiCTR2000031319")
    status = facts(soup, "status")
    assert status["Registry"].startswith("ChiCTR (Chinese Clinical Trial Registry)")
    link = soup.select_one("#status a.registry-record")
    # ICTRP's web_address for the record, as the export gives it.
    assert link["href"] == "http://www.chictr.org.cn/showprojen.aspx?proj=51234"
    assert link.get_text(strip=True) == "ChiCTR2000031319 on ChiCTR"
    assert "noopener" in link["rel"]
    assert soup.select_one("#sources a.registry-record")["href"] == link["href"]
    assert status["Registered"] == "28 March 2020"
    assert soup.select_one(".trial-header .registry").get_text(strip=True) == "Registered in ChiCTR"


def test_detail_links_through_the_registry_url_pattern_or_who_ictrp(client):
    make_trial(registry_id="ISRCTN12345678", registry="isrctn")
    make_trial(registry_id="CTRI/2019/05/019123", registry="ctri")
    soup = page(client, "trial_detail", "ISRCTN12345678")
    link = soup.select_one("#status a.registry-record")
    assert link["href"] == "https://www.isrctn.com/ISRCTN12345678"
    assert link.get_text(strip=True) == "ISRCTN12345678 on ISRCTN"
    # CTRI's site has no address by id: WHO ICTRP's page for it, and the link says so.
    soup = page(client, "trial_detail", "CTRI/2019/05/019123")
    link = soup.select_one("#status a.registry-record")
    assert link["href"] == "https://trialsearch.who.int/Trial2.aspx?TrialID=CTRI/2019/05/019123"
    assert link.get_text(strip=True) == "CTRI/2019/05/019123 on WHO ICTRP"
    assert soup.select_one("#sources a.registry-record").get_text(strip=True) == (
        "This trial on WHO ICTRP’s search portal"
    )


def test_clinicaltrials_gov_trials_keep_their_link(client, seeded):
    soup = page(client, "trial_detail", "NCT02893306")
    link = soup.select_one("#sources a.registry-record")
    assert link["href"] == "https://clinicaltrials.gov/study/NCT02893306"
    assert link.get_text(strip=True) == "This trial on ClinicalTrials.gov"


def test_a_trial_of_no_known_registry_has_no_record_link(client):
    make_trial(registry_id="XYZREG-2020-0042", registry="")
    soup = page(client, "trial_detail", "XYZREG-2020-0042")
    assert soup.select("a.registry-record") == []
    assert facts(soup, "status")["Registry"] == "Not a registry the catalogue knows"


def test_status_and_phase_as_the_registry_writes_them(client, world):
    status = facts(page(client, "trial_detail", "ChiCTR2000031319"), "status")
    assert status["Overall status"] == "Not yet recruiting (the registry writes “Pending”)"
    assert status["Phase"] == (
        "Not applicable (the registry writes “New Treatment Measure Clinical Study”)"
    )
    # The catalogue's own spelling is not repeated.
    status = facts(page(client, "trial_detail", "NCT02893306"), "status")
    assert status["Overall status"] == "Active, not recruiting"


def test_a_word_no_table_knows_is_shown_as_written(client):
    make_trial(
        registry_id="2012-001234-56",
        registry="euctr",
        overall_status="",
        status_as_written="Restarted",
    )
    soup = page(client, "trial_detail", "2012-001234-56")
    assert facts(soup, "status")["Overall status"] == (
        "“Restarted” as the registry writes it; not one of the catalogue’s statuses"
    )
    assert soup.select_one(".trial-header .status").get_text(strip=True) == "“Restarted”"
    listed = page(client, "trial_list")
    row = listed.select_one('li.result[data-registry-id="2012-001234-56"] .status')
    assert row.get_text(strip=True) == "“Restarted”"


# --- the list: filter by registry, with counts ----------------------------------------


def registry_counts(soup: BeautifulSoup) -> dict[str, int]:
    return {
        li["data-value"]: int(li["data-count"]) for li in soup.select('[data-facet="registry"]')
    }


def test_registry_facet_counts_and_labels(client, world):
    soup = page(client, "trial_list", params={"include_out_of_scope": "1"})
    assert registry_counts(soup) == {
        "ctgov": 5,  # NCT03343782 is both a bundled page and an ICTRP record: one trial
        "chictr": 2,
        "irct": 1,
        "ctri": 1,
        "anzctr": 1,
        "euctr": 1,
        "jrct": 1,
        "jprn": 1,
        "drks": 1,
    }
    label = soup.select_one('[data-facet="registry"][data-value="chictr"] label')
    assert label.get_text(" ", strip=True).startswith("ChiCTR 2")


def test_the_list_filters_by_registry(client, world):
    soup = page(
        client, "trial_list", params={"registry": ["chictr", "irct"], "include_out_of_scope": "1"}
    )
    ids = [li["data-registry-id"] for li in soup.select("li.result")]
    assert sorted(ids) == ["ChiCTR1900021234", "ChiCTR2000031319", "IRCT20190405043156N4"]
    chips = [a.get_text(" ", strip=True) for a in soup.select(".chip")]
    assert any("Registry: ChiCTR" in chip for chip in chips)
    # The facet ignores its own filter: every registry keeps its count.
    assert registry_counts(soup)["ctgov"] == 5


def test_an_unknown_registry_value_is_ignored_with_a_message(client, world):
    response = client.get(reverse("catalogue:trial_list"), {"registry": "nowhere"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    messages = " ".join(m.get_text(" ", strip=True) for m in soup.select(".message"))
    assert "Registry: ignored “nowhere”" in messages


def test_the_registry_filter_keeps_the_query_count_flat(client, django_assert_max_num_queries):
    make_trials(3, registry="chictr")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("catalogue:trial_list"), {"registry": "chictr"})
    make_trials(30, registry="chictr")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("catalogue:trial_list"), {"registry": "chictr", "per_page": 50})


# --- the landscape ---------------------------------------------------------------------


def test_the_landscape_shows_trials_by_registry(client, world):
    soup = page(client, "landscape", params={"include_out_of_scope": "1"})
    rows = {
        tr.th.get_text(strip=True): tr.select_one("td").get_text(strip=True)
        for tr in soup.select("#chart-registry tbody tr")
    }
    assert list(rows)[:2] == ["ClinicalTrials.gov", "ChiCTR"]  # largest first
    assert rows["ClinicalTrials.gov"] == "5" and rows["EU CTR"] == "1"
    assert sum(int(n) for n in rows.values()) == Trial.objects.count()


def test_the_registry_chart_follows_the_filters(client, world):
    soup = page(client, "landscape", params={"registry": "chictr", "include_out_of_scope": "1"})
    rows = [tr.th.get_text(strip=True) for tr in soup.select("#chart-registry tbody tr")]
    assert rows == ["ChiCTR"]


def test_the_list_shows_a_phase_no_table_knows_as_written(client, world):
    soup = page(client, "trial_list", params={"include_out_of_scope": "1", "registry": "chictr"})
    row = soup.select_one('li.result[data-registry-id="ChiCTR1900021234"] .phase')
    assert row.get_text(strip=True) == "“Pilot clinical trial”"
