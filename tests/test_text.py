"""ingest.text: from saved bytes (plain, HTML, odd encodings) to clean page text."""

import contextlib
from pathlib import Path

import pytest

from ingest import text
from ingest.deadline import deadline
from records import ParseError

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted(FIXTURES.glob("00[0-4]_*.txt"))


# --- decoding -----------------------------------------------------------------


def test_utf8_with_and_without_bom():
    assert text.decode("≥ 7 mmol".encode()) == "≥ 7 mmol"
    assert text.decode(b"\xef\xbb\xbfNCT ID: NCT05308836") == "NCT ID: NCT05308836"


def test_cp1252_bytes_are_decoded():
    assert text.decode(b"caf\xe9 \x93quoted\x94 \xb1 5 \x96 6") == "café “quoted” ± 5 – 6"
    assert text.page_text(b"HbA1c \xb3 6.5%") == "HbA1c ³ 6.5%"


def test_bytes_undefined_in_cp1252_do_not_crash():
    assert text.decode(b"caf\xe9 \x81") == "café \ufffd"


@pytest.mark.parametrize("data", [b"\x00\x01\x02", b"PK\x03\x04\x00\x00", b"abc\x00def"])
def test_nul_bytes_are_refused(data):
    with pytest.raises(ParseError, match="binary"):
        text.page_text(data)


@pytest.mark.parametrize(
    "data", ["NCT ID: NCT01234567\x00", b"\xff\xfe" + "NCT01234567\x00".encode("utf-16-le")]
)
def test_nul_characters_in_text_are_refused(data):
    # A str caller or a UTF-16 file used to get a NUL past page_text() and into the record.
    with pytest.raises(ParseError, match="binary"):
        text.page_text(data)


def test_unpaired_surrogates_are_refused():
    with pytest.raises(ParseError, match="surrogate"):
        text.page_text("NCT ID: NCT01234567 \ud800")


def test_nul_bytes_late_in_the_file_are_refused():
    # Postgres text columns reject NUL, so a NUL must never get past page_text().
    with pytest.raises(ParseError):
        text.page_text(b"a" * 5000 + b"\x00")


@pytest.mark.parametrize(
    "data", [b"", b"  \n\t\r\n", "", "<html><script>var x = 1;</script></html>"]
)
def test_empty_input_is_refused(data):
    with pytest.raises(ParseError, match="empty"):
        text.page_text(data)


# --- mojibake and markdown escapes ---------------------------------------------


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("HbA1C â‰¥ 6.5%", "HbA1C ≥ 6.5%"),
        ("creatinine â‰¤ 1.5", "creatinine ≤ 1.5"),
        ("mean Â± SD", "mean ± SD"),
        ("patientâ€™s parent", "patient’s parent"),
        ("â€œintensive diabetes management", "“intensive diabetes management"),
        ("5â€“10 years", "5–10 years"),
        ("Ã©tÃ© Ã\xa0 Hanoi", "été à Hanoi"),
        ("residual Î² cell function", "residual β cell function"),
        ("ðŸ‡»ðŸ‡³ Hanoi", "🇻🇳 Hanoi"),
    ],
)
def test_mojibake_is_repaired(broken, fixed):
    assert text.fix_mojibake(broken) == fixed


@pytest.mark.parametrize("fine", ["pâté", "Â", "São Paulo", "Größe", "«déjà»", "≥ 7", "β cells"])
def test_real_accented_text_is_left_alone(fine):
    assert text.fix_mojibake(fine) == fine


def test_mojibake_in_saved_bytes():
    double_encoded = "Fasting blood glucose ≥ 7".encode().decode("cp1252").encode()
    assert text.page_text(double_encoded) == "Fasting blood glucose ≥ 7"


def test_mojibake_right_double_quote():
    assert text.fix_mojibake("â€œokâ€\x9d") == "“ok”"


def test_a_page_full_of_mojibake_is_fast():
    # One repair call per character used to take seconds on a few hundred kilobytes.
    with deadline(1):
        assert text.fix_mojibake("â€œ" * 200_000) == "“" * 200_000
        assert text.fix_mojibake("â€" * 500_000) == "â€" * 500_000


def test_runs_of_markdown_escapes():
    assert text.unescape_markdown("\\" * 8) == "\\" * 4
    assert text.unescape_markdown(r"\\\>") == r"\>"
    assert text.unescape_markdown(r"a\_b\_c \*") == "a_b_c *"


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        (r"creatinine \> 1.5 mg/dl", "creatinine > 1.5 mg/dl"),
        (r"blood glucose levels \<60 mg/dL", "blood glucose levels <60 mg/dL"),
        (r"2.5 x 10\^6 MSC per kg", "2.5 x 10^6 MSC per kg"),
        (r"(\* See diabetes management)", "(* See diabetes management)"),
        (r"IL\_6 \[pg/ml\]", "IL_6 [pg/ml]"),
        (r"C:\\path", "C:\\path"),
    ],
)
def test_markdown_escapes_are_undone(escaped, plain):
    assert text.unescape_markdown(escaped) == plain
    assert text.page_text(escaped) == plain


def test_seed_escapes_are_gone():
    ctgov = text.page_text((FIXTURES / "000_e5be43bb7cdcd631.txt").read_bytes())
    assert "creatinine > 1.5 mg/dl or (>133 mmol/L) for boys" in ctgov
    unlabeled = text.page_text((FIXTURES / "002_66764e625140ade7.txt").read_bytes())
    assert "2.5 x 10^6 MSC per kg" in unlabeled
    assert "Body Mass Index < 14 or >35" in unlabeled
    assert "\\" not in ctgov + unlabeled


