"""WHO ICTRP exports (XML and the weekly CSV) on the constructed fixtures in tests/fixtures/ictrp/.

Each expected value is what a person reads in the export's fields (see that folder's README).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ingest import detect
from ingest.parsers import ictrp, ictrp_csv, ictrp_xml
from records import ParseError

ICTRP = Path(__file__).parent / "fixtures" / "ictrp"
EXPORT = ICTRP / "ictrp_export.xml"
WEEKLY = ICTRP / "ictrp_weekly.csv"
MALFORMED = ICTRP / "ictrp_malformed.xml"


def records(path: Path) -> dict:
    """Each document of the file by its key: its record, or the reason it failed."""
    out = {}
    for part in detect.split_document(path.read_bytes()):
        out[part.key] = part.error or detect.parse_document(part.data, f"{path.name}#{part.key}")
    return out


@pytest.fixture(scope="module")
def export():
    return records(EXPORT)


# --- the export and its documents ----------------------------------------------------


def test_the_export_is_recognised_and_cut_into_one_document_per_trial():
    assert detect.record_format(EXPORT.read_bytes()).name == "ictrp_xml"
    parts = detect.split_document(EXPORT.read_bytes())
    assert [p.key for p in parts] == [
        "ChiCTR2000031319",
        "ChiCTR1900021234",
        "IRCT20190405043156N4",
        "CTRI/2019/05/019123",
        "ACTRN12619000123456",
        "EUCTR2012-001234-56-SE",
        "EUCTR2012-001234-56-DE",
        "JPRN-UMIN000012345",
        "JPRN-jRCT2051190001",
        "NCT03343782",
        "DRKS00012345",
    ]
    assert not any(p.error for p in parts)
    # Each document is an export of its one trial: it is recognised and parsed on its own.
    for part in parts:
        assert part.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Trials_downloaded')
        assert detect.record_format(part.data).name == "ictrp_xml"


def test_the_same_trial_cuts_to_the_same_bytes_in_any_export():
    alone = detect.split_document(EXPORT.read_bytes())[2]
    text = EXPORT.read_text()
    start = text.index(
        "  <Trial>\n    <Export_date>14/11/2024 09:12:44</Export_date>\n    <Internal_Number>1060877"
    )
    end = text.index("</Trial>", start) + len("</Trial>")
    single = f'<?xml version="1.0"?>\n<Trials_downloaded_from_ICTRP>{text[start:end]}\n</Trials_downloaded_from_ICTRP>'
    [again] = detect.split_document(single.encode())
    assert again.data == alone.data


# --- per registry --------------------------------------------------------------------


def test_chictr(export):
    rec = export["ChiCTR2000031319"]
    assert rec.source_format == "ictrp_xml" and rec.precedence == 2
    assert rec.registry_id == "ChiCTR2000031319"
    assert rec.brief_title == (
        "Umbilical cord mesenchymal stem cells for type 2 diabetes mellitus with insulin "
        "resistance: a randomized controlled trial"
    )
    assert rec.official_title.startswith("A randomized, controlled, open-label study")
    assert [(s.name, s.role) for s in rec.sponsors] == [
        ("Example Affiliated Hospital of Medical University", "lead"),  # trailing blanks gone
        ("Example Stem Cell Engineering Co., Ltd.", "collaborator"),
    ]
    assert rec.record_url == "http://www.chictr.org.cn/showprojen.aspx?proj=51234"
    assert (rec.registration_date, rec.start_date, rec.last_update) == (
        "2020-03-28",
        "2020-04-01",
        "2023-11-18",
    )
    assert (rec.overall_status, rec.status_as_written) == ("NOT_YET_RECRUITING", "Pending")
    assert (rec.phases, rec.phase_as_written) == (["NA"], "New Treatment Measure Clinical Study")
    assert rec.enrollment == 60  # Experimental group:30;Control group:30;
    assert rec.study_type == "INTERVENTIONAL"
    assert rec.design.intervention_model == "PARALLEL"
    assert rec.countries == ["China"]
    assert rec.conditions == ["type 2 diabetes mellitus"]
    assert [(a.label, a.intervention_names) for a in rec.arms] == [
        (
            "Experimental group",
            ["intravenous umbilical cord mesenchymal stem cells (1x10^6 cells/kg) plus insulin"],
        ),
        ("Control group", ["insulin alone"]),
    ]
    assert [(o.kind, o.measure) for o in rec.outcomes] == [
        ("primary", "HbA1c"),
        ("primary", "insulin dose"),
        ("secondary", "fasting C-peptide"),
        ("secondary", "HOMA-IR"),
        ("secondary", "adverse events"),
    ]
    # Criteria escaped as "&lt;br&gt;" between numbered rows.
    assert [(c.kind, c.text) for c in rec.eligibility.criteria] == [
        ("inclusion", "Aged 18 to 65 years;"),
        ("inclusion", "Type 2 diabetes for at least 3 years, on insulin;"),
        ("inclusion", "HbA1c 7.5% to 11%;"),
        ("inclusion", "Signed informed consent."),
        ("exclusion", "Type 1 diabetes or other specific types of diabetes;"),
        ("exclusion", "Malignancy;"),
        ("exclusion", "Pregnancy or lactation."),
    ]
    eligibility = rec.eligibility
    assert (eligibility.sex, eligibility.minimum_age, eligibility.maximum_age) == (
        "ALL",
        "18 Years",
        "65 Years",
    )
    assert [(s.identifier, s.id_type) for s in rec.secondary_ids] == [
        ("1052341", "ICTRP internal number")
    ]
    assert rec.results_posted is False
    assert rec.warnings == []


def test_chictr_phase_no_table_knows_is_kept_and_warned(export):
    rec = export["ChiCTR1900021234"]
    assert (rec.phases, rec.phase_as_written) == ([], "Pilot clinical trial")
    assert rec.warnings == [
        "Phase 'Pilot clinical trial' is not one the catalogue knows; kept as written"
    ]
    assert rec.conditions == ["Knee osteoarthritis"]
    assert rec.design.intervention_model == "SINGLE_GROUP"  # "Single arm"


def test_irct(export):
    rec = export["IRCT20190405043156N4"]
    assert (rec.overall_status, rec.status_as_written) == (
        "ACTIVE_NOT_RECRUITING",
        "Recruitment complete",
    )
    assert rec.phases == ["PHASE2", "PHASE3"] and rec.phase_as_written == ""
    assert rec.conditions == ["Type 1 diabetes mellitus", "E10"]  # split at the "&#x0D;"
    assert rec.design.allocation == "RANDOMIZED"
    assert rec.design.masking == "DOUBLE"
    assert rec.design.intervention_model == "PARALLEL"
    assert rec.design.primary_purpose == "TREATMENT"
    assert [(o.measure, o.time_frame, o.description) for o in rec.outcomes] == [
        (
            "C-peptide area under the curve",
            "Baseline and 12 months after infusion",
            "mixed meal tolerance test",
        ),
        ("HbA1c", "Every 3 months", ""),
    ]
    assert [c.text for c in rec.eligibility.criteria] == [
        "Type 1 diabetes diagnosed within the last 6 weeks",
        "Age 8 to 18 years",
        "Written consent of parents",
        "Diabetic ketoacidosis at enrolment",
        "Active infection",
    ]
    assert (rec.eligibility.minimum_age, rec.eligibility.maximum_age) == ("8 Years", "18 Years")
    # An ethics committee's code is kept as written: it is no registry's id.
    assert ("IR.EXAMPLE.REC.1398.123", "") in [(s.identifier, s.id_type) for s in rec.secondary_ids]


def test_ctri(export):
    rec = export["CTRI/2019/05/019123"]
    assert rec.registry_id == "CTRI/2019/05/019123"
    assert (rec.overall_status, rec.status_as_written) == (
        "ACTIVE_NOT_RECRUITING",
        "Not Recruiting",
    )
    assert rec.phases == ["PHASE1", "PHASE2"]  # "Phase 1/ Phase 2"
    assert rec.enrollment == 60  # "Sample Size from India=60"
    assert (rec.registration_date, rec.start_date) == ("2019-05-10", "2019-07-01")  # dd-mm-yyyy
    assert (rec.eligibility.minimum_age, rec.eligibility.maximum_age) == ("18 Years", "65 Years")
    assert [s.name for s in rec.sponsors] == ["Example Biologics Pvt Ltd", "NIL"]
    assert [(o.kind, o.measure, o.time_frame) for o in rec.outcomes] == [
        ("primary", "Proportion of ulcers closed completely", "12 weeks"),
        ("secondary", "Reduction in ulcer area", "4, 8 and 12 weeks"),
    ]
    # One line numbered inline, after its own heading.
    assert [(c.kind, c.text) for c in rec.eligibility.criteria] == [
        ("inclusion", "Type 2 diabetes with a Wagner grade 1-2 foot ulcer of at least 4 weeks"),
        ("inclusion", "Ankle-brachial index above 0.6"),
        ("inclusion", "Willing to give consent"),
        ("exclusion", "Osteomyelitis"),
        ("exclusion", "HbA1c above 12%"),
    ]
    assert rec.design.masking == "NONE" and rec.design.allocation == "RANDOMIZED"
    # "NIL" is not an id; the sponsor's protocol number is kept as written.
    assert [(s.identifier, s.id_type) for s in rec.secondary_ids] == [
        ("1021556", "ICTRP internal number"),
        ("SC-DFU-03", ""),
    ]


def test_anzctr(export):
    rec = export["ACTRN12619000123456"]
    assert rec.acronym == "ADMIRAL-DKD"
    assert rec.overall_status == "NOT_YET_RECRUITING" and rec.status_as_written == ""
    assert rec.phases == ["PHASE1"]
    assert rec.countries == ["Australia", "New Zealand"]
    assert rec.conditions == ["Diabetic kidney disease", "Type 2 diabetes"]
    assert [(s.name, s.role) for s in rec.sponsors] == [
        ("Example University", "lead"),
        ("Example Kidney Foundation", "collaborator"),
        ("Example Cell Therapies Pty Ltd", "collaborator"),
    ]
    assert [(o.measure, o.time_frame) for o in rec.outcomes] == [
        ("Serious adverse events", "12 months after infusion"),
        ("Change in estimated glomerular filtration rate", "6 and 12 months after infusion"),
    ]
    assert rec.eligibility.sex == "ALL"  # "Both males and females"
    design = rec.design
    assert (
        design.allocation,
        design.intervention_model,
        design.masking,
        design.primary_purpose,
    ) == (
        "NON_RANDOMIZED",
        "SINGLE_GROUP",
        "NONE",
        "TREATMENT",
    )


def test_eu_ctr_records_are_the_eudract_number(export):
    sweden, germany = export["EUCTR2012-001234-56-SE"], export["EUCTR2012-001234-56-DE"]
    assert sweden.registry_id == germany.registry_id == "2012-001234-56"
    assert ("EUCTR2012-001234-56-SE", "ICTRP TrialID") in [
        (s.identifier, s.id_type) for s in sweden.secondary_ids
    ]
    assert (sweden.overall_status, sweden.status_as_written) == ("UNKNOWN", "Authorised")
    assert (germany.overall_status, germany.status_as_written) == (
        "ACTIVE_NOT_RECRUITING",
        "Not Recruiting",
    )
    # "Human pharmacology (Phase I): yes<br>Therapeutic exploratory (Phase II): yes<br>...: no"
    assert sweden.phases == ["PHASE1", "PHASE2"]
    assert sweden.phase_as_written.startswith("Human pharmacology (Phase I): yes")
    assert sweden.study_type == "INTERVENTIONAL"
    assert sweden.eligibility.sex == "ALL"  # "Female: yes<br>Male: yes"
    assert (sweden.design.allocation, sweden.design.masking, sweden.design.intervention_model) == (
        "RANDOMIZED",
        "DOUBLE",
        "PARALLEL",
    )
    assert ("NCT01234567", "ClinicalTrials.gov") in [
        (s.identifier, s.id_type) for s in sweden.secondary_ids
    ]
    assert (sweden.registration_date, germany.registration_date) == ("2012-07-03", "2013-01-15")


def test_jprn_and_jrct(export):
    umin, jrct = export["JPRN-UMIN000012345"], export["JPRN-jRCT2051190001"]
    assert (umin.registry_id, jrct.registry_id) == ("UMIN000012345", "jRCT2051190001")
    assert (umin.overall_status, umin.status_as_written) == (
        "COMPLETED",
        "Complete: follow-up complete",
    )
    assert umin.phases == ["NA"]
    assert umin.start_date == "2013-12-01"  # 2013/12/01
    assert (umin.eligibility.minimum_age, umin.eligibility.maximum_age) == ("20 Years", "")
    assert umin.eligibility.sex == "ALL"  # "Male and Female"
    assert umin.results_posted is True
    assert jrct.phases == ["PHASE1", "PHASE2"]  # "1-2"
    assert (jrct.registration_date, jrct.start_date) == ("2019-06-12", "2019-08-01")  # day first
    assert (jrct.eligibility.minimum_age, jrct.eligibility.maximum_age) == (
        "20 Years",
        "",
    )  # No limit
    assert jrct.record_url == "https://jrct.niph.go.jp/en-latest-detail/jRCT2051190001"


def test_a_clinicaltrials_gov_record_as_ictrp_copies_it(export):
    rec = export["NCT03343782"]
    assert rec.registry_id == "NCT03343782"
    # ICTRP's "Not recruiting" summarises what ClinicalTrials.gov states exactly: no status
    # from it, the words kept.
    assert (rec.overall_status, rec.status_as_written) == ("", "Not recruiting")
    assert rec.warnings == []
    assert rec.phases == ["PHASE1"] and rec.enrollment == 30
    assert rec.start_date == "2017-10" and rec.registration_date == "2017-11-13"
    assert [(i.name, i.intervention_type) for i in rec.interventions] == [
        ("Expanded autologous bone marrow-derived mesenchymal stem cell", "COMBINATION_PRODUCT")
    ]
    assert [(c.kind, c.text) for c in rec.eligibility.criteria] == [
        ("inclusion", "Males and females"),
        ("inclusion", "Age from 18 years and above."),
        ("inclusion", "Type 2 diabetes duration 5 years or more."),
        ("exclusion", "Type 1 diabetes."),
    ]
    assert (rec.eligibility.sex, rec.eligibility.maximum_age) == ("ALL", "")
    assert rec.design.allocation == "NA"


def test_drks_negative_and_a_bare_eudract_number(export):
    rec = export["DRKS00012345"]
    assert (rec.overall_status, rec.phases) == ("COMPLETED", ["PHASE4"])  # "IV"
    assert [(s.identifier, s.id_type) for s in rec.secondary_ids] == [
        ("802245", "ICTRP internal number"),
        ("U1111-1196-2331", ""),
        ("2016-004567-12", "EU CTR"),
    ]
    assert [a.label for a in rec.arms] == ["Arm 1", "Arm 2"]


# --- the weekly CSV ------------------------------------------------------------------


def test_the_weekly_csv_gives_the_same_records_as_the_xml(export):
    weekly = records(WEEKLY)
    assert detect.record_format(WEEKLY.read_bytes()).name == "ictrp_csv"
    for key in ("ChiCTR2000031319", "CTRI/2019/05/019123", "JPRN-jRCT2051190001"):
        from_csv, from_xml = weekly[key].to_dict(), export[key].to_dict()
        assert from_csv.pop("source_format") == "ictrp_csv"
        from_xml.pop("source_format")
        from_csv.pop("warnings"), from_xml.pop("warnings")
        assert from_csv == from_xml


def test_weekly_csv_rows_with_extra_or_missing_cells():
    weekly = records(WEEKLY)
    assert list(weekly) == [
        "ChiCTR2000031319",
        "CTRI/2019/05/019123",
        "JPRN-jRCT2051190001",
        "KCT0005678",
        "TCTR20210315002",
    ]
    assert weekly["CTRI/2019/05/019123"].warnings == []  # three empty trailing cells
    assert weekly["JPRN-jRCT2051190001"].warnings == [
        "row has 2 cells more than the header; text in them is not read: "
        "'see the Japanese record for the full protocol'"
    ]
    assert weekly["KCT0005678"] == "row 4 (line 7): 4 cells, the header has 45"
    tctr = weekly["TCTR20210315002"]
    assert (tctr.registry_id, tctr.overall_status, tctr.registration_date) == (
        "TCTR20210315002",
        "RECRUITING",
        "2021-03-15",
    )
    assert tctr.conditions == ["Diabetic foot ulcer", "Type 2 diabetes"]  # "<br>" between
    assert [c.text for c in tctr.eligibility.criteria] == [
        "Diabetic foot ulcer of at least 4 weeks",  # "&#x0D;" between, as written in the CSV
        "Wagner grade 1 or 2",
        "Osteomyelitis",
    ]
    assert [(o.measure, o.time_frame) for o in tctr.outcomes] == [
        ("Complete wound closure", "12 weeks")
    ]


def test_a_semicolon_separated_weekly_csv():
    header = "TrialID;Public title;Recruitment Status;Phase\r\n"
    row = "KCT0005678;Bone marrow MSC for diabetic limb ischemia;Recruiting;Phase 1\r\n"
    [part] = detect.split_document((header + row).encode())
    rec = detect.parse_document(part.data, "w.csv#KCT0005678")
    assert (rec.registry_id, rec.overall_status, rec.phases) == (
        "KCT0005678",
        "RECRUITING",
        ["PHASE1"],
    )


# --- malformed records ---------------------------------------------------------------


def test_a_malformed_record_is_reported_with_its_position_and_the_rest_load():
    found = records(MALFORMED)
    assert list(found) == ["KCT0005678", "ChiCTR2100049999", "ISRCTN12345678", "NCT04567890"]
    assert found["ChiCTR2100049999"] == (
        "record 2 (line 21): not well-formed (invalid token) at line 24, column 43"
    )
    assert (
        found["NCT04567890"]
        == "record 4 (line 47): the record does not end before the end of the file"
    )
    kct, isrctn = found["KCT0005678"], found["ISRCTN12345678"]
    assert (kct.registry_id, kct.phases, kct.eligibility.minimum_age) == (
        "KCT0005678",
        ["PHASE1", "PHASE2"],
        "19 Years",  # "19Year"
    )
    assert kct.countries == ["Korea, Republic of"]
    assert (isrctn.overall_status, isrctn.status_as_written) == (
        "ACTIVE_NOT_RECRUITING",
        "No longer recruiting",
    )
    assert ("2021-004321-17", "EU CTR") in [(s.identifier, s.id_type) for s in isrctn.secondary_ids]


def test_a_record_that_does_not_end_before_the_next_one():
    text = EXPORT.read_text().replace(
        "</Trial>\n  <Trial>\n    <Export_date>14/11/2024 09:12:44</Export_date>\n    <Internal_Number>1060877",
        "\n  <Trial>\n    <Export_date>14/11/2024 09:12:44</Export_date>\n    <Internal_Number>1060877",
        1,
    )
    parts = detect.split_document(text.encode())
    assert [p.key for p in parts if p.error] == ["ChiCTR1900021234"]
    assert parts[1].error.endswith("the record does not end before the next <Trial>")
    assert len([p for p in parts if not p.error]) == 10


def test_an_over_long_record_is_skipped_and_the_next_one_loads(monkeypatch):
    monkeypatch.setattr(ictrp_xml, "MAX_RECORD", 2000)
    monkeypatch.setattr(ictrp_xml, "BLOCK", 512)
    long = (
        "<Trial><TrialID>NCT00000001</TrialID><Public_title>"
        + "x" * 5000
        + "</Public_title></Trial>"
    )
    good = "<Trial><TrialID>NCT00000002</TrialID><Public_title>A trial</Public_title></Trial>"
    data = (
        f"<Trials_downloaded_from_ICTRP>\n{long}\n{good}\n</Trials_downloaded_from_ICTRP>".encode()
    )
    pieces = list(ictrp_xml.stream(io.BytesIO(data)))
    assert [(key, bool(data), error) for key, data, error in pieces] == [
        ("NCT00000001", False, "record 1 (line 2): the record is longer than 2000 characters"),
        ("NCT00000002", True, ""),
    ]


def test_records_straddling_read_blocks(monkeypatch):
    monkeypatch.setattr(ictrp_xml, "BLOCK", 7)  # every tag cut somewhere
    pieces = list(ictrp_xml.stream(io.BytesIO(EXPORT.read_bytes())))
    assert [p[0] for p in pieces] == [p.key for p in detect.split_document(EXPORT.read_bytes())]
    assert [p[1] for p in pieces] == [p.data for p in detect.split_document(EXPORT.read_bytes())]


def test_an_export_in_utf16_with_a_byte_order_mark():
    data = EXPORT.read_text().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    parts = detect.split_document(data)
    assert len(parts) == 11 and not any(p.error for p in parts)
    assert parts[0].data == detect.split_document(EXPORT.read_bytes())[0].data


def test_an_export_without_records():
    data = (
        b'<?xml version="1.0"?>\n<Trials_downloaded_from_ICTRP>\n</Trials_downloaded_from_ICTRP>\n'
    )
    [part] = detect.split_document(data)
    assert part.error == "an ICTRP export without any <Trial> record"


def test_a_record_without_a_trial_id_is_refused():
    with pytest.raises(ParseError, match="ICTRP record without a TrialID"):
        ictrp.record({"public_title": "A trial"}, "ictrp_xml")


def test_entities_and_dtds_are_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        "<Trials_downloaded_from_ICTRP><Trial><TrialID>&a;</TrialID></Trial></Trials_downloaded_from_ICTRP>"
    )
    [part] = detect.split_document(bomb.encode())
    assert "record 1" in part.error


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("a&#x0D;\nb", "a\nb"),
        ("a<br>b<BR/>c", "a\nb\nc"),
        ("a&lt;br&gt;b", "a\nb"),
        ("a&amp;lt;br&amp;gt;b", "a\nb"),
        ("  trailing blanks   \n\n\n  next  ", "trailing blanks\n\nnext"),
        ("A &amp; B", "A & B"),
        ("<p>para</p>", "para"),
        ("HbA1c < 7% and > 5%", "HbA1c < 7% and > 5%"),
    ],
)
def test_markup_leftovers_are_cleaned(written, clean):
    assert ictrp.clean(written) == clean


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Public_title", "public_title"),
        ("Public title", "public_title"),
        ("Date registration3", "date_registration3"),
        ("Date_enrollement", "date_enrollement"),
        ("TrialID", "trialid"),
        ("web address", "web_address"),
        ("Last Refreshed on", "last_refreshed_on"),
    ],
)
def test_xml_and_csv_field_names_fold_alike(name, key):
    assert ictrp.field_key(name) == key
    assert key in ictrp.FIELDS


def test_the_csv_detector_needs_the_ictrp_columns():
    assert ictrp_csv.looks_like("TrialID,Public title,Phase\r\nNCT01234567,x,y")
    assert not ictrp_csv.looks_like("NCT Number,Study Title,Study URL\r\n")
    assert not ictrp_xml.looks_like("<clinical_study><id_info/></clinical_study>")


def test_a_weekly_csv_without_rows():
    [part] = detect.split_document(b"TrialID,Public title\r\n,\r\n")
    assert part.error == "an ICTRP CSV without any trial row"


def test_a_weekly_csv_header_the_csv_reader_refuses():
    # The catalogue raises the csv module's (process-wide) cell limit to a document's size;
    # lowered here so that a header cell over it is cheap to write.
    limit = csv.field_size_limit(1000)
    try:
        header = 'TrialID,Public title,"' + "x" * 2000 + '"\r\n'
        [part] = detect.split_document((header + "KCT0005678,A trial,y\r\n").encode())
    finally:
        csv.field_size_limit(limit)
    assert part.error.startswith("unreadable CSV header: field larger than field limit")


def test_document_keys_hold_printable_characters_only():
    # Control characters make the record fail (not XML); its key still names it storably.
    bad = "<TrialID>\x00ChiCTR2000031319\x1b</TrialID>"
    text = EXPORT.read_text().replace("<TrialID>ChiCTR2000031319</TrialID>", bad)
    first = detect.split_document(text.encode())[0]
    assert first.key == "ChiCTR2000031319" and first.error.startswith("record 1 (line 3): ")


def test_an_unchanged_trial_is_stored_alike_from_every_weeks_export():
    later = EXPORT.read_text().replace("14/11/2024 09:12:44", "21/11/2024 08:00:02")
    assert [p.data for p in detect.split_document(later.encode())] == [
        p.data for p in detect.split_document(EXPORT.read_bytes())
    ]
    assert b"Export_date" not in detect.split_document(EXPORT.read_bytes())[0].data
    weekly = detect.split_document(WEEKLY.read_bytes())
    assert all(b"14/11/2024" not in p.data for p in weekly)
