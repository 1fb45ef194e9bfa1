"""ClinicalTrials.gov CSV downloads: real classic rows, the current header, and rows that fail.

The classic rows are copied byte for byte from the bundled real download (see
tests/fixtures/ctgov_csv/README.md); the expected values are what a person reads in them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ingest import detect
from ingest.parsers import ctgov_csv
from records import Location, ParseError

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov_csv"
CLASSIC = FIXTURES / "classic_excerpt.csv"
CURRENT = FIXTURES / "current_header.csv"
BUNDLED = Path(__file__).parent.parent / "data" / "sources" / "ctgov_csv"
REAL = BUNDLED / "mesenchymal_stem_OR_mesenchymal_stromal.csv"


def rows_of(path: Path) -> dict:
    """Each row's record, by key, through the same cutting as ingest."""
    parts = detect.split_document(path.read_bytes())
    assert not [p.error for p in parts if p.error]
    return {p.key: detect.parse_document(p.data, f"{path.name}#{p.key}") for p in parts}


@pytest.fixture(scope="module")
def classic():
    return rows_of(CLASSIC)


@pytest.fixture(scope="module")
def current():
    return rows_of(CURRENT)


def test_both_headers_are_recognised_and_nothing_else_claims_them():
    for path in (CLASSIC, CURRENT):
        head = path.read_bytes()[:4096]
        assert detect.record_format(head).name == "ctgov_csv"
        page_text = path.read_text(encoding="utf-8")
        assert [p.FORMAT for p in detect.PARSERS if p.looks_like(page_text)] == []
    assert not ctgov_csv.looks_like("NCT Number is NCT01234567\nStatus: Recruiting")
    assert not ctgov_csv.looks_like('"Rank","Title"\n1,"x"')


def test_one_document_per_row_holds_the_header_and_that_row(classic):
    parts = detect.split_document(CLASSIC.read_bytes())
    assert [p.key for p in parts][:3] == ["NCT02893306", "NCT02619877", "NCT01526850"]
    assert [p.line for p in parts] == list(range(2, 11))
    lines = CLASSIC.read_bytes().split(b"\r\n")
    assert parts[1].data == lines[0] + b"\r\n" + lines[2] + b"\r\n"  # as written, CRLF kept
    # The same row hashes the same from any file that holds it.
    [alone] = detect.split_document(parts[1].data)
    assert alone.data == parts[1].data and alone.key == "NCT02619877"


def test_an_in_scope_diabetes_trial(classic):
    r = classic["NCT02893306"]
    assert r.source_format == "ctgov_csv" and r.registry_id == "NCT02893306"
    assert r.brief_title == "MSC Administration for the Management of Type 1 Diabetic Patients"
    assert r.official_title == ""  # the download has no official title
    assert r.acronym == "DMT1-MSC"
    assert r.overall_status == "UNKNOWN"  # "Unknown status"
    assert r.results_posted is False  # "No Results Available"
    assert r.conditions == ["Type 1 Diabetes Mellitus"]
    assert [(i.name, i.intervention_type) for i in r.interventions] == [("MSCs", "BIOLOGICAL")]
    assert [(o.kind, o.measure) for o in r.outcomes] == [
        ("", "Changes in insulin pancreatic reserve"),  # the classic column has no kinds
        ("", "Changes in insulin requirement"),
    ]
    assert [(s.name, s.role, s.agency_class) for s in r.sponsors] == [
        ("Universidad del Desarrollo", "lead", "OTHER"),
        ("Clinica Alemana de Santiago", "collaborator", ""),
    ]
    e = r.eligibility
    assert (e.sex, e.minimum_age, e.maximum_age) == ("ALL", "18 Years", "")  # "and older"
    assert e.criteria == [] and e.healthy_volunteers is None
    assert (r.phases, r.enrollment, r.enrollment_type) == (["PHASE2"], 10, "")
    assert r.study_type == "INTERVENTIONAL"
    d = r.design
    assert (d.allocation, d.intervention_model, d.masking, d.primary_purpose) == (
        "NA",
        "SINGLE_GROUP",
        "NONE",
        "TREATMENT",
    )
    assert [(s.identifier, s.id_type) for s in r.secondary_ids] == [("DMT1-MSC", "")]
    assert (r.start_date, r.primary_completion_date, r.completion_date) == (
        "2012-03",
        "2017-03",
        "2017-03",
    )
    assert (r.first_posted, r.last_update) == ("2016-09-08", "2016-09-08")
    assert r.locations == [
        Location("Clinica Alemana de Santiago", "Santiago", "Region Metropolitana", "Chile")
    ]
    assert r.countries == ["Chile"]
    assert r.warnings == []


