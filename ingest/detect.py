"""Which parser reads a page: the single place that knows the source formats."""

from __future__ import annotations

from pathlib import PurePath

from . import normalize, text
from .parsers import aggregator, ctgov_labeled, ctgov_unlabeled, medpath
from .records import ParsedTrial, ParseError

# Order matters: the labelled page is tried before its label-less twin.
PARSERS = (ctgov_labeled, ctgov_unlabeled, medpath, aggregator)


def detect(page: str):
    """The parser module for cleaned page text; ParseError when none recognises it."""
    for parser in PARSERS:
        if parser.looks_like(page):
            return parser
    raise ParseError("not a trial page in any known format")


def parse_document(data: bytes | str, filename: str = "") -> ParsedTrial:
    """Parse one saved page. The file name's registry id is used only when the text has none."""
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
