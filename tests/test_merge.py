"""Merging several parsed sources of one registry id (pure, no database)."""

from __future__ import annotations

from ingest.detect import precedence
from records import Criterion, Eligibility, ParsedTrial
from records.merge import Source, merge


def record(**fields) -> ParsedTrial:
    return ParsedTrial(source_format="test", registry_id="NCT00000001", **fields)


def test_newest_source_wins_single_values_and_conflicts_are_kept():
    old = record(overall_status="RECRUITING", last_update="2019-01-01", enrollment=20)
    new = record(overall_status="COMPLETED", last_update="2024-05-01")
    merged = merge([Source("old.txt", old), Source("new.txt", new)])
    assert merged.record.overall_status == "COMPLETED"
    assert merged.field_sources["overall_status"] == "new.txt"
    # The newer page does not state enrollment, so the older one fills it.
    assert merged.record.enrollment == 20 and merged.field_sources["enrollment"] == "old.txt"
    assert [c["source"] for c in merged.conflicts["overall_status"]] == ["new.txt", "old.txt"]
    assert "enrollment" not in merged.conflicts


def test_a_more_precise_date_wins_without_a_conflict():
    a = record(start_date="2012-03", last_update="2020-01-01")
    b = record(start_date="2012-03-15", last_update="2010-01-01")
    merged = merge([Source("a", a), Source("b", b)])
    assert merged.record.start_date == "2012-03-15"
    assert "start_date" not in merged.conflicts


def test_longest_text_and_fullest_lists_win():
    cut = record(
        brief_summary="The purpose of this study is", conditions=["T1D"], last_update="2025-01-01"
    )
    full = record(
        brief_summary="The purpose of this study is to evaluate safety.",
        conditions=["T1D", "Diabetes"],
        eligibility=Eligibility(
            criteria=[Criterion("inclusion", "Age 18+")], criteria_text="* Age 18+"
        ),
    )
    merged = merge([Source("cut", cut), Source("full", full)])
    assert merged.record.brief_summary.endswith("safety.")
    assert merged.record.conditions == ["T1D", "Diabetes"]
    assert merged.record.eligibility.criteria_text == "* Age 18+"
    assert merged.field_sources["eligibility.criteria"] == "full"


def test_warnings_keep_their_source():
    merged = merge([Source("a.txt", record(warnings=["section 'Conditions' is empty"]))])
    assert merged.record.warnings == ["a.txt: section 'Conditions' is empty"]


def registry(**fields) -> ParsedTrial:
    """An API v2 record, trusted as the format table says (parse_document sets it)."""
    return ParsedTrial(
        source_format="ctgov_json",
        registry_id="NCT00000001",
        precedence=precedence("ctgov_json"),
        **fields,
    )


def test_registry_wins_what_it_states_whatever_the_dates():
    page = record(
        overall_status="RECRUITING",
        last_update="2025-01-01",
        enrollment=20,
        brief_summary="A much longer summary than the registry's own short one.",
        conditions=["T1D", "Diabetes", "MSC"],
    )
    api = registry(
        overall_status="COMPLETED",
        last_update="2017-06-05",
        brief_summary="Short.",
        conditions=["Type 1 Diabetes"],
    )
    merged = merge([Source("page.txt", page), Source("ctgov-api:NCT00000001", api)])
    assert merged.record.overall_status == "COMPLETED"
    assert merged.record.brief_summary == "Short."  # not the longest: the registry states it
    assert merged.record.conditions == ["Type 1 Diabetes"]
    assert merged.field_sources["overall_status"] == "ctgov-api:NCT00000001"
    # The page fills what the registry does not state, and the disagreement is kept.
    assert merged.record.enrollment == 20 and merged.field_sources["enrollment"] == "page.txt"
    assert [c["source"] for c in merged.conflicts["overall_status"]] == [
        "ctgov-api:NCT00000001",
        "page.txt",
    ]


def test_registry_date_stands_and_a_consistent_page_date_is_no_conflict():
    page = record(start_date="2006-11-15", last_update="2025-01-01")
    api = registry(start_date="2006-11", status_verified_date="2017-05")
    merged = merge([Source("page.txt", page), Source("api", api)])
    assert merged.record.start_date == "2006-11"
    assert merged.record.status_verified_date == "2017-05"
    assert "start_date" not in merged.conflicts


def test_registry_criteria_win_and_pages_fill_missing_ones():
    page_criteria = Eligibility(
        criteria=[Criterion("inclusion", "a"), Criterion("inclusion", "b")], criteria_text="a\nb"
    )
    page = record(eligibility=page_criteria)
    api = registry(
        eligibility=Eligibility(criteria=[Criterion("inclusion", "A")], criteria_text="* A")
    )
    merged = merge([Source("page", page), Source("api", api)])
    assert merged.record.eligibility.criteria_text == "* A"
    assert merged.field_sources["eligibility.criteria"] == "api"
    merged = merge([Source("page", page), Source("api", registry())])
    assert merged.record.eligibility.criteria_text == "a\nb"


def test_api_json_outranks_classic_xml():
    xml = ParsedTrial(
        source_format="ctgov_xml",
        registry_id="NCT00000001",
        precedence=precedence("ctgov_xml"),
        overall_status="RECRUITING",
        last_update="2030-01-01",
        keywords=["only in the archive"],
    )
    api = registry(overall_status="COMPLETED", last_update="2017-01-01", results_posted=False)
    merged = merge([Source("x.xml", xml), Source("api", api)])
    assert merged.record.overall_status == "COMPLETED"
    assert merged.record.results_posted is False  # a stated False is a value
    assert merged.record.keywords == ["only in the archive"]
    assert "overall_status" in merged.conflicts


def test_differing_update_dates_are_not_conflicts():
    a = record(last_update="2020-01-01", status_verified_date="2019-12")
    b = registry(last_update="2017-06-05", status_verified_date="2017-05")
    merged = merge([Source("a", a), Source("b", b)])
    assert merged.record.last_update == "2017-06-05"
    assert merged.conflicts == {}
