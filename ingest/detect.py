"""Which parser reads a document: the table of source formats, the one place that knows them.

A format is a row of `FORMATS`: its parser module, whether it is a registry record
(recognised from the raw bytes, before any page clean-up could alter them) or a saved
page (recognised from its cleaned text), how a file of it is cut into documents, and its
precedence when the sources of one trial disagree. Adding a format adds a parser module
and one row here.

A registry file can hold many studies; `split_stream` cuts it into one document per
study (or per CSV row) so that each is stored, hashed and merged on its own. It reads the
file as a stream: a 100 MB download costs the memory of one document at a time.
"""

from __future__ import annotations

import functools
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from types import ModuleType
from typing import BinaryIO
from xml.etree.ElementTree import tostring

from catalogue import registries
from records import ParsedTrial, ParseError

from . import normalize, streams, text
from .parsers import (
    aggregator,
    ctgov_csv,
    ctgov_json,
    ctgov_labeled,
    ctgov_unlabeled,
    ctgov_v1,
    ctgov_xml,
    ictrp_csv,
    ictrp_xml,
    labelled_page,
    medpath,
)

# One document read whole (a saved page's limit is the caller's, in ingest.documents).
MAX_DOCUMENT_BYTES = streams.MAX_DOCUMENT


@dataclass
class Part:
    """One document of a file: `key` names it within the file ('' when it is the whole file).

    A CSV row also has its `line` (where it starts; its errors say "line 123: ..."); a row
    without a registry id has no key, and is named by its line instead (`file.csv:123`).
    """

    key: str = ""
    data: bytes = b""
    error: str = ""  # why this part cannot be read; it fails on its own, the others go on
    line: int = 0


@dataclass(frozen=True)
class Format:
    parser: ModuleType  # FORMAT, looks_like(text) -> bool, parse(data) -> ParsedTrial
    # Higher wins when sources disagree (records.merge): the registry's live record, then
    # archived registry records, then saved pages.
    precedence: int
    record: bool  # a registry record, recognised from raw bytes; else a page (cleaned text)
    # A file of many documents -> each, read from a binary stream as it goes.
    split: Callable[[BinaryIO], Iterator[Part]] | None = None
    # Tried only after every other page format refused the page (it claims what they claim).
    fallback: bool = False

    @property
    def name(self) -> str:
        return self.parser.FORMAT


def canonical_json(study: dict) -> bytes:
    """A study as stored: the same study hashes the same whether it came in a file, a list or the API.

    On one line: json's C encoder writes it six times faster than an indented one (which
    only the pure-Python encoder can), and a 100 MB list holds thousands of studies."""
    return (json.dumps(study, ensure_ascii=False) + "\n").encode("utf-8")


def _split_json(stream: BinaryIO) -> Iterator[Part]:
    """A study, a list of studies, an API v2 page `{"studies": [...], "nextPageToken": ...}`
    or a v1 API answer `{"FullStudiesResponse": {"FullStudies": [{"Rank": 1, "Study": ...}]}}`,
    of either API version; every study is re-serialised canonically."""
    head, stream = streams.peek(stream)
    keys = _Keys()
    for item in streams.json_items(stream, streams.encoding_of(head)):
        if item.error:
            yield Part("" if item.number <= 1 else keys.key("", item.number), error=item.error)
            return
        study = ctgov_v1.unwrap(ctgov_json.storable(item.value, item.text))
        if ctgov_json.is_study(study):
            key = ctgov_json.study_id(study)
        elif ctgov_v1.is_study(study):
            key = ctgov_v1.study_id(study)
        elif item.number == 0:
            yield Part(error="JSON, but not a ClinicalTrials.gov study or a list of studies")
            return
        else:
            key = ctgov_json.study_id(study) if isinstance(study, dict) else ""
            error = "not a ClinicalTrials.gov study (no protocolSection or ProtocolSection)"
            yield Part(keys.key(key, item.number), error=error)
            continue
        if item.number == 0:
            yield Part(data=canonical_json(study))
        else:
            yield Part(keys.key(key, item.number), canonical_json(study))


