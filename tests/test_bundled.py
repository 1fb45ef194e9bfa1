"""The bundled catalogue end to end: data/sources (five saved pages, the classic CSV download of
909 rows, 78 v1 full-study records) loads in one run, and its trials read right on their pages.

One test: loading the real data is the slow part, and every check here reads the same catalogue.
"""

from __future__ import annotations

import io
import sys
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import SourceDocument, Trial

from .conftest import BUNDLED

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def ingest() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", str(BUNDLED), stdout=out, stderr=err, no_progress=True)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def page(client, url: str, params: dict | None = None) -> BeautifulSoup:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def facts(section) -> dict[str, str]:
    return {dt.get_text(strip=True): dt.find_next("dd").get_text(" ", strip=True) for dt in section.select("dt")}  # fmt: skip


def rows(section) -> list[list[str]]:
    return [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in section.select("tbody tr")]  # fmt: skip


def test_the_bundled_sources_load_and_read_right(client):
    code, out, err = ingest()
    assert code == 0, err
    # 913 trials: 909 CSV rows, 4 v1 records of trials the CSV lacks; the other 74 v1 records
    # and the 5 pages add a source to a trial already made in the same run ("updated").
    assert "84 files (992 records): 913 created, 79 updated, 0 unchanged, 0 failed" in out
    assert Trial.objects.count() == 913
    assert Counter(SourceDocument.objects.values_list("source_format", flat=True)) == {
        "ctgov_csv": 909,
        "ctgov_v1": 78,
        "medpath": 2,
        "ctgov_labeled": 1,
        "ctgov_unlabeled": 1,
        "aggregator": 1,
    }
    # The "roughly 55–80" MSC trials for diabetes; the rest are kept, out of scope.
    in_scope = Trial.objects.filter(in_scope=True).count()
    assert 55 <= in_scope <= 80

    listed = page(client, reverse("catalogue:trial_list"))
    assert f"{in_scope} trials" in listed.get_text(" ", strip=True)
    everything = page(client, reverse("catalogue:trial_list"), {"include_out_of_scope": "1"})
    assert "913 trials" in everything.get_text(" ", strip=True)

    # A trial with a v1 record, a saved page and a CSV row: the registry record outranks
    # the others field by field (the page is newer, and disagrees: that goes to review).
    musc = page(client, reverse("catalogue:trial_detail", args=["NCT04061746"]))
    assert facts(musc.select_one("#status")) == {
        "Registry": "ClinicalTrials.gov · NCT04061746 on ClinicalTrials.gov",
        "Overall status": "Recruiting",
        "Phase": "Phase 1",
        "Enrollment": "50 participants (estimated)",
        "Start": "13 February 2020",
        "Primary completion": "1 July 2023",
        "Completion": "1 July 2023",
        "First posted": "20 August 2019",
        "Registered": "16 August 2019",
        "Last update": "30 December 2021",
    }
    assert sorted(r[1] for r in rows(musc.select_one("#sources"))) == [
        "ctgov_csv",
        "ctgov_unlabeled",
        "ctgov_v1",
    ]
    assert (
        "sources disagree on enrollment"
        in Trial.objects.get(registry_id="NCT04061746").review_reasons
    )
    sponsors = musc.select_one("#sponsors").get_text(" ", strip=True)
    assert "Medical University of South Carolina" in sponsors
    assert "National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)" in sponsors

    # A trial known only from its CSV row.
    gvhd = page(client, reverse("catalogue:trial_detail", args=["NCT01526850"]))
    assert "mesenchymal stem cell" in gvhd.select_one("#arms").get_text(" ", strip=True)
    outcomes = rows(gvhd.select_one("#outcomes"))
    assert outcomes[0][:2] == [
        "Not stated",
        "The total Response rate defined as patients with complete and partial response",
    ]
    locations = gvhd.select_one("#locations").get_text(" ", strip=True)
    assert "Zhejiang University" in locations and "Hangzhou" in locations
    assert [r[1] for r in rows(gvhd.select_one("#sources"))] == ["ctgov_csv"]

    # Four Korean sites, the country whole.
    dfu = Trial.objects.get(registry_id="NCT02619877")
    assert dfu.countries == ["Korea, Republic of"]
    assert list(dfu.locations.values_list("city", flat=True)) == [
        "Guro-gu",
        "Nowon-Gu",
        "Seodaemun-Gu",
        "Songpa-Gu",
    ]

    # A second run finds every document stored and changes nothing.
    code, out, _ = ingest()
    assert code == 0
    assert "84 files (992 records): 0 created, 0 updated, 992 unchanged, 0 failed" in out
    print(out, file=sys.stderr)
