"""Reading big files as streams: CSV rows with their lines, JSON list items decoded one by one.

Small chunks (monkeypatched) put every value across chunk boundaries, so what a 100 MB file
meets at a boundary once is met here on every value.
"""

from __future__ import annotations

import io
import json

import pytest

from ingest import streams


@pytest.fixture(params=[1, 7, 1 << 20], ids=["chunk-1", "chunk-7", "chunk-1M"])
def chunked(request, monkeypatch):
    monkeypatch.setattr(streams, "_CHUNK", request.param)


def items(data: bytes) -> list[streams.Item]:
    return list(streams.json_items(io.BytesIO(data)))


STUDY = {"protocolSection": {"a": [1, 2.5, "x\u00e9"], "n": 12345678901234567890}, "z": None}


@pytest.mark.usefixtures("chunked")
@pytest.mark.parametrize(
    "container",
    [
        lambda s: s,
        lambda s: {"studies": s, "nextPageToken": "abc"},
        lambda s: {"totalCount": 2, "studies": s},
        lambda s: {"FullStudiesResponse": {"APIVrs": "1", "NStudiesFound": 2, "FullStudies": s}},
    ],
    ids=["list", "api-v2-page", "count-first", "api-v1-answer"],
)
def test_the_items_of_every_container_decode_as_json_loads_does(container):
    listed = [STUDY, {"protocolSection": {"b": "\\u0000 [ ] { } , :"}, "n": 7}]
    data = json.dumps(container(listed), indent=1).encode()
    got = items(data)
    assert [(i.number, i.value, i.error) for i in got] == [(1, listed[0], ""), (2, listed[1], "")]
    assert [json.loads(i.text) for i in got] == listed  # each item's own text


@pytest.mark.usefixtures("chunked")
def test_an_object_that_lists_nothing_is_one_whole_value():
    [whole] = items(json.dumps(STUDY).encode())
    assert (whole.number, whole.value, whole.error) == (0, STUDY, "")


@pytest.mark.usefixtures("chunked")
def test_a_number_cut_at_a_chunk_boundary_reads_whole():
    got = items(b"[1234567, 89, 1e5]")
    assert [i.value for i in got] == [1234567, 89, 100000.0]


@pytest.mark.usefixtures("chunked")
@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'[{"a": 1}, {"a": 2', "after item 1"),
        (b'[{"a": 1} {"a": 2}]', "after item 1"),
        (b'{"studies": [{"a": 1}], oops}', "after item 1"),
        (b"[1] trailing", "after item 1"),
        (b"{not json", "at the start"),
    ],
)
def test_broken_json_ends_with_an_error_naming_where(data, where):
    got = items(data)
    assert got[-1].error.startswith(f"not valid JSON {where}")
    assert all(not i.error for i in got[:-1])


def test_an_empty_list_yields_nothing():
    assert items(b"[]") == [] and items(b'{"studies": []}') == []


def test_a_study_beyond_the_limit_ends_the_reading(monkeypatch):
    monkeypatch.setattr(streams, "MAX_DOCUMENT", 100)
    got = items(json.dumps([{"a": 1}, {"b": "x" * 200}, {"c": 3}]).encode())
    assert [i.value for i in got[:1]] == [{"a": 1}]
    assert "longer than 100 characters" in got[1].error and len(got) == 2


def test_encodings_from_the_head():
    assert streams.encoding_of(b'\xef\xbb\xbf[{"a": 1}]') == "utf-8-sig"
    assert streams.encoding_of('[{"a": "é"}]'.encode("cp1252")) == "cp1252"
    assert streams.encoding_of("[]".encode("utf-16")) == "utf-16"
    # A multi-byte character cut by the end of the head is still UTF-8.
    assert streams.encoding_of("é".encode()[:1]) == "utf-8-sig"
    data = '[{"t": "café"}]'.encode("utf-16")
    [item] = streams.json_items(io.BytesIO(data), streams.encoding_of(data))
    assert item.value == {"t": "café"}


def test_peek_gives_the_head_and_a_stream_from_the_start():
    head, stream = streams.peek(io.BytesIO(b"abcdef" * 10), size=4)
    assert head == b"abcd" and stream.read() == b"abcdef" * 10


# --- CSV -------------------------------------------------------------------------------


def rows(text: str) -> list[streams.Row]:
    return list(streams.csv_rows(io.BytesIO(text.encode())))


def test_rows_keep_their_text_and_first_line():
    got = rows('a,b\r\n1,"two\r\nlines"\r\n\r\n3,4')
    assert [(r.line, r.text, r.cells) for r in got] == [
        (1, "a,b\r\n", ["a", "b"]),
        (2, '1,"two\r\nlines"\r\n', ["1", "two\r\nlines"]),
        (5, "3,4", ["3", "4"]),  # the blank line 4 is skipped, the last line has no end
    ]


def test_a_line_beyond_the_limit_ends_the_reading(monkeypatch):
    monkeypatch.setattr(streams, "MAX_DOCUMENT", 50)
    got = rows("a,b\n" + "x" * 80 + "\n1,2\n")
    assert got[0].cells == ["a", "b"]
    assert got[1].line == 2 and "longer than 50 characters" in got[1].error and len(got) == 2
