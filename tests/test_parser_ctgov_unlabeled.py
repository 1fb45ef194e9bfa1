"""The ClinicalTrials.gov-derived page without field labels (seed 002) and its variants."""

import time
from pathlib import Path

import pytest

from ingest.deadline import deadline
from ingest.parsers import ctgov_labeled, ctgov_unlabeled
from ingest.text import page_text
from records import ParseError

FIXTURES = Path(__file__).parent / "fixtures"
SEED = "002_66764e625140ade7.txt"
OTHER_SEEDS = [
    "000_e5be43bb7cdcd631.txt",
    "001_721fa60f9c1edb35.txt",
    "003_7a11bbe47b24feb4.txt",
    "004_90e0e7b6a174f708.txt",
]
RELATED = ["NCT01374854", "NCT01219465", "NCT06407297", "NCT02763423", "NCT01322789"]


def load(name: str) -> str:
    return page_text((FIXTURES / name).read_bytes())


def parse(name: str):
    return ctgov_unlabeled.parse(load(name))


def test_looks_like_only_the_unlabelled_page():
    assert ctgov_unlabeled.looks_like(load(SEED))
    assert not ctgov_labeled.looks_like(load(SEED))
    for name in OTHER_SEEDS:
        assert not ctgov_unlabeled.looks_like(load(name)), name
    for name in (
        "ctgov_unlabeled.html",
        "ctgov_unlabeled_cutoff.txt",
        "ctgov_unlabeled_empty_section.txt",
    ):
        assert ctgov_unlabeled.looks_like(load("variants/" + name)), name
        assert not ctgov_labeled.looks_like(load("variants/" + name)), name


def test_other_formats_raise_parse_error():
    for name in (
        "001_721fa60f9c1edb35.txt",
        "003_7a11bbe47b24feb4.txt",
        "004_90e0e7b6a174f708.txt",
    ):
        with pytest.raises(ParseError):
            ctgov_unlabeled.parse(load(name))


def test_basic_information_by_shape():
    r = parse(SEED)
    assert r.source_format == "ctgov_unlabeled"
    assert r.registry_id == "NCT04061746"
    assert r.brief_title == "Cellular Therapy for Type 1 Diabetes Using Mesenchymal Stem Cells"
    assert r.last_update == "2025-05-02"
    assert r.overall_status == "RECRUITING"
    assert r.phases == ["PHASE1"]
    assert r.enrollment == 60
    assert r.study_type == "INTERVENTIONAL"
    assert r.start_date == "2020-02-27"
    assert r.completion_date == "2027-03-31"
    assert r.primary_completion_date == ""


def test_empty_sections_give_warnings_not_values():
    r = parse(SEED)
    assert r.brief_summary == ""
    assert r.conditions == []
    # The page lists no countries; the location's country stays on the location only.
    assert r.countries == []
    assert r.locations[0].country == "United States"
    assert r.warnings == [
        "sponsor roles not labelled: the last listed (Medical University of South Carolina) taken as lead",
        "section 'Brief Summary' is empty",
        "section 'Conditions' is empty",
        "section 'Countries' is empty",
        "section 'More Related Trials' is empty",
    ]


def test_description_and_related_trials_in_the_summary_slot():
    r = parse(SEED)
    assert r.detailed_description.startswith(
        "Mesenchymal Stromal Cells (MSCs) have emerged as a novel"
    )
    assert r.detailed_description.endswith("over the course of 1 year.")
    assert "Explore similar clinical trials" not in r.detailed_description
    assert [t.registry_id for t in r.related_trials] == RELATED
    assert r.related_trials[0].title == (
        "Umbilical Mesenchymal Stem Cells and Mononuclear Cells Infusion in Type 1 Diabetes Mellitus"
    )
    assert r.related_trials[-1].title == (
        "Safety and Efficacy of Mesenchymal Stem Cells in Newly-diagnosed Type 1 Diabetic Patients"
    )
    assert all(t.status == "" and t.phases == [] for t in r.related_trials)


