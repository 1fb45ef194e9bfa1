"""From saved bytes to clean page text, before any parser sees it.

Saved pages come as plain text or HTML, in UTF-8 or an old single-byte encoding,
with markdown escapes left in (`\\>`, `10\\^6`) and UTF-8 read as Windows-1252
(`â‰¥` for `≥`). `page_text` undoes all of that in one place.
"""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup

from .records import ParseError

_BLOCK_TAGS = (
    "p div section article header footer main aside nav h1 h2 h3 h4 h5 h6 "
    "tr table thead tbody ul ol dl dt dd br hr pre blockquote li title"
).split()


def decode(data: bytes) -> str:
    """Bytes to str: UTF-16 with a BOM, UTF-8 (with or without BOM), else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ParseError("unreadable UTF-16 text") from error
    # Postgres text columns cannot hold NUL, and text pages never contain one.
    if b"\x00" in data:
        raise ParseError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def looks_like_html(text: str) -> bool:
    head = text[:2048].lower()
    return (
        "<html" in head
        or "<!doctype html" in head
        or bool(
            re.search(r"<(body|div|p|table|h[1-6]|ul|ol|li|dl|span|section|article)[\s/>]", head)
        )
    )


def html_to_text(html: str) -> str:
    """Visible text of a saved HTML page, one block per line; list items become '* ' bullets."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "iframe", "object"]):
        tag.decompose()
    # "10<sup>6</sup>" is 10^6, as pages saved through markdown write it.
    for sup in soup.find_all("sup"):
        sup.insert(0, "^")
    for li in soup.find_all("li"):
        depth = len(li.find_parents(["ul", "ol"])) - 1
        # An invisible separator survives whitespace folding and marks the nesting depth.
        li.insert(0, "\n" + "\u2063" * max(depth, 0) + "* ")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after("\t")
    text = soup.get_text()
    lines = [
        re.sub(r"[ \t\r\f\v]+", " ", line).strip().replace("\u2063", "  ")
        for line in text.split("\n")
    ]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


# Windows-1252 renderings of UTF-8 lead bytes: a run starting with one of these is
# probably mojibake. We only repair runs that decode cleanly, so real "â" stays.
_MOJIBAKE_RUN = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3}"
)


def _cp1252_bytes(chunk: str) -> bytes:
    # Bytes 0x81, 0x8d, 0x8f, 0x90, 0x9d have no cp1252 character; decoders pass them through as is.
    return b"".join(
        bytes([ord(ch)]) if 0x80 <= ord(ch) <= 0x9F else ch.encode("cp1252") for ch in chunk
    )


def fix_mojibake(text: str) -> str:
    """'â‰¥ 7' -> '≥ 7', 'Â±' -> '±': UTF-8 that was read as Windows-1252."""

    def repair(match: re.Match) -> str:
        chunk = match.group(0)
        try:
            return _cp1252_bytes(chunk).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return chunk

    return _MOJIBAKE_RUN.sub(repair, text)


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>^~|=\"'])")


def unescape_markdown(text: str) -> str:
    r"""'\>' -> '>', '10\^6' -> '10^6', '\*' -> '*' (pages saved through a markdown converter)."""
    return _MD_ESCAPE.sub(r"\1", text)


def clean(text: str) -> str:
    """Normalise one block of page text: encoding damage, escapes, odd spaces and line ends."""
    text = fix_mojibake(text)
    text = unescape_markdown(text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return text


def page_text(data: bytes | str) -> str:
    """The cleaned text of a saved page, HTML or plain. Raises ParseError for binary or empty input."""
    text = decode(data) if isinstance(data, bytes) else data
    if looks_like_html(text):
        text = html_to_text(text)
    text = clean(text)
    if not text.strip():
        raise ParseError("empty file")
    return text


def squash(text: str) -> str:
    """Collapse runs of whitespace to single spaces (for values that must sit on one line)."""
    return " ".join(text.split())
