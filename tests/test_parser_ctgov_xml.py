"""Classic ClinicalTrials.gov `<clinical_study>` XML: a constructed record of NCT00763412."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import detect
from ingest.parsers import ctgov_json, ctgov_xml
from records import ParseError

FIXTURES = Path(__file__).parent / "fixtures"
XML = FIXTURES / "ctgov" / "NCT00763412_classic.xml"
REAL_JSON = FIXTURES / "NCT00763412.json"


@pytest.fixture(scope="module")
def record():
    return ctgov_xml.parse(XML.read_bytes())


def test_detected_from_its_bytes():
    assert detect.registry_parser(XML.read_bytes()) is ctgov_xml
    assert detect.parse_document(XML.read_text(), "x.xml").source_format == "ctgov_xml"


def test_identity_and_status(record):
    assert record.registry_id == "NCT00763412"
    assert record.brief_title.startswith("Pilot and Feasibility Study for the Treatment")
    assert [(s.identifier, s.id_type) for s in record.secondary_ids] == [
        ("05-1109", "org_study_id"),
        ("P60DK020579", ""),
    ]
    assert record.overall_status == "COMPLETED"
    assert record.status_verified_date == "2017-05"  # "May 2017"
    assert (record.start_date, record.primary_completion_date, record.completion_date) == (
        "2006-11",
        "2013-01",
        "2013-01",
    )
    assert record.last_update == "2017-06-05"  # "June 5, 2017"
    assert record.results_posted is True
    assert record.warnings == []


def test_design_spelled_for_people_becomes_enums(record):
    assert record.study_type == "INTERVENTIONAL"
    assert record.phases == ["NA"]
    assert (record.enrollment, record.enrollment_type) == (31, "ACTUAL")
    assert (
        record.design.allocation,
        record.design.intervention_model,
        record.design.primary_purpose,
        record.design.masking,
    ) == ("RANDOMIZED", "PARALLEL", "OTHER", "QUADRUPLE")


def test_sponsors_people_and_places(record):
    assert [(s.name, s.role, s.agency_class) for s in record.sponsors][:2] == [
        ("Arbelaez, Ana Maria", "lead", "INDIV"),
        ("Washington University School of Medicine", "collaborator", "OTHER"),
    ]
    assert record.responsible_party == "Ana Maria Arbelaez, Assistant Professor in Pediatrics"
    assert [(i.name, i.role) for i in record.investigators] == [
        ("Neil H White, M.D.", "STUDY_CHAIR")
    ]
    [site] = record.locations
    assert (site.facility, site.city, site.state, site.country) == (
        "Washington University School of Medicine",
        "Saint Louis",
        "Missouri",
        "United States",
    )
    assert (site.latitude, site.longitude) == (None, None)  # the classic schema has no geo
    assert record.countries == ["United States"]


def test_wrapped_textblocks_are_unwrapped(record):
    assert record.brief_summary == ctgov_json.parse(REAL_JSON.read_bytes()).brief_summary
    assert len(record.detailed_description.split("\n\n")) == 3


def test_the_same_facts_as_the_api_record(record):
    api = ctgov_json.parse(REAL_JSON.read_bytes())
    for name in (
        "brief_title",
        "official_title",
        "conditions",
        "keywords",
        "mesh_terms",
        "intervention_mesh_terms",
        "arms",
        "interventions",
        "outcomes",
        "references",
    ):
        assert getattr(record, name) == getattr(api, name), name
    assert record.eligibility.criteria == api.eligibility.criteria
    assert record.arms[1].intervention_names == ["repaglinide"]
    assert [c.text for c in record.eligibility.criteria][2] == (
        "Must have a glucose pattern by Oral Glucose Tolerance Test with fasting blood glucose "
        "<126 mg/dl and 2 hour: 140 - 199 mg/dl or >200 mg/dl."
    )


OLD_STYLE = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!-- CONSTRUCTED FOR TESTS: an older-schema record (study_design sentence, lastchanged_date). -->
<clinical_study>
  <id_info><nct_id>NCT99000005</nct_id></id_info>
  <brief_title>Old record caf\xe9</brief_title>
  <overall_status>Unknown status</overall_status>
  <phase>Phase 1/Phase 2</phase>
  <study_type>Interventional</study_type>
  <study_design>Allocation: Non-Randomized, Endpoint Classification: Safety Study, Intervention Model: Single Group Assignment, Masking: Open Label, Primary Purpose: Treatment</study_design>
  <enrollment type="Anticipated">20</enrollment>
  <eligibility><gender>Both</gender><minimum_age>N/A</minimum_age><maximum_age>65 Years</maximum_age></eligibility>
  <sponsors><lead_sponsor><agency>Some Agency</agency><agency_class>U.S. Fed</agency_class></lead_sponsor></sponsors>
  <lastchanged_date>March 3, 2010</lastchanged_date>
</clinical_study>
"""