def test_design_arms_interventions():
    r = parse(SEED)
    d = r.design
    assert (d.allocation, d.intervention_model, d.primary_purpose, d.masking) == (
        "RANDOMIZED",
        "PARALLEL",
        "TREATMENT",
        "QUADRUPLE",
    )
    mscs = "Mesenchymal Stem Cells (MSCs)"
    placebo = "Placebo Infusion (Plasmalyte A with 0.5% human serum albumin)"
    # The page gives no arm or intervention types: they stay empty.
    assert [(a.label, a.arm_type, a.description, a.intervention_names) for a in r.arms] == [
        (
            "Group A Treatment",
            "",
            "2.5 x 10^6 MSC per kg will be infused intravenously on Day 1",
            [mscs],
        ),
        (
            "Group B Placebo",
            "",
            "Plasmalyte with 0.5% Human Serum Albumin will be infused intravenously on Day 1",
            [placebo],
        ),
    ]
    assert [
        (i.name, i.intervention_type, i.description, i.arm_labels) for i in r.interventions
    ] == [
        (
            mscs,
            "",
            "Patients in Group A will receive a single MSCs infusion",
            ["Group A Treatment"],
        ),
        (
            placebo,
            "",
            "Patients in Group B will receive a single infusion of placebo (Plasmalyte A with 0.5% human serum albumin)",
            ["Group B Placebo"],
        ),
    ]


def test_eligibility():
    e = parse(SEED).eligibility
    assert (e.minimum_age, e.maximum_age, e.sex, e.healthy_volunteers) == (
        "18 Years",
        "40 Years",
        "ALL",
        False,
    )
    inclusion = [c for c in e.criteria if c.kind == "inclusion"]
    exclusion = [c for c in e.criteria if c.kind == "exclusion"]
    assert len(inclusion) == 7
    assert len(exclusion) == 8
    assert all(c.depth == 0 for c in e.criteria)
    assert inclusion[0].text == "Male and female between the ages of 18 and 40"
    assert inclusion[3].text.startswith("At screening, patients must have residual β cell function")
    assert inclusion[-1].text.startswith(
        "Subject with normal laboratory values of: White blood cell counts"
    )
    assert exclusion[0].text == "Body Mass Index < 14 or >35"
    assert exclusion[-1].text.startswith(
        "Subjects with HgbA1c >12%, and/or fasting blood glucose >270 mg/dL"
    )
    assert e.criteria_text.startswith("Inclusion Criteria\n* Male and female")
    assert e.criteria_text.endswith("blood glucose levels <60 mg/dL).")
    assert "18 Years" not in e.criteria_text


def test_sponsors_people_places_ids():
    r = parse(SEED)
    # No role labels: the site lists collaborators before the lead (see seed 000).
    assert [(s.name, s.role, s.agency_class) for s in r.sponsors] == [
        (
            "National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)",
            "collaborator",
            "NIH",
        ),
        ("Medical University of South Carolina", "lead", "OTHER"),
    ]
    assert r.responsible_party == "Hongjun Wang, Professor"
    assert [(i.name, i.role, i.affiliation) for i in r.investigators] == [
        ("Hongjun Wang, PhD", "PRINCIPAL_INVESTIGATOR", "Medical University of South Carolina")
    ]
    assert [(x.facility, x.city, x.state, x.country) for x in r.locations] == [
        ("Medical University of South Carolina", "Charleston", "South Carolina", "United States")
    ]
    assert [(s.identifier, s.id_type) for s in r.secondary_ids] == [("00085542", "org_study_id")]
    assert r.references == []
    assert r.outcomes == []


def test_html_rendering_parses_like_the_text():
    text = parse(SEED).to_dict()
    html = parse("variants/ctgov_unlabeled.html").to_dict()
    # page_text turns <sup>6</sup> into "^6", the spelling of the saved text page.
    assert (
        html["arms"][0]["description"]
        == "2.5 x 10^6 MSC per kg will be infused intravenously on Day 1"
    )
    html_block = html["eligibility"].pop("criteria_text")
    assert html_block.split() == text["eligibility"].pop("criteria_text").split()
    assert html == text


def test_cut_off_copy_keeps_what_remains():
    r = parse("variants/ctgov_unlabeled_cutoff.txt")
    assert r.registry_id == "NCT04061746"
    assert r.design.masking == "QUADRUPLE"
    assert len(r.eligibility.criteria) == 15
    assert [s.name for s in r.sponsors] == [
        "National Institute of Diabetes and Digestive and Kidney Diseases (NIDDK)"
    ]
    assert r.locations == [] and r.secondary_ids == [] and r.investigators == []
    assert [t.registry_id for t in r.related_trials] == RELATED
    assert "page appears cut off in 'Sponsors'" in r.warnings
    assert "section 'Locations' is missing" in r.warnings


