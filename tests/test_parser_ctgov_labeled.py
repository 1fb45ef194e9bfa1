"""The labelled ClinicalTrials.gov-derived page (seed 000) and its variants."""

import time
from pathlib import Path

import pytest

from ingest.parsers import ctgov_labeled, ctgov_unlabeled
from ingest.text import page_text
from records import ParseError

FIXTURES = Path(__file__).parent / "fixtures"
SEED = "000_e5be43bb7cdcd631.txt"
OTHER_SEEDS = [
    "001_721fa60f9c1edb35.txt",
    "002_66764e625140ade7.txt",
    "003_7a11bbe47b24feb4.txt",
    "004_90e0e7b6a174f708.txt",
]


def load(name: str) -> str:
    return page_text((FIXTURES / name).read_bytes())


def parse(name: str):
    return ctgov_labeled.parse(load(name))


def test_looks_like_only_the_labelled_page():
    assert ctgov_labeled.looks_like(load(SEED))
    assert not ctgov_unlabeled.looks_like(load(SEED))
    for name in OTHER_SEEDS:
        assert not ctgov_labeled.looks_like(load(name)), name
    for name in (
        "ctgov_labeled.html",
        "ctgov_labeled_cutoff.txt",
        "ctgov_labeled_empty_section.txt",
    ):
        assert ctgov_labeled.looks_like(load("variants/" + name)), name


def test_other_formats_raise_parse_error():
    for name in ("001_721fa60f9c1edb35.txt", "004_90e0e7b6a174f708.txt"):
        with pytest.raises(ParseError):
            ctgov_labeled.parse(load(name))


def test_identity_status_and_dates():
    r = parse(SEED)
    assert r.source_format == "ctgov_labeled"
    assert r.registry_id == "NCT05308836"
    assert r.brief_title == (
        "Evaluate Safety of Adipose Derived Mesenchymal Stem Cell Transplantation "
        "for Type 1 Diabetes Treatment"
    )
    assert r.official_title == ""
    assert r.last_update == "2025-08-17"
    assert r.overall_status == "COMPLETED"
    assert r.phases == ["PHASE1"]
    assert r.enrollment == 10
    assert r.enrollment_type == ""
    assert r.study_type == "INTERVENTIONAL"
    assert r.start_date == "2021-05-04"
    assert r.completion_date == "2024-12-30"
    assert r.primary_completion_date == ""
    assert r.warnings == []


def test_summary_description_conditions():
    r = parse(SEED)
    assert r.brief_summary.startswith(
        "The purpose of this study is to evaluate the safety of intravenously"
    )
    assert r.brief_summary.endswith("type 1 diabetes mellitus (T1D)")
    assert "Get a concise snapshot" not in r.brief_summary
    assert "Review the sponsor-provided synopsis" not in r.brief_summary
    assert r.detailed_description.startswith(
        "Adipose derived mesenchymal stem cells (AD-MSCs) has many"
    )
    assert r.detailed_description.endswith("at Vinmec International Hospital, Hanoi, Vietnam.")
    assert r.conditions == ["Type 1 Diabetes"]
    assert r.keywords == []


def test_design_arms_interventions():
    r = parse(SEED)
    d = r.design
    assert (d.allocation, d.intervention_model, d.primary_purpose, d.masking) == (
        "NA",
        "SINGLE_GROUP",
        "TREATMENT",
        "NONE",
    )
    assert len(r.arms) == 1
    arm = r.arms[0]
    assert arm.label == "Adipose-derived messenchymal stem cell (AD-MSC)"
    assert arm.arm_type == "EXPERIMENTAL"
    assert (
        arm.description
        == "Intervention: Intravenousling (IV) AD-MSC in 10 patients with type 1 diabetes mellitus."
    )
    assert arm.intervention_names == ["adipose-derived messenchymal stem cell"]
    assert len(r.interventions) == 1
    item = r.interventions[0]
    assert item.name == "adipose-derived messenchymal stem cell"
    assert item.intervention_type == "COMBINATION_PRODUCT"
    assert item.description.startswith(
        "Collaborative research program between Vinmec Research Institute"
    )
    assert item.description.endswith("clinical trials with completed certificates")
    assert item.arm_labels == ["Adipose-derived messenchymal stem cell (AD-MSC)"]


