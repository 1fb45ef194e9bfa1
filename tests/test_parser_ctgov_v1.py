"""The retired classic API's full-study JSON: real records from the bundled data, alone, listed,
as the v1 API answered them, and zipped. Expected values are what a person reads in the files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from ingest import detect
from ingest.parsers import ctgov_json, ctgov_v1
from records import Criterion, Location, ParseError

from .conftest import BUNDLED

RECORDS = BUNDLED / "ctgov_v1_json"
REAL_V2 = Path(__file__).parent / "fixtures" / "NCT00763412.json"


def real(nct: str):
    return ctgov_v1.parse((RECORDS / f"{nct}.json").read_bytes())


def study(nct: str) -> dict:
    return json.loads((RECORDS / f"{nct}.json").read_text())


@pytest.fixture(scope="module")
def musc():
    """A recruiting type 1 diabetes trial: placebo arm, NIH collaborator, a zip in its site."""
    return real("NCT04061746")


def test_recognised_as_v1_and_read_by_its_own_parser():
    data = (RECORDS / "NCT04061746.json").read_bytes()
    assert detect.record_format(data).name == "ctgov_v1"
    assert not ctgov_json.looks_like(data.decode())
    record = detect.parse_document(data, "NCT04061746.json")
    assert record.source_format == "ctgov_v1" and record.precedence == 2


def test_identity_status_and_dates(musc):
    assert musc.registry_id == "NCT04061746"
    assert musc.brief_title == "Cellular Therapy for Type 1 Diabetes Using Mesenchymal Stem Cells"
    assert [(s.identifier, s.id_type) for s in musc.secondary_ids] == [
        ("00085542", "org_study_id"),
        ("R01DK118529-01A1", "NIH"),  # "U.S. NIH Grant/Contract"
    ]
    assert musc.overall_status == "RECRUITING"
    assert musc.status_verified_date == "2021-12"
    assert (musc.start_date, musc.primary_completion_date, musc.completion_date) == (
        "2020-02-13",
        "2023-07-01",
        "2023-07-01",
    )
    assert (musc.first_posted, musc.last_update) == ("2019-08-20", "2021-12-30")
    assert musc.results_posted is False  # no ResultsSection in the full record
    assert musc.warnings == []


def test_design_with_v1_spellings_mapped(musc):
    assert musc.study_type == "INTERVENTIONAL" and musc.phases == ["PHASE1"]
    assert (musc.enrollment, musc.enrollment_type) == (50, "ESTIMATED")  # "50", "Anticipated"
    d = musc.design
    assert (d.allocation, d.intervention_model, d.primary_purpose, d.masking) == (
        "RANDOMIZED",
        "PARALLEL",
        "TREATMENT",
        "QUADRUPLE",
    )


def test_arms_link_to_their_interventions(musc):
    assert [(a.label, a.arm_type, a.intervention_names) for a in musc.arms] == [
        ("Group A Treatment", "EXPERIMENTAL", ["Mesenchymal Stem Cells (MSCs)"]),
        (
            "Group B Placebo",
            "PLACEBO_COMPARATOR",
            ["Placebo Infusion (Plasmalyte A with 0.5% human serum albumin)"],
        ),
    ]
    assert (
        musc.arms[0].description == "2.5 x 10^6 MSC per kg will be infused intravenously on Day 1"
    )
    assert [(i.name, i.intervention_type, i.arm_labels) for i in musc.interventions] == [
        ("Mesenchymal Stem Cells (MSCs)", "BIOLOGICAL", ["Group A Treatment"]),
        (
            "Placebo Infusion (Plasmalyte A with 0.5% human serum albumin)",
            "OTHER",
            ["Group B Placebo"],
        ),
    ]


def test_sponsors_people_and_places(musc):
    assert [(s.name, s.role, s.agency_class) for s in musc.sponsors] == [
        ("Medical University of South Carolina", "lead", "OTHER"),
        ("National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)", "collaborator", "NIH"),
    ]  # fmt: skip
    assert musc.responsible_party == "Hongjun Wang, Professor"
    assert [(i.name, i.role) for i in musc.investigators] == [
        ("Hongjun Wang, PhD", "PRINCIPAL_INVESTIGATOR")
    ]
    assert musc.locations == [
        Location(
            "Medical University of South Carolina",
            "Charleston",
            "South Carolina",
            "United States",
            "RECRUITING",
        )
    ]
    assert musc.countries == ["United States"]


def test_eligibility_rows(musc):
    e = musc.eligibility
    assert (e.sex, e.minimum_age, e.maximum_age, e.healthy_volunteers) == (
        "ALL",
        "12 Years",
        "30 Years",
        False,
    )
    assert e.criteria[0] == Criterion(
        "inclusion",
        "A new diagnosis of T1D based on the ADA criteria within 3 months of randomization.",
    )
    assert e.criteria[8] == Criterion(
        "exclusion",
        "Evidence of retinopathy at baseline based on ophthalmologic examination or medical record review.",
    )
    assert [c.kind for c in e.criteria].count("inclusion") == 8
    assert e.criteria_text.startswith("Inclusion criteria:\n\nA new diagnosis of T1D")


def test_mesh_terms(musc):
    assert musc.mesh_terms == ["Diabetes Mellitus", "Diabetes Mellitus, Type 1"]
    assert musc.intervention_mesh_terms == ["Plasma-lyte 148"]


def test_outcomes_with_kinds_and_references_with_pmids():
    r = real("NCT02893306")
    assert [(o.kind, o.measure, o.time_frame) for o in r.outcomes[:2]] == [
        ("primary", "Changes in insulin pancreatic reserve", "pre- and 1, 6, 24 months post-intervention"),
        ("secondary", "Changes in insulin requirement", "pre- and up to 24 months post-intervention"),
    ]  # fmt: skip
    assert [o.kind for o in r.outcomes] == ["primary", "secondary", "other", "other"]
    assert r.outcomes[0].description == (
        "Levels of insulin secreted after the acute ingestion of a protein rich liquid diet"
    )
    assert [(ref.pmid, ref.reference_type) for ref in r.references] == [
        ("22644660", "BACKGROUND"),
        ("21304603", "BACKGROUND"),
        ("18489988", "BACKGROUND"),
    ]
    assert r.references[0].citation.startswith("Ezquer F, Ezquer M, Contador D")
    assert r.overall_status == "UNKNOWN"  # "Unknown status"
    assert r.acronym == "DMT1-MSC" and r.enrollment_type == "ACTUAL"
    assert r.eligibility.maximum_age == ""  # no MaximumAge: no upper limit stated
    assert r.responsible_party == "Paulette Conget, Dr"


def test_an_alias_a_no_intervention_arm_and_sites_without_state():
    r = real("NCT01257776")
    assert ("NCT01079403", "nct_alias") in [(s.identifier, s.id_type) for s in r.secondary_ids]
    assert [(a.label, a.arm_type, a.intervention_names) for a in r.arms][2] == (
        "Controlled group",
        "NO_INTERVENTION",
        [],
    )
    assert r.arms[0].intervention_names == ["Autologous adipose derived mesenchymal stem cells"]
    assert r.responsible_party == "SPONSOR"
    assert r.design.masking == "NONE"  # "None (Open Label)"
    assert [(loc.city, loc.state, loc.country) for loc in r.locations] == [
        ("Seville", "", "Spain"),
        ("Seville", "", "Spain"),
    ]


def test_not_applicable_phase_observational_and_a_repeated_org_id():
    assert real("NCT01068951").phases == ["NA"]  # "Not Applicable"
    observational = real("NCT02286128")
    assert observational.study_type == "OBSERVATIONAL" and observational.phases == []
    # The organisation's own id repeated as a secondary id is listed once.
    assert [s.identifier for s in real("NCT00646724").secondary_ids] == ["fuzhough0712"]


def test_every_bundled_record_reads_without_warnings():
    records = [ctgov_v1.parse(path.read_bytes()) for path in sorted(RECORDS.glob("*.json"))]
    assert len(records) == 78
    assert [(r.registry_id, r.warnings) for r in records if r.warnings] == []
    assert all(r.eligibility.criteria for r in records)
    assert sum(r.overall_status == "UNKNOWN" for r in records) == 31
    assert sum(len(r.references) for r in records) == 125
    assert {r.enrollment_type for r in records} == {"ACTUAL", "ESTIMATED"}


def test_the_same_study_in_a_list_an_api_answer_and_a_zip_is_the_same_document():
    a, b = study("NCT04061746"), study("NCT02893306")
    alone = detect.split_document((RECORDS / "NCT04061746.json").read_bytes())
    listed = detect.split_document(json.dumps([a, b]).encode())
    answer = {
        "FullStudiesResponse": {
            "APIVrs": "1.01.05",
            "NStudiesFound": 2,
            "FullStudies": [{"Rank": 1, "Study": a}, {"Rank": 2, "Study": b}],
        }
    }
    answered = detect.split_document(json.dumps(answer).encode())
    assert [p.key for p in listed] == [p.key for p in answered] == ["NCT04061746", "NCT02893306"]
    assert alone[0].key == "" and alone[0].data == listed[0].data == answered[0].data
    record = detect.parse_document(answered[1].data, "answer.json#NCT02893306")
    assert record.source_format == "ctgov_v1" and record.registry_id == "NCT02893306"


def test_a_list_may_mix_api_versions():
    v2 = json.loads(REAL_V2.read_text())
    parts = detect.split_document(json.dumps([study("NCT04061746"), v2, {"x": 1}]).encode())
    assert [(p.key, bool(p.error)) for p in parts] == [
        ("NCT04061746", False),
        ("NCT00763412", False),
        ("study-3", True),
    ]
    formats = [detect.parse_document(p.data, p.key).source_format for p in parts[:2]]
    assert formats == ["ctgov_v1", "ctgov_json"]


def test_a_zip_of_v1_records(tmp_path):
    from ingest.documents import read_documents

    archive = tmp_path / "full_studies.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(RECORDS / "NCT04061746.json", "v1/NCT04061746.json")
        z.writestr("v1/answer.json", json.dumps({"FullStudiesResponse": {"FullStudies": [{"Rank": 1, "Study": study("NCT02893306")}]}}))  # fmt: skip
    docs = list(read_documents(archive))
    assert [(d.path.split("#", 1)[1], d.error) for d in docs] == [
        ("v1/NCT04061746.json", ""),
        ("v1/answer.json#NCT02893306", ""),
    ]
    assert {detect.parse_document(d.data, d.filename).source_format for d in docs} == {"ctgov_v1"}


def test_what_is_not_a_v1_study_is_refused():
    with pytest.raises(ParseError, match="no ProtocolSection"):
        ctgov_v1.parse(b'{"FullStudiesResponse": {"FullStudies": []}}')
    bad = study("NCT04061746")
    bad["ProtocolSection"]["IdentificationModule"]["NCTId"] = "NCT123"
    with pytest.raises(ParseError, match="no valid NCTId"):
        ctgov_v1.parse(json.dumps(bad))


def test_odd_values_are_left_empty_with_a_warning():
    odd = study("NCT04061746")
    odd["ProtocolSection"]["DesignModule"]["EnrollmentInfo"]["EnrollmentCount"] = "about 50"
    odd["ProtocolSection"]["StatusModule"]["OverallStatus"] = "Paused"
    r = ctgov_v1.parse(io.BytesIO(json.dumps(odd).encode()).read())
    assert r.enrollment is None and r.overall_status == ""
    assert r.warnings == [
        "unknown overall status 'Paused'; left empty",
        "unreadable enrollment count 'about 50'; left empty",
    ]
