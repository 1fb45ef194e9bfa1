"""Format detection: each seed goes to its own parser, anything else is refused."""

import io
from pathlib import Path

import pytest

from ingest import detect
from ingest.text import page_text
from records import ParseError

FIXTURES = Path(__file__).parent / "fixtures"
GARBAGE = FIXTURES / "garbage"
VARIANTS = FIXTURES / "variants"
AGGREGATOR_SEED = FIXTURES / "004_90e0e7b6a174f708.txt"

SEED_FORMATS = {
    "000_e5be43bb7cdcd631.txt": "ctgov_labeled",
    "001_721fa60f9c1edb35.txt": "medpath",
    "002_66764e625140ade7.txt": "ctgov_unlabeled",
    "003_7a11bbe47b24feb4.txt": "medpath",
    "004_90e0e7b6a174f708.txt": "aggregator",
}
SEED_IDS = {
    "000_e5be43bb7cdcd631.txt": "NCT05308836",
    "001_721fa60f9c1edb35.txt": "NCT03343782",
    "002_66764e625140ade7.txt": "NCT04061746",
    "003_7a11bbe47b24feb4.txt": "NCT01219465",
    "004_90e0e7b6a174f708.txt": "NCT02893306",
}
FORMATS = sorted(set(SEED_FORMATS.values()))


@pytest.mark.parametrize(("name", "expected"), sorted(SEED_FORMATS.items()))
def test_each_seed_goes_to_its_parser(name, expected):
    page = page_text((FIXTURES / name).read_bytes())
    assert expected == detect.detect(page).FORMAT


@pytest.mark.parametrize(("name", "expected"), sorted(SEED_FORMATS.items()))
def test_exactly_one_parser_claims_each_seed(name, expected):
    # Detection must not depend on the order of detect.PARSERS (but for the fallback, last).
    page = page_text((FIXTURES / name).read_bytes())
    claimed = [
        parser.FORMAT
        for parser in detect.PARSERS
        if parser not in detect.FALLBACK_PARSERS and parser.looks_like(page)
    ]
    assert claimed == [expected]


@pytest.mark.parametrize("name", sorted(SEED_IDS))
def test_parse_document_reads_each_seed(name):
    record = detect.parse_document((FIXTURES / name).read_bytes(), filename=name)
    assert record.source_format == SEED_FORMATS[name]
    assert record.registry_id == SEED_IDS[name]
    assert not any("file name" in w for w in record.warnings)


def test_the_fallback_for_unknown_layouts_is_tried_last():
    assert [p.FORMAT for p in detect.FALLBACK_PARSERS] == ["labelled_page"]
    assert detect.PARSERS[-1] is detect.FALLBACK_PARSERS[0]
    assert detect.precedence("labelled_page") < min(
        detect.precedence(p.FORMAT) for p in detect.PARSERS[:-1]
    )


def test_every_parser_module_has_the_contract():
    assert sorted(parser.FORMAT for parser in detect.PARSERS) == sorted([*FORMATS, "labelled_page"])
    for parser in detect.PARSERS:
        assert callable(parser.looks_like) and callable(parser.parse)


# Variants are named after their format ("medpath_cut_001.txt", "aggregator_html.html").
VARIANT_FILES = sorted(
    path for path in VARIANTS.glob("*") if any(path.name.startswith(f + "_") for f in FORMATS)
)


@pytest.mark.parametrize("path", VARIANT_FILES, ids=lambda p: p.name)
def test_variants_go_to_their_parser(path):
    expected = max((f for f in FORMATS if path.name.startswith(f + "_")), key=len)
    assert expected == detect.detect(page_text(path.read_bytes())).FORMAT


@pytest.mark.parametrize("name", ["empty.txt", "whitespace.txt", "binary.png"])
def test_empty_and_binary_files_are_refused(name):
    with pytest.raises(ParseError):
        detect.parse_document((GARBAGE / name).read_bytes(), filename=name)


def test_nul_bytes_are_refused():
    with pytest.raises(ParseError, match="binary"):
        detect.parse_document(b"This trial is completed.\x00\x00\x01\x02", filename="x.txt")


@pytest.mark.parametrize("name", ["prose.txt", "unrelated.html", "news_article.html"])
def test_pages_that_are_not_trial_pages_are_refused(name):
    page = page_text((GARBAGE / name).read_bytes())
    claimed = [parser.FORMAT for parser in detect.PARSERS if parser.looks_like(page)]
    assert claimed == []
    with pytest.raises(ParseError):
        detect.detect(page)
    with pytest.raises(ParseError):
        detect.parse_document((GARBAGE / name).read_bytes(), filename="NCT01234567.txt")


def test_detect_refuses_empty_text():
    with pytest.raises(ParseError):
        detect.detect("")


def _seed_without_registry_id() -> bytes:
    text = AGGREGATOR_SEED.read_text(encoding="utf-8")
    stripped = "\n".join(
        line for line in text.splitlines() if not line.startswith("Trial identifier")
    )
    assert "NCT" not in stripped
    return stripped.encode("utf-8")


