"""WHO ICTRP's "Export results to XML": `<Trials_downloaded_from_ICTRP>` holding one
`<Trial>` of flat text fields per trial (read by `ictrp.record`).

An export is cut into one document per trial (`file.xml#<TrialID>`), each stored as an
export of that one trial, so that it hashes, merges and parses again on its own. The cut
streams: the file is read in blocks and each `<Trial>…</Trial>` is parsed on its own as
soon as it is complete, so memory holds one record, not the export (a 20 MB export of
3,000 trials is common). A record that is not well-formed XML, or never ends, becomes a
failed document that names its position ("record 17 (line 2301)"); the others load.
Parsed with defusedxml: exports are downloads from the web.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import BinaryIO, Protocol, cast
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError as XmlSyntaxError
from defusedxml.ElementTree import fromstring

from records import ParsedTrial, ParseError

from . import ictrp

FORMAT = "ictrp_xml"
ROOT = "Trials_downloaded_from_ICTRP"
BLOCK = 1 << 16  # characters read at a time
MAX_RECORD = 5 * 1024 * 1024  # characters in one <Trial>: far beyond any real record

_START = re.compile(r"<Trial(?=[\s>/])")
_END = re.compile(r"</Trial\s*>")
_ENCODING = re.compile(rb"""^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_EXPORT_DATE = re.compile(r"[ \t]*<Export_date\s*(?:/>|>[^<]*</Export_date\s*>)[ \t]*\r?\n?")
_TRIAL_ID = re.compile(r"<TrialID>\s*([^<]{1,100}?)\s*</TrialID>")
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def looks_like(text: str) -> bool:
    """An ICTRP export, or one `<Trial>` of it."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if not head.startswith("<"):
        return False
    return f"<{ROOT}" in head or bool(
        re.search(r"<Trial>\s*<(?:Export_date|Internal_Number|TrialID)>", head)
    )


def parse(data: bytes | str) -> ParsedTrial:
    """One trial: an export holding a single `<Trial>` (as documents are stored), or the
    `<Trial>` element alone."""
    trials = _trials(_load(data))
    if len(trials) != 1:
        raise ParseError(f"expected one <Trial> record, found {len(trials)}")
    return ictrp.record(fields(trials[0]), FORMAT)


def fields(trial: Element) -> dict[str, str]:
    """A `<Trial>`'s fields by `ictrp.field_key`; a field that nests elements gives its text."""
    out: dict[str, str] = {}
    for child in trial:
        if isinstance(child.tag, str):
            out[ictrp.field_key(child.tag)] = "".join(child.itertext())
    return out


def _trials(root: Element) -> list[Element]:
    if root.tag == "Trial":
        return [root]
    return list(root.iter("Trial")) if root.tag == ROOT else []


def _load(data: bytes | str) -> Element:
    if isinstance(data, str):
        # An encoding declaration in text that was already decoded would mislead the parser.
        data = re.sub(r"^\s*<\?xml[^>]*\?>", "", data.lstrip("\ufeff"), count=1).encode("utf-8")
    try:
        return fromstring(data)
    except (XmlSyntaxError, DefusedXmlException, ValueError, LookupError) as error:
        raise ParseError(f"not well-formed or unsafe XML: {error}") from error


# --- cutting an export into trials ---------------------------------------------------


