"""The older aggregator page (seed 004, NCT02893306) and variants made from it."""

import contextlib
from pathlib import Path

import pytest

from ingest.parsers import aggregator
from ingest.text import page_text
from records import ParseError

from .timing import cpu_limit

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "004_90e0e7b6a174f708.txt"
VARIANTS = FIXTURES / "variants"
OTHER_SEEDS = [
    "000_e5be43bb7cdcd631.txt",
    "001_721fa60f9c1edb35.txt",
    "002_66764e625140ade7.txt",
    "003_7a11bbe47b24feb4.txt",
]
TITLE = (
    "Phase 2 Study of Intravenous Administration of Allogeneic Mesenchymal Stem Cells "
    "in Patients With Type 1 Diabetes Mellitus."
)


def load(path: Path):
    return aggregator.parse(page_text(path.read_bytes()))


@pytest.fixture(scope="module")
def trial():
    return load(SEED)


def test_identity_and_status(trial):
    assert trial.source_format == "aggregator"
    assert trial.registry_id == "NCT02893306"
    assert [(s.identifier, s.id_type) for s in trial.secondary_ids] == [("DMT1-MSC", "")]
    assert trial.overall_status == "ACTIVE_NOT_RECRUITING"
    assert trial.phases == ["PHASE2"]
    # The page never says the study type; it is left empty rather than inferred.
    assert trial.study_type == ""
    assert trial.enrollment == 10
    assert trial.enrollment_type == ""


def test_titles(trial):
    # The page shows only the official title (final period kept as written).
    assert trial.official_title == TITLE
    assert trial.brief_title == TITLE
    assert any("brief title" in w for w in trial.warnings)
    assert trial.acronym == ""


def test_dates_keep_month_precision(trial):
    assert trial.start_date == "2012-03"
    assert trial.completion_date == "2017-03"
    assert trial.primary_completion_date == ""
    assert trial.last_update == "2016-09"


def test_summary_and_description(trial):
    assert trial.brief_summary.startswith(
        "The purpose of this study is to evaluate whether the administration of multipotent"
    )
    assert trial.brief_summary.endswith("modified Type 1 Diabetes progression.")
    assert "No locations recruiting" not in trial.brief_summary
    assert trial.detailed_description.startswith("Aim: to evaluate whether a single intravenous")
    assert trial.detailed_description.endswith("1, 6, 24 months after MSC administration.")
    assert "Trial information was received" not in trial.detailed_description


def test_conditions_and_keywords(trial):
    assert trial.conditions == ["type 1 diabetes mellitus"]
    assert trial.keywords == []


def test_design(trial):
    assert trial.design.intervention_model == "SINGLE_GROUP"
    assert trial.design.masking == "NONE"
    assert trial.design.primary_purpose == "TREATMENT"
    assert trial.design.allocation == ""  # not stated


def test_arm_and_intervention(trial):
    assert len(trial.arms) == 1
    arm = trial.arms[0]
    assert arm.label == ""  # the page gives no arm label or type
    assert arm.arm_type == ""
    assert arm.description == (
        "type 1 diabetic patients receiving a single dose of allogeneic ex vivo expanded "
        "mesenchymal stem cells"
    )
    assert arm.intervention_names == ["mscs"]
    assert len(trial.interventions) == 1
    intervention = trial.interventions[0]
    assert intervention.name == "mscs"
    assert intervention.intervention_type == ""
    assert intervention.description == (
        "origin: bone marrow of healthy donor; manipulation: ex vivo expanded; via: intravenous; "
        "vehicle: 5% human recombinant albumin in physiological serum; dose: 2-3 millions/Kg; "
        "dosage: single"
    )


def test_sponsors_and_people(trial):
    assert [(s.name, s.role, s.agency_class) for s in trial.sponsors] == [
        ("Universidad del Desarrollo", "lead", ""),
        ("Clinica Alemana de Santiago", "collaborator", ""),
    ]
    assert [(i.name, i.role, i.affiliation) for i in trial.investigators] == [
        ("Paulette Conget, PhD", "PRINCIPAL_INVESTIGATOR", "")
    ]
    assert trial.responsible_party == "Universidad del Desarrollo"


