"""ingest.parsers.labelled_page on the constructed pages in tests/fixtures/labelled/.

Each expected value is what a person reads on the page (see that folder's README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import detect
from ingest.parsers import labelled_page
from ingest.text import page_text
from records import ParseError

LABELLED = Path(__file__).parent / "fixtures" / "labelled"


def parsed(name: str):
    return detect.parse_document((LABELLED / name).read_bytes(), filename=name)


def test_colon_lines_of_an_anzctr_style_page():
    rec = parsed("anzctr_colon.txt")
    assert rec.source_format == "labelled_page"
    assert rec.registry_id == "ACTRN12619000123456"
    assert rec.brief_title.startswith("Autologous adipose-derived mesenchymal stromal cells")
    assert (rec.overall_status, rec.status_as_written) == ("RECRUITING", "")
    assert (rec.phases, rec.phase_as_written) == (["PHASE1", "PHASE2"], "")
    assert rec.enrollment == 24
    assert [(s.name, s.role) for s in rec.sponsors] == [
        ("Example University Hospital Research Foundation", "lead"),
        ("Example Cell Therapy Centre", "collaborator"),
        ("Diabetes Foot Research Network", "collaborator"),
    ]
    assert rec.start_date == "2019-03-15"  # 15/03/2019: the day cannot be a month
    assert rec.conditions == ["Diabetic foot ulcer", "Type 2 diabetes mellitus"]
    assert rec.countries == ["Australia"]
    assert rec.eligibility.sex == "ALL"
    assert (rec.eligibility.minimum_age, rec.eligibility.maximum_age) == ("18 Years", "80 Years")
    assert rec.study_type == "INTERVENTIONAL"
    assert rec.precedence < detect.BY_NAME["ctgov_csv"].precedence


def test_every_record_is_flagged_with_what_was_read():
    rec = parsed("anzctr_colon.txt")
    assert rec.warnings == [
        "page layout not recognised: read from its labels (status, phase, enrollment, sponsor, "
        "collaborators, start date, conditions, countries, sex, minimum age, maximum age, "
        "study type); check these facts against the registry's record"
    ]


def test_an_html_table_and_definition_list():
    rec = parsed("iran_table.html")
    assert rec.registry_id == "IRCT20190405043156N4"
    assert rec.brief_title == (
        "Wharton's jelly mesenchymal stem cells in children with new-onset type 1 diabetes"
    )
    assert rec.registration_date == "2020-04-06"
    assert rec.start_date == "2020-05-21"
    # IRCT's "Recruitment complete": recruitment has ended, kept as the registry wrote it.
    assert (rec.overall_status, rec.status_as_written) == (
        "ACTIVE_NOT_RECRUITING",
        "Recruitment complete",
    )
    assert rec.phases == ["PHASE2", "PHASE3"]
    assert rec.enrollment == 40
    assert [s.name for s in rec.sponsors] == ["Example University of Medical Sciences"]
    assert rec.conditions == ["Type 1 diabetes mellitus"]
    assert rec.countries == ["Iran (Islamic Republic of)"]
    assert (rec.eligibility.sex, rec.eligibility.minimum_age, rec.eligibility.maximum_age) == (
        "ALL",
        "8 Years",
        "18 Years",
    )


def test_a_dash_list_with_values_on_the_next_line():
    rec = parsed("chictr_list.md")
    assert rec.registry_id == "ChiCTR2000031319"
    assert rec.brief_title.startswith("Umbilical cord mesenchymal stem cells for early diabetic")
    assert rec.registration_date == "2020-03-28"
    assert (rec.overall_status, rec.status_as_written) == ("NOT_YET_RECRUITING", "Pending")
    assert (rec.phases, rec.phase_as_written) == (["NA"], "New Treatment Measure Clinical Study")
    assert rec.enrollment == 60  # Experimental group:30;Control group:30;
    assert rec.conditions == ["Diabetic nephropathy", "Type 2 diabetes"]
    assert [i.name for i in rec.interventions] == ["Umbilical cord MSC infusion", "Standard care"]
    assert rec.countries == ["China"]


def test_an_unknown_status_is_kept_as_written_and_warned():
    rec = parsed("eu_unknown_status.txt")
    assert rec.registry_id == "2012-001234-56"  # the EudraCT number
    assert (rec.overall_status, rec.status_as_written) == ("", "Restarted")
    assert "status 'Restarted' is not one the catalogue knows; kept as written" in rec.warnings
    assert (rec.phases, rec.phase_as_written) == (["PHASE2"], "Therapeutic exploratory (Phase II)")
    assert [s.identifier for s in rec.secondary_ids] == ["NCT01234567", "EX-MSC-T1D-01"]
    assert rec.countries == ["Sweden", "Denmark"]


def test_a_malformed_id_is_refused_with_the_reason():
    with pytest.raises(ParseError) as error:
        parsed("malformed_id.txt")
    assert str(error.value) == (
        "registry id 'NCT123' is not a valid ClinicalTrials.gov id (its ids are NCT + 8 digits)"
    )


@pytest.mark.parametrize("name", ["no_registry_id.txt", "one_fact.txt"])
def test_pages_without_an_id_or_enough_facts_are_not_trial_pages(name):
    page = page_text((LABELLED / name).read_bytes())
    assert not labelled_page.looks_like(page)
    with pytest.raises(ParseError, match="not a trial page in any known format"):
        parsed(name)


def test_a_sentence_starting_with_a_label_word_is_not_a_fact():
    page = (
        "Mesenchymal stem cells in diabetes: a review of NCT01234567 and others\n"
        "Status of the field is uncertain.\nPhase one studies dominate.\n"
    )
    assert not labelled_page.looks_like(page)


def test_medpath_list_with_values_after_a_colon_and_another_registrys_status():
    rec = parsed("medpath_chictr_inline.txt")
    assert rec.source_format == "medpath"
    assert rec.registry_id == "ChiCTR2100045678"
    assert (rec.overall_status, rec.status_as_written) == (
        "ACTIVE_NOT_RECRUITING",
        "Recruiting complete",
    )
    assert rec.enrollment == 60
    assert [s.name for s in rec.sponsors] == ["Example People's Hospital"]
    assert rec.eligibility.sex == "ALL"
    assert rec.study_type == "INTERVENTIONAL"
    assert rec.design.intervention_model == "PARALLEL"
    assert rec.warnings == []


def test_medpath_status_the_table_does_not_know_is_kept_and_warned():
    page = (LABELLED / "medpath_chictr_inline.txt").read_text()
    rec = detect.parse_document(page.replace("Recruiting complete", "Awaiting funding"), "x.txt")
    assert (rec.overall_status, rec.status_as_written) == ("", "Awaiting funding")
    assert "status 'Awaiting funding' is not one the catalogue knows; kept as written" in (
        rec.warnings
    )
