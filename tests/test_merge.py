"""Merging several parsed sources of one registry id (pure, no database)."""

from __future__ import annotations

from ingest.merge import Source, merge
from ingest.records import Criterion, Eligibility, ParsedTrial


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