def test_empty_design_and_groups():
    r = parse("variants/ctgov_unlabeled_empty_section.txt")
    assert r.design.allocation == r.design.masking == ""
    assert r.arms == []
    assert [i.arm_labels for i in r.interventions] == [[], []]
    assert "section 'Study Design' is empty" in r.warnings
    assert "section 'Study Groups' is empty" in r.warnings
    assert r.eligibility.maximum_age == "40 Years"


def test_truncation_anywhere_never_crashes():
    text = load(SEED)
    for end in range(0, len(text), 31):
        try:
            record = ctgov_unlabeled.parse(text[:end])
        except ParseError:
            continue
        assert record.registry_id in ("", "NCT04061746")
        if "More Related Trials" not in text[:end]:
            assert any("cut off" in w or "missing" in w for w in record.warnings)


ODD_SHAPES = """Odd Trial
NCT ID: NCT00000002
Basic Information
Get a concise snapshot of the trial, including recruitment status, study phase, enrollment targets, and key timeline milestones.
ACTIVE_NOT_RECRUITING
EARLY_PHASE1
24 participants
INTERVENTIONAL
2019-01
2020-06
2021
Study Groups
Review each arm or cohort in the study, along with the interventions and objectives associated with them.
MSC
Arm given MSC.
MSC
Cells given once.
Interventions
Learn about the drugs, procedures, or behavioral strategies being tested and how they are applied within this trial.
MSC
Cells given once.
Eligibility Criteria
Check the participation requirements, including inclusion and exclusion rules, age limits, and whether healthy volunteers are accepted.
Inclusion Criteria
* One of:
* HbA1c > 7%,
* C-peptide > 0.2
* Adults
12 Years
MALE
Yes
More Related Trials
Additional clinical trials that may be relevant based on similarity analysis.
"""


def test_odd_shapes_without_labels():
    r = ctgov_unlabeled.parse(ODD_SHAPES)
    assert (r.overall_status, r.phases, r.enrollment) == (
        "ACTIVE_NOT_RECRUITING",
        ["EARLY_PHASE1"],
        24,
    )
    assert (r.start_date, r.primary_completion_date, r.completion_date) == (
        "2019-01",
        "2020-06",
        "2021",
    )
    # An arm may carry its intervention's name: only the description tells them apart.
    assert [(a.label, a.description, a.intervention_names) for a in r.arms] == [
        ("MSC", "Arm given MSC.", ["MSC"])
    ]
    e = r.eligibility
    assert [(c.text, c.depth) for c in e.criteria] == [
        ("One of:", 0),
        ("HbA1c > 7%,", 1),
        ("C-peptide > 0.2", 1),
        ("Adults", 0),
    ]
    assert (e.minimum_age, e.maximum_age, e.sex, e.healthy_volunteers) == (
        "12 Years",
        "",
        "MALE",
        True,
    )
    assert "one unlabelled age limit (12 Years) was taken as the minimum age" in r.warnings


def test_parse_is_fast():
    text = load(SEED)
    start = time.perf_counter()
    for _ in range(50):
        ctgov_unlabeled.parse(text)
    assert (time.perf_counter() - start) / 50 < 0.01


def test_long_lists_take_linear_time():
    # Countries and related trials were de-duplicated against a list: quadratic, 2.5 s here.
    countries = "".join(f"Country {n}\n" for n in range(20_000))
    related = "".join(f"Trial {n}\nNCT{n:08d} RECRUITING PHASE1\n" for n in range(10_000))
    text = load(SEED).replace(
        "Review the countries where the study has at least one active or historical site.\n",
        "Review the countries where the study has at least one active or historical site.\n"
        + countries
        + countries,
    )
    text = text.replace(
        "Explore similar clinical trials based on study characteristics and research focus.\n",
        "Explore similar clinical trials based on study characteristics and research focus.\n"
        + related
        + related,
    )
    with deadline(2):
        r = ctgov_unlabeled.parse(text)
    assert r.countries[:2] == ["Country 0", "Country 1"] and len(r.countries) == 20_000
    assert len(r.related_trials) == 10_005  # the page's own five come after ours
