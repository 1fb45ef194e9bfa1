"""Reporting flags: the pure rules, their refresh from the history, the facet, the landscape."""

from __future__ import annotations

import csv
import io
from datetime import date
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from catalogue import flags
from catalogue.flags import Facts, Recorded, compute
from catalogue.models import CuratorLock, Trial

from .factories import make_trial

TODAY = date(2025, 6, 15)


def fields(**given) -> SimpleNamespace:
    values = {
        "overall_status": "RECRUITING",
        "results_posted": None,
        "enrollment": 60,
        "start_date": None,
        "start_date_precision": "",
        "primary_completion_date": None,
        "primary_completion_date_precision": "",
        "completion_date": None,
        "completion_date_precision": "",
        "status_verified_date": None,
        "status_verified_date_precision": "",
        "last_update": None,
        "last_update_precision": "",
    }
    return SimpleNamespace(**{**values, **given})


def flagged(today=TODAY, **given) -> dict:
    return compute(Facts(fields(**given)), today)


def test_results_overdue_counts_twelve_months_from_the_end_of_the_primary_completion_month():
    done = {
        "overall_status": "COMPLETED",
        "results_posted": False,
        "primary_completion_date": date(2024, 5, 1),
        "primary_completion_date_precision": "month",
        "completion_date": date(2024, 9, 1),
        "completion_date_precision": "month",
    }
    assert flagged(date(2025, 5, 31), **done) == {}
    assert flagged(date(2025, 6, 1), **done) == {
        "results_overdue": {
            "status": "COMPLETED",
            "completion_field": "primary_completion_date",
            "completion": "2024-05",
            "due": "2025-05-31",
        }
    }
    assert flagged(**{**done, "results_posted": True}) == {}
    assert flagged(**{**done, "results_posted": None}) == {}  # no registry record: unknown
    assert flagged(**{**done, "overall_status": "ACTIVE_NOT_RECRUITING"}) == {}
    assert "results_overdue" in flagged(**{**done, "overall_status": "TERMINATED"})


def test_status_unverified_only_while_the_trial_runs():
    stale = {"status_verified_date": date(2023, 5, 1), "status_verified_date_precision": "month"}
    assert flagged(date(2025, 5, 31), **stale) == {}
    assert flagged(date(2025, 6, 1), **stale)["status_unverified"] == {
        "status": "RECRUITING",
        "status_verified": "2023-05",
    }
    assert flagged(**stale, overall_status="COMPLETED") == {}  # a final status needs no check
    assert "status_unverified" in flagged(**stale, overall_status="UNKNOWN")


def test_start_passed_while_not_yet_recruiting():
    start = {"start_date": date(2025, 6, 1), "start_date_precision": "month"}
    assert flagged(**start, overall_status="NOT_YET_RECRUITING") == {}  # June is not over
    assert flagged(date(2025, 7, 1), **start, overall_status="NOT_YET_RECRUITING") == {
        "start_passed": {"status": "NOT_YET_RECRUITING", "start": "2025-06"}
    }
    assert flagged(date(2025, 7, 1), **start, overall_status="RECRUITING") == {}


def test_completion_passed_while_still_recruiting():
    ends = {"completion_date": date(2024, 1, 1), "completion_date_precision": "year"}
    assert flagged(date(2024, 12, 31), **ends) == {}
    assert flagged(**ends)["completion_passed"]["completion"] == "2024"
    assert "completion_passed" in flagged(**ends, overall_status="ENROLLING_BY_INVITATION")
    assert flagged(**ends, overall_status="ACTIVE_NOT_RECRUITING") == {}


def test_enrollment_cut_and_completion_delayed_come_from_earlier_values():
    trial = fields(
        enrollment=50,
        completion_date=date(2026, 3, 1),
        completion_date_precision="month",
        last_update=date(2025, 3, 4),
        last_update_precision="day",
    )
    earlier = Facts(
        trial,
        largest_enrollment=Recorded(100, recorded=date(2023, 2, 1), registry_date=date(2023, 1, 9)),
        earliest_completion=Recorded(date(2025, 3, 1), "month", recorded=date(2023, 2, 1)),
    )
    found = compute(earlier, TODAY)
    assert found["enrollment_cut"] == {
        "from": 100,
        "from_recorded": "2023-02-01",
        "from_registry_date": "2023-01-09",
        "to": 50,
        "to_registry_date": "2025-03-04",
    }
    assert found["completion_delayed"]["from"] == "2025-03"
    assert found["completion_delayed"]["to"] == "2026-03"
    assert flags.explain("enrollment_cut", found["enrollment_cut"]) == (
        "Enrollment 100 (registry record of 9 January 2023) is now 50 "
        "(registry record of 4 March 2025)."
    )
    assert flags.explain("completion_delayed", found["completion_delayed"]) == (
        "Completion March 2025 (as recorded here on 1 February 2023) is now March 2026 "
        "(registry record of 4 March 2025)."
    )
    # Less than half gone, or less than a year later: no flag. A curator's value: no flag.
    trial.enrollment, trial.completion_date = 51, date(2026, 2, 1)
    assert compute(earlier, TODAY) == {}
    trial.enrollment = 10
    assert compute(Facts(trial, earlier.largest_enrollment, locked={"enrollment"}), TODAY) == {}