def _split_ctgov_xml(stream: BinaryIO) -> Iterator[Part]:
    """A `<clinical_study>` file is kept as it is; a document wrapping several records
    yields each record's own XML. (Read whole: XML bundles are archives of modest size.)"""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        yield Part(error=f"larger than {MAX_DOCUMENT_BYTES} bytes")
        return
    try:
        root = ctgov_xml.load(data)
    except ParseError:
        yield Part(data=data)  # the parser reports the reason for this document
        return
    studies = ctgov_xml.studies(root)
    if root.tag == "clinical_study" or not studies:
        yield Part(data=data)
        return
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    keys = _Keys()
    for number, study in enumerate(studies, start=1):
        xml = (declaration + tostring(study, encoding="unicode")).encode("utf-8")
        yield Part(keys.key(ctgov_xml.study_id(study), number), xml)


def _split_ctgov_csv(stream: BinaryIO) -> Iterator[Part]:
    """One document per row: the header line and the row as the file writes them.

    A row that cannot be read fails here with its line ("line 123: unknown status ..."), so
    the person fixing the file knows where to look; the other rows go on. A row is keyed by
    its NCT id; a row without one is named by its line.
    """
    head, stream = streams.peek(stream)
    rows = streams.csv_rows(stream, streams.encoding_of(head))
    header = next(rows, None)
    problem = header.error if header else "empty file"
    problem = problem or ctgov_csv.header_problem(header.cells)
    if problem:
        yield Part(error=f"line 1: {problem}", line=1)
        return
    seen: set[str] = set()
    for row in rows:
        if row.error:
            reason = f"line {row.line}: {row.error}; the rest of the file is not read"
            yield Part(error=reason, line=row.line)
            return
        key = ctgov_csv.row_id(header.cells, row.cells)
        if (
            key and key in seen
        ):  # the same trial twice in one download: each row is its own document
            key = f"{key}-line{row.line}"
        seen.add(key)
        found = ctgov_csv.problems(header.cells, row.cells)
        if found:
            yield Part(key, error=f"line {row.line}: {'; '.join(found)}", line=row.line)
        else:
            yield Part(key, (header.text + row.text).encode("utf-8"), line=row.line)


class _Keys:
    """Keys unique in their file: the registry id, else the position ("study-3")."""

    def __init__(self):
        self.seen: set[str] = set()

    def key(self, key: str, number: int) -> str:
        key = key or f"study-{number}"
        if key in self.seen:
            key = f"{key}-{number}"
        self.seen.add(key)
        return key


def _cut_stream(cut: Callable) -> Callable[[BinaryIO], Iterator[Part]]:
    """A parser's cut of a binary stream, as Parts one at a time."""
    return lambda raw: (Part(*piece) for piece in cut(raw))


# Registry records first, then pages. Page order matters: the labelled ClinicalTrials.gov
# page is tried before its label-less twin, and a page no parser knows comes last. A CSV
# row states less than any page (no criteria, arms or summary), so it ranks lowest:
# everything else wins where it speaks.
FORMATS: tuple[Format, ...] = (
    Format(ctgov_json, precedence=3, record=True, split=_split_json),
    Format(ctgov_v1, precedence=2, record=True, split=_split_json),
    Format(ctgov_xml, precedence=2, record=True, split=_split_ctgov_xml),
    Format(ctgov_csv, precedence=0, record=True, split=_split_ctgov_csv),
    # WHO ICTRP's copy of each registry's record: below ClinicalTrials.gov's live record.
    Format(ictrp_xml, precedence=2, record=True, split=_cut_stream(ictrp_xml.stream)),
    Format(ictrp_csv, precedence=2, record=True, split=_cut_stream(ictrp_csv.stream)),
    Format(ctgov_labeled, precedence=1, record=False),
    Format(ctgov_unlabeled, precedence=1, record=False),
    Format(medpath, precedence=1, record=False),
    Format(aggregator, precedence=1, record=False),
    # Any other page that states a registry id and labelled facts: last, and below every
    # other source of the trial; its records are always flagged for review.
    Format(labelled_page, precedence=-1, record=False, fallback=True),
)
BY_NAME = {f.name: f for f in FORMATS}
PARSERS = tuple(f.parser for f in FORMATS if not f.record and not f.fallback) + tuple(
    f.parser for f in FORMATS if not f.record and f.fallback
)
FALLBACK_PARSERS = tuple(f.parser for f in FORMATS if f.fallback)
REGISTRY_PARSERS = tuple(f.parser for f in FORMATS if f.record)
REGISTRY_FORMATS = frozenset(f.name for f in FORMATS if f.record)
_HEAD = 4096  # bytes a record format is recognised from
# Bump when a parser changes what it extracts, so stored sources are read again.
PARSER_VERSION = "4"