def test_eligibility():
    e = parse(SEED).eligibility
    assert e.minimum_age == "5 Years"
    assert e.maximum_age == ""
    assert e.sex == "ALL"
    assert e.healthy_volunteers is False
    inclusion = [c for c in e.criteria if c.kind == "inclusion"]
    exclusion = [c for c in e.criteria if c.kind == "exclusion"]
    # 11 inclusion rows: 9 top-level, 2 nested under the blood-testing row.
    assert len(inclusion) == 11
    assert [c.depth for c in inclusion] == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert inclusion[0].text.startswith("Patient diagnosed T1D (according to the instructions")
    assert inclusion[3].text == "Blood testing conducted at the time of diagnosis:"
    assert inclusion[4].text == "Fasting blood glucose ≥ 7 mmol / L,"
    assert inclusion[5].text == "HbA1C ≥ 6.5%."
    assert inclusion[6].text.startswith("Have at least one antibodies associated with T1D")
    assert inclusion[-1].text.startswith("The patient's parent (parent or legal guardian)")
    assert len(exclusion) == 10
    assert all(c.depth == 0 for c in exclusion)
    assert exclusion[0].text.startswith(
        "Having evidence related to renal dysfunction: creatinine > 1.5 mg/dl"
    )
    assert exclusion[5].text == "Blood clotting disorders (INR> 1,5, PTT> 40, PT> 15)."
    assert (
        exclusion[-1].text == "History of allergic reaction to anesthetic agents and/or antibiotics"
    )
    assert e.criteria_text.startswith("Inclusion Criteria")
    assert "Exclusion Criteria" in e.criteria_text
    assert e.criteria_text.endswith("anesthetic agents and/or antibiotics")
    assert "Minimum Eligible Age" not in e.criteria_text
    assert not any(c.text.startswith("*") for c in e.criteria)


def test_sponsors_people_places():
    r = parse(SEED)
    assert [(s.name, s.role, s.agency_class) for s in r.sponsors] == [
        ("Gwoxi Stem cell applied technology Company", "collaborator", "UNKNOWN"),
        ("Vinmec Research Institute of Stem Cell and Gene Technology", "lead", "OTHER"),
    ]
    assert r.responsible_party == "SPONSOR"
    assert len(r.investigators) == 1
    pi = r.investigators[0]
    assert (pi.name, pi.role, pi.affiliation) == (
        "Liem T Nguyen, Prof",
        "PRINCIPAL_INVESTIGATOR",
        "Vinmec Research Institute of Stem Cell and Gene Technology",
    )
    assert len(r.locations) == 1
    loc = r.locations[0]
    assert (loc.facility, loc.city, loc.state, loc.country, loc.status) == (
        "Vinmec Research Institute of Stem Cell and Gene Technology",
        "Hanoi",
        "",
        "Vietnam",
        "",
    )
    assert r.countries == ["Vietnam"]
    assert r.outcomes == []


def test_references_ids_related_trials():
    r = parse(SEED)
    assert [(x.pmid, x.reference_type) for x in r.references] == [
        ("32010488", "BACKGROUND"),
        ("32582156", "BACKGROUND"),
    ]
    assert r.references[0].citation.startswith(
        "Zhang Y, Chen W, Feng B, Cao H. The Clinical Efficacy"
    )
    assert r.references[1].citation.startswith("Araujo DB, Dantas JR")
    assert [(s.identifier, s.id_type) for s in r.secondary_ids] == [("ISC20.01", "org_study_id")]
    assert [(t.registry_id, t.title, t.status, t.phases) for t in r.related_trials] == [
        (
            "NCT01719640",
            "MSC and MC in Type 2 Diabetes Mellitus",
            "COMPLETED",
            ["PHASE1", "PHASE2"],
        ),
        ("NCT03390231", "Stem Cell Educator Therapy in Diabetes", "UNKNOWN", ["PHASE2"]),
    ]


def test_html_rendering_parses_like_the_text():
    text, html = parse(SEED).to_dict(), parse("variants/ctgov_labeled.html").to_dict()
    # The block as written differs only in layout: HTML indents nested bullets.
    text_block = text["eligibility"].pop("criteria_text")
    html_block = html["eligibility"].pop("criteria_text")
    assert html_block.split() == text_block.split()
    assert "\n  * Fasting blood glucose" in html_block
    assert html == text