def stream(raw: BinaryIO) -> Iterator[tuple[str, bytes, str]]:
    """(key, the trial's document, why it failed or "") for each `<Trial>` of an export
    read from a binary stream, in file order. The key is the TrialID, unique in the file."""
    # A stream with peek() (an open file, gzip) is read as it is; any other gets a buffer.
    buffered = (
        cast(io.BufferedReader, raw)
        if hasattr(raw, "peek")
        else io.BufferedReader(cast(io.RawIOBase, raw))
    )
    text = io.TextIOWrapper(buffered, encoding=_encoding(buffered), errors="replace", newline="")
    seen: set[str] = set()
    count = 0
    for count, line, chunk, problem in _records(text):
        match = _TRIAL_ID.search(chunk[:20_000])
        key = _unique(match.group(1) if match else f"record-{count}", count, seen)
        where = f"record {count} (line {line})"
        if problem:
            yield key, b"", f"{where}: {problem}"
            continue
        try:
            trial = fromstring(chunk.encode("utf-8"))
        except XmlSyntaxError as error:
            # The parser counts lines within the record; say where it is in the file.
            row, column = getattr(error, "position", (1, 0))
            reason = str(error).split(":", 1)[0]
            at = f"line {line + row - 1}, column {column + 1}"
            yield key, b"", f"{where}: {reason} at {at}"
            continue
        except (DefusedXmlException, ValueError, LookupError) as error:
            yield key, b"", f"{where}: unsafe or unreadable XML: {error}"
            continue
        if trial.tag != "Trial":
            yield key, b"", f"{where}: not a <Trial> element"
            continue
        # The export's date is not the trial's: without it, an unchanged trial is stored as
        # the same bytes from every week's export (and is "unchanged" on the next run).
        chunk = _EXPORT_DATE.sub("", chunk)
        yield key, f"{_DECLARATION}<{ROOT}>\n{chunk}\n</{ROOT}>\n".encode(), ""
    if not count:
        yield "", b"", "an ICTRP export without any <Trial> record"


def _records(text: io.TextIOBase) -> Iterator[tuple[int, int, str, str]]:
    """(record number, its first line, its text, why it is broken or "") for each
    `<Trial>…</Trial>`, reading `text` a block at a time. Memory holds one record: what
    precedes a record is dropped, and a record longer than MAX_RECORD is skipped."""
    buffer, line, number, ended = "", 1, 0, False
    while True:
        start = _START.search(buffer)
        if start is None:
            if ended:
                return
            keep = max(len(buffer) - 10, 0)  # a "<Trial" may straddle two blocks
        else:
            keep = start.start()
        line += buffer.count("\n", 0, keep)
        buffer = buffer[keep:]
        end = _END.search(buffer) if start else None
        following = _START.search(buffer, 6) if start else None
        if start is None or (
            end is None and following is None and not ended and len(buffer) < MAX_RECORD
        ):
            block = text.read(BLOCK)
            ended = not block
            buffer += block
            continue
        number += 1
        if end is not None and (following is None or end.start() < following.start()):
            yield number, line, buffer[: end.end()], ""
            cut = end.end()
        elif following is not None:
            yield (
                number,
                line,
                buffer[: following.start()],
                "the record does not end before the next <Trial>",
            )
            cut = following.start()
        elif ended:
            yield number, line, buffer, "the record does not end before the end of the file"
            cut = len(buffer)
        else:  # the next "<Trial" is found by reading on, this record's start dropped
            problem = f"the record is longer than {MAX_RECORD} characters"
            yield number, line, buffer[:20_000], problem  # the start names the record
            cut = len(buffer) - 10
        line += buffer.count("\n", 0, cut)
        buffer = buffer[cut:]


class _Peekable(Protocol):
    def peek(self, size: int = ..., /) -> bytes: ...


def _encoding(raw: _Peekable) -> str:
    """The export's encoding, from a byte-order mark or the XML declaration (UTF-8 without)."""
    head = raw.peek(200)[:200]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if head[:3] == b"\xef\xbb\xbf":
        return "utf-8-sig"
    match = _ENCODING.match(head.lstrip())
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


def _unique(key: str, number: int, seen: set[str]) -> str:
    """The key as a document name can hold it (printable, no runs of spaces), unique."""
    key = " ".join("".join(ch for ch in key if ch.isprintable()).split()) or f"record-{number}"
    if key in seen:
        key = f"{key}-{number}"
    seen.add(key)
    return key