def precedence(source_format: str) -> int:
    return BY_NAME[source_format].precedence if source_format in BY_NAME else 0


def detect(page: str):
    """The parser module for cleaned page text; ParseError when none recognises it."""
    for parser in PARSERS:
        if parser.looks_like(page):
            return parser
    raise ParseError("not a trial page in any known format")


def record_format(data: bytes | str) -> Format | None:
    """The registry record format of a raw document, or None when it is not one."""
    head = data[:_HEAD]
    if isinstance(head, bytes):
        utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")  # an export saved from Windows
        head = head.decode("utf-16" if utf16 else "utf-8", errors="replace")
    head = head.lstrip("\ufeff \t\r\n")
    whole = None
    for fmt in FORMATS:
        if not fmt.record:
            continue
        if head[:1] in ("{", "["):  # JSON keys come in any order: look at the whole text
            if whole is None:
                whole = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
            if fmt.parser.looks_like(whole):
                return fmt
        elif fmt.parser.looks_like(head):
            return fmt
    return None


def registry_parser(data: bytes | str):
    """The parser module when the raw document is a registry record, else None."""
    fmt = record_format(data)
    return fmt.parser if fmt else None


def parse_document(data: bytes | str, filename: str = "") -> ParsedTrial:
    """Parse one document. A page's file-name registry id is used only when its text has none."""
    fmt = record_format(data)
    if fmt is not None:
        record = fmt.parser.parse(data)
    elif _is_json(data):
        raise ParseError("JSON, but not a trial record in any known format")
    else:
        page = text.page_text(data)
        record = detect(page).parse(page)
        if not record.registry_id:
            from_name = normalize.registry_ids(PurePath(filename).name)
            if not from_name:
                raise ParseError("no registry id in the text or the file name")
            record.registry_id = from_name[0]
            record.warnings.append(f"registry id taken from the file name ({from_name[0]})")
    _check_own_id(record)
    record.precedence = precedence(record.source_format)
    return record


def _check_own_id(record: ParsedTrial) -> None:
    """The document's own id: canonical when a known registry's, refused when it has a known
    registry's prefix but not its shape ("NCTXXXX"), kept with a warning when the registry
    is not one the catalogue knows."""
    problem = normalize.id_problem(record.registry_id)
    if problem:
        raise ParseError(problem)
    canonical = registries.canonical(record.registry_id)
    if canonical:
        record.registry_id = canonical
    else:
        record.warnings.append(
            f"registry id {record.registry_id[:80]!r} is not of a registry the catalogue knows"
        )


def _is_json(data: bytes | str) -> bool:
    """Whether the document is JSON (a page may start with "[" too: "[Draft] Title")."""
    try:
        return isinstance(json.loads(data), dict | list)
    except (ValueError, RecursionError):
        return False


def split_stream(stream: BinaryIO, limit: int = MAX_DOCUMENT_BYTES) -> Iterator[Part]:
    """The documents of a file read from `stream`: one per study of a registry bundle or per
    row of a CSV download, else the file itself (at most `limit` bytes of it)."""
    head, stream = streams.peek(stream)
    fmt = record_format(head)
    if fmt is not None and fmt.split is not None:
        yield from fmt.split(stream)
        return
    data = stream.read(limit + 1)
    if len(data) > limit:
        yield Part(error=f"larger than {limit} bytes")
    else:
        yield Part(data=data)


def read_record(source: str) -> ParsedTrial:
    """The record a path names: a whole file, or one document of it after "#" (its key:
    `downloads.csv#NCT01234567` is that row, `studies.json#NCT01234567` that study)."""
    file, _, member = source.partition("#")
    name = PurePath(file).name
    if not member:
        with open(file, "rb") as stream:
            return parse_document(stream.read(), name)
    part = _members(file, os.stat(file).st_mtime_ns).get(member)
    if part is None:
        raise ParseError(f"{name} holds no document {member!r}")
    if part.error:
        raise ParseError(part.error)
    return parse_document(part.data, f"{name}#{member}")


@functools.lru_cache(maxsize=4)
def _members(file: str, mtime: int) -> dict[str, Part]:
    """A file's documents by key, kept while it is unchanged: a labelled set names hundreds
    of rows of one download."""
    with open(file, "rb") as stream:
        return {part.key: part for part in split_stream(stream) if part.key}


def split_document(data: bytes) -> list[Part]:
    """`split_stream` of bytes already read (tests, API pages)."""
    return list(split_stream(io.BytesIO(data), limit=len(data)))
