"""catalogue.registries: the table of registries, the shape of their ids, their record links.

Valid ids are ids of real registrations in the form each registry publishes (or that form
with the digits changed); invalid ones are the near misses a page or export could carry.
"""

from __future__ import annotations

import pytest

from catalogue import registries
from ingest.deadline import deadline

# (registry code, a valid id as written, the id the catalogue keeps)
VALID = [
    ("ctgov", "NCT02893306", "NCT02893306"),
    ("ctgov", "nct02893306", "NCT02893306"),
    ("chictr", "ChiCTR2000031319", "ChiCTR2000031319"),
    ("chictr", "ChiCTR-IOR-17013404", "ChiCTR-IOR-17013404"),
    ("chictr", "ChiCTR-ONRC-13003400", "ChiCTR-ONRC-13003400"),
    ("irct", "IRCT20200217046526N2", "IRCT20200217046526N2"),
    ("irct", "IRCT2012061710003N1", "IRCT2012061710003N1"),
    ("irct", "IRCT138804242622N1", "IRCT138804242622N1"),  # a Persian-calendar date
    ("ctri", "CTRI/2018/05/013776", "CTRI/2018/05/013776"),
    ("ctri", "CTRI/2009/091/000471", "CTRI/2009/091/000471"),
    ("anzctr", "ACTRN12619000123456", "ACTRN12619000123456"),
    ("euctr", "2012-001234-56", "2012-001234-56"),
    ("euctr", "EUCTR2012-001234-56-DE", "2012-001234-56"),
    ("euctr", "EUCTR2012-001234-56-3RD", "2012-001234-56"),
    ("euctr", "EudraCT No. 2012-001234-56", "2012-001234-56"),
    ("euctr", "EudraCT number: 2012-001234-56", "2012-001234-56"),
    ("ctis", "2022-500014-26-00", "2022-500014-26-00"),
    ("ctis", "CTIS2022-500014-26-00", "2022-500014-26-00"),
    ("isrctn", "ISRCTN12345678", "ISRCTN12345678"),
    ("jrct", "jRCT2051190001", "jRCT2051190001"),
    ("jrct", "jRCTb050190001", "jRCTb050190001"),
    ("jrct", "JPRN-jRCT2051190001", "jRCT2051190001"),
    ("jprn", "JPRN-UMIN000012345", "UMIN000012345"),
    ("jprn", "UMIN000012345", "UMIN000012345"),
    ("jprn", "JapicCTI-173456", "JapicCTI-173456"),
    ("jprn", "JPRN-C000000123", "JPRN-C000000123"),
    ("drks", "DRKS00012345", "DRKS00012345"),
    ("kct", "KCT0001234", "KCT0001234"),
    ("ntr", "NTR1234", "NTR1234"),
    ("ntr", "NL7295", "NL7295"),
    ("ntr", "NL-OMON50052", "NL-OMON50052"),
    ("tctr", "TCTR20190101001", "TCTR20190101001"),
    ("pactr", "PACTR201905123456789", "PACTR201905123456789"),
    ("slctr", "SLCTR/2019/012", "SLCTR/2019/012"),
    ("rebec", "RBR-7xgbxf", "RBR-7xgbxf"),
    ("rpcec", "RPCEC00000263", "RPCEC00000263"),
    ("lbctr", "LBCTR2019050223", "LBCTR2019050223"),
    ("repec", "PER-012-19", "PER-012-19"),
    ("itmctr", "ITMCTR2100004912", "ITMCTR2100004912"),
]

# (an id with a known registry's prefix but not its shape, the registry it claims)
MALFORMED = [
    ("NCTXXXX", "ctgov"),
    ("NCT123", "ctgov"),
    ("NCT0289330", "ctgov"),  # seven digits
    ("NCT028933061", "ctgov"),  # nine digits
    ("ChiCTR-123", "chictr"),
    ("ChiCTR200003131", "chictr"),  # nine digits
    ("IRCT2020021704652", "irct"),  # no N and serial
    ("CTRI/2018/5/13776", "ctri"),
    ("ACTRN1261900012345", "anzctr"),  # thirteen digits
    ("EUCTR2012-1234-56", "euctr"),
    ("CTIS2022-5000-26-00", "ctis"),
    ("ISRCTN1234567", "isrctn"),
    ("jRCT205119", "jrct"),
    ("UMIN12345", "jprn"),
    ("JPRN-XYZ", "jprn"),
    ("DRKS0001234", "drks"),
    ("KCT000123", "kct"),
    ("NL12345.018.08", "ntr"),  # the CCMO's ABR number, not a trial register id
    ("TCTR2019010100", "tctr"),
    ("PACTR20190512345", "pactr"),
    ("SLCTR/2019/12", "slctr"),
    ("RBR-7X", "rebec"),
    ("RPCEC0000026", "rpcec"),
    ("LBCTR201905", "lbctr"),
    ("PER-12-19", "repec"),
    ("ITMCTR21000049", "itmctr"),
]

NOT_IDS = [
    "",
    "N/A",
    "1",
    "None",
    "DMT1-MSC",
    "ISC20.01",
    "00085542",
    "R01 DK123456",
    "HREC/15/QRCH/123",
]