def test_korean_sites_keep_the_country_whole(classic):
    r = classic["NCT02619877"]
    assert [(loc.facility, loc.city, loc.state) for loc in r.locations] == [
        ("Korea University Guro Hospital", "Guro-gu", "Seoul"),
        ("Eulji General Hospital", "Nowon-Gu", "Seoul"),
        ("Severance Hospital", "Seodaemun-Gu", "Seoul"),
        ("Asan medical center", "Songpa-Gu", "Seoul"),
    ]
    assert r.countries == ["Korea, Republic of"]
    assert r.sponsors[0].name == "Anterogen Co., Ltd." and r.sponsors[0].agency_class == "INDUSTRY"
    assert r.design.masking == "SINGLE"  # "Single (Participant)"
    assert [i.intervention_type for i in r.interventions] == ["BIOLOGICAL", "OTHER"]


def test_a_type_written_twice_is_not_part_of_the_name(classic):
    r = classic["NCT01526850"]  # "Biological: Biological: mesenchymal stem cell"
    assert [(i.name, i.intervention_type) for i in r.interventions] == [
        ("mesenchymal stem cell", "BIOLOGICAL"),
        ("Cyclosporine and Glucocorticoid", "DRUG"),
    ]
    assert r.phases == ["PHASE2", "PHASE3"]
    assert [s.role for s in r.sponsors] == ["lead"] + ["collaborator"] * 4
    assert (r.eligibility.minimum_age, r.eligibility.maximum_age) == ("2 Years", "60 Years")


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("NCT03558334", "28 Days", ""),  # "28 Days and older   (Child, Adult, Older Adult)"
        ("NCT00504803", "", "75 Years"),  # "up to 75 Years   (Child, Adult, Older Adult)"
        ("NCT03259217", "", ""),  # "Child, Adult, Older Adult": no limits are stated
        ("NCT02116634", "18 Years", "60 Years"),
    ],
)
def test_ages_as_the_row_writes_them(classic, key, low, high):
    e = classic[key].eligibility
    assert (e.minimum_age, e.maximum_age) == (low, high)
    assert classic[key].warnings == []


def test_results_other_ids_and_two_funder_classes(classic):
    r = classic["NCT01586312"]
    assert r.results_posted is True  # "Has Results", posted November 6, 2014
    assert [s.identifier for s in r.secondary_ids] == [
        "TerCel004",
        "2011-005321-51",
        "EC11-309",
        "MSV_allo",
    ]
    # "Industry|Other": the lead's class comes first; the collaborators' stay unknown.
    assert [(s.name, s.agency_class) for s in r.sponsors] == [
        ("Red de Terapia Celular", "INDUSTRY"),
        ("University of Valladolid", ""),
        ("Sanidad de Castilla y León", ""),
        ("Centro Medico Teknon", ""),
    ]
    assert r.phases == ["PHASE1", "PHASE2"]
    assert r.design.masking == "DOUBLE"
    assert [(loc.facility, loc.city, loc.state, loc.country) for loc in r.locations] == [
        ("Centro Medico Teknon", "Barcelona", "", "Spain"),
        ("Hospital Clinico Universitario", "Valladolid", "", "Spain"),
    ]


def test_an_expanded_access_row_with_empty_cells(classic):
    r = classic["NCT04855955"]
    assert r.overall_status == "NO_LONGER_AVAILABLE"
    assert r.study_type == "EXPANDED_ACCESS"  # "Expanded Access:Individual Patients"
    assert (r.enrollment, r.phases, r.start_date, r.outcomes) == (None, [], "", [])
    assert r.eligibility.sex == "" and r.locations == []
    assert r.warnings == []


def test_a_withdrawn_trial_with_an_iranian_site(classic):
    r = classic["NCT02116634"]
    assert r.overall_status == "WITHDRAWN" and r.enrollment == 0
    assert r.locations == [
        Location("Neurosciences Research Center", "Isfahan", "", "Iran, Islamic Republic of")
    ]


def test_the_current_header_spelled_as_api_v2(current):
    r = current["NCT02893306"]
    assert r.overall_status == "UNKNOWN" and r.phases == ["PHASE2"]
    assert r.brief_summary.startswith("The purpose of this study is to evaluate whether")
    assert [(o.kind, o.measure) for o in r.outcomes] == [
        ("primary", "Changes in insulin pancreatic reserve"),
        ("secondary", "Changes in insulin requirement"),
        ("other", "Number of patients with grade 3 through grade 5 adverse events (CTCAE v3.0)"),
    ]
    assert [(s.name, s.role, s.agency_class) for s in r.sponsors] == [
        ("Universidad del Desarrollo", "lead", "OTHER"),
        ("Clinica Alemana de Santiago", "collaborator", ""),
    ]
    # "ADULT, OLDER_ADULT": age groups only, no limits.
    assert (r.eligibility.sex, r.eligibility.minimum_age, r.eligibility.maximum_age) == (
        "ALL",
        "",
        "",
    )
    assert (r.start_date, r.first_posted, r.last_update) == ("2012-03", "2016-09-08", "2016-09-08")
    assert r.results_posted is False