def test_file_name_id_is_used_only_when_the_text_has_none():
    record = detect.parse_document(_seed_without_registry_id(), filename="NCT02893306.txt")
    assert record.registry_id == "NCT02893306"
    assert "registry id taken from the file name (NCT02893306)" in record.warnings


def test_file_name_id_with_directories():
    record = detect.parse_document(
        _seed_without_registry_id(), filename="/data/sources/NCT02893306.html"
    )
    assert record.registry_id == "NCT02893306"


def test_text_id_wins_over_the_file_name():
    record = detect.parse_document(AGGREGATOR_SEED.read_bytes(), filename="NCT99999999.txt")
    assert record.registry_id == "NCT02893306"
    assert not any("file name" in w for w in record.warnings)


def test_no_id_in_text_or_file_name_is_refused():
    with pytest.raises(ParseError, match="no registry id"):
        detect.parse_document(_seed_without_registry_id(), filename="004_90e0e7b6a174f708.txt")


def test_file_name_id_after_an_underscore():
    record = detect.parse_document(_seed_without_registry_id(), filename="004_NCT02893306.txt")
    assert record.registry_id == "NCT02893306"


REAL_STUDY = FIXTURES / "NCT00763412.json"


def test_registry_parsers_have_the_contract_and_leave_pages_alone():
    assert sorted(detect.REGISTRY_FORMATS) == [
        "ctgov_csv",
        "ctgov_json",
        "ctgov_v1",
        "ctgov_xml",
        "ictrp_csv",
        "ictrp_xml",
    ]
    for parser in detect.REGISTRY_PARSERS:
        assert callable(parser.looks_like) and callable(parser.parse)
    for name in SEED_FORMATS:
        assert detect.registry_parser((FIXTURES / name).read_bytes()) is None


def test_split_document_cuts_bundles_into_studies():
    import json

    study = json.loads(REAL_STUDY.read_text())
    other = json.loads(REAL_STUDY.read_text())
    other["protocolSection"]["identificationModule"]["nctId"] = "NCT99999998"
    [single] = detect.split_document(REAL_STUDY.read_bytes())
    assert single.key == "" and single.data == detect.canonical_json(study)
    listed = detect.split_document(json.dumps([study, other, {"x": 1}]).encode())
    assert [(p.key, bool(p.error)) for p in listed] == [
        ("NCT00763412", False),
        ("NCT99999998", False),
        ("study-3", True),
    ]
    assert listed[0].data == single.data  # the same study hashes the same in any container
    page = detect.split_document(json.dumps({"studies": [study], "nextPageToken": "x"}).encode())
    assert [p.key for p in page] == ["NCT00763412"]
    for data in (b"{not json", b'{"a": 1}', b"Plain page text"):
        assert detect.split_document(data)[0].data == data


# --- the format table: precedence and streaming splits ------------------------------------

CSV_EXCERPT = FIXTURES / "ctgov_csv" / "classic_excerpt.csv"


def test_precedence_orders_the_sources_of_a_trial():
    """The live registry record, then archived records, then saved pages, then a CSV row,
    then a page in a layout no parser knows."""
    rank = {f.name: f.precedence for f in detect.FORMATS}
    assert rank["ctgov_json"] > rank["ctgov_v1"] == rank["ctgov_xml"] > rank["ctgov_labeled"]
    assert rank["ictrp_xml"] == rank["ictrp_csv"] == rank["ctgov_xml"]
    known_pages = [p for p in detect.PARSERS if p not in detect.FALLBACK_PARSERS]
    assert {rank[p.FORMAT] for p in known_pages} == {1}
    assert rank["ctgov_csv"] < min(rank[p.FORMAT] for p in known_pages)
    assert rank["labelled_page"] < rank["ctgov_csv"]
    # Every bundle format cuts a file into documents; pages are one document a file.
    assert [f.name for f in detect.FORMATS if f.split] == [
        "ctgov_json",
        "ctgov_v1",
        "ctgov_xml",
        "ctgov_csv",
        "ictrp_xml",
        "ictrp_csv",
    ]


def test_split_stream_reads_a_file_once_from_its_start(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(CSV_EXCERPT.read_bytes())
    with path.open("rb") as stream:
        keys = [part.key for part in detect.split_stream(stream)]
    assert keys[:2] == ["NCT02893306", "NCT02619877"] and len(keys) == 9
    assert [p.key for p in detect.split_document(CSV_EXCERPT.read_bytes())] == keys


def test_a_page_bigger_than_the_limit_fails_alone():
    [part] = list(detect.split_stream(io.BytesIO(b"x" * 100), limit=99))
    assert part.error == "larger than 99 bytes" and part.data == b""


def test_read_record_reads_a_row_or_study_named_after_the_hash(tmp_path):
    record = detect.read_record(f"{CSV_EXCERPT}#NCT02619877")
    assert (record.registry_id, record.source_format) == ("NCT02619877", "ctgov_csv")
    assert detect.read_record(str(REAL_STUDY)).registry_id == "NCT00763412"
    with pytest.raises(ParseError, match="holds no document 'NCT00000000'"):
        detect.read_record(f"{CSV_EXCERPT}#NCT00000000")
