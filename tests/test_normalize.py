"""ingest.normalize on the spellings the seed pages actually use (and a few close cousins)."""

import pytest

from ingest import normalize

from .timing import cpu_limit

# --- status ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "active, not recruiting",
            "ACTIVE_NOT_RECRUITING",
        ),  # 004 "This trial is active, not recruiting."
        ("Active, not recruiting.", "ACTIVE_NOT_RECRUITING"),
        ("ACTIVE_NOT_RECRUITING", "ACTIVE_NOT_RECRUITING"),
        ("COMPLETED", "COMPLETED"),  # 000, 001
        ("Completed", "COMPLETED"),
        ("RECRUITING", "RECRUITING"),  # 002
        ("UNKNOWN", "UNKNOWN"),  # 003
        ("Unknown status", "UNKNOWN"),
        ("Not yet recruiting", "NOT_YET_RECRUITING"),
        ("Enrolling by invitation", "ENROLLING_BY_INVITATION"),
        ("terminated", "TERMINATED"),
        ("Withdrawn", "WITHDRAWN"),
        ("  recruiting \n", "RECRUITING"),
    ],
)
def test_status(written, expected):
    assert normalize.status(written) == expected


@pytest.mark.parametrize("written", ["", "Results pending", "promising", "Phase 1"])
def test_status_unknown_words_give_empty(written):
    assert normalize.status(written) == ""


# --- phases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("phase 2", ["PHASE2"]),  # 004
        ("PHASE1", ["PHASE1"]),  # 000, 002
        ("Phase 1", ["PHASE1"]),  # 001, 003
        ("NCT01719640 COMPLETED PHASE1/PHASE2", ["PHASE1", "PHASE2"]),  # 000 related trials
        ("Phase 1/2", ["PHASE1", "PHASE2"]),
        ("phase 1/phase 2", ["PHASE1", "PHASE2"]),
        ("Phase I/II", ["PHASE1", "PHASE2"]),
        ("Phase III", ["PHASE3"]),
        ("Phase IV", ["PHASE4"]),
        ("Early Phase 1", ["EARLY_PHASE1"]),
        ("EARLY_PHASE1", ["EARLY_PHASE1"]),
        ("N/A", ["NA"]),
        ("NA", ["NA"]),
        ("Not Applicable", ["NA"]),
        ("Phase 2, Phase 2", ["PHASE2"]),
        ("", []),
        ("Phase 0", ["EARLY_PHASE1"]),  # ClinicalTrials.gov's name for phase 0
        ("China", []),
    ],
)
def test_phases(written, expected):
    assert normalize.phases(written) == expected


def test_phase_hyphen_range():
    assert normalize.phases("Phase 2-3") == ["PHASE2", "PHASE3"]


# --- enum words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("SINGLE_GROUP", "SINGLE_GROUP"),
        ("single group assignment", "SINGLE_GROUP_ASSIGNMENT"),
        ("COMBINATION_PRODUCT", "COMBINATION_PRODUCT"),
        ("Combination Product", "COMBINATION_PRODUCT"),
        ("open label", "OPEN_LABEL"),
        ("non-randomized", "NON_RANDOMIZED"),
        (" Treatment ", "TREATMENT"),
        ("", ""),
    ],
)
def test_enum_word(written, expected):
    assert normalize.enum_word(written) == expected


# --- dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("March 2012", "2012-03"),  # 004 start
        ("March 2017", "2017-03"),  # 004 end
        ("September 2016", "2016-09"),  # 004 last update
        ("2021-05-04", "2021-05-04"),  # 000
        ("2024-12-30", "2024-12-30"),
        ("2025-08-17", "2025-08-17"),
        ("2027-03-31", "2027-03-31"),  # 002
        ("2012-3", "2012-03"),
        ("Sept. 2016", "2016-09"),
        ("Mar 2012", "2012-03"),
        ("March 4, 2012", "2012-03-04"),
        ("4 March 2012", "2012-03-04"),
        ("May 2012.", "2012-05"),
        ("2012", "2012"),
    ],
)
def test_partial_date_keeps_the_written_precision(written, expected):
    assert normalize.partial_date(written) == expected


@pytest.mark.parametrize(
    "written", ["", "2012-13", "February 30, 2012", "Smarch 2012", "03/04/2012", "soon"]
)
def test_partial_date_refuses_what_it_cannot_read(written):
    assert normalize.partial_date(written) == ""


# --- ages, enrollment, sex, yes/no ------------------------------------------------


