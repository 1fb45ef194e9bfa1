"""From saved bytes to clean page text, before any parser sees it.

Saved pages come as plain text or HTML, in UTF-8 or an old single-byte encoding,
with markdown escapes left in (`\\>`, `10\\^6`) and UTF-8 read as Windows-1252
(`â‰¥` for `≥`). `page_text` undoes all of that in one place.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

from records import ParseError

_BLOCK_TAGS = frozenset(
    "p div section article header footer main aside nav h1 h2 h3 h4 h5 h6 "
    "tr table thead tbody ul ol dl dt dd br hr pre blockquote li title".split()
)
_MAX_LIST_DEPTH = 10
# Elements whose content is never page text.
_HIDDEN_TAGS = frozenset("script style noscript template svg iframe object".split())
# Their content is raw text, not markup: a "<p>" inside a script is not a paragraph.
_RAW_TEXT_TAGS = ("script", "style")
# Elements that cannot have content, so they are never left open.
_VOID_TAGS = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
# A start or end tag. Nothing in it may be "<", so a failed match never scans past the
# next "<", and the possessive quantifiers never backtrack: the scan stays linear.
_TAG = re.compile(
    r"""<(/?)([a-zA-Z][^\s/<>"']*+)[^<>"']*+(?:(?:"[^"<]*+"|'[^'<]*+')[^<>"']*+)*+>"""
)
# The same, allowing "<" inside quoted values (onclick="if (a<b) ..."). Every part is
# bounded, and html_to_text gives up on it after _LENIENT_FAILURES misses, so it cannot
# make a hostile page quadratic either.
_LENIENT_TAG = re.compile(
    r"""<(/?)([a-zA-Z][^\s/<>"']*+)"""
    r"""(?:[^<>"']{0,200}+(?:"[^"]{0,500}+"|'[^']{0,500}+')){0,16}+[^<>"']{0,200}+>"""
)
_LENIENT_FAILURES = 100
_DECLARATION = re.compile(r"<[!?][^<>]*+>")  # <!DOCTYPE html>, <?xml ...?>
# Where markup may start; any other "<" is text.
_MARKUP = re.compile(r"<(?:!--|!\[CDATA\[|[!?]|/?[a-zA-Z])")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_RAW_TEXT_END = {tag: re.compile(rf"</{tag}(?=[\s/>])", re.I) for tag in _RAW_TEXT_TAGS}


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
    """Visible text of a saved HTML page, one block per line; list items become '* ' bullets.

    A small tag scanner rather than an HTML parser library: Python's html.parser (which
    BeautifulSoup drives) takes quadratic time on some broken markup ('<x' or '<!--'
    repeated), and one hostile page must not stall an import. Elements nest as
    BeautifulSoup nests them: an end tag closes the nearest open element of its name and
    everything opened inside it, an end tag with no open element is ignored, and nothing
    closes implicitly. Comments, declarations and hidden elements (script, style, ...)
    give no text; "<" that starts no tag is text.
    """
    parts: list[str] = []
    stack: list[str] = []  # names of the open elements, innermost last
    open_count: dict[str, int] = {}  # name -> how many are on the stack (O(1) end-tag lookup)
    hidden = 0  # open hidden elements: while > 0 nothing is written

    def start(name: str) -> None:
        if hidden:
            return
        if name in _BLOCK_TAGS:
            parts.append("\n")
        if name == "li":
            depth = open_count.get("ul", 0) + open_count.get("ol", 0) - 1
            # An invisible separator survives whitespace folding and marks the nesting depth.
            # No real list is nested deeper than _MAX_LIST_DEPTH; the cap keeps the output
            # linear in the input when a hostile page nests thousands of lists.
            parts.append("\n" + "\u2063" * min(max(depth, 0), _MAX_LIST_DEPTH) + "* ")
        elif name == "sup":
            parts.append("^")  # "10<sup>6</sup>" is 10^6, as pages saved through markdown write it

    def end(name: str) -> None:
        if hidden:
            return
        if name in _BLOCK_TAGS:
            parts.append("\n")
        elif name in ("td", "th"):
            parts.append("\t")

    def close(name: str) -> None:
        nonlocal hidden
        while stack:
            inner = stack.pop()
            open_count[inner] -= 1
            if inner in _HIDDEN_TAGS:
                hidden -= 1
            end(inner)
            if inner == name:
                return

    pos = 0
    lenient_failures = 0
    while markup := _MARKUP.search(html, pos):
        lt = markup.start()
        if lt > pos and not hidden:
            parts.append(_html.unescape(html[pos:lt]))
        opener = markup.group()
        if opener in ("<!--", "<![CDATA["):
            closer = "-->" if opener == "<!--" else "]]>"
            close_at = html.find(closer, markup.end())
            if close_at < 0:  # unclosed: it runs to the end of the page
                close_at = len(html)
            if opener != "<!--" and not hidden:
                parts.append(html[markup.end() : close_at])
            pos = close_at + 3
            continue
        tag = _TAG.match(html, lt) or _DECLARATION.match(html, lt)
        if tag is None and lenient_failures < _LENIENT_FAILURES:
            tag = _LENIENT_TAG.match(html, lt)
            lenient_failures += tag is None
        if tag is None:  # "<" that starts nothing is text
            if not hidden:
                parts.append("<")
            pos = lt + 1
            continue
        pos = tag.end()
        if opener[1] in "!?":  # <!DOCTYPE html>, <?xml ...?>
            continue
        name = tag.group(2).lower()
        if tag.group(1):  # an end tag
            if open_count.get(name):
                close(name)
            continue
        start(name)
        self_closing = tag.group(0).endswith("/>")
        if name in _RAW_TEXT_TAGS and not self_closing:
            # Hidden, so the content is skipped whole; an unclosed one runs to the end.
            raw_end = _RAW_TEXT_END[name].search(html, pos)
            end_tag = _TAG.match(html, raw_end.start()) if raw_end else None
            pos = end_tag.end() if end_tag else raw_end.end() if raw_end else len(html)
        elif name in _VOID_TAGS or self_closing:
            end(name)
        else:
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            if name in _HIDDEN_TAGS:
                hidden += 1
    if pos < len(html) and not hidden:
        parts.append(_html.unescape(html[pos:]))
    while stack:
        close(stack[-1])
    text = "".join(parts)
    lines = [_SPACES.sub(" ", line).strip().replace("\u2063", "  ") for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


# UTF-8 read as Windows-1252: a lead byte (Â..ô) followed by exactly the continuation
# bytes (\x80..¿, or their cp1252 characters) it announces. Only text that then decodes
# cleanly is repaired, so real "â" stays. Whole runs are repaired at once: one call per
# run rather than per character keeps a page full of mojibake fast.
_CONTINUATION = "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
_MOJIBAKE_SEQUENCE = (
    f"[\u00c2-\u00df]{_CONTINUATION}(?!{_CONTINUATION})"
    f"|[\u00e0-\u00ef]{_CONTINUATION}{{2}}(?!{_CONTINUATION})"
    f"|[\u00f0-\u00f4]{_CONTINUATION}{{3}}"
)
_MOJIBAKE = re.compile(_MOJIBAKE_SEQUENCE)
_MOJIBAKE_RUN = re.compile(f"(?:{_MOJIBAKE_SEQUENCE})+")
# cp1252's characters for bytes 0x80-0x9f. Bytes 0x81, 0x8d, 0x8f, 0x90 and 0x9d have
# none: decoders pass them through as U+0081 etc., which latin-1 turns back into the byte.
_CP1252_HIGH = {
    ord(bytes([byte]).decode("cp1252")): byte
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _cp1252_bytes(chunk: str) -> bytes:
    return chunk.translate(_CP1252_HIGH).encode("latin-1")


def fix_mojibake(text: str) -> str:
    """'â‰¥ 7' -> '≥ 7', 'Â±' -> '±': UTF-8 that was read as Windows-1252."""

    def repair(match: re.Match) -> str:
        try:
            return _cp1252_bytes(match.group(0)).decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)

    def repair_run(match: re.Match) -> str:
        try:
            return _cp1252_bytes(match.group(0)).decode("utf-8")
        except UnicodeDecodeError:  # an overlong or surrogate sequence: one at a time
            return _MOJIBAKE.sub(repair, match.group(0))

    return _MOJIBAKE_RUN.sub(repair_run, text)


# A run of escapes at once ("\\\\" is two backslashes): half the characters, every other one.
_MD_ESCAPES = re.compile(r"(?:\\[\\`*_{}\[\]()#+\-.!<>^~|=\"'])+")


def unescape_markdown(text: str) -> str:
    r"""'\>' -> '>', '10\^6' -> '10^6', '\*' -> '*' (pages saved through a markdown converter)."""
    return _MD_ESCAPES.sub(lambda run: run.group(0)[1::2], text)


def clean(text: str) -> str:
    """Normalise one block of page text: encoding damage, escapes, odd spaces and line ends."""
    text = fix_mojibake(text)
    text = unescape_markdown(text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def page_text(data: bytes | str) -> str:
    """The cleaned text of a saved page, HTML or plain. Raises ParseError for binary or empty input."""
    text = decode(data) if isinstance(data, bytes) else data
    # Text that Postgres cannot store: NUL (also from UTF-16 or a str caller), lone surrogates.
    if "\x00" in text:
        raise ParseError("binary file (contains NUL characters)")
    if not text.isascii() and _SURROGATE.search(text):
        raise ParseError("text with unpaired surrogate characters")
    if looks_like_html(text):
        text = html_to_text(text)
    text = clean(text)
    if not text.strip():
        raise ParseError("empty file")
    return text


def squash(text: str) -> str:
    """Collapse runs of whitespace to single spaces (for values that must sit on one line)."""
    return " ".join(text.split())
