"""Fuzzing every page parser: any input gives a well-formed ParsedTrial or a ParseError.

Hypothesis feeds arbitrary bytes, arbitrary text and damaged copies of the real seed pages
(cut off, lines dropped, duplicated or shuffled, junk lines, HTML wrapping with scripts and
event handlers, mojibake, markdown escapes, huge lines, deep nesting, runs of whitespace,
control characters, RTL marks and emoji, other scripts' digits, another format's labels)
to `text.page_text`, to each page parser and to `detect.parse_document`; the registry
records (API JSON, classic XML) are damaged too and reach their parsers through
`detect.parse_document`. A record must pass `check_record`; a ParseError must give a
reason; any other exception, or a document that runs past HANG_SECONDS, fails the test.

The default profile "ci" keeps the run short. The long run, thousands of examples per test
and no per-example deadline:

    HYPOTHESIS_PROFILE=long pytest tests/test_fuzz_parsers.py
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import types
import typing
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import detect, normalize
from ingest.deadline import deadline
from ingest.parsers import ictrp
from ingest.text import page_text
from records import ParsedTrial, ParseError

# Registered here rather than in conftest.py: only this module uses Hypothesis, and it
# applies its profile to its own tests only (no global settings.load_profile).
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=timedelta(milliseconds=800),
    database=None,  # no .hypothesis/ directory in the repository; failures print their input
    derandomize=True,  # the same examples on every CI run; the long run explores
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, database=None, suppress_health_check=_QUIET
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
LONG = PROFILE == "long"
fuzz = settings(settings.get_profile("long" if LONG else "ci"))

# A document still running after this long is a hang, whatever the profile.
HANG_SECONDS = 10.0 if LONG else 3.0
HUGE = 200_000 if LONG else 20_000  # characters in a huge line or run of whitespace
DEEP = 50_000 if LONG else 2_000  # levels of nested markup


def scale(largest: int) -> st.SearchStrategy[int]:
    """A size on a log scale up to `largest`: huge inputs often, but not in every example."""
    tops = sorted({max(1, min(top, largest)) for top in (1, 10, 100, 1000, largest)})
    return st.sampled_from(tops).flatmap(lambda top: st.integers(max(1, top // 10), top))


FIXTURES = Path(__file__).parent / "fixtures"
PAGE_PARSERS = detect.PARSERS
SEEDS = {
    path.name: path.read_text(encoding="utf-8")
    for path in [
        *sorted(FIXTURES.glob("00*.txt")),
        *sorted((FIXTURES / "variants").glob("*")),
        *sorted(
            p
            for p in (FIXTURES / "labelled").glob("*")
            if p.suffix != ".md" or "README" not in p.name
        ),
    ]
}
V1_RECORDS = Path(__file__).parent.parent / "data" / "sources" / "ctgov_v1_json"
REGISTRY_SEEDS = {
    path.name: path.read_text(encoding="utf-8")
    for path in [
        FIXTURES / "NCT00763412.json",
        *sorted((FIXTURES / "ctgov").glob("*.*")),
        *[V1_RECORDS / f"{nct}.json" for nct in ("NCT04061746", "NCT02893306", "NCT01257776")],
    ]
    if path.suffix in (".json", ".xml")
}
# A CSV download's documents: the header line and one row, of both headers.
REGISTRY_SEEDS.update(
    (f"{path.name}#{part.key}", part.data.decode("utf-8"))
    for path in sorted((FIXTURES / "ctgov_csv").glob("*.csv"))
    for part in detect.split_document(path.read_bytes())
)
# Whole files that are cut into documents: a CSV download, v1 and v2 lists.
BUNDLE_SEEDS = {
    "classic.csv": (FIXTURES / "ctgov_csv" / "classic_excerpt.csv").read_text(encoding="utf-8"),
    "current.csv": (FIXTURES / "ctgov_csv" / "current_header.csv").read_text(encoding="utf-8"),
    "v1-answer.json": json.dumps(
        {
            "FullStudiesResponse": {
                "NStudiesFound": 2,
                "FullStudies": [
                    {"Rank": 1, "Study": json.loads(REGISTRY_SEEDS["NCT02893306.json"])},
                    {"Rank": 2, "Study": json.loads(REGISTRY_SEEDS["NCT01257776.json"])},
                ],
            }
        }
    ),
    "v2-list.json": "["
    + REGISTRY_SEEDS["NCT00763412.json"]
    + ","
    + REGISTRY_SEEDS["NCT04061746.json"]
    + "]",
}
# Every line of every format: its labels, headings and boilerplate, to drop into another.
SEED_LINES = sorted(
    {line.strip() for text in SEEDS.values() for line in text.splitlines() if 0 < len(line) < 300}
)
SURROGATE = re.compile("[\ud800-\udfff]")  # UTF-8 cannot encode one, so Postgres cannot store it
DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
DATE_FIELDS = (
    "start_date",
    "primary_completion_date",
    "completion_date",
    "last_update",
    "status_verified_date",
)


# --- the property ------------------------------------------------------------------


def check_record(record: ParsedTrial) -> None:
    """Every field has its declared type, enums hold known values, nothing Postgres refuses."""
    assert type(record) is ParsedTrial
    _check_value(record, ParsedTrial, "record")
    assert set(record.phases) <= set(normalize.PHASES), record.phases
    assert record.overall_status in (*normalize.STATUSES, ""), record.overall_status
    for name in DATE_FIELDS:
        value = getattr(record, name, "")
        assert value == "" or DATE.fullmatch(value), f"{name} = {value!r}"
    assert record.enrollment is None or 0 <= record.enrollment <= normalize.MAX_ENROLLMENT, (
        record.enrollment
    )
    for trial in record.related_trials:
        assert set(trial.phases) <= set(normalize.PHASES), trial.phases
        assert trial.status in (*normalize.STATUSES, ""), trial.status
    assert all(criterion.depth >= 0 for criterion in record.eligibility.criteria)


def _check_value(value: object, hint: object, where: str) -> None:
    if dataclasses.is_dataclass(hint):
        assert type(value) is hint, f"{where}: {type(value).__name__}, not {hint.__name__}"
        hints = typing.get_type_hints(hint)
        for field in dataclasses.fields(hint):
            _check_value(getattr(value, field.name), hints[field.name], f"{where}.{field.name}")
    elif typing.get_origin(hint) is list:
        assert type(value) is list, f"{where}: {type(value).__name__}, not a list"
        (item,) = typing.get_args(hint)
        for i, element in enumerate(value):
            _check_value(element, item, f"{where}[{i}]")
    elif typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(hint) if option is not type(None)]
        if value is not None:  # every union in the records is "X | None"
            assert any(_is_a(value, option) for option in options), (
                f"{where}: {value!r} is not {hint}"
            )
    else:
        assert _is_a(value, hint), f"{where}: {value!r} is not {hint}"
        if hint is str:
            assert "\x00" not in value, f"{where} holds a NUL character"
            assert not SURROGATE.search(value), f"{where} holds an unpaired surrogate"


def _is_a(value: object, hint: object) -> bool:
    if hint is float:
        return type(value) in (float, int)
    return type(value) is hint  # exact: True is not an int enrollment


def outcome(call, *args) -> ParsedTrial | ParseError:
    """Run one parse: a checked record or the ParseError. Any other exception fails the test."""
    try:
        with deadline(HANG_SECONDS):
            result = call(*args)
    except ParseError as error:
        assert not str(error).startswith("parsing took longer"), f"hang: {error}"
        assert str(error).strip(), "a ParseError must say why"
        return error
    check_record(result)
    return result


# --- damaging the seeds --------------------------------------------------------------

# Runs that once sent a regex or a loop into super-linear time.
RUN_UNITS = [" ", "\t", "-", "a-", "a - ", "1", "1,", "1 - ", "1.", "a1to", ":", "*", "* ", "\\",
             "<", "&amp;", "Ã©", "â€", "Phase 1/", "up to ", "NCT01234567 ", "<ul>", "</div>",
             "Inclusion Criteria: - a ", "Registration Number\t", "# ", "İ", "\u2063"]  # fmt: skip
ODD_CHARACTERS = ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1c", "\x7f", "\x85", "\u2028",
                  "\u2029", "\ufeff", "\u200b", "\u00a0", "\u202e", "\u200f", "\u2066", "\u0301",
                  "🇻🇳", "👩\u200d⚕️", "İ", "ß", "ﬁ", "\ufffd", "\r", "\r\n"]  # fmt: skip
BLOCK_TAGS = ["p", "div", "li", "td", "th", "h2", "dt", "dd", "span", "sup", "pre", "title"]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _span(draw, size: int) -> tuple[int, int]:
    start = draw(st.integers(0, size))
    return start, draw(st.integers(start, size))


def cut(draw, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


def drop_lines(draw, text: str) -> str:
    lines = _lines(text)
    start, end = _span(draw, len(lines))
    return "\n".join(lines[:start] + lines[end:])


def duplicate_lines(draw, text: str) -> str:
    lines = _lines(text)
    start, end = _span(draw, len(lines))
    size = sum(len(line) + 1 for line in lines[start:end])
    times = max(2, draw(scale(HUGE // max(size, 1))))
    numbered = draw(st.booleans())  # repeated lines, or all different ("x 1", "x 2", ...)
    copies = [
        f"{line} {n}" if numbered else line for n in range(times) for line in lines[start:end]
    ]
    return "\n".join(lines[:start] + copies + lines[end:])


def shuffle_lines(draw, text: str) -> str:
    lines = _lines(text)
    start, end = _span(draw, len(lines))
    window = lines[start:end]
    draw(st.randoms(use_true_random=False)).shuffle(window)
    return "\n".join(lines[:start] + window + lines[end:])


def insert_lines(draw, text: str) -> str:
    """Junk, or a line of some format (maybe another one), at random places."""
    lines = _lines(text)
    junk = st.one_of(
        st.text(max_size=120),
        st.sampled_from(SEED_LINES),
        st.tuples(st.sampled_from(SEED_LINES), st.text(max_size=40)).map(" ".join),
    )
    for line in draw(st.lists(junk, min_size=1, max_size=8)):
        lines.insert(draw(st.integers(0, len(lines))), line)
    return "\n".join(lines)


def wrap_in_html(draw, text: str) -> str:
    """Each line in a tag (some unclosed, some with handlers), the page around scripts and styles."""
    out = ["<!DOCTYPE html><html><head><title>t</title>",
           "<script>var s = '<p>NCT00000000</p>'; if (a < b && c > d) {}</script>",
           "<style>p > li { content: '<b>' }</style></head><body>"]  # fmt: skip
    for line in _lines(text):
        tag = draw(st.sampled_from(BLOCK_TAGS))
        handler = draw(
            st.sampled_from(["", ' onclick="if(a>b)alert(1)"', " class='x'", " data-x=<"])
        )
        close = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", "</ul>"]))
        out.append(f"<{tag}{handler}>{line}{close}")
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(["<!-- x -->", "<script>x</script>", "<br/>", "<!--"])))
    out.append("</body></html>")
    return "\n".join(out)


def mojibake(draw, text: str) -> str:
    start, end = _span(draw, len(text))
    broken = text[start:end].encode("utf-8").decode("cp1252", errors="replace")
    return text[:start] + broken + text[end:]


def markdown_escapes(draw, text: str) -> str:
    start, end = _span(draw, len(text))
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!<>^~|])", r"\\\1", text[start:end])
    return text[:start] + escaped + text[end:]


def huge_run(draw, text: str) -> str:
    """A very long line, or a long run of whitespace, at a random place."""
    unit = draw(st.sampled_from([*RUN_UNITS, "\n", "\r\n", "\u00a0", "\u3000"]))
    run = unit * draw(scale(HUGE // len(unit)))
    at = draw(st.integers(0, len(text)))
    return text[:at] + run + text[at:]


def deep_nesting(draw, text: str) -> str:
    depth = draw(scale(DEEP))
    opener, closer = draw(
        st.sampled_from(
            [("<ul><li>", "</li></ul>"), ("<div>", "</div>"), ("<ol>", ""), ("<b>", "")]
        )
    )
    return "<html>" + opener * depth + text + closer * draw(st.integers(0, depth))


def foreign_digits(draw, text: str) -> str:
    """Digits of another script (Arabic-Indic, fullwidth): int() reads them, ids must not."""
    start, end = _span(draw, len(text))
    digits = draw(st.sampled_from(["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "०१२३४५६७८९"]))
    return (
        text[:start] + text[start:end].translate(str.maketrans("0123456789", digits)) + text[end:]
    )


def odd_characters(draw, text: str) -> str:
    chars = list(text)
    for char in draw(st.lists(st.sampled_from(ODD_CHARACTERS), min_size=1, max_size=12)):
        chars.insert(draw(st.integers(0, len(chars))), char)
    return "".join(chars)


MUTATIONS = (cut, drop_lines, duplicate_lines, shuffle_lines, insert_lines, wrap_in_html,
             mojibake, markdown_escapes, huge_run, deep_nesting, foreign_digits,
             odd_characters)  # fmt: skip


@st.composite
def damaged(draw, seeds: dict[str, str] = SEEDS) -> tuple[str, str]:
    """(seed file name, its text after one to four random kinds of damage)."""
    name = draw(st.sampled_from(sorted(seeds)))
    text = seeds[name]
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        text = mutation(draw, text)[: 4 * HUGE]  # several huge runs, but not without end
    return name, text


@st.composite
def encoded(draw, text: str) -> bytes | str:
    encoding = draw(st.sampled_from(["str", "utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text if encoding == "str" else text.encode(encoding, errors="replace")


def filenames() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["", "NCT01234567.txt", "x/004_NCT02893306.html"]), st.text())


# Lines from every format, in any order and mix: label combinations no seed has.
seed_line_soup = st.lists(
    st.one_of(st.sampled_from(SEED_LINES), st.text(max_size=60)), max_size=120
).map("\n".join)


# --- the tests -----------------------------------------------------------------------


def _check_page(data: bytes | str) -> None:
    try:
        with deadline(HANG_SECONDS):
            page = page_text(data)
    except ParseError as error:
        assert not str(error).startswith("parsing took longer"), f"hang: {error}"
        return
    assert type(page) is str and page.strip()
    assert "\x00" not in page and "\r" not in page


@fuzz
@given(st.binary(max_size=4000))
def test_page_text_on_any_bytes(data):
    _check_page(data)


@fuzz
@given(st.text(max_size=4000))
def test_page_text_on_any_text(text):
    _check_page(text)


@fuzz
@given(damaged())
def test_page_text_on_damaged_seeds(seed):
    _check_page(seed[1])


@fuzz
@given(st.binary(max_size=4000), filenames())
def test_parse_document_on_any_bytes(data, filename):
    outcome(detect.parse_document, data, filename)


@fuzz
@given(st.one_of(st.text(max_size=4000), seed_line_soup), filenames())
def test_parse_document_on_any_text(text, filename):
    outcome(detect.parse_document, text, filename)


@fuzz
@given(st.data())
def test_parse_document_on_damaged_seeds(data):
    name, text = data.draw(damaged())
    document = data.draw(encoded(text))
    outcome(detect.parse_document, document, data.draw(st.sampled_from([name, ""])))


def _check_parser(parser, text: str) -> None:
    with deadline(HANG_SECONDS):  # a hang here fails the test as "parsing took longer"
        claims = parser.looks_like(text)
    assert type(claims) is bool
    result = outcome(parser.parse, text)
    if isinstance(result, ParsedTrial):
        assert result.source_format == parser.FORMAT


@pytest.mark.parametrize("parser", PAGE_PARSERS, ids=lambda parser: parser.FORMAT)
@fuzz
@given(seed=damaged())
def test_parser_on_damaged_seeds(parser, seed):
    try:
        text = page_text(seed[1])
    except ParseError:
        return
    _check_parser(parser, text)


@pytest.mark.parametrize("parser", PAGE_PARSERS, ids=lambda parser: parser.FORMAT)
@fuzz
@given(text=st.one_of(seed_line_soup, st.text(max_size=2000)).map(lambda t: t.replace("\x00", "")))
def test_parser_on_uncleaned_text(parser, text):
    # Parsers are given page_text's output, but must not crash on text it never cleaned.
    _check_parser(parser, text)


@fuzz
@given(damaged(REGISTRY_SEEDS), st.sampled_from(["utf-8", "str"]))
def test_parse_document_on_damaged_registry_records(seed, encoding):
    name, text = seed
    outcome(
        detect.parse_document, text if encoding == "str" else text.encode(errors="replace"), name
    )


# Values a record must not carry into Postgres, or that break a naive int()/date reader.
NASTY_STRINGS = ["", " ", "a\x00b", "a\ud800b", "٢٠١٢", "2012-13-45", "9" * 40, "NCT٠٤٠٦١٧٤٦"]
NASTY_NUMBERS = [-1, 2**31, 10**30, float("nan"), float("inf")]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _check_split(data: bytes | str) -> None:
    """Cutting a file into documents never raises; every document parses or says why not."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", errors="replace")
    with deadline(HANG_SECONDS):
        parts = detect.split_document(raw)
    for part in parts[:20]:
        assert type(part) is detect.Part and type(part.key) is str and type(part.line) is int
        if part.error:
            assert part.error.strip() and not part.data
        else:
            outcome(detect.parse_document, part.data, part.key or "x")


