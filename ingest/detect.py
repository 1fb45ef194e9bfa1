"""Which parser reads a document: the table of source formats, the one place that knows them.

A format is a row of `FORMATS`: its parser module, whether it is a registry record
(recognised from the raw bytes, before any page clean-up could alter them) or a saved
page (recognised from its cleaned text), how a file of it is cut into documents, and its
precedence when the sources of one trial disagree. Adding a format adds a parser module
and one row here.

A registry file can hold many studies; `split_document` cuts it into one document per
study so that each is stored, hashed and merged on its own.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from types import ModuleType
from typing import BinaryIO
from xml.etree.ElementTree import tostring

from catalogue import registries
from records import ParsedTrial, ParseError

from . import normalize, text
from .parsers import (
    aggregator,
    ctgov_json,
    ctgov_labeled,
    ctgov_unlabeled,
    ctgov_xml,
    ictrp_csv,
    ictrp_xml,
    labelled_page,
    medpath,
)


@dataclass
class Part:
    """One document of a file: `key` names it within the file ('' when it is the whole file)."""

    key: str = ""
    data: bytes = b""
    error: str = ""  # why this part cannot be read; it fails on its own, the others go on


@dataclass(frozen=True)
class Format:
    parser: ModuleType  # FORMAT, looks_like(text) -> bool, parse(data) -> ParsedTrial
    # Higher wins when sources disagree (records.merge): the registry's live record, then
    # archived registry records, then saved pages.
    precedence: int
    record: bool  # a registry record, recognised from raw bytes; else a page (cleaned text)
    split: Callable[[bytes], list[Part]] | None = None  # a file of many documents -> each
    # The same cut read from a binary stream, part by part: a file of this format is never
    # read into memory whole (ingest.documents), whatever its size.
    stream: Callable[[BinaryIO], Iterator[Part]] | None = None
    # Tried only after every other page format refused the page (it claims what they claim).
    fallback: bool = False

    @property
    def name(self) -> str:
        return self.parser.FORMAT


def canonical_json(study: dict) -> bytes:
    """A study as stored: the same study hashes the same whether it came in a file, a list or the API."""
    return (json.dumps(study, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _split_ctgov_json(data: bytes) -> list[Part]:
    """A study, a list of studies, or an API page `{"studies": [...], "nextPageToken": ...}`;
    every study is re-serialised canonically."""
    try:
        value = ctgov_json.load(data)
    except ParseError:
        return [Part(data=data)]  # the parser reports the reason for this document
    if ctgov_json.is_study(value):
        return [Part(data=canonical_json(value))]
    if isinstance(value, dict) and isinstance(value.get("studies"), list):
        items = value["studies"]
    elif isinstance(value, list):
        items = value
    else:
        return [Part(data=data)]
    parts: list[Part] = []
    for key, item in _keyed(items, lambda i: ctgov_json.study_id(i) if isinstance(i, dict) else ""):
        if ctgov_json.is_study(item):
            parts.append(Part(key, canonical_json(item)))
        else:
            error = "not a ClinicalTrials.gov API v2 study (no protocolSection)"
            parts.append(Part(key, error=error))
    return parts


def _split_ctgov_xml(data: bytes) -> list[Part]:
    """A `<clinical_study>` file is kept as it is; a document wrapping several records
    yields each record's own XML."""
    try:
        root = ctgov_xml.load(data)
    except ParseError:
        return [Part(data=data)]
    studies = ctgov_xml.studies(root)
    if root.tag == "clinical_study" or not studies:
        return [Part(data=data)]
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return [
        Part(key, (declaration + tostring(study, encoding="unicode")).encode("utf-8"))
        for key, study in _keyed(studies, ctgov_xml.study_id)
    ]


def _keyed(items: list, key_of: Callable) -> list[tuple[str, object]]:
    """Each item with a key unique in its file: its registry id, else its position."""
    out, seen = [], set()
    for number, item in enumerate(items, start=1):
        key = key_of(item) or f"study-{number}"
        if key in seen:
            key = f"{key}-{number}"
        seen.add(key)
        out.append((key, item))
    return out


def _cut_bytes(cut: Callable) -> Callable[[bytes], list[Part]]:
    """A parser's cut of a binary stream into (key, data, error) tuples, applied to bytes
    already in memory, as a list of Parts."""
    return lambda data: [Part(*piece) for piece in cut(io.BytesIO(data))]


def _cut_stream(cut: Callable) -> Callable[[BinaryIO], Iterator[Part]]:
    """A parser's cut of a binary stream, as Parts one at a time."""
    return lambda raw: (Part(*piece) for piece in cut(raw))


# Registry records first, then pages. Page order matters: the labelled ClinicalTrials.gov
# page is tried before its label-less twin, and a page no parser knows comes last.
FORMATS: tuple[Format, ...] = (
    Format(ctgov_json, precedence=3, record=True, split=_split_ctgov_json),
    Format(ctgov_xml, precedence=2, record=True, split=_split_ctgov_xml),
    # WHO ICTRP's copy of each registry's record: below ClinicalTrials.gov's live record.
    Format(
        ictrp_xml,
        precedence=2,
        record=True,
        split=_cut_bytes(ictrp_xml.stream),
        stream=_cut_stream(ictrp_xml.stream),
    ),
    Format(
        ictrp_csv,
        precedence=2,
        record=True,
        split=_cut_bytes(ictrp_csv.stream),
        stream=_cut_stream(ictrp_csv.stream),
    ),
    Format(ctgov_labeled, precedence=1, record=False),
    Format(ctgov_unlabeled, precedence=1, record=False),
    Format(medpath, precedence=1, record=False),
    Format(aggregator, precedence=1, record=False),
    # Any other page that states a registry id and labelled facts: last, and below every
    # other source of the trial; its records are always flagged for review.
    Format(labelled_page, precedence=0, record=False, fallback=True),
)
BY_NAME = {f.name: f for f in FORMATS}
PARSERS = tuple(f.parser for f in FORMATS if not f.record and not f.fallback) + tuple(
    f.parser for f in FORMATS if not f.record and f.fallback
)
FALLBACK_PARSERS = tuple(f.parser for f in FORMATS if f.fallback)
REGISTRY_PARSERS = tuple(f.parser for f in FORMATS if f.record)
REGISTRY_FORMATS = frozenset(f.name for f in FORMATS if f.record)
_HEAD = 4096  # bytes a record format is recognised from


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


def stream_format(head: bytes) -> Format | None:
    """The format of a file whose first bytes are `head`, when files of it are streamed."""
    fmt = record_format(head)
    return fmt if fmt is not None and fmt.stream is not None else None


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


def split_document(data: bytes) -> list[Part]:
    """The documents in a file's bytes: one per study of a registry bundle, else the file itself."""
    fmt = record_format(data)
    if fmt is None or fmt.split is None:
        return [Part(data=data)]
    return fmt.split(data)
