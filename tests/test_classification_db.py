"""Classification as stored, filtered, shown, exported and re-run, over the five ingested seeds."""

from __future__ import annotations

import io
import json

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import CuratorLock, Trial
from catalogue.stored import merged_record
from classification import apply_classification

pytestmark = pytest.mark.django_db

DONE = {
    "NCT05308836": dict(
        cell_sources=["adipose"], donor="allogeneic", routes=["intravenous"], diabetes_types=["t1d"]
    ),
    "NCT03343782": dict(
        cell_sources=["bone_marrow"], donor="autologous", routes=[], diabetes_types=["t2d"]
    ),
    "NCT04061746": dict(
        cell_sources=["umbilical_cord"],
        donor="allogeneic",
        routes=["intravenous"],
        diabetes_types=["t1d"],
    ),
    "NCT01219465": dict(
        cell_sources=["umbilical_cord"],
        donor="allogeneic",
        routes=["intravenous"],
        diabetes_types=["t1d"],
    ),
    "NCT02893306": dict(
        cell_sources=["bone_marrow"],
        donor="allogeneic",
        routes=["intravenous"],
        diabetes_types=["t1d"],
    ),
}


def page(client, registry_id: str) -> BeautifulSoup:
    response = client.get(reverse("catalogue:trial_detail", args=[registry_id]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_ingest_stores_the_derived_values(seeded):
    stored = {
        t.registry_id: dict(
            cell_sources=t.cell_sources,
            donor=t.donor,
            routes=t.routes,
            diabetes_types=t.diabetes_types,
        )
        for t in Trial.objects.all()
    }
    assert stored == DONE
    assert set(Trial.objects.filter(in_scope=True).values_list("registry_id", flat=True)) == set(
        DONE
    )


def test_derived_values_are_filterable_in_postgres(seeded):
    def ids(queryset) -> set[str]:
        return set(queryset.values_list("registry_id", flat=True))

    assert ids(Trial.objects.filter(cell_sources__contains=["adipose"])) == {"NCT05308836"}
    assert ids(Trial.objects.filter(donor="autologous")) == {"NCT03343782"}
    assert ids(Trial.objects.filter(diabetes_types__contains=["t2d"])) == {"NCT03343782"}
    assert ids(Trial.objects.filter(recent_onset=True)) == {
        "NCT05308836",
        "NCT01219465",
        "NCT02893306",
    }
    assert ids(Trial.objects.filter(comparators__contains=["placebo"])) == {"NCT04061746"}
    assert ids(Trial.objects.filter(dose_per_kg_max__gte=2.8e6)) == {"NCT02893306"}
    marrow = Trial.objects.get(registry_id="NCT02893306")
    assert (marrow.dose_per_kg_min, marrow.dose_per_kg_max) == (2e6, 3e6)


def test_detail_page_shows_each_value_with_its_evidence(client, seeded):
    section = page(client, "NCT05308836").find("section", id="classification")
    assert section.select_one(".scope")["data-in-scope"] == "true"
    source = section.select_one("dd[data-field=cell_sources]")
    assert source.select_one(".values").get_text(strip=True) == "Adipose tissue"
    items = source.select("li.evidence-item")
    assert {li["data-value"] for li in items} == {"adipose"}
    wheres = [li.select_one(".where").get_text(strip=True) for li in items]
    assert "intervention 'adipose-derived messenchymal stem cell'" in wheres
    donor = section.select_one("dd[data-field=donor]")
    assert donor.select_one(".values").get_text(strip=True) == "Allogeneic"
    first = donor.select_one("li.evidence-item")
    assert first.select_one(".value").get_text(strip=True) == "Allogeneic"
    phrase = first.select_one("q.phrase")
    assert phrase.get_text().strip() == (
        "… Cell and Gene Technology with the National Yang-Ming University in Taiwan The adipose "
        "mesenchymal stem cell line (GXIPC1) was collected from healthy donors who have screened for "
        "infectious diseases and …"
    )
    assert phrase.select_one("mark").get_text() == "mesenchymal stem cell line"  # what decided
    route = section.select_one("dd[data-field=routes] li.evidence-item")
    assert route["data-section"] == "arm"


def test_detail_page_shows_dose_and_eligibility_numbers(client, seeded):
    section = page(client, "NCT04061746").find("section", id="classification")
    dose = section.select_one("dd[data-field=dose]")
    assert dose.select_one(".values").get_text(strip=True) == "2.5 × 10^6 cells/kg; 1 dose"
    assert next(q.get_text().strip() for q in dose.select("q.phrase")) == (
        "2.5 x 10^6 MSC per kg will be infused intravenously on Day 1"
    )
    rows = {
        tr["data-measure"]: tr.select_one("td.bound").get_text(strip=True)
        for tr in section.select("table.eligibility-numbers tbody tr")
    }
    assert rows == {
        "age": "18–40 years",
        "c_peptide": "> 0.2 nmol/L",
        "bmi": "14–35 kg/m²",
        "hba1c": "≤ 12 %",
    }
    bmi = section.select_one("tr[data-measure=bmi] td.criterion q").get_text(strip=True)
    assert bmi == "Body Mass Index < 14 or >35"
    comparator = section.select_one("dd[data-field=comparators] .values").get_text(strip=True)
    assert comparator == "Placebo"


def test_export_carries_the_classification(seeded):
    out = io.StringIO()
    call_command("export_trials", format="json", stdout=out)
    data = {t["registry_id"]: t["classification"] for t in json.loads(out.getvalue())}
    marrow = data["NCT02893306"]
    assert marrow["dose"]["cells_per_kg"] == [2e6, 3e6] and marrow["dose"]["doses"] == 1
    assert marrow["derived"]["donor"] == marrow["donor"] == "allogeneic"
    assert {"cell_sources", "donor", "routes", "diabetes_types", "in_scope"} <= set(
        marrow["evidence"]
    )
    assert marrow["evidence"]["donor"][0]["where"] == "arm"
    assert marrow["classifier_version"] >= 1
    assert "conflicts" not in marrow


def test_reclassify_changes_nothing_on_a_fresh_catalogue(seeded):
    out = io.StringIO()
    call_command("reclassify", stdout=out)
    assert out.getvalue().strip() == "5 trials, 0 changed, 0 failed"


def test_reclassify_restores_stale_values_and_dry_run_writes_nothing(seeded):
    Trial.objects.filter(registry_id="NCT03343782").update(
        cell_sources=["placenta"], donor="unknown"
    )
    out = io.StringIO()
    call_command("reclassify", dry_run=True, stdout=out)
    assert out.getvalue().strip() == "Dry run, nothing written: 5 trials, 1 changed, 0 failed"
    assert Trial.objects.get(registry_id="NCT03343782").cell_sources == ["placenta"]
    out = io.StringIO()
    call_command("reclassify", "NCT03343782", stdout=out)
    assert out.getvalue().strip() == "1 trials, 1 changed, 0 failed"
    trial = Trial.objects.get(registry_id="NCT03343782")
    assert (trial.cell_sources, trial.donor) == (["bone_marrow"], "autologous")


def test_a_curator_override_wins_over_reclassification(client, seeded):
    trial = Trial.objects.get(registry_id="NCT01219465")
    CuratorLock.objects.create(
        trial=trial,
        field="donor",
        value="autologous",
        original_value="allogeneic",
        source_value="allogeneic",
    )
    Trial.objects.filter(pk=trial.pk).update(donor="autologous")
    call_command("reclassify", stdout=io.StringIO())
    trial.refresh_from_db()
    assert trial.donor == "autologous"
    assert trial.classification["derived"]["donor"] == "allogeneic"
    donor = page(client, "NCT01219465").select_one("#classification dd[data-field=donor]")
    assert donor.select_one(".values").get_text(strip=True) == "Autologous"
    assert donor.select_one(".override") is not None


def test_apply_is_idempotent_and_keeps_other_reasons(seeded):
    trial = Trial.objects.get(registry_id="NCT04061746")
    trial.review_reasons = ["sources disagree on phases"]
    trial.classification = {**trial.classification, "conflicts": {"phases": []}}
    record = merged_record(trial).record
    apply_classification(trial, record)
    first = (list(trial.review_reasons), dict(trial.classification))
    apply_classification(trial, record)
    assert (trial.review_reasons, trial.classification) == first
    assert trial.review_reasons == ["sources disagree on phases"]
    assert trial.classification["conflicts"] == {"phases": []}