@fuzz
@given(damaged(BUNDLE_SEEDS), st.sampled_from(["utf-8", "str"]))
def test_split_document_on_damaged_bundles(seed, encoding):
    _check_split(seed[1] if encoding == "str" else seed[1].encode(errors="replace"))


@fuzz
@given(st.sampled_from(sorted(BUNDLE_SEEDS)), st.binary(max_size=200), st.integers(0, 10**6))
def test_split_document_on_bundles_with_junk_bytes(name, junk, at):
    raw = BUNDLE_SEEDS[name].encode()
    at %= len(raw) + 1
    _check_split(raw[:at] + junk + raw[at:])


@fuzz
@given(st.sampled_from(sorted(n for n in REGISTRY_SEEDS if n.endswith(".json"))), st.data())
def test_parse_document_on_registry_json_with_odd_values(name, data):
    study = json.loads(REGISTRY_SEEDS[name])
    protocol = study.get("protocolSection") or study["ProtocolSection"]
    node = protocol if data.draw(st.booleans()) else study  # what is read most
    # Walk down the objects and lists to a random value and replace it with an odd one.
    while isinstance(node, (dict, list)) and node:
        key = data.draw(
            st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
        )
        if not isinstance(node[key], (dict, list)) or data.draw(st.integers(0, 4)) == 0:
            node[key] = data.draw(st.sampled_from(NASTY_STRINGS + NASTY_NUMBERS) | json_values)
            break
        node = node[key]
    document = json.dumps(study).encode()  # ASCII: a lone surrogate travels as an escape
    outcome(detect.parse_document, document, name)