@pytest.mark.parametrize(
    ("written", "years"),
    [
        ("5 Years", 5.0),  # 000
        ("18 Years", 18.0),  # 002
        ("40 Years", 40.0),
        ("at least 18 years old", 18.0),  # 004 sentence
        ("Aged from 5 years and over.", 5.0),
        ("6 Months", 0.5),
        ("1 Year", 1.0),
        ("65 yrs", 65.0),
        ("2 Weeks", 0.0383),
    ],
)
def test_age_in_years(written, years):
    assert normalize.age_in_years(written) == years


@pytest.mark.parametrize("written", ["", "N/A", "adults", None])
def test_age_absent(written):
    assert normalize.age_in_years(written) is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("10 participants", 10),  # 000, 004
        ("60 participants", 60),  # 002
        ("30", 30),  # 001
        ("1,200", 1200),
        ("", None),
        ("not stated", None),
    ],
)
def test_enrollment(written, expected):
    assert normalize.enrollment(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2,147,483,647", 2_147_483_647),  # the largest a Postgres integer column holds
        ("2147483648", None),
        ("3,000,000,000 participants", None),
        ("9" * 5000, None),  # int() refuses more than 4300 digits: this raised ValueError
        ("0" * 5000 + "12", 12),
    ],
)
def test_enrollment_out_of_range_is_none(written, expected):
    assert normalize.enrollment(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("ALL", "ALL"), ("All", "ALL"), ("Both", "ALL"), ("Female", "FEMALE"), ("MALE", "MALE")],
)
def test_sex(written, expected):
    assert normalize.sex(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Male or female", "ALL"),
        ("Males and females", "ALL"),
        ("both sexes", "ALL"),
        ("adults", ""),
    ],
)
def test_sex_phrases(written, expected):
    # The aggregator writes "Male or female participants ..."; MedPath "Males and females".
    assert normalize.sex(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("No", False),  # 000, 002
        ("Yes", True),
        ("Accepts Healthy Volunteers", True),
        ("no.", False),
        ("maybe", None),
        ("", None),
    ],
)
def test_yes_no(written, expected):
    assert normalize.yes_no(written) is expected


# --- registry ids ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("NCT02893306, DMT1-MSC", ["NCT02893306"]),  # 004 trial identifier
        ("NCT ID: NCT05308836", ["NCT05308836"]),  # 000
        ("Registration Number\nNCT03343782", ["NCT03343782"]),  # 001
        ("NCT01374854\nNCT01219465\nNCT01374854", ["NCT01374854", "NCT01219465"]),  # 002 related
        ("ISC20.01", []),  # 000 org study id
        ("00085542", []),  # 002 org study id
        ("IRCT20200217046526N2", ["IRCT20200217046526N2"]),
        ("ACTRN12619000123456", ["ACTRN12619000123456"]),
        ("ChiCTR-IOR-17013404 and ChiCTR2000031319", ["ChiCTR-IOR-17013404", "ChiCTR2000031319"]),
        ("ISRCTN12345678", ["ISRCTN12345678"]),
        # ICTRP's per-country EU record and Japan's network prefix reduce to the registry's id.
        ("EudraCT EUCTR2014-002345-12-GB", ["2014-002345-12"]),
        ("CTRI/2018/05/013776", ["CTRI/2018/05/013776"]),
        ("JPRN-UMIN000012345", ["UMIN000012345"]),
        ("KCT0001234", ["KCT0001234"]),
        ("DRKS00012345", ["DRKS00012345"]),
        ("NCT0289330", []),  # seven digits: not an NCT id
        ("NCT028933061", []),  # nine digits
        ("NCT02893306.txt", ["NCT02893306"]),
        ("", []),
    ],
)
def test_registry_ids(written, expected):
    assert normalize.registry_ids(written) == expected


def test_registry_id_after_underscore_in_a_file_name():
    assert normalize.registry_ids("004_NCT02893306.txt") == ["NCT02893306"]


# --- hostile input: these took seconds (or forever) before -------------------------------


def test_age_in_a_long_run_of_digits_is_linear():
    # Every digit used to start a new attempt that rescanned the run: quadratic, > 20 s.
    with cpu_limit(1):
        assert normalize.age_in_years("1" * 50_000 + " x") is None
        assert normalize.age_in_years("1" * 50_000 + " years") is None  # float("inf") before


def test_digits_of_other_scripts_are_not_dates_or_ids():
    # \d matched them: "٢٠١٢" came back as a year, stored as such, and ids likewise.
    assert normalize.partial_date("٢٠١٢") == ""
    assert normalize.partial_date("March ٢٠١٢") == ""
    assert normalize.registry_ids("NCT٠٤٠٦١٧٤٦ NCT04061746") == ["NCT04061746"]


def test_many_distinct_registry_ids_are_linear():
    ids = [f"NCT{n:08d}" for n in range(20_000)]
    with cpu_limit(1):
        assert normalize.registry_ids(" ".join(ids + ids)) == ids