def test_the_current_header_with_postal_codes_and_results(current):
    dfu = current["NCT02619877"]
    assert dfu.locations[0] == Location(
        "Korea University Guro Hospital", "Guro-gu", "Seoul", "Korea, Republic of"
    )
    assert (dfu.eligibility.minimum_age, dfu.eligibility.maximum_age) == ("18 Years", "80 Years")
    assert [o.kind for o in dfu.outcomes] == ["primary", "secondary", "secondary", "secondary"]
    knee = current["NCT01586312"]
    assert knee.results_posted is True and knee.design.masking == "DOUBLE"
    assert knee.phases == ["PHASE1", "PHASE2"]
    assert [loc.city for loc in knee.locations] == ["Barcelona", "Valladolid"]
    assert [s.role for s in knee.sponsors] == [
        "lead",
        "collaborator",
        "collaborator",
        "collaborator",
    ]


def test_both_headers_give_the_same_facts_for_the_same_trial(classic, current):
    for key in current:
        a, b = classic[key], current[key]
        for name in ("registry_id", "brief_title", "overall_status", "phases", "enrollment"):
            assert getattr(a, name) == getattr(b, name), name
        for name in ("start_date", "completion_date", "first_posted", "last_update"):
            assert getattr(a, name) == getattr(b, name), name
        assert a.design == b.design and a.conditions == b.conditions
        assert [s.name for s in a.sponsors] == [s.name for s in b.sponsors]
        assert a.countries == b.countries and a.results_posted == b.results_posted


def test_every_row_of_the_real_download_reads():
    parts = detect.split_document(REAL.read_bytes())
    assert len(parts) == 909 and len({p.key for p in parts}) == 909
    records = [detect.parse_document(p.data, p.key) for p in parts]
    assert not [p.error for p in parts if p.error]
    assert not [(r.registry_id, r.warnings) for r in records if r.warnings]
    assert sum(r.overall_status == "UNKNOWN" for r in records) == 262  # "Unknown status"
    assert sum(r.results_posted is True for r in records) == 22
    assert sum("Korea, Republic of" in r.countries for r in records) == 58
    assert sum(bool(r.locations) for r in records) == 821


# --- rows that fail, with their line --------------------------------------------------


def damaged(replace: dict[bytes, bytes]) -> bytes:
    data = CLASSIC.read_bytes()
    for old, new in replace.items():
        assert old in data
        data = data.replace(old, new, 1)
    return data


def test_bad_rows_fail_with_their_line_and_the_others_load():
    data = damaged(
        {
            b'"Phase 2","10"': b'"Phase 2","ten"',  # line 2: enrollment
            b'"Completed","No Results Available","Diabetic Foot Ulcer"': (
                b'"Finished","No Results Available","Diabetic Foot Ulcer"'  # line 3: status
            ),
            b'"February 2012"': b'"Febuary 2012"',  # line 4: start date
            b'4,"NCT03558334",': b'4,"NCT0355833",',  # line 5: id
            b'35,"NCT00504803","Mesenchymal Stem Cell Infusion': b'35,"NCT00504803"',  # a cell less
        }
    )
    parts = detect.split_document(data)
    failed = {(p.key, p.line): p.error for p in parts if p.error}
    assert failed == {
        ("NCT02893306", 2): "line 2: unreadable enrollment 'ten'",
        ("NCT02619877", 3): "line 3: unknown status 'Finished'",
        ("NCT01526850", 4): "line 4: unreadable Start Date 'Febuary 2012'",
        ("", 5): "line 5: no valid NCT Number ('NCT0355833')",
        ("", 6): "line 6: 26 cells where the header has 27",
    }
    assert len([p for p in parts if not p.error]) == 4


def test_a_phase_the_download_never_spells_fails_the_row():
    data = damaged({b'"Phase 2","59"': b'"Phase 2|Phase 5","59"'})
    [bad] = [p for p in detect.split_document(data) if p.error]
    assert bad.error == "line 3: unknown phase 'Phase 5'"