def test_cut_off_copy_keeps_what_remains():
    r = parse("variants/ctgov_labeled_cutoff.txt")
    assert r.registry_id == "NCT05308836"
    assert r.overall_status == "COMPLETED"
    assert r.arms[0].arm_type == "EXPERIMENTAL"
    criteria = r.eligibility.criteria
    assert sum(c.kind == "inclusion" for c in criteria) == 11
    assert sum(c.kind == "exclusion" for c in criteria) == 6
    assert criteria[-1].text == "Blood clotting disorders (INR> 1,5,"
    assert r.eligibility.minimum_age == ""
    assert r.eligibility.healthy_volunteers is None
    assert r.sponsors == [] and r.locations == [] and r.related_trials == []
    assert "page appears cut off in 'Eligibility Criteria'" in r.warnings
    assert "section 'Sponsors' is missing" in r.warnings
    assert "section 'Countries' is missing" in r.warnings


def test_empty_sections_are_warned_not_invented():
    r = parse("variants/ctgov_labeled_empty_section.txt")
    assert r.conditions == []
    assert r.locations == []
    assert r.countries == ["Vietnam"]
    assert r.warnings == ["section 'Conditions' is empty", "section 'Locations' is empty"]
    assert len(r.eligibility.criteria) == 21


def test_truncation_anywhere_never_crashes():
    text = load(SEED)
    for end in range(0, len(text), 37):
        try:
            record = ctgov_labeled.parse(text[:end])
        except ParseError:
            continue
        assert record.registry_id in ("", "NCT05308836")
        if "More Related Trials" not in text[:end]:
            assert any("cut off" in w or "missing" in w for w in record.warnings)


SEVERAL_ARMS = """A Two-Arm Trial
NCT ID: NCT00000001
Basic Information
Get a concise snapshot of the trial, including recruitment status, study phase, enrollment targets, and key timeline milestones.
Recruitment Status
ACTIVE_NOT_RECRUITING
Clinical Phase
PHASE1/PHASE2
Total Enrollment
1,200 participants
Study Start Date
2012-03
Primary Completion Date
2014-06
Study Completion Date
2015
Study Groups
Review each arm or cohort in the study, along with the interventions and objectives associated with them.
Cells
Gets cells.
Group Type EXPERIMENTAL
MSC
Intervention Type BIOLOGICAL
Intravenous MSC.
Insulin
Intervention Type DRUG
Usual insulin.
Control
Group Type ACTIVE_COMPARATOR
Insulin
Intervention Type DRUG
Usual insulin.
Interventions
Learn about the drugs, procedures, or behavioral strategies being tested and how they are applied within this trial.
MSC
Intravenous MSC.
Intervention Type BIOLOGICAL
Insulin
Usual insulin.
Intervention Type DRUG
Eligibility Criteria
Check the participation requirements, including inclusion and exclusion rules, age limits, and whether healthy volunteers are accepted.
Inclusion Criteria:
* Adults
Minimum Eligible Age
18 Years
Maximum Eligible Age
65 Years
Eligible Sex
FEMALE
Accepts Healthy Volunteers
Yes
Sponsors
Meet the organizations funding or collaborating on the study and learn about their roles.
Some University
OTHER
Sponsor Role lead
More Related Trials
Additional clinical trials that may be relevant based on similarity analysis.
"""


def test_several_arms_sharing_an_intervention():
    r = ctgov_labeled.parse(SEVERAL_ARMS)
    assert r.overall_status == "ACTIVE_NOT_RECRUITING"
    assert r.phases == ["PHASE1", "PHASE2"]
    assert r.enrollment == 1200
    assert (r.start_date, r.primary_completion_date, r.completion_date) == (
        "2012-03",
        "2014-06",
        "2015",
    )
    assert [(a.label, a.arm_type, a.description, a.intervention_names) for a in r.arms] == [
        ("Cells", "EXPERIMENTAL", "Gets cells.", ["MSC", "Insulin"]),
        ("Control", "ACTIVE_COMPARATOR", "", ["Insulin"]),
    ]
    assert [
        (i.name, i.intervention_type, i.description, i.arm_labels) for i in r.interventions
    ] == [
        ("MSC", "BIOLOGICAL", "Intravenous MSC.", ["Cells"]),
        ("Insulin", "DRUG", "Usual insulin.", ["Cells", "Control"]),
    ]
    e = r.eligibility
    assert (e.minimum_age, e.maximum_age, e.sex, e.healthy_volunteers) == (
        "18 Years",
        "65 Years",
        "FEMALE",
        True,
    )
    assert [(c.kind, c.text) for c in e.criteria] == [("inclusion", "Adults")]
    assert [(s.name, s.role) for s in r.sponsors] == [("Some University", "lead")]


def test_parse_is_fast():
    text = load(SEED)
    start = time.perf_counter()
    for _ in range(50):
        ctgov_labeled.parse(text)
    assert (time.perf_counter() - start) / 50 < 0.01