def test_outcomes(trial):
    assert [(o.kind, o.measure, o.time_frame) for o in trial.outcomes] == [
        (
            "primary",
            "Changes in insulin pancreatic reserve",
            "pre- and 1, 6, 24 months post-intervention",
        ),
        (
            "secondary",
            "Changes in insulin requirement",
            "pre- and up to 24 months post-intervention",
        ),
    ]


def test_eligibility(trial):
    e = trial.eligibility
    assert e.sex == "ALL"
    assert e.minimum_age == "18 Years"
    assert e.maximum_age == ""
    assert e.healthy_volunteers is None
    assert e.criteria_text.startswith("Inclusion Criteria: - differential diagnosis")
    assert e.criteria_text.endswith("HTLV-1, HLTV-2 or VDRL positive")
    inclusion = [c for c in e.criteria if c.kind == "inclusion"]
    exclusion = [c for c in e.criteria if c.kind == "exclusion"]
    assert len(inclusion) == 7
    assert len(exclusion) == 3
    assert inclusion[0].text == "differential diagnosis of Type 1 Diabetes"
    assert inclusion[2].text == "pancreatic reserve of insulin higher than 0.8 nmol/L/h"
    assert inclusion[-1].text == "proved psychiatric competence to be enrolled in a clinical study"
    assert exclusion[0].text == "pregnancy"
    # Hyphenated words are not bullets.
    assert exclusion[-1].text == "HIV, HBV, HCV, HTLV-1, HLTV-2 or VDRL positive"
    assert all(c.depth == 0 for c in e.criteria)
    assert [c.kind for c in e.criteria] == ["inclusion"] * 7 + ["exclusion"] * 3


def test_no_locations_references_or_related(trial):
    assert trial.locations == []
    assert trial.countries == []
    assert trial.references == []
    assert trial.related_trials == []


def test_seed_warnings_only_note_what_the_page_lacks(trial):
    assert sorted(trial.warnings) == sorted(
        [
            "arm labels are not stated on the page",
            "page has no brief title; the official title is used as brief title",
        ]
    )


def test_looks_like_only_this_format():
    assert aggregator.looks_like(page_text(SEED.read_bytes()))
    for name in OTHER_SEEDS:
        assert not aggregator.looks_like(page_text((FIXTURES / name).read_bytes())), name


@pytest.mark.parametrize("name", OTHER_SEEDS)
def test_other_formats_are_refused(name):
    with pytest.raises(ParseError):
        aggregator.parse(page_text((FIXTURES / name).read_bytes()))


def test_cut_off_copy_keeps_what_remains():
    trial = load(VARIANTS / "aggregator_cutoff.txt")
    assert trial.registry_id == "NCT02893306"
    assert trial.overall_status == "ACTIVE_NOT_RECRUITING"
    assert len(trial.outcomes) == 2
    assert trial.eligibility.sex == "ALL"
    inclusion = [c.text for c in trial.eligibility.criteria if c.kind == "inclusion"]
    assert inclusion[:2] == [
        "differential diagnosis of Type 1 Diabetes",
        "diagnosed performed at most 1 year before enrollment",
    ]
    assert inclusion[-1] == "pancreatic reserve of insulin higher th"  # as cut
    assert not any(c.kind == "exclusion" for c in trial.eligibility.criteria)
    assert trial.official_title == "" and trial.last_update == "" and trial.investigators == []
    assert "page appears cut off in 'Eligibility Criteria'" in trial.warnings
    assert "section 'Additional Information' is missing" in trial.warnings
    assert "no exclusion criteria" in trial.warnings


def test_every_truncation_parses_or_refuses_cleanly():
    text = page_text(SEED.read_bytes())
    closing_line = text.index("Information provided to ClinicalTrials.gov by")
    for end in range(0, len(text) + 1, 7):
        try:
            trial = aggregator.parse(text[:end])
        except ParseError:
            continue
        if end < closing_line:
            assert any("cut off" in w for w in trial.warnings), end


