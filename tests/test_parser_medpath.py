"""MedPath parser: facts read from the seed pages and from hand-made variants."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.parsers import medpath
from ingest.text import page_text
from records import Criterion, Intervention, ParseError

from .timing import cpu_limit

FIXTURES = Path(__file__).parent / "fixtures"
VARIANTS = FIXTURES / "variants"
SEED_001 = FIXTURES / "001_721fa60f9c1edb35.txt"
SEED_003 = FIXTURES / "003_7a11bbe47b24feb4.txt"
OTHER_SEEDS = ["000_e5be43bb7cdcd631.txt", "002_66764e625140ade7.txt", "004_90e0e7b6a174f708.txt"]
TIME_001 = "up to the 12-month period following treatment"


def text_of(path: Path) -> str:
    return page_text(path.read_bytes())


def parsed(path: Path):
    return medpath.parse(text_of(path))


def test_format_name():
    assert medpath.FORMAT == "medpath"


# --- seed 001 -----------------------------------------------------------------


def test_001_identity_and_status():
    rec = parsed(SEED_001)
    assert rec.source_format == "medpath"
    assert rec.registry_id == "NCT03343782"
    assert rec.secondary_ids == []
    assert rec.brief_title == (
        "Outcomes of Expanded Autologous Bone Marrow-derived Mesenchymal Stem Cells "
        "Therapy in Type II Diabetes"
    )
    assert rec.official_title == ""
    assert rec.phases == ["PHASE1"]
    assert rec.overall_status == "COMPLETED"
    assert rec.study_type == "INTERVENTIONAL"
    assert rec.enrollment == 30
    assert rec.enrollment_type == ""  # the page does not say actual or estimated
    assert (rec.start_date, rec.completion_date, rec.last_update) == ("", "", "")
    assert rec.warnings == []


def test_001_text_sections():
    rec = parsed(SEED_001)
    assert rec.conditions == ["Type 2 Diabetes Mellitus"]
    assert rec.brief_summary.startswith("The purpose of this study is to evaluate the safety")
    assert rec.brief_summary.endswith("in the treatment of type 2 diabetes mellitus")
    assert rec.detailed_description.startswith("Bone marrow-derived mesenchymal stem cells have")
    assert rec.detailed_description.endswith("at Vinmec International Hospital, Hanoi, Vietnam")
    assert len(rec.sponsors) == 1
    sponsor = rec.sponsors[0]
    assert sponsor.name == "Vinmec Research Institute of Stem Cell and Gene Technology"
    assert (sponsor.role, sponsor.agency_class) == ("lead", "")
    assert rec.investigators == []
    assert rec.references == [] and rec.related_trials == []


def test_001_design_arms_interventions():
    rec = parsed(SEED_001)
    assert rec.design.intervention_model == "SINGLE_GROUP"
    assert (rec.design.allocation, rec.design.masking, rec.design.primary_purpose) == ("", "", "")
    name = "Expanded autologous bone marrow-derived mesenchymal stem cell"
    assert rec.interventions == [
        Intervention(
            name=name,
            intervention_type="COMBINATION_PRODUCT",
            arm_labels=["Stem cell transplantation"],
        )
    ]
    assert len(rec.arms) == 1
    arm = rec.arms[0]
    assert arm.label == "Stem cell transplantation"
    assert arm.arm_type == ""
    assert arm.intervention_names == [name]
    assert arm.description == (
        "Intervention: 30 patients will be transplanted autologous bone marrow-derived "
        "mesenchymal stem cells and undergoing 2 treatment with 6 months interval"
    )


def test_001_eligibility():
    elig = parsed(SEED_001).eligibility
    assert elig.sex == "ALL"
    assert (elig.minimum_age, elig.maximum_age, elig.healthy_volunteers) == ("", "", None)
    inc = [c for c in elig.criteria if c.kind == "inclusion"]
    exc = [c for c in elig.criteria if c.kind == "exclusion"]
    assert len(inc) == 6 and len(exc) == 3
    assert elig.criteria[:6] == inc  # page order: inclusion block first
    assert inc[0].text == "Males and females"
    assert inc[-1].text == "Who signed the informed consent form."
    assert exc[0].text == "Type 1 diabetes."
    assert exc[-1].text == (
        "According to the medical doctor's judgement, may endanger the safety of the subjects"
    )
    assert all(c.depth == 0 for c in elig.criteria)
    assert elig.criteria_text.startswith("Inclusion Criteria\n  • Males and females\n")
    assert "\nExclusion Criteria\n  • Type 1 diabetes.\n" in elig.criteria_text


def test_001_outcomes():
    outcomes = parsed(SEED_001).outcomes
    assert [(o.kind, o.measure, o.time_frame, o.description) for o in outcomes] == [
        ("primary", "Adverse events", TIME_001, "Number of adverse events in both groups"),
        (
            "primary",
            "Insulin dose",
            TIME_001,
            "Reduction of insulin dose requirement by ≥50% in both groups",
        ),
        (
            "secondary",
            "Hemoglobin A1c (HbA1c) level",
            TIME_001,
            "Improvement of HbA1c level as compared to baseline between two groups",
        ),
    ]


def test_001_locations():
    rec = parsed(SEED_001)
    assert len(rec.locations) == 1
    loc = rec.locations[0]
    assert loc.facility == "Vinmec Research Institute of Stem Cell and Gene Technology"
    assert (loc.city, loc.state, loc.country, loc.status) == ("Hanoi", "", "Vietnam", "")
    assert rec.countries == ["Vietnam"]


# --- seed 003 -----------------------------------------------------------------


def test_003_facts():
    rec = parsed(SEED_003)
    assert rec.registry_id == "NCT01219465"
    assert rec.brief_title == (
        "Umbilical Cord Mesenchymal Stem Cells Infusion for Initial Type 1 Diabetes Mellitus"
    )
    assert rec.phases == ["PHASE1"]
    assert rec.overall_status == "UNKNOWN"  # from Recruitment; no status line on this page
    assert rec.study_type == "INTERVENTIONAL"
    assert rec.design.intervention_model == "SINGLE_GROUP"
    assert rec.enrollment == 50
    assert rec.conditions == [
        "Diabetes Mellitus",
        "Diabetes Mellitus, Type 1",
        "Mesenchymal Stem Cells",
        "Umbilical Cord",
    ]
    assert [(s.name, s.role, s.agency_class) for s in rec.sponsors] == [
        ("Qingdao University", "lead", "")
    ]
    assert rec.brief_summary.startswith("The purpose of this study is to determine whether")
    assert rec.detailed_description.startswith("Type 1 diabetes mellitus (T1DM)is characterized")
    assert rec.detailed_description.endswith("control of the autoimmune response to β cells.")
    assert rec.warnings == []


def test_003_arm_with_identical_group_and_intervention_names():
    rec = parsed(SEED_003)
    name = "umbilical cord mesenchymal stem cells"
    assert rec.interventions == [
        Intervention(name=name, intervention_type="BIOLOGICAL", arm_labels=[name])
    ]
    assert len(rec.arms) == 1
    arm = rec.arms[0]
    assert (arm.label, arm.intervention_names) == (name, [name])
    assert arm.description == (
        "Intravenous infusion of ex vivo cultured umbilical cord mesenchymal stem cells"
    )


def test_003_eligibility():
    elig = parsed(SEED_003).eligibility
    assert elig.sex == "ALL"
    inc = [c for c in elig.criteria if c.kind == "inclusion"]
    exc = [c for c in elig.criteria if c.kind == "exclusion"]
    assert len(inc) == 2 and len(exc) == 7
    assert (
        inc[0].text == "Confirmed diagnosis of type 1 diabetes by ADA criteria less than 9 weeks."
    )
    assert inc[-1].text == (
        "Ability to provide written informed consent from patients or Child guardian."
    )
    assert exc[0].text == "diabetic ketoacidosis."
    assert exc[2].text == "Body Mass Index >30."
    assert exc[-1].text == "Presence of malignancy."


def test_003_outcomes_and_location():
    rec = parsed(SEED_003)
    assert [(o.kind, o.measure, o.time_frame, o.description) for o in rec.outcomes] == [
        ("primary", "C peptide release test", "3 months", ""),
        ("secondary", "Immunologic reconstitution parameters", "3 months", ""),
        ("secondary", "Exogenous insulin dose", "3 months", ""),
        ("secondary", "blood glucose", "3 months", ""),
        ("secondary", "glycosylated Hemoglobin A1c", "3 months", ""),
        ("secondary", "Number of severe and documented hypoglycemic events", "3 months", ""),
    ]
    [loc] = rec.locations
    assert loc.facility == (
        "Stem Cell Research Center of Medical School Hospital of Qingdao University"
    )
    assert (loc.city, loc.state, loc.country) == ("Qingdao", "Shandong", "China")
    assert rec.countries == ["China"]


# --- renderings of the same page ------------------------------------------------


def test_list_rendering_parses_to_the_same_record():
    assert parsed(VARIANTS / "medpath_list_001.txt").to_dict() == parsed(SEED_001).to_dict()


@pytest.mark.parametrize(
    ("html", "seed"), [("medpath_001.html", SEED_001), ("medpath_003.html", SEED_003)]
)
def test_html_rendering_parses_to_the_same_facts(html, seed):
    got = parsed(VARIANTS / html).to_dict()
    want = parsed(seed).to_dict()
    # criteria_text is kept as written, and HTML list items are written "* ..." not "  • ...".
    got_text = got["eligibility"].pop("criteria_text")
    want["eligibility"].pop("criteria_text")
    assert got == want
    assert got_text.startswith("Inclusion Criteria\n* ")
    assert "\nExclusion Criteria\n* " in got_text


# --- damaged pages ------------------------------------------------------------------


def test_cut_off_page_keeps_what_remains():
    rec = parsed(VARIANTS / "medpath_cut_001.txt")
    assert rec.registry_id == "NCT03343782"
    assert rec.overall_status == "COMPLETED"
    assert rec.enrollment == 30
    inc = [c for c in rec.eligibility.criteria if c.kind == "inclusion"]
    exc = [c for c in rec.eligibility.criteria if c.kind == "exclusion"]
    assert len(inc) == 6 and len(exc) == 2
    assert exc[-1].text.startswith("Chronic disease or severe disease")
    assert rec.arms == [] and rec.outcomes == [] and rec.locations == []
    assert "page appears cut off in 'Exclusion Criteria'" in rec.warnings
    assert "section 'Primary Outcome Measures' is missing" in rec.warnings
    assert "section 'Trial Locations' is missing" in rec.warnings


def test_empty_sections_are_warned():
    rec = parsed(VARIANTS / "medpath_empty_003.txt")
    assert rec.registry_id == "NCT01219465"
    assert rec.conditions == []
    assert rec.sponsors == []
    assert [o.measure for o in rec.outcomes] == ["C peptide release test"]
    assert rec.interventions[0].intervention_type == "BIOLOGICAL"
    assert len(rec.eligibility.criteria) == 9
    assert set(rec.warnings) == {
        "section 'Conditions' is empty",
        "section 'Lead Sponsor' is empty",
        "section 'Secondary Outcome Measures' is empty",
    }


def test_nested_and_wrapped_criteria():
    crit = parsed(VARIANTS / "medpath_nested_001.txt").eligibility.criteria
    assert crit[:5] == [
        Criterion("inclusion", "Demographics:", 0),
        Criterion("inclusion", "Males and females", 1),
        Criterion("inclusion", "Age from 18 years and above.", 1),
        Criterion("inclusion", "Hemoglobin A1c (HbA1c) is ranged from 7.5% to 9% at baseline.", 0),
        Criterion(
            "inclusion",
            "Type 2 diabetes duration 5 years or more (counted from the first diagnosis).",
            0,
        ),
    ]
    assert len(crit) == 10
    assert crit[7] == Criterion("exclusion", "Type 1 diabetes.", 0)


def test_every_truncation_parses_or_raises_parse_error():
    for path in (
        SEED_001,
        SEED_003,
        VARIANTS / "medpath_001.html",
        VARIANTS / "medpath_list_001.txt",
    ):
        page = text_of(path)
        for end in range(0, len(page) + 1, 11):
            for piece in (page[:end], page[end:], page[:end] + page[end + 50 :]):
                try:
                    rec = medpath.parse(piece)
                except ParseError:
                    continue
                assert rec.source_format == "medpath"


def test_parse_is_fast():
    page = text_of(SEED_001)
    start = time.process_time()  # CPU time: others' load does not count
    for _ in range(200):
        medpath.parse(page)
    assert (time.process_time() - start) / 200 < 0.005


# --- detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [SEED_001, SEED_003]
    + [VARIANTS / n for n in ("medpath_list_001.txt", "medpath_001.html", "medpath_003.html")]
    + [VARIANTS / "medpath_cut_001.txt", VARIANTS / "medpath_empty_003.txt"],
)
def test_looks_like_medpath(path):
    assert medpath.looks_like(text_of(path))


def test_looks_like_labels_without_marker():
    page = text_of(SEED_001).replace("MedPath", "")
    assert medpath.looks_like(page)
    assert medpath.looks_like("\n".join("- " + line for line in page.splitlines() if line))


@pytest.mark.parametrize("name", OTHER_SEEDS)
def test_other_formats_are_not_medpath(name):
    page = text_of(FIXTURES / name)
    assert not medpath.looks_like(page)
    with pytest.raises(ParseError):
        medpath.parse(page)


def test_other_variant_fixtures_are_not_medpath():
    for path in sorted(VARIANTS.iterdir()):
        if path.name.startswith("medpath_"):
            continue
        try:
            page = text_of(path)
        except ParseError:
            continue
        assert not medpath.looks_like(page), path.name


# --- the table-splitting heuristics -------------------------------------------------


@pytest.mark.parametrize(
    ("row", "measure", "time_frame"),
    [
        ("C peptide release test3 months", "C peptide release test", "3 months"),
        ("Change in HbA1c at 6 months6 months", "Change in HbA1c at 6 months", "6 months"),
        (
            "Fasting C-peptideBaseline, 3 months, 6 months",
            "Fasting C-peptide",
            "Baseline, 3 months, 6 months",
        ),
        ("Hypoglycemic eventsDay 0 to Day 28", "Hypoglycemic events", "Day 0 to Day 28"),
        ("HOMA-IR1, 3, 6 and 12 months", "HOMA-IR", "1, 3, 6 and 12 months"),
        (
            "Insulin needpre- and 24 months post-infusion",
            "Insulin need",
            "pre- and 24 months post-infusion",
        ),
        ("Quality of lifeAt week 12", "Quality of life", "At week 12"),
    ],
)
def test_split_outcome_glued(row, measure, time_frame):
    assert medpath._split_outcome(row, spaced=False) == (measure, time_frame, True)


def test_split_outcome_spaced_and_unsure():
    split = medpath._split_outcome
    assert split("Change in HbA1c from baseline 12 months", True) == (
        "Change in HbA1c from baseline",
        "12 months",
        True,
    )
    assert split("Quality of life at week 12", True) == ("Quality of life", "at week 12", False)
    assert split("Insulin independence", False) == ("Insulin independence", "", False)


def test_unsplittable_outcome_row_is_warned():
    page = text_of(SEED_003).replace("C peptide release test3 months", "C peptide release test")
    rec = medpath.parse(page)
    assert (rec.outcomes[0].measure, rec.outcomes[0].time_frame) == ("C peptide release test", "")
    assert any("no time frame" in w for w in rec.warnings)


def test_arm_row_with_two_interventions_and_name_inside_group():
    ivs = [Intervention("MSC", "BIOLOGICAL"), Intervention("Insulin", "DRUG")]
    arms = medpath._arms(
        ["GroupInterventionDescription", "MSC groupMSCInsulinBoth given"], ivs, print
    )
    assert [(a.label, a.intervention_names, a.description) for a in arms] == [
        ("MSC group", ["MSC", "Insulin"], "Both given")
    ]
    assert ivs[0].arm_labels == ["MSC group"] and ivs[1].arm_labels == ["MSC group"]


def test_arm_row_without_known_intervention_is_kept_and_warned():
    warnings: list[str] = []
    arms = medpath._arms(["Control groupStandard care"], [], warnings.append)
    assert [a.label for a in arms] == ["Control groupStandard care"]
    assert warnings


def test_arm_row_with_a_dotted_capital_i():
    # "İ".lower() is two characters, so positions found in the lower-cased row ran past the
    # row itself: IndexError, or a split in the wrong place.
    arms = medpath._arms(["İİİİİİİİİİMSC", "x İİİİ MSCgiven"], [Intervention("MSC")], print)
    assert [(a.label, a.intervention_names, a.description) for a in arms] == [
        ("İİİİİİİİİİ", ["MSC"], ""),
        ("x İİİİ", ["MSC"], "given"),
    ]


@pytest.mark.parametrize(
    ("row", "spaced"),
    [
        ("HbA1c" + "1," * 40 + "x", False),  # "1,1" read as a decimal or a list: exponential
        ("HbA1c " + "1," * 40 + "x", True),
        ("HbA1c 1" + " " * 50_000 + "x", True),  # \s*-?\s* split every way: quadratic
        ("x " + "1 - " * 10_000 + "x", True),  # every number restarted the whole list
        ("to " + "up to " * 10_000, True),  # every candidate copied the text before it
    ],
)
def test_time_frame_search_is_linear(row, spaced):
    with cpu_limit(1):
        medpath._split_outcome(row, spaced)


def test_label_with_a_long_run_of_trailing_whitespace():
    # [ \t]*:?[ \t]*$ could split the run at every point: 16 s for 50,000 tabs.
    with cpu_limit(1):
        assert not medpath.looks_like("Registration Number" + "\t" * 50_000 + "x")


def test_many_locations_and_countries():
    sites = "".join(f"Site {n}\n\n🇻🇳\n\nCity, Country {n}\n\n" for n in range(20_000))
    page = text_of(SEED_001).replace("Locations (1)", "Locations (20000)")
    page = page.replace(
        "Vinmec Research Institute of Stem Cell", sites + "Vinmec Research Institute of Stem Cell"
    )
    with cpu_limit(2):
        rec = medpath.parse(page)
    assert len(rec.locations) == 20_001
    assert rec.countries[:2] == ["Country 0", "Country 1"] and rec.countries[-1] == "Vietnam"
