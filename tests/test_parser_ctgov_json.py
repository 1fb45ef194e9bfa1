"""ClinicalTrials.gov API v2 study JSON: the real record NCT00763412 and constructed variants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import detect
from ingest.parsers import ctgov_json
from records import Criterion, ParseError

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "NCT00763412.json"
CONSTRUCTED = FIXTURES / "ctgov"


@pytest.fixture(scope="module")
def record():
    return ctgov_json.parse(REAL.read_bytes())


def constructed(name: str):
    return ctgov_json.parse((CONSTRUCTED / name).read_bytes())


def test_the_real_record_is_recognised_as_registry_json():
    data = REAL.read_bytes()
    assert ctgov_json.looks_like(data.decode())
    assert detect.registry_parser(data) is ctgov_json
    assert detect.parse_document(data, "NCT00763412.json").source_format == "ctgov_json"


def test_identity(record):
    assert record.source_format == "ctgov_json"
    assert record.registry_id == "NCT00763412"
    title = "Pilot and Feasibility Study for the Treatment of Pre-diabetes in Patients With Cystic Fibrosis"
    assert record.brief_title == title
    assert record.official_title == title
    assert record.acronym == ""
    assert [(s.identifier, s.id_type) for s in record.secondary_ids] == [
        ("05-1109", "org_study_id"),
        ("P60DK020579", "NIH"),
    ]
    assert record.warnings == []


def test_status_and_dates_keep_their_precision(record):
    assert record.overall_status == "COMPLETED"
    assert record.status_verified_date == "2017-05"
    assert record.start_date == "2006-11"
    assert record.primary_completion_date == "2013-01"
    assert record.completion_date == "2013-01"
    assert record.last_update == "2017-06-05"  # lastUpdatePostDateStruct
    assert record.results_posted is True


def test_design_phases_and_enrollment(record):
    assert record.study_type == "INTERVENTIONAL"
    assert record.phases == ["NA"]
    assert record.enrollment == 31
    assert record.enrollment_type == "ACTUAL"
    assert (
        record.design.allocation,
        record.design.intervention_model,
        record.design.primary_purpose,
        record.design.masking,
    ) == ("RANDOMIZED", "PARALLEL", "OTHER", "QUADRUPLE")


def test_conditions_keywords_and_mesh_terms(record):
    assert record.conditions == ["Cystic Fibrosis Related Diabetes", "Pancreatic Insufficiency"]
    assert record.keywords == [
        "Cystic Fibrosis",
        "Diabetes",
        "Cystic Fibrosis Related Diabetes",
        "Pre-diabetes",
        "oral hypoglycemic agents",
        "Repaglinide",
        "treatment",
        "inflammatory markers",
        "Lung function",
        "nutrition",
    ]
    assert record.mesh_terms == [
        "Cystic Fibrosis",
        "Exocrine Pancreatic Insufficiency",
        "Diabetes Mellitus",
        "Prediabetic State",
        "Glucose Intolerance",
        "Fibrosis",
    ]
    assert record.intervention_mesh_terms == ["Repaglinide"]


def test_summary_and_description(record):
    assert record.brief_summary.startswith("The purpose of this study is to provide")
    assert record.brief_summary.endswith(
        "between systemic inflammatory factors and glucose impairment."
    )
    paragraphs = record.detailed_description.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[2].endswith("who will be studied once without intervention")


def test_arms_and_interventions_link_by_name(record):
    assert [(a.label, a.arm_type, a.intervention_names) for a in record.arms] == [
        ("1 Placebo", "PLACEBO_COMPARATOR", ["placebo"]),  # "Drug: placebo" in the API
        ("2. repaglinide", "EXPERIMENTAL", ["repaglinide"]),
    ]
    assert record.arms[0].description.startswith("1 pill before each meal 3-4 times a day")
    assert [(i.name, i.intervention_type, i.arm_labels) for i in record.interventions] == [
        ("placebo", "DRUG", ["1 Placebo"]),
        ("repaglinide", "DRUG", ["2. repaglinide"]),
    ]
    assert "repaglinide 0.5 mg before each meal" in record.interventions[1].description


def test_sponsors_with_an_individual_lead(record):
    assert [(s.name, s.role, s.agency_class) for s in record.sponsors] == [
        ("Arbelaez, Ana Maria", "lead", "INDIV"),
        ("Washington University School of Medicine", "collaborator", "OTHER"),
        ("National Institutes of Health (NIH)", "collaborator", "NIH"),
        ("Novo Nordisk A/S", "collaborator", "INDUSTRY"),
        (
            "National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)",
            "collaborator",
            "NIH",
        ),
    ]
    assert record.responsible_party == "Ana Maria Arbelaez, Assistant Professor in Pediatrics"
    assert [(i.name, i.role, i.affiliation) for i in record.investigators] == [
        ("Neil H White, M.D.", "STUDY_CHAIR", "Washington University School of Medicine")
    ]


def test_eligibility_rows_from_the_markdown_block(record):
    eligibility = record.eligibility
    assert (eligibility.sex, eligibility.minimum_age, eligibility.maximum_age) == (
        "ALL",
        "12 Years",
        "24 Years",
    )
    assert eligibility.healthy_volunteers is False
    inclusion = [c for c in eligibility.criteria if c.kind == "inclusion"]
    exclusion = [c for c in eligibility.criteria if c.kind == "exclusion"]
    assert len(inclusion) == 5 and len(exclusion) == 6
    assert all(c.depth == 0 for c in eligibility.criteria)
    assert inclusion[0].text == "Male or females 12 -24 years old"
    # The API escapes '<' and '>' as markdown; rows read as the page would show them.
    assert inclusion[2].text == (
        "Must have a glucose pattern by Oral Glucose Tolerance Test with fasting blood glucose "
        "<126 mg/dl and 2 hour: 140 - 199 mg/dl or >200 mg/dl."
    )
    assert exclusion[-1].text == (
        "Patients taking medications that affect glucose metabolism or contraindicated with repaglinide"
    )
    assert eligibility.criteria_text.startswith("Inclusion Criteria:\n\n* Male or females")


def test_outcomes_with_time_frames(record):
    assert [(o.kind, o.measure, o.time_frame) for o in record.outcomes] == [
        ("primary", "BMI", "2 year/end of study"),
        ("primary", "Body Composition", "2 year/end of study"),
        ("primary", "CRP", "2 year/end of study"),
        ("secondary", "Glucose Tolerance", "2-year"),
        ("secondary", "Inflammatory Markers", "2 year/end of study"),
        ("secondary", "Wt Z Score", "2 year/end of study"),
        ("secondary", "Tanner Stage", "2 year/end of study"),
        ("secondary", "FEV 1", "2 year/end of study"),
        ("secondary", "C-Peptide", "2 year"),
    ]
    assert record.outcomes[1].description == "Reporting % of Fat and Lean body mass"


def test_locations_with_geo_points(record):
    [site] = record.locations
    assert (site.facility, site.city, site.state, site.country) == (
        "Washington University School of Medicine",
        "Saint Louis",
        "Missouri",
        "United States",
    )
    assert (site.latitude, site.longitude) == (38.62727, -90.19789)
    assert record.countries == ["United States"]


def test_the_real_record_has_no_references_module(record):
    assert record.references == []
    assert record.related_trials == []


def test_no_design_module_loads_with_a_warning():
    r = constructed("no_design_module.json")
    assert r.registry_id == "NCT99000001"
    assert r.study_type == "" and r.phases == [] and r.enrollment is None
    assert r.design.allocation == ""
    assert "record has no designModule" in r.warnings
    assert r.overall_status == "COMPLETED" and len(r.arms) == 2


def test_no_status_module_loads_with_a_warning():
    r = constructed("no_status_module.json")
    assert r.registry_id == "NCT99000002"
    assert r.overall_status == "" and r.start_date == "" and r.last_update == ""
    assert r.status_verified_date == ""
    assert "record has no statusModule" in r.warnings
    assert r.results_posted is True  # hasResults still says so
    assert r.phases == ["NA"] and r.enrollment == 31


def test_observational_study_without_phases():
    r = constructed("observational_no_phases.json")
    assert r.study_type == "OBSERVATIONAL"
    assert r.phases == []
    assert (r.enrollment, r.enrollment_type) == (120, "ESTIMATED")
    assert r.design.intervention_model == "" and r.design.allocation == ""
    assert r.acronym == "ADMSC-T1D"
    assert [(s.identifier, s.id_type) for s in r.secondary_ids] == [
        ("05-1109", "org_study_id"),
        ("VMH-2020-07", "Vinmec Hospital"),
    ]
    assert (r.start_date, r.primary_completion_date, r.completion_date) == (
        "2023-02-15",
        "2026-12",
        "2027-06",
    )
    assert r.arms[0].arm_type == ""
    assert r.arms[0].intervention_names == ["Adipose-derived mesenchymal stem cells"]
    assert r.results_posted is False
    assert r.intervention_mesh_terms == []
    assert not any("designModule" in w for w in r.warnings)


def test_nested_criteria_rows_nest_as_on_pages():
    r = constructed("observational_no_phases.json")
    assert r.eligibility.criteria == [
        Criterion("inclusion", "Type 1 diabetes diagnosed within 5 years", 0),
        Criterion("inclusion", "Blood testing:", 0),
        Criterion("inclusion", "Fasting blood glucose ≥ 7 mmol/L,", 1),
        Criterion("inclusion", "HbA1C ≥ 6.5%", 1),
        Criterion("exclusion", "Pregnancy", 0),
        Criterion("exclusion", "Active infection", 0),
    ]


def test_references_with_pmids_and_a_recruiting_geo_located_site():
    r = constructed("observational_no_phases.json")
    assert [(ref.pmid, ref.reference_type) for ref in r.references] == [
        ("32010488", "BACKGROUND"),
        ("28476987", "RESULT"),
    ]
    assert r.references[0].citation.startswith("Example A, et al.")
    [site] = r.locations
    assert (site.city, site.country, site.status) == ("Hanoi", "Vietnam", "RECRUITING")
    assert (site.latitude, site.longitude) == (21.0245, 105.84117)


def test_withdrawn_study_with_zero_enrollment():
    r = constructed("withdrawn_zero_enrollment.json")
    assert r.overall_status == "WITHDRAWN"
    assert r.enrollment == 0  # a stated zero, not a missing value
    assert r.locations == [] and r.countries == [] and r.investigators == []
    assert r.results_posted is False
    assert r.sponsors[0].agency_class == "INDIV"


def test_not_a_study_is_refused():
    for data in (b'{"studies": []}', b"[1, 2]", b'{"protocolSection": {}}', b"{oops"):
        with pytest.raises(ParseError):
            ctgov_json.parse(data)


def test_odd_values_do_not_break_the_parser():
    study = json.loads(REAL.read_text())
    protocol = study["protocolSection"]
    protocol["designModule"]["phases"] = ["Phase 1/Phase 2", None]
    protocol["designModule"]["enrollmentInfo"] = {"count": "thirty"}
    protocol["contactsLocationsModule"]["locations"][0]["geoPoint"] = {"lat": 123.0, "lon": "x"}
    protocol["conditionsModule"]["keywords"] = "not a list"
    protocol["sponsorCollaboratorsModule"]["collaborators"] = [{"class": "NIH"}, "junk"]
    r = ctgov_json.parse_study(study)
    assert r.phases == ["PHASE1", "PHASE2"]
    assert r.enrollment is None
    assert (r.locations[0].latitude, r.locations[0].longitude) == (None, None)
    assert r.keywords == []
    assert [s.role for s in r.sponsors] == ["lead"]


# Values the fuzzer found going through into records that Postgres (or UTF-8) refuses.


def with_value(path: tuple[str, ...], value: object) -> bytes:
    """The real record with one value replaced, serialised as the API sends it (ASCII escapes)."""
    study = json.loads(REAL.read_text())
    node = study
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(study).encode()


TITLE = ("protocolSection", "identificationModule", "briefTitle")
COUNT = ("protocolSection", "designModule", "enrollmentInfo", "count")


def test_a_nul_character_is_dropped_from_text():
    data = with_value(TITLE, "Stem\x00 cells")
    assert b"\\u0000" in data
    assert ctgov_json.parse(data).brief_title == "Stem cells"


def test_a_lone_surrogate_becomes_a_replacement_character():
    data = with_value(TITLE, "Stem \ud800cells")
    assert b"\\ud800" in data
    record = ctgov_json.parse(data)
    assert record.brief_title == "Stem \ufffdcells"
    record.brief_title.encode("utf-8")  # storable


def test_a_proper_surrogate_pair_is_kept():
    record = ctgov_json.parse(with_value(TITLE, "Stem cells \U0001f9ec"))
    assert record.brief_title == "Stem cells \U0001f9ec"


def test_nul_and_surrogates_are_cleaned_in_keys_and_lists_too():
    study = json.loads(REAL.read_text())
    study["protocolSection"]["conditionsModule"]["keywords"] = ["a\x00b", ["\udfff"]]
    study["protocolSection"]["x\x00\udc80"] = {"y\ud800": "z\x00"}
    value = ctgov_json.load(json.dumps(study))
    assert value["protocolSection"]["conditionsModule"]["keywords"] == ["ab", ["\ufffd"]]
    assert value["protocolSection"]["x\ufffd"] == {"y\ufffd": "z"}


def test_a_study_with_a_surrogate_can_be_split_and_stored():
    # split_document re-serialises each study as UTF-8; a lone surrogate used to crash it.
    data = with_value(TITLE, "a\ud800b")
    [part] = detect.split_document(data)
    assert not part.error
    assert ctgov_json.parse(part.data).brief_title == "a\ufffdb"


@pytest.mark.parametrize("count", [2**31, 10**30])
def test_an_enrollment_beyond_the_integer_column_is_left_empty(count):
    record = ctgov_json.parse(with_value(COUNT, count))
    assert record.enrollment is None
    assert "enrollment count is out of range; left empty" in record.warnings


def test_the_largest_storable_enrollment_is_kept():
    assert ctgov_json.parse(with_value(COUNT, 2**31 - 1)).enrollment == 2**31 - 1


def test_a_number_of_more_than_4300_digits_is_a_parse_error():
    # json.loads raises a plain ValueError (not JSONDecodeError) for it.
    data = REAL.read_bytes().replace(b'"count": 31', b'"count": ' + b"9" * 5000)
    assert b"9" * 5000 in data
    with pytest.raises(ParseError, match="not valid JSON"):
        ctgov_json.parse(data)
    assert detect.split_document(data)[0].data == data  # left whole for the parser to report
