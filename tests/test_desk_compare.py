"""Sources side by side: a curator takes one source's value or keeps the catalogue's, and the
decision holds through re-ingest until the sources change."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from catalogue import curation
from catalogue.models import ConflictDecision, CuratorLock, Trial
from ingest.service import rebuild_trials

pytestmark = pytest.mark.django_db

MEDPATH = "001_721fa60f9c1edb35.txt"
EXTRA = "extra_NCT03343782.txt"
# A constructed second page for NCT03343782 (not a real page): newer than the MedPath
# page, and it disagrees on status (recruiting, not completed) and phases (1/2, not 1).
EXTRA_PAGE = (
    "This trial is recruiting.\n\n"
    "Condition type 2 diabetes mellitus\n"
    "Phase phase 1/phase 2\n"
    "Sponsor Vinmec Research Institute of Stem Cell and Gene Technology\n"
    "Start date June 2017\n"
    "Trial size 30 participants\n"
    "Trial identifier NCT03343782\n\n"
    "Autologous bone marrow MSCs for type 2 diabetes.\n\n"
    "Additional Information\n\n"
    "Trial information was received from ClinicalTrials.gov and was last updated in September 2026.\n"
)


def ingest(path) -> None:
    call_command("ingest", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def disagreeing(sources_dir) -> Trial:
    (sources_dir / EXTRA).write_text(EXTRA_PAGE)
    ingest(sources_dir)
    trial = Trial.objects.get(registry_id="NCT03343782")
    assert set(curation.conflicts(trial)) == {"overall_status", "phases"}
    return trial


def compare_url(trial: Trial) -> str:
    return reverse("admin:catalogue_trial_compare", args=[trial.pk])


def page_of(client, trial: Trial) -> BeautifulSoup:
    response = client.get(compare_url(trial))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def open_reasons(trial: Trial) -> set[str]:
    trial = Trial.objects.get(pk=trial.pk)
    _, settled = curation.desk_reasons(trial)
    return set(trial.review_reasons) - set(trial.review_cleared) - settled


def test_each_source_value_stands_beside_the_catalogues(client, curator, disagreeing):
    page = page_of(client, disagreeing)
    headers = {
        th["data-source"]: th.get_text(" ", strip=True) for th in page.select("th[data-source]")
    }
    assert set(headers) == {MEDPATH, EXTRA}
    assert "medpath" in headers[MEDPATH] and "ingested" in headers[MEDPATH]
    assert "aggregator" in headers[EXTRA] and "updated 2026-09" in headers[EXTRA]
    status = page.select_one('tr.conflict[data-field="overall_status"]')
    assert status.select_one("td.now .value").get_text() == "Recruiting"
    cells = {td["data-source"]: td for td in status.select("td.source")}
    assert cells[MEDPATH].select_one(".value").get_text() == "Completed"
    assert cells[EXTRA].select_one(".value").get_text() == "Recruiting"
    assert "chosen" in cells[EXTRA]["class"]
    phases = page.select_one('tr.conflict[data-field="phases"]')
    assert phases.select_one(f'td[data-source="{MEDPATH}"] .value').get_text() == "Phase 1"
    # Lists are shown as counts per source, not offered for taking.
    criteria = page.select_one('#lists tr[data-list="eligibility.criteria"]')
    assert [td.get_text() for td in criteria.select("td")] == [MEDPATH, "9 rows", "0 rows"]


def test_taking_a_sources_value_makes_it_curator_owned_and_settles_it(
    client, curator, disagreeing, sources_dir
):
    assert "sources disagree on overall_status" in open_reasons(disagreeing)
    response = client.post(
        compare_url(disagreeing), {"action": "take", "field": "overall_status", "source": MEDPATH}
    )
    assert response.status_code == 302
    trial = Trial.objects.get(pk=disagreeing.pk)
    assert trial.overall_status == "COMPLETED"
    lock = CuratorLock.objects.get(trial=trial, field="overall_status")
    assert (lock.value, lock.original_value, lock.user) == ("COMPLETED", "RECRUITING", curator)
    decision = ConflictDecision.objects.get(trial=trial, field="overall_status")
    assert (decision.decision, decision.source, decision.user) == ("took", MEDPATH, curator)
    assert "sources disagree on overall_status" not in open_reasons(trial)
    assert "sources disagree on phases" in open_reasons(trial)  # the other one is still open

    # The history says who changed the status, and when.
    history = BeautifulSoup(
        client.get(reverse("admin:catalogue_trial_history", args=[trial.pk])).content,
        "html.parser",
    )
    edits = [
        row
        for row in history.select("#change-history tr.event")
        if row["data-model"] == "catalogue.Trial" and "overall_status" in row.get_text()
    ]
    assert edits and edits[0].select_one(".who").get_text().startswith("cura")

    # Re-ingest of the same sources, and a forced rebuild, keep the value and the decision.
    ingest(sources_dir)
    rebuild_trials([trial])
    trial.refresh_from_db()
    assert trial.overall_status == "COMPLETED"
    assert "sources disagree on overall_status" not in open_reasons(trial)
    page = page_of(client, trial)
    row = page.select_one('tr.conflict[data-field="overall_status"]')
    assert row["data-settled"] == "true"
    assert "Curator-owned" in row.select_one("td.now").get_text()


def test_keeping_the_catalogues_value_holds_until_a_source_changes(
    client, curator, disagreeing, sources_dir
):
    response = client.post(compare_url(disagreeing), {"action": "keep", "field": "phases"})
    assert response.status_code == 302
    trial = Trial.objects.get(pk=disagreeing.pk)
    assert trial.phases == ["PHASE1", "PHASE2"]
    assert not CuratorLock.objects.filter(trial=trial).exists()
    assert "sources disagree on phases" not in open_reasons(trial)

    rebuild_trials([trial], reparse=True)  # everything read again: still settled
    assert "sources disagree on phases" not in open_reasons(trial)

    # The extra page now says phase 2 only: a new disagreement, back in the queue.
    page = sources_dir / EXTRA
    page.write_text(page.read_text().replace("Phase phase 1/phase 2", "Phase phase 2"))
    ingest(sources_dir)
    trial.refresh_from_db()
    assert "sources disagree on phases" in open_reasons(trial)
    assert trial.needs_review
    row = page_of(client, trial).select_one('tr.conflict[data-field="phases"]')
    assert row["data-settled"] == "false"
    assert "the sources have changed since" in row.get_text()


def test_a_settled_conflict_can_be_reopened(client, curator, disagreeing):
    client.post(compare_url(disagreeing), {"action": "keep", "field": "phases"})
    client.post(compare_url(disagreeing), {"action": "reopen", "field": "phases"})
    assert not ConflictDecision.objects.exists()
    assert "sources disagree on phases" in open_reasons(disagreeing)


def test_a_value_no_source_states_cannot_be_taken(client, curator, disagreeing):
    url = compare_url(disagreeing)
    assert (
        client.post(url, {"action": "take", "field": "phases", "source": "nope.txt"}).status_code
        == 404
    )
    assert (
        client.post(url, {"action": "take", "field": "acronym", "source": MEDPATH}).status_code
        == 404
    )
    assert not CuratorLock.objects.exists()


def test_the_review_queue_links_to_the_comparison_and_hides_settled_reasons(
    client, curator, disagreeing
):
    client.post(compare_url(disagreeing), {"action": "keep", "field": "phases"})
    queue = BeautifulSoup(
        client.get(reverse("admin:catalogue_reviewitem_changelist")).content, "html.parser"
    )
    row = next(r for r in queue.select("#result_list tbody tr") if "NCT03343782" in r.get_text())
    why = row.select_one("td.field-reasons")
    assert "sources disagree on overall_status" in why.get_text()
    assert "sources disagree on phases" not in why.get_text()
    assert why.select_one("a")["href"] == compare_url(disagreeing)


def test_the_comparison_page_reads_a_fixed_number_of_queries(
    client, curator, disagreeing, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page_of(client, disagreeing)
