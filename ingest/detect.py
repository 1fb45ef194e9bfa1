"""Which parser reads a document: the single place that knows the source formats.

Saved pages are cleaned to text and offered to the page parsers in turn. Registry
records (ClinicalTrials.gov API v2 JSON, classic `<clinical_study>` XML) are
recognised from their raw bytes first, before any page clean-up could alter them.
A registry file can hold many studies; `split_document` cuts it into one document
per study so that each is stored, hashed and merged on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree.ElementTree import tostring

from . import normalize, text
from .parsers import aggregator, ctgov_json, ctgov_labeled, ctgov_unlabeled, ctgov_xml, medpath
from .records import ParsedTrial, ParseError

# Order matters: the labelled page is tried before its label-less twin.
PARSERS = (ctgov_labeled, ctgov_unlabeled, medpath, aggregator)
# The registry's own records: they outrank saved pages when sources are merged.
REGISTRY_PARSERS = (ctgov_json, ctgov_xml)
REGISTRY_FORMATS = frozenset(parser.FORMAT for parser in REGISTRY_PARSERS)


def detect(page: str):
    """The parser module for cleaned page text; ParseError when none recognises it."""
    for parser in PARSERS:
        if parser.looks_like(page):
            return parser
    raise ParseError("not a trial page in any known format")


def registry_parser(data: bytes | str):
    """ctgov_json or ctgov_xml when the raw document is a registry record, else None."""
    head = data[:4096]
    if isinstance(head, bytes):
        head = head.decode("utf-8", errors="replace")
    head = head.lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        whole = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
        return ctgov_json if ctgov_json.looks_like(whole) else None
    return ctgov_xml if ctgov_xml.looks_like(head) else None


def parse_document(data: bytes | str, filename: str = "") -> ParsedTrial:
    """Parse one document. A page's file-name registry id is used only when its text has none."""
    registry = registry_parser(data)
    if registry is not None:
        return registry.parse(data)
    page = text.page_text(data)
    record = detect(page).parse(page)
    if not record.registry_id:
        from_name = normalize.registry_ids(PurePath(filename).name)
        if from_name:
            record.registry_id = from_name[0]
            record.warnings.append(f"registry id taken from the file name ({from_name[0]})")
        else:
            raise ParseError("no registry id in the text or the file name")
    return record


@dataclass
class Part:
    """One document of a file: `key` names it within the file ('' when it is the whole file)."""

    key: str = ""
    data: bytes = b""
    error: str = ""  # why this part cannot be read; it fails on its own, the others go on


def canonical_json(study: dict) -> bytes:
    """A study as stored: the same study hashes the same whether it came in a file, a list or the API."""
    return (json.dumps(study, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def split_document(data: bytes) -> list[Part]:
    """The documents in a file's bytes: one per study of a registry bundle, else the file itself.

    JSON: a study, a list of studies, or an API page `{"studies": [...], "nextPageToken": ...}`;
    every study is re-serialised canonically. XML: a `<clinical_study>` file is kept as it
    is; a document wrapping several records yields each record's own XML.
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return _split_json(data)
    if head[:1] == b"<" and b"<clinical_study" in head:
        return _split_xml(data)
    return [Part(data=data)]


def _split_json(data: bytes) -> list[Part]:
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
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        key = (ctgov_json.study_id(item) if isinstance(item, dict) else "") or f"study-{number}"
        if key in seen:
            key = f"{key}-{number}"
        seen.add(key)
        if ctgov_json.is_study(item):
            parts.append(Part(key, canonical_json(item)))
        else:
            parts.append(
                Part(key, error="not a ClinicalTrials.gov API v2 study (no protocolSection)")
            )
    return parts


def _split_xml(data: bytes) -> list[Part]:
    try:
        root = ctgov_xml.load(data)
    except ParseError:
        return [Part(data=data)]
    studies = ctgov_xml.studies(root)
    if root.tag == "clinical_study" or not studies:
        return [Part(data=data)]
    parts: list[Part] = []
    seen: set[str] = set()
    for number, study in enumerate(studies, start=1):
        key = ctgov_xml.study_id(study) or f"study-{number}"
        if key in seen:
            key = f"{key}-{number}"
        seen.add(key)
        xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(study, encoding="unicode")
        parts.append(Part(key, xml.encode("utf-8")))
    return parts
