"""The canonical JSON and CSV written by `export_trials`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

KEYS = {
    "registry_id",
    "title",
    "overall_status",
    "phases",
    "study_type",
    "enrollment",
    "start_date",
    "completion_date",
    "conditions",
    "lead_sponsor",
    "collaborators",
    "countries",
    "eligibility",
    "arms",
    "interventions",
    "outcomes",
    "references",
    "related_trials",
    "classification",
    "sources",
}


def export(fmt: str) -> str:
    out = io.StringIO()
    call_command("export_trials", format=fmt, stdout=out)
    return out.getvalue()


def test_json_has_the_canonical_shape(seeded):
    trials = {t["registry_id"]: t for t in json.loads(export("json"))}
    assert len(trials) == 5
    for trial in trials.values():
        assert trial.keys() >= KEYS
        assert {
            "sex",
            "minimum_age_years",
            "maximum_age_years",
            "healthy_volunteers",
            "inclusion",
            "exclusion",
        } <= trial["eligibility"].keys()
        assert [set(s) for s in trial["sources"]] == [{"file", "format", "sha256"}]

    chile = trials["NCT02893306"]
    assert chile["start_date"] == "2012-03"  # month precision, not the 1st of March
    assert chile["completion_date"] == "2017-03"
    assert chile["phases"] == ["PHASE2"]
    assert chile["lead_sponsor"] == {"name": "Universidad del Desarrollo", "class": None}
    assert chile["collaborators"] == [{"name": "Clinica Alemana de Santiago", "class": None}]

    vinmec = trials["NCT05308836"]
    assert vinmec["start_date"] == "2021-05-04"
    assert vinmec["lead_sponsor"]["class"] == "OTHER"
    assert vinmec["eligibility"]["minimum_age_years"] == 5
    assert vinmec["eligibility"]["maximum_age_years"] is None
    blood = next(
        c for c in vinmec["eligibility"]["inclusion"] if c["text"].startswith("Blood testing")
    )
    assert [s["text"] for s in blood["sub"]] == [
        "Fasting blood glucose ≥ 7 mmol / L,",
        "HbA1C ≥ 6.5%.",
    ]
    assert {"pmid": "32010488"}.items() <= vinmec["references"][0].items()
    assert vinmec["related_trials"] == ["NCT01719640", "NCT03390231"]
    assert vinmec["outcomes"] == []
    musc = trials["NCT04061746"]
    assert "NCT01219465" in musc["related_trials"]
    assert musc["outcomes"] == [] or all(
        {"kind", "measure", "time_frame"} == set(o) for o in musc["outcomes"]
    )


def test_csv_has_one_row_per_trial_and_flat_lists(seeded):
    rows = list(csv.DictReader(io.StringIO(export("csv"))))
    assert len(rows) == 5
    row = next(r for r in rows if r["registry_id"] == "NCT05308836")
    assert row["phases"] == "PHASE1"
    assert row["lead_sponsor"] == "Vinmec Research Institute of Stem Cell and Gene Technology"
    assert row["countries"] == "Vietnam"


def test_csv_cells_cannot_start_a_formula():
    from catalogue.export import safe_cell

    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("-1") == "'-1"
    assert safe_cell("plain") == "plain"
    assert safe_cell(5) == 5