def test_older_schema_and_encoding():
    r = ctgov_xml.parse(OLD_STYLE)
    assert r.brief_title == "Old record café"
    assert r.overall_status == "UNKNOWN"
    assert r.phases == ["PHASE1", "PHASE2"]
    assert (r.enrollment, r.enrollment_type) == (20, "ESTIMATED")
    assert (
        r.design.allocation,
        r.design.intervention_model,
        r.design.masking,
        r.design.primary_purpose,
    ) == ("NON_RANDOMIZED", "SINGLE_GROUP", "NONE", "TREATMENT")
    assert (r.eligibility.sex, r.eligibility.minimum_age, r.eligibility.maximum_age) == (
        "ALL",
        "",
        "65 Years",
    )
    assert r.sponsors[0].agency_class == "FED"
    assert r.last_update == "2010-03-03"
    assert r.results_posted is False
    assert "record has no <brief_summary>" in r.warnings


def test_hostile_or_broken_xml_is_refused():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<clinical_study><id_info><nct_id>&lol2;</nct_id></id_info></clinical_study>"""
    for data in (bomb, b"<clinical_study><id_info>", b"<clinical_study/>"):
        with pytest.raises(ParseError):
            ctgov_xml.parse(data)


def test_a_file_of_several_records_splits_into_one_document_each():
    one = XML.read_bytes().split(b"?>", 1)[1]
    other = OLD_STYLE.decode("latin-1").split("?>", 1)[1].encode("utf-8")
    bundle = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<clinical_studies>'
        + one
        + other
        + b"</clinical_studies>"
    )
    parts = detect.split_document(bundle)
    assert [p.key for p in parts] == ["NCT00763412", "NCT99000005"]
    records = [detect.parse_document(p.data, p.key) for p in parts]
    assert [r.registry_id for r in records] == ["NCT00763412", "NCT99000005"]
    assert records[1].brief_title == "Old record café"


# What the JSON parser had to clean up, XML 1.0 refuses outright: no record carries it.
TITLE_XML = "<brief_title>Pilot and Feasibility Study for the Treatment of Pre-diabetes in Patients With Cystic Fibrosis</brief_title>"


@pytest.mark.parametrize(
    "title",
    ["a&#0;b", "a&#x0;b", "a&#xD800;b", "a&#56320;b", "a\x00b", "<![CDATA[a\x00b]]>"],
    ids=["nul-ref", "nul-hex-ref", "surrogate-ref", "low-surrogate-ref", "raw-nul", "cdata-nul"],
)
def test_nul_and_surrogate_characters_are_a_parse_error(title):
    text = XML.read_text().replace(TITLE_XML, f"<brief_title>{title}</brief_title>", 1)
    assert title in text
    for data in (text, text.encode("utf-8")):
        with pytest.raises(ParseError, match="not well-formed"):
            ctgov_xml.parse(data)


def test_a_raw_lone_surrogate_is_a_parse_error():
    text = XML.read_text().replace(TITLE_XML, "<brief_title>a\ud800b</brief_title>", 1)
    with pytest.raises(ParseError):
        ctgov_xml.parse(text)
    with pytest.raises(ParseError):
        ctgov_xml.parse(text.encode("utf-8", "surrogatepass"))