def test_empty_section_and_empty_label():
    trial = load(VARIANTS / "aggregator_empty_section.txt")
    assert "section 'Primary Outcomes' is empty" in trial.warnings
    assert "label 'Collaborator' is empty" in trial.warnings
    assert [o.kind for o in trial.outcomes] == ["secondary"]
    assert [s.role for s in trial.sponsors] == ["lead"]
    assert trial.start_date == "2012-03"  # the empty label did not swallow the next line
    assert len(trial.eligibility.criteria) == 10
    assert not any("cut off" in w for w in trial.warnings)


def test_html_rendering_matches_the_text_page(trial):
    html = load(VARIANTS / "aggregator_html.html")
    assert html.to_dict() == trial.to_dict()


def test_line_bullets_with_nesting():
    trial = load(VARIANTS / "aggregator_bulleted.txt")
    rows = [(c.kind, c.depth, c.text) for c in trial.eligibility.criteria]
    assert rows == [
        ("inclusion", 0, "differential diagnosis of Type 1 Diabetes"),
        ("inclusion", 0, "diagnosed performed at most 1 year before enrollment"),
        ("inclusion", 1, "confirmed by anti-GAD antibodies"),
        ("inclusion", 0, "pancreatic reserve of insulin higher than 0.8 nmol/L/h"),
        ("exclusion", 0, "pregnancy"),
        ("exclusion", 0, "HIV, HBV, HCV, HTLV-1, HLTV-2 or VDRL positive"),
    ]


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("This trial is completed.", "COMPLETED"),
        ("This trial is recruiting.", "RECRUITING"),
        ("This trial is not yet recruiting.", "NOT_YET_RECRUITING"),
        ("This trial was terminated.", "TERMINATED"),
        ("This trial is enrolling by invitation.", "ENROLLING_BY_INVITATION"),
    ],
)
def test_status_sentences(sentence, status):
    text = page_text(SEED.read_bytes()).replace("This trial is active, not recruiting.", sentence)
    assert aggregator.parse(text).overall_status == status


@pytest.mark.parametrize(
    ("sentence", "sex", "minimum", "maximum"),
    [
        ("Female participants at least 18 years old.", "FEMALE", "18 Years", ""),
        ("Male or female participants between 18 and 65 years old.", "ALL", "18 Years", "65 Years"),
        ("Male or female participants up to 17 years old.", "ALL", "", "17 Years"),
        ("Male participants between 6 months and 1 year old.", "MALE", "6 Months", "1 Year"),
        ("Male or female participants of any age.", "ALL", "", ""),
    ],
)
def test_sex_and_age_sentences(sentence, sex, minimum, maximum):
    text = page_text(SEED.read_bytes()).replace(
        "Male or female participants at least 18 years old.", sentence
    )
    e = aggregator.parse(text).eligibility
    assert (e.sex, e.minimum_age, e.maximum_age) == (sex, minimum, maximum)


def test_inline_bullets_do_not_split_numeric_ranges():
    text = page_text(SEED.read_bytes()).replace(
        "- good general health status", "- HbA1c 7.5 - 9% at baseline"
    )
    inclusion = [c.text for c in aggregator.parse(text).eligibility.criteria]
    assert "HbA1c 7.5 - 9% at baseline" in inclusion


@pytest.mark.parametrize(
    "text",
    [
        "",
        "This trial is recruiting.",
        "Condition x\nSponsor y",
        "This trial is promising, say the authors.\nMore prose follows here.",
        "This trial is recruiting.\nInclusion Criteria: -" + " " * 20000 + "x",
    ],
)
def test_odd_input_never_raises_anything_but_parse_error(text):
    with contextlib.suppress(ParseError):
        aggregator.parse(text)


def test_label_search_is_quick_on_many_lines():
    # Every line was tried against every label: 2.8 s for a million blank lines.
    page = page_text(SEED.read_bytes())
    with cpu_limit(1):
        assert not aggregator.looks_like("\n" * 1_000_000)
        assert aggregator.looks_like(page + "\n" * 1_000_000)