# --- HTML ---------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Trial page</title>
<style>li { color: red; } .hidden { display: none }</style>
<script>var trackingId = "NCT00000000"; document.write("<p>injected</p>");</script>
</head><body>
<noscript>Please enable JavaScript</noscript>
<h1>Cellular Therapy for Type 1 Diabetes</h1>
<!-- build 2024-01-01 -->
<p>NCT ID: NCT04061746</p>
<table><tr><th>Phase</th><td>PHASE1</td></tr><tr><th>Status</th><td>RECRUITING</td></tr></table>
<h2>Inclusion Criteria</h2>
<ul>
  <li>Blood testing conducted at the time of diagnosis:
    <ul>
      <li>Fasting blood glucose &ge; 7 mmol / L,
        <ol><li>repeated twice</li></ol>
      </li>
      <li>HbA1C &ge; 6.5%.</li>
    </ul>
  </li>
  <li>Body Mass Index &lt; 30&nbsp;kg/m<sup>2</sup></li>
</ul>
<p>Line one<br>Line two</p>
</body></html>"""


@pytest.fixture(scope="module")
def html_page():
    return text.page_text(PAGE.encode())


def test_script_style_and_comments_are_stripped(html_page):
    for hidden in (
        "trackingId",
        "injected",
        "color: red",
        "JavaScript",
        "build 2024",
        "NCT00000000",
    ):
        assert hidden not in html_page


def test_blocks_become_lines(html_page):
    lines = [line for line in html_page.splitlines() if line]
    assert lines[:3] == [
        "Trial page",
        "Cellular Therapy for Type 1 Diabetes",
        "NCT ID: NCT04061746",
    ]
    assert "Phase PHASE1" in lines  # table cells of a row stay on one line
    assert "Status RECRUITING" in lines
    assert "Line one" in lines and "Line two" in lines


def test_nested_list_items_are_indented_bullets(html_page):
    bullets = [line for line in html_page.splitlines() if line.lstrip().startswith("* ")]
    assert bullets == [
        "* Blood testing conducted at the time of diagnosis:",
        "  * Fasting blood glucose ≥ 7 mmol / L,",
        "    * repeated twice",
        "  * HbA1C ≥ 6.5%.",
        "* Body Mass Index < 30 kg/m^2",  # <sup>2</sup> keeps its meaning
    ]


def test_entities_and_odd_spaces(html_page):
    assert "\u00a0" not in html_page and "\u2063" not in html_page
    assert text.page_text("a\u00a0b\u200bc\ufeffd") == "a bcd"


def test_line_ends_and_unicode_normal_form():
    assert text.page_text("one\r\ntwo\rthree") == "one\ntwo\nthree"
    assert text.page_text("Nguye\u0302\u0303n") == "Nguy\u1ec5n"


def test_html_detection():
    assert text.looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
    assert text.looks_like_html("<div class='trial'>x</div>")
    for seed in SEEDS:
        assert not text.looks_like_html(seed.read_text(encoding="utf-8")), seed.name


def test_html_list_fragment_is_html():
    assert text.page_text("<ul><li>Type 1 diabetes</li><li>Age 18 or over</li></ul>") == (
        "* Type 1 diabetes\n\n* Age 18 or over"
    )


@pytest.mark.parametrize(
    ("html", "visible"),
    [
        ("<div>a<script>if (a<b) document.write('<p>x</p>')</script>b</div>", "ab"),
        ("<p>a</p><script>var x = '<p>b</p>'", "a"),  # an unclosed script hides the rest
        ("<p>a</p><!-- <p>b</p>", "a"),  # so does an unclosed comment
        ("<p>a</span>b</p>", "ab"),  # an end tag with nothing to close is ignored
        ("<p>1 < 2 and 3 <= 4</p>", "1 < 2 and 3 <= 4"),
        ("<div onclick=\"if (a<b) go('<p>')\" title='x>y'>z</div>", "z"),
        ("<p>x<![CDATA[ y ]]></p>", "x y"),
    ],
)
def test_broken_and_tricky_markup(html, visible):
    assert text.page_text(html) == visible


@pytest.mark.parametrize(
    "html",
    [
        "<html>" + "<x" * 50_000,  # html.parser: quadratic, 12 s
        "<html>" + "<!--" * 50_000,  # html.parser: quadratic, > 20 s
        "<html>" + "<!x" * 50_000,
        "<html>" + "<a '" * 50_000,
        "<html>" + "<div>" * 20_000 + "</span>" * 20_000,
        "<p>" + "<sup>1</sup>" * 16_000,  # BeautifulSoup inserts: quadratic, 1.2 s
        "<html>" + ' onclick="<a"' * 20_000,
    ],
)
def test_hostile_html_takes_linear_time(html):
    # Nothing visible (a ParseError) is fine; taking seconds is not.
    with deadline(1), contextlib.suppress(ParseError):
        text.page_text(html)


def test_thousands_of_nested_lists_are_capped():
    # Each level used to add a mark to every deeper bullet: quadratic output, > 20 s.
    with deadline(1):
        page = text.page_text("<ul>" + "<li>x<ul>" * 10_000)
    indents = {len(line) - len(line.lstrip()) for line in page.splitlines() if line.strip()}
    assert max(indents) == 2 * text._MAX_LIST_DEPTH


# --- seeds --------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_seed_pages_are_stable(seed):
    page = text.page_text(seed.read_bytes())
    assert page.strip() and "\r" not in page
    assert text.page_text(page) == page  # cleaning twice changes nothing


def test_squash():
    assert text.squash("  Hanoi,\n\t Vietnam  ") == "Hanoi, Vietnam"
    assert text.squash("") == ""