def test_a_cell_spanning_lines_keeps_the_line_numbers_right():
    header = CLASSIC.read_bytes().split(b"\r\n")[0]
    rows = CLASSIC.read_bytes().split(b"\r\n")[1:3]
    spanning = rows[0].replace(b"Changes in insulin requirement", b"Changes in\r\ninsulin\r\nneed")
    data = b"\r\n".join([header, spanning, rows[1]]) + b"\r\n"
    parts = detect.split_document(data)
    assert [(p.key, p.line) for p in parts] == [("NCT02893306", 2), ("NCT02619877", 5)]
    record = detect.parse_document(parts[0].data, "x")
    assert record.outcomes[1].measure == "Changes in insulin need"


def test_a_byte_order_mark_and_lf_line_ends_are_read_the_same():
    data = b"\xef\xbb\xbf" + CLASSIC.read_bytes().replace(b"\r\n", b"\n")
    parts = detect.split_document(data)
    assert len(parts) == 9 and not any(p.error for p in parts)
    assert detect.parse_document(parts[0].data, "x").brief_title.startswith("MSC Administration")


def test_the_same_trial_twice_in_one_file_is_two_documents():
    lines = CLASSIC.read_bytes().split(b"\r\n")
    data = b"\r\n".join([lines[0], lines[1], lines[1]]) + b"\r\n"
    assert [p.key for p in detect.split_document(data)] == ["NCT02893306", "NCT02893306-line3"]


def test_a_header_without_an_id_column_or_with_a_column_twice_fails_the_file():
    text = (
        '"Rank","NCT Number","Title","Status","Status"\r\n1,"NCT02893306","t","Completed","x"\r\n'
    )
    assert detect.split_document(text.encode()) == [
        detect.Part(error="line 1: a column name repeats", line=1)
    ]


def test_parse_refuses_what_is_not_one_row():
    lines = CLASSIC.read_bytes().split(b"\r\n")
    with pytest.raises(ParseError, match="found 2 rows"):
        ctgov_csv.parse(b"\r\n".join(lines[:3]))
    with pytest.raises(ParseError, match="found 0 rows"):
        ctgov_csv.parse(lines[0])
    with pytest.raises(ParseError, match="NUL"):
        ctgov_csv.parse(lines[0].decode() + "\n" + lines[1].decode().replace("MSC", "M\x00SC"))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Uppsala University Hospital, Uppsala, Sweden", ("Uppsala University Hospital", "Uppsala", "", "Sweden")),
        ("Armed Police General Hospital, P.R. China, Beijing, China", ("Armed Police General Hospital, P.R. China", "Beijing", "", "China")),
        ("Tianjin Weikai Bioeng., Ltd., Tianjin, Tianjin, China", ("Tianjin Weikai Bioeng., Ltd.", "Tianjin", "Tianjin", "China")),
        ("Universitätsklinikum Schleswig-Holstein, Campus Kiel, Kiel, Germany", ("Universitätsklinikum Schleswig-Holstein, Campus Kiel", "Kiel", "", "Germany")),
        ("GI Surgery, Medical University of South Carolina, Charleston, South Carolina, United States", ("GI Surgery, Medical University of South Carolina", "Charleston", "South Carolina", "United States")),
        ("Walnut Creek, California, United States", ("", "Walnut Creek", "California", "United States")),
        ("Digestive Disease Research Center, Shariati Hospital, Tehran, Iran, Islamic Republic of", ("Digestive Disease Research Center, Shariati Hospital", "Tehran", "", "Iran, Islamic Republic of")),
        ("Mayo Clinic, Rochester, Minnesota, 55905, United States", ("Mayo Clinic", "Rochester", "Minnesota", "United States")),
        ("Kinshasa, Congo, The Democratic Republic of the", ("", "Kinshasa", "", "Congo, The Democratic Republic of the")),
    ],
)  # fmt: skip
def test_locations_are_read_from_the_country_backwards(written, expected):
    loc = ctgov_csv.location(written)
    assert (loc.facility, loc.city, loc.state, loc.country) == expected


def test_rows_are_read_by_column_name_whatever_columns_were_picked():
    text = '"NCT Number","Conditions","Status","Phases"\n"NCT02893306","Type 1 Diabetes","Recruiting","Phase 1|Phase 2"\n'
    [part] = detect.split_document(text.encode())
    r = detect.parse_document(part.data, "picked.csv")
    assert (r.overall_status, r.phases, r.conditions) == (
        "RECRUITING",
        ["PHASE1", "PHASE2"],
        ["Type 1 Diabetes"],
    )


def test_the_stored_row_is_a_csv_a_spreadsheet_reads():
    [part] = detect.split_document(CLASSIC.read_bytes())[:1]
    header, row = list(csv.reader(io.StringIO(part.data.decode())))
    assert header[1] == "NCT Number" and row[1] == "NCT02893306" and len(row) == 27