# --- WHO ICTRP exports -------------------------------------------------------------------

ICTRP_SEEDS = {
    path.name: path.read_text(encoding="utf-8")
    for path in sorted((FIXTURES / "ictrp").glob("ictrp_*.*"))
}
ICTRP_FIELD_NAMES = [*ictrp.FIELDS, "other"]


def _check_cut(data: bytes) -> None:
    """Every part of a damaged export is a failure with its reason or a checked record."""
    with deadline(HANG_SECONDS):
        parts = detect.split_document(data)
    assert parts
    for part in parts:
        assert type(part.key) is str and "\x00" not in part.key
        if part.error:
            assert part.error.strip() and not part.data
        else:
            outcome(detect.parse_document, part.data, f"x#{part.key}")


@fuzz
@given(damaged(ICTRP_SEEDS), st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_ictrp_exports_damaged_cut_and_parse(seed, encoding):
    _check_cut(seed[1].encode(encoding, errors="replace"))


@fuzz
@given(
    st.dictionaries(
        st.sampled_from(ICTRP_FIELD_NAMES),
        st.one_of(st.sampled_from(NASTY_STRINGS + SEED_LINES[:50]), st.text(max_size=200)),
        max_size=20,
    ),
    st.sampled_from(["xml", "csv"]),
)
def test_ictrp_records_with_odd_field_values(fields, form):
    fields.setdefault("trialid", "ChiCTR2000031319")
    fields.setdefault("public_title", "")
    fields = {name: value.replace("\x00", "") for name, value in fields.items()}
    if form == "xml":
        body = "".join(f"<{name}>{xml_escape(value)}</{name}>" for name, value in fields.items())
        data = f"<Trials_downloaded_from_ICTRP><Trial>{body}</Trial></Trials_downloaded_from_ICTRP>"
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(name.replace("_", " ") for name in fields)
        writer.writerow(fields.values())
        data = out.getvalue()
    _check_cut(data.encode("utf-8", errors="replace"))
