"""Reading big registry files as streams: the rows of a CSV, the items of a JSON list.

A 100 MB download must cost the memory of one document, not of the file, so nothing
here reads a whole file: CSV rows come one at a time with the lines they were written
on, and the studies of a JSON list one at a time, each decoded by the standard `json`
module (so a study reads the same, and hashes the same, in any container). Pure: bytes
in, values out; `ingest.detect` decides what the values are.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

HEAD = 64 * 1024  # bytes a file's format is recognised from
MAX_DOCUMENT = 200 * 1024 * 1024  # one row or one study; a bigger one ends the file's reading
_CHUNK = 1024 * 1024  # characters read at a time
# The csv module refuses a cell over 128 KB by default; a registry row's outcome list can be
# longer. Process-wide (the csv module has no per-reader limit), and only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), MAX_DOCUMENT))


class _Replay(io.RawIOBase):
    """A stream that gives `head` first, then the rest of `stream`."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self._head, self._stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peek(stream: BinaryIO, size: int = HEAD) -> tuple[bytes, BinaryIO]:
    """The first `size` bytes of `stream`, and a stream that still starts with them."""
    head = stream.read(size)
    return head, io.BufferedReader(_Replay(head, stream), buffer_size=_CHUNK)


def encoding_of(head: bytes) -> str:
    """UTF-16 with a BOM, UTF-8 (a BOM dropped) when the head reads as UTF-8, else Windows-1252:
    the choice `ingest.text.decode` makes for a whole document, made from its head."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _text(stream: BinaryIO, encoding: str) -> io.TextIOWrapper:
    # newline="": the line ends stay as written, so a row is stored exactly as the file has it.
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")


# --- CSV -------------------------------------------------------------------------------


@dataclass
class Row:
    """One CSV record: `line` is where it starts in the file (1 is the header line)."""

    line: int
    text: str  # the record as written, line ends included (a quoted cell may span lines)
    cells: list[str]
    error: str = ""  # the file's structure is lost here; nothing after it is read


def csv_rows(stream: BinaryIO, encoding: str = "utf-8-sig") -> Iterator[Row]:
    """Every record of a CSV file, the header first; blank lines are skipped."""
    text = _text(stream, encoding)
    taken: list[str] = []

    def lines() -> Iterator[str]:
        while line := text.readline(MAX_DOCUMENT):
            if len(line) >= MAX_DOCUMENT and not line.endswith(("\n", "\r")):
                raise csv.Error(f"a line longer than {MAX_DOCUMENT} characters")
            taken.append(line)
            yield line

    reader = csv.reader(lines())
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Row(start, "".join(taken), [], error=f"unreadable CSV: {error}")
            return
        record = "".join(taken)
        taken.clear()
        if cells:
            yield Row(start, record, cells)
        # The reader takes exactly the lines of one record, never a line ahead.
        start = reader.line_num + 1


# --- JSON ------------------------------------------------------------------------------

# The keys under which registry answers list their studies: API v2 pages ("studies") and
# the retired v1 API ("FullStudiesResponse" -> "FullStudies").
CONTAINERS = frozenset({"studies", "FullStudiesResponse", "FullStudies"})
_SPACE = re.compile(r"[ \t\r\n]*")
_NUMBER_TAIL = re.compile(r"[0-9eE.+-]*")
_DECODER = json.JSONDecoder()


@dataclass
class Item:
    """A value of a JSON file: a listed item, or the whole top-level value when it lists none."""

    number: int  # 1, 2, ... in file order; 0 for a whole value
    value: object = None
    text: str = ""  # the JSON text it was decoded from
    error: str = ""  # unreadable JSON here: nothing after it is read


class _Malformed(Exception):
    pass


class _Buffer:
    """Decoded text read in chunks; `pos` is where reading stands."""

    def __init__(self, text: io.TextIOBase):
        self.text, self.buf, self.pos, self.eof = text, "", 0, False

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.text.read(_CHUNK)
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        self.eof = not chunk
        return bool(chunk)

    def char(self) -> str:
        """The next non-blank character ('' at the end), not consumed."""
        while True:
            space = _SPACE.match(self.buf, self.pos)
            assert space  # the pattern matches the empty string too
            self.pos = space.end()
            if self.pos < len(self.buf) or not self.fill():
                return self.buf[self.pos : self.pos + 1]

    def expect(self, char: str) -> None:
        if self.char() != char:
            raise _Malformed(f"expected {char!r} at character {self.pos}")
        self.pos += 1

    def value(self) -> tuple[object, str]:
        """The next JSON value and its text. Decoding is retried with more text until the
        value is seen to end before the buffer does, so a value cut by a chunk boundary
        (a study, or a number such as 1e5 cut after "1") reads whole."""
        self.char()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if len(self.buf) - self.pos > MAX_DOCUMENT:
                    raise _Malformed(f"a value longer than {MAX_DOCUMENT} characters") from None
                if self.fill():
                    continue
                raise _Malformed(error.msg) from None
            except (ValueError, RecursionError) as error:  # a number too long, nesting too deep
                raise _Malformed(str(error)) from None
            # "1" of "1e5" decodes too: a value that may go on past the buffer is read again.
            if _NUMBER_TAIL.fullmatch(self.buf, end) and self.fill():
                continue
            if end - self.pos > MAX_DOCUMENT:
                raise _Malformed(f"a value longer than {MAX_DOCUMENT} characters")
            text = self.buf[self.pos : end]
            self.pos = end
            return value, text


def json_items(stream: BinaryIO, encoding: str = "utf-8-sig") -> Iterator[Item]:
    """The studies of a JSON file, one at a time.

    A top-level list yields its items; an object yields the items of the list under one of
    `CONTAINERS` (at any depth through those keys), its other keys skipped; an object
    with none of them is yielded whole (number 0), as is any other top-level value.
    """
    reader = _Buffer(_text(stream, encoding))
    count = 0
    try:
        first = reader.char()
        if first == "[":
            for item in _array(reader):
                count += 1
                yield Item(count, *item)
        elif first == "{":
            whole: dict = {}
            for item in _object(reader, whole):
                count += 1
                yield Item(count, *item)
            if not count and whole.pop(_LISTED, None) is None:
                text = json.dumps(whole)
                if len(text) > MAX_DOCUMENT:
                    raise _Malformed(f"a value longer than {MAX_DOCUMENT} characters")
                yield Item(0, whole, text)
        else:
            yield Item(0, *reader.value())
        if reader.char():
            raise _Malformed(f"unexpected text after the end, at character {reader.pos}")
    except _Malformed as error:
        where = f"after item {count}" if count else "at the start"
        yield Item(count + 1, error=f"not valid JSON {where}: {error}")


_LISTED = object()  # marks an object in which a container list was found


def _array(reader: _Buffer) -> Iterator[tuple[object, str]]:
    reader.expect("[")
    if reader.char() == "]":
        reader.pos += 1
        return
    while True:
        yield reader.value()
        if reader.char() == ",":
            reader.pos += 1
            continue
        reader.expect("]")
        return


def _object(reader: _Buffer, kept: dict) -> Iterator[tuple[object, str]]:
    """The items listed under container keys; every other key's value goes into `kept`."""
    reader.expect("{")
    if reader.char() == "}":
        reader.pos += 1
        return
    while True:
        if reader.char() != '"':
            raise _Malformed(f"expected a key at character {reader.pos}")
        key, _ = reader.value()
        reader.expect(":")
        opening = reader.char()
        if key in CONTAINERS and opening in ("[", "{"):
            kept[_LISTED] = True
            if opening == "[":
                yield from _array(reader)
            else:
                yield from _object(reader, {})
        else:
            kept[key] = reader.value()[0]
        if reader.char() == ",":
            reader.pos += 1
            continue
        reader.expect("}")
        return