def test_every_registry_has_a_valid_and_an_invalid_example():
    codes = {r.code for r in registries.REGISTRIES}
    assert {code for code, _, _ in VALID} == codes
    assert {code for _, code in MALFORMED} == codes


def test_codes_names_and_prefixes_are_unique():
    assert len(registries.BY_CODE) == len(registries.REGISTRIES)
    assert len({r.name for r in registries.REGISTRIES}) == len(registries.REGISTRIES)
    assert all(r.code and r.name and r.prefixes and r.shape_text for r in registries.REGISTRIES)


@pytest.mark.parametrize(("code", "written", "kept"), VALID)
def test_valid_ids(code, written, kept):
    assert registries.canonical(written) == kept
    assert registries.is_valid(written)
    assert registries.registry_of(written).code == code
    assert registries.shape_problem(written) == ""
    assert registries.record_url(written).startswith("https://")


@pytest.mark.parametrize(("written", "code"), MALFORMED)
def test_malformed_ids_are_refused_with_the_registry_they_claim(written, code):
    assert not registries.is_valid(written)
    assert registries.registry_of(written) is None
    assert registries.claimed_by(written).code == code
    problem = registries.shape_problem(written)
    registry = registries.BY_CODE[code]
    assert problem == (
        f"registry id {written!r} is not a valid {registry.name} id "
        f"(its ids are {registry.shape_text})"
    )


def test_nct_problem_reads_as_a_person_would_say_it():
    assert registries.shape_problem("NCTXXXX") == (
        "registry id 'NCTXXXX' is not a valid ClinicalTrials.gov id (its ids are NCT + 8 digits)"
    )


@pytest.mark.parametrize("written", NOT_IDS)
def test_strings_that_are_no_registry_id(written):
    assert registries.canonical(written) == ""
    assert registries.shape_problem(written) == ""  # an unknown registry's id is kept
    assert registries.record_url(written) == ""


def test_record_urls_on_the_registries_own_sites():
    assert registries.record_url("NCT02893306") == "https://clinicaltrials.gov/study/NCT02893306"
    assert registries.record_url("ISRCTN12345678") == "https://www.isrctn.com/ISRCTN12345678"
    assert (
        registries.record_url("ACTRN12619000123456")
        == "https://www.anzctr.org.au/ACTRN12619000123456.aspx"
    )
    assert registries.record_url("EUCTR2012-001234-56-DE") == (
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query=2012-001234-56"
    )
    assert registries.on_own_site("NCT02893306")


def test_record_urls_through_who_ictrp_where_the_site_has_no_address_by_id():
    assert registries.record_url("ChiCTR2000031319") == (
        "https://trialsearch.who.int/Trial2.aspx?TrialID=ChiCTR2000031319"
    )
    # ICTRP lists Japanese records under the network's prefix.
    assert registries.record_url("UMIN000012345") == (
        "https://trialsearch.who.int/Trial2.aspx?TrialID=JPRN-UMIN000012345"
    )
    assert registries.record_url("CTRI/2018/05/013776") == (
        "https://trialsearch.who.int/Trial2.aspx?TrialID=CTRI/2018/05/013776"
    )
    assert not registries.on_own_site("ChiCTR2000031319")


def test_a_web_address_the_source_gives_wins_and_only_http_counts():
    page = "http://www.chictr.org.cn/showprojen.aspx?proj=51234"
    assert registries.record_url("ChiCTR2000031319", page) == page
    assert registries.on_own_site("ChiCTR2000031319", page)
    assert registries.record_url("ChiCTR2000031319", "javascript:alert(1)").startswith(
        "https://trialsearch.who.int/"
    )


def test_ids_found_in_running_text():
    text = (
        "Registered as NCT02893306 (also EUCTR2014-002345-12-GB, EudraCT number: 2015-001234-11 "
        "and JPRN-UMIN000012345); file 004_NCT02893306.txt; ABR NL12345.018.08; "
        "a bare 2012-001234-56 and CTIS2022-500014-26-00"
    )
    assert registries.find_ids(text) == [
        "NCT02893306",
        "2014-002345-12",
        "2015-001234-11",
        "UMIN000012345",
        "2022-500014-26-00",
    ]


def test_an_eu_ct_number_does_not_yield_an_eudract_number():
    assert registries.find_ids("EudraCT 2022-500014-26-00") == []
    assert registries.canonical("2022-500014-26-00") == "2022-500014-26-00"
    assert registries.registry_of("2022-500014-26-00").code == "ctis"


def test_other_scripts_digits_are_not_ids():
    assert registries.find_ids("NCT٠٤٠٦١٧٤٦") == []


def test_ictrp_source_register_names():
    assert [r.code for r in registries.named("ChiCTR")] == ["chictr"]
    assert [r.code for r in registries.named("EU Clinical Trials Register")] == ["euctr"]
    assert [r.code for r in registries.named("ClinicalTrials.gov")] == ["ctgov"]
    assert {r.code for r in registries.named("JPRN")} == {"jrct", "jprn"}
    assert registries.named("Nowhere Registry") == []


def test_scanning_is_linear():
    ids = [f"ChiCTR2{n:09d}" for n in range(20_000)]
    with deadline(1):
        assert registries.find_ids(" ".join(ids)) == ids
    with deadline(1):
        registries.find_ids("EudraCT" + " " * 50_000 + "x" + "NCT" * 20_000)