@pytest.mark.django_db
def test_refresh_reads_earlier_values_from_the_history_and_follows_the_calendar(
    django_assert_max_num_queries,
):
    trial = make_trial(
        enrollment=120,
        overall_status="RECRUITING",
        completion_date=date(2030, 1, 1),
        completion_date_precision="month",
    )
    others = [make_trial() for _ in range(5)]
    Trial.objects.filter(pk=trial.pk).update(enrollment=30)  # a revision, in the history
    with django_assert_max_num_queries(6):  # whatever the number of trials
        assert flags.refresh_flags(today=TODAY) == 1
    trial.refresh_from_db()
    assert trial.reporting_flags == ["enrollment_cut"]
    assert trial.reporting_flag_dates["enrollment_cut"]["from"] == 120
    assert flags.refresh_flags(today=TODAY) == 0  # nothing new: nothing written
    # Time passes: the same record is now past its completion date.
    out = io.StringIO()
    call_command("refresh_flags", today="2030-02-01", stdout=out)
    assert "changed" in out.getvalue()
    trial.refresh_from_db()
    assert trial.reporting_flags == ["completion_passed", "enrollment_cut"]
    # A curator owns the enrollment now: the cut is the curator's value, not a revision.
    CuratorLock.objects.create(trial=trial, field="enrollment", value=30)
    flags.refresh_flags([trial.pk], today=TODAY)
    trial.refresh_from_db()
    assert trial.reporting_flags == []
    assert all(o.reporting_flags == [] for o in Trial.objects.filter(pk__in=[o.pk for o in others]))


@pytest.mark.django_db
def test_flags_filter_the_list_with_counts_and_show_in_results(client):
    overdue = make_trial(
        overall_status="COMPLETED",
        results_posted=False,
        completion_date=date(2019, 6, 1),
        completion_date_precision="month",
    )
    make_trial()
    flags.refresh_flags()
    page = BeautifulSoup(client.get(reverse("catalogue:trial_list")).content, "html.parser")
    options = {
        li["data-value"]: int(li["data-count"]) for li in page.select("#facet-flag li.option")
    }
    assert options == {slug: int(slug == "results_overdue") for slug in flags.ReportingFlag.values}
    assert not page.select_one("#facet-flag").has_attr("open")  # folded
    tags = page.select(f'li[data-registry-id="{overdue.registry_id}"] .tag.flag')
    assert [t["data-flag"] for t in tags] == ["results_overdue"]
    filtered = client.get(reverse("catalogue:trial_list"), {"flag": "results_overdue"})
    ids = [
        li["data-registry-id"]
        for li in BeautifulSoup(filtered.content, "html.parser").select("li.result")
    ]
    assert ids == [overdue.registry_id]
    exported = client.get(reverse("catalogue:download", args=["csv"]), {"flag": "results_overdue"})
    [row] = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert (row["registry_id"], row["reporting_flags"]) == (overdue.registry_id, "results_overdue")


@pytest.mark.django_db
def test_the_landscape_counts_flags_and_charts_results_by_completion_year(client):
    for year, posted in ((2019, False), (2019, True), (2021, None), (2021, False)):
        make_trial(
            overall_status="COMPLETED",
            results_posted=posted,
            primary_completion_date=date(year, 3, 1),
            primary_completion_date_precision="month",
        )
    make_trial(overall_status="RECRUITING", completion_date=date(2018, 1, 1))  # not in the chart
    flags.refresh_flags()
    page = BeautifulSoup(client.get(reverse("catalogue:landscape")).content, "html.parser")
    table = page.select_one("#chart-results table")
    header = [th.get_text(strip=True) for th in table.select("thead th")]
    assert header == [
        "Year",
        "Results posted",
        "No results posted",
        "Not stated (no registry record)",
        "All",
    ]
    rows = {
        tr.th.get_text(strip=True): [int(td.get_text()) for td in tr.select("td")]
        for tr in table.select("tbody tr")
    }
    assert rows == {"2019": [1, 1, 0, 2], "2020": [0, 0, 0, 0], "2021": [0, 1, 1, 2]}
    assert page.select("#chart-results svg rect.results-posted")
    counts = {
        tr.th.get_text(strip=True): int(tr.select("td")[0].get_text())
        for tr in page.select("#chart-flags tbody tr")
    }
    assert counts["No results 12 months after completion"] == 2
    assert counts["Past its completion date, still recruiting"] == 1
    assert "No flag" not in counts
    assert (
        page.select_one("#chart-flags .footnote")
        .get_text()
        .startswith("2 of these trials have no reporting flag")
    )
