"""ingest.named_ids: the other registries' ids a record names, and nothing that only looks like one."""

from __future__ import annotations

import pytest

from ingest import detect
from ingest.named_ids import SECONDARY_ID, TEXT, NamedId, other_registry_ids
from records import ParsedTrial, RelatedTrial, SecondaryId

from .test_parser_ictrp import EXPORT, MALFORMED, records


def named(record: ParsedTrial, **options) -> list[tuple[str, str, str]]:
    return [(n.identifier, n.registry, n.where) for n in other_registry_ids(record, **options)]


def record_with(*values: str, registry_id: str = "NCT01234567", **fields) -> ParsedTrial:
    return ParsedTrial(
        "test", registry_id=registry_id, secondary_ids=[SecondaryId(v) for v in values], **fields
    )


# `Other IDs` of real rows of the classic ClinicalTrials.gov CSV (shared/realdata), split at "|".
@pytest.mark.parametrize(
    ("nct", "other_ids", "expected"),
    [
        ("NCT01183728", "TerCel001|Eudra-CT 2009-017405-11|Protocol Code", ["2009-017405-11"]),
        (
            "NCT02172885",
            "EudraCT Number:2012-002553-38|Health Department of Spain",
            ["2012-002553-38"],
        ),
        ("NCT02387151", "NL4724400013|2013-005407-14", ["2013-005407-14"]),
        ("NCT04342325", "CAMCR013|jRCT2043200002", ["jRCT2043200002"]),
        ("NCT05402748", "IRCT20211212053361N1", ["IRCT20211212053361N1"]),
        (
            "NCT03865394",
            "1ABC Therapy|267976/13/NCBR/2015|2016-004109-15|PL008125|Z4217",
            ["2016-004109-15"],
        ),
        ("NCT01844661", "EudraCT2008-000364-16", ["2008-000364-16"]),
        ("NCT02064062", "12/0419|2013-000966-12", ["2013-000966-12"]),
        ("NCT01219465", "NL59038.000.16", []),  # the CCMO's ABR number
        ("NCT00763412", "05-1109|P60DK020579", []),  # a protocol and an NIH grant number
    ],
)
def test_real_other_ids(nct, other_ids, expected):
    record = record_with(*other_ids.split("|"), registry_id=nct)
    assert [n[0] for n in named(record)] == expected


@pytest.mark.parametrize(
    "junk", ["N/A", "1", "None", "0", "DMT1-MSC", "R01 DK123456", "ISC20.01", "NCTXXXX"]
)
def test_strings_that_are_no_registry_id_are_never_named(junk):
    assert named(record_with(junk)) == []


def test_the_records_own_id_in_another_spelling_is_not_named():
    record = record_with(
        "EUCTR2012-001234-56-DE",
        "EudraCT No. 2012-001234-56",
        "NCT01234567",
        registry_id="2012-001234-56",
    )
    assert named(record) == [("NCT01234567", "ctgov", SECONDARY_ID)]


def test_ids_in_the_text_but_not_related_trials():
    record = record_with(
        brief_summary="Also registered as ChiCTR2000031319. Follows our earlier NCT01719640.",
        related_trials=[RelatedTrial("NCT01719640")],
    )
    assert named(record) == [("ChiCTR2000031319", "chictr", TEXT)]
    assert named(record, text=False) == []
    [found] = other_registry_ids(record)
    assert found.written.startswith("Also registered as ChiCTR2000031319")


def test_a_secondary_id_wins_over_the_same_id_in_text():
    record = record_with("ChiCTR2000031319", official_title="(ChiCTR2000031319)")
    assert named(record) == [("ChiCTR2000031319", "chictr", SECONDARY_ID)]


def test_ictrp_records_name_their_other_registrations():
    export = records(EXPORT)
    assert named(export["EUCTR2012-001234-56-SE"]) == [("NCT01234567", "ctgov", SECONDARY_ID)]
    assert named(export["DRKS00012345"]) == [("2016-004567-12", "euctr", SECONDARY_ID)]
    # ICTRP's own spelling of the id and its internal number are not other registrations.
    assert named(export["JPRN-jRCT2051190001"]) == []
    assert named(export["CTRI/2019/05/019123"]) == []  # SC-DFU-03, NIL
    assert named(records(MALFORMED)["ISRCTN12345678"]) == [
        ("2021-004321-17", "euctr", SECONDARY_ID)
    ]


def test_a_registry_record_without_other_registrations():
    from .conftest import FIXTURES

    record = detect.parse_document((FIXTURES / "NCT00763412.json").read_bytes(), "x.json")
    assert other_registry_ids(record) == []


def test_named_ids_are_plain_values():
    [found] = other_registry_ids(record_with("EUCTR2012-001234-56-DE"))
    assert found == NamedId("2012-001234-56", "euctr", SECONDARY_ID, "EUCTR2012-001234-56-DE")
