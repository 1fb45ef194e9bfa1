"""WHO ICTRP's weekly CSV: the export's fields as columns (`TrialID`, `Public title`,
`Date registration3`, ...), one trial per row, read by `ictrp.record`.

A file is cut into one document per row (`file.csv#<TrialID>`), each stored as the header
line and that row, so that it hashes, merges and parses again on its own; the cut
streams (one row in memory). Rows may carry more cells than the header: empty extra
cells are the files' trailing separators and are dropped, text in them is reported as a
warning. A row with fewer cells than the header, or that the CSV reader cannot read, is
a failed document naming its position ("row 12 (line 14)"); the other rows load.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from records import ParsedTrial, ParseError

from ..text import decode
from . import ictrp

FORMAT = "ictrp_csv"
_DELIMITERS = (",", ";", "\t")


def looks_like(text: str) -> bool:
    """A CSV whose header names ICTRP's TrialID and public title columns."""
    header = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    return _delimiter(header) is not None


def _delimiter(header: str) -> str | None:
    for delimiter in _DELIMITERS:
        names = {ictrp.field_key(cell.strip('" ')) for cell in header.split(delimiter)}
        if {"trialid", "public_title"} <= names:
            return delimiter
    return None


def parse(data: bytes | str) -> ParsedTrial:
    """One trial: a header line and one row (as documents are stored)."""
    text = decode(data) if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff")
    delimiter = _delimiter(text.split("\n", 1)[0])
    if delimiter is None:
        raise ParseError("not an ICTRP CSV (no TrialID and Public title columns)")
    try:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    except csv.Error as error:
        raise ParseError(f"unreadable CSV: {error}") from error
    if len(rows) != 2:
        raise ParseError(f"expected a header and one row, found {len(rows) - 1} rows")
    header, row = rows
    keys = [ictrp.field_key(name) for name in header]
    extra = [cell for cell in row[len(keys) :] if cell.strip()]
    record = ictrp.record(dict(zip(keys, row, strict=False)), FORMAT)
    if extra:
        record.warnings.append(
            f"row has {len(row) - len(keys)} cells more than the header; "
            f"text in them is not read: {extra[0][:60]!r}"
        )
    return record


def stream(raw: BinaryIO) -> Iterator[tuple[str, bytes, str]]:
    """(key, the row's document, why it failed or "") for each row of a CSV read from a
    binary stream, in file order. The key is the TrialID, unique in the file."""
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    header_line = text.readline()
    delimiter = _delimiter(header_line)
    if delimiter is None:
        yield "", b"", "not an ICTRP CSV (no TrialID and Public title columns)"
        return
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as error:
        yield "", b"", f"unreadable CSV header: {error}"
        return
    keys = [ictrp.field_key(name) for name in header]
    id_column = keys.index("trialid")
    reader = csv.reader(text, delimiter=delimiter)
    seen: set[str] = set()
    number, line = 0, 2  # the line the next row starts on
    while True:
        try:
            row = next(reader)
        except StopIteration:
            if not number:
                yield "", b"", "an ICTRP CSV without any trial row"
            return
        except csv.Error as error:
            number += 1
            yield f"row-{number}", b"", f"row {number} (line {line}): unreadable CSV: {error}"
            line = reader.line_num + 2
            continue
        start, line = line, reader.line_num + 2
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        written = row[id_column][:100] if len(row) > id_column else ""
        # A document name holds printable characters only.
        key = " ".join("".join(ch for ch in written if ch.isprintable()).split()) or f"row-{number}"
        if key in seen:
            key = f"{key}-{number}"
        seen.add(key)
        if len(row) < len(keys):
            yield (
                key,
                b"",
                (f"row {number} (line {start}): {len(row)} cells, the header has {len(keys)}"),
            )
            continue
        while len(row) > len(keys) and not row[-1].strip():
            row.pop()  # a trailing separator
        if "export_date" in keys:  # the export's date, not the trial's (see ictrp_xml)
            row[keys.index("export_date")] = ""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow(row)
        yield key, out.getvalue().encode("utf-8"), ""
