"""Hostile input on every public URL, and hostile text in a source on every page that shows it.

Query strings: SQL, huge and repeated values, unknown parameters, broken percent-escapes,
NUL bytes and odd unicode. Each must give a normal page (with a message where something
was ignored) or a 400, never a 500, in a bounded number of queries and quickly.

Sources: a registry record whose every free-text field carries script, event handlers,
javascript: links, entity tricks and spreadsheet formulas. Every page and download that
shows it must keep it inert: escaped text on pages, neutralised cells in the CSV.
"""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.filters import MAX_SEARCH_LENGTH
from catalogue.models import SourceDocument, Sponsor, Trial

from .conftest import SEED_IDS, SOURCES

SEED = next(iter(SEED_IDS.values()))
HOSTILE_ID = "NCT99999990"


# --- the payloads -------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
LINK = '<a href="javascript:alert(3)">click</a>'
BREAKOUT = '"><svg onload=alert(4)>'
QUOTE_BREAKOUT = "' onmouseover='alert(5)' x='"
ENTITIES = "&lt;script&gt;alert(6)&lt;/script&gt; &#60;b onclick=alert(7)&#62;"
NESTED = "<scr<script>ipt>alert(8)</scr</script>ipt>"
TEXTAREA = "</textarea><script>alert(9)</script><textarea>"
TEMPLATE = "{{ request.META }}{% debug %}"
EVERYTHING = " ".join([SCRIPT, IMG, LINK, BREAKOUT, QUOTE_BREAKOUT, ENTITIES, NESTED, TEXTAREA])


def hostile(text: str, formula: str = "") -> str:
    """`text` with every payload after it, and a spreadsheet formula in front if given."""
    return f"{formula}{text} {EVERYTHING} {TEMPLATE}"


def hostile_study() -> dict:
    """An API v2 study of an in-scope trial (umbilical-cord MSCs for type 1 diabetes)."""
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": HOSTILE_ID,
                "orgStudyIdInfo": {"id": hostile("ORG-1", "=")},
                "secondaryIdInfos": [{"id": "javascript:alert(10)", "type": "OTHER"}],
                "briefTitle": hostile(
                    "Umbilical cord mesenchymal stem cells in type 1 diabetes",
                    '=HYPERLINK("http://evil.example/","x")',
                ),
                "officialTitle": hostile("Official title"),
                "acronym": SCRIPT,  # columns of bounded length get one payload
            },
            "statusModule": {
                "overallStatus": "RECRUITING",
                "statusVerifiedDate": "2024-01",
                "startDateStruct": {"date": "2023-02"},
                "completionDateStruct": {"date": "2026-12"},
                "lastUpdatePostDateStruct": {"date": "2024-01-05"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": f"@SUM(1+1)*Lead sponsor {SCRIPT} {IMG}", "class": "=1+1"},
                "collaborators": [
                    {"name": f"-2+3 Collaborator {LINK} {BREAKOUT}", "class": "OTHER"}
                ],
                "responsibleParty": {
                    "investigatorFullName": hostile("Investigator"),
                    "investigatorTitle": hostile("Professor"),
                },
            },
            "descriptionModule": {
                "briefSummary": hostile(
                    "Umbilical cord mesenchymal stem cells are infused in people with type 1"
                    f" diabetes. xylograph {SCRIPT} xylograph {IMG} xylograph"
                ),
                "detailedDescription": hostile("Detailed description\n\nSecond paragraph"),
            },
            "conditionsModule": {
                "conditions": [hostile("Type 1 Diabetes", "+cmd|' /C calc'!A0 "), SCRIPT],
                "keywords": [hostile("keyword"), "javascript:alert(11)"],
            },
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE1", "PHASE2"],
                "enrollmentInfo": {"count": 24, "type": "ESTIMATED"},
                "designInfo": {
                    "allocation": "RANDOMIZED",
                    "interventionModel": "PARALLEL",
                    "primaryPurpose": "TREATMENT",
                    "maskingInfo": {"masking": "NONE"},
                },
            },
            "armsInterventionsModule": {
                "armGroups": [
                    {
                        "label": hostile("UC-MSC arm"),
                        "type": "EXPERIMENTAL",
                        "description": hostile("Intravenous umbilical cord MSCs"),
                        "interventionNames": [f"Biological: {hostile('UC-MSC')}"],
                    }
                ],
                "interventions": [
                    {
                        "type": "BIOLOGICAL",
                        "name": hostile("UC-MSC"),
                        "description": hostile("1 million cells/kg intravenously"),
                        "armGroupLabels": [hostile("UC-MSC arm")],
                    }
                ],
            },
            "outcomesModule": {
                "primaryOutcomes": [
                    {
                        "measure": hostile("HbA1c"),
                        "timeFrame": hostile("12 months"),
                        "description": hostile("Change in HbA1c"),
                    }
                ]
            },
            "eligibilityModule": {
                "eligibilityCriteria": (
                    f"Inclusion Criteria:\n\n* {hostile('Type 1 diabetes')}\n"
                    f"* Age 18 to 40 years {IMG}\n\n"
                    f"Exclusion Criteria:\n\n* {hostile('Pregnancy')}\n"
                ),
                "sex": "ALL",
                "minimumAge": f"18 Years {SCRIPT}",
                "maximumAge": "40 Years",
                "healthyVolunteers": False,
            },
            "contactsLocationsModule": {
                "overallOfficials": [
                    {
                        "name": hostile("Dr Official"),
                        "affiliation": hostile("Hospital"),
                        "role": "PRINCIPAL_INVESTIGATOR",
                    }
                ],
                "locations": [
                    {
                        "facility": hostile("Hospital"),
                        "city": f"City {IMG} {ENTITIES}",
                        "state": f"State {QUOTE_BREAKOUT} {NESTED}",
                        "country": "\t=1+1 " + SCRIPT,
                        "status": "RECRUITING",
                    }
                ],
            },
            "referencesModule": {
                "references": [
                    {"citation": hostile("A citation"), "pmid": "javascript:al(1)"},
                    {"citation": "Another", "pmid": '1" onclick="a(2)'},
                ]
            },
        },
        "derivedSection": {
            "conditionBrowseModule": {"meshes": [{"term": hostile("Diabetes Mellitus")}]},
        },
        "hasResults": False,
    }


# --- the data, loaded once for the module --------------------------------------------


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker, tmp_path_factory):
    """The bundled sources and the hostile record, ingested once and rolled back at the end."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / f"{HOSTILE_ID}.json").write_text(json.dumps(hostile_study()), encoding="utf-8")
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("ingest", str(SOURCES), verbosity=0)
        call_command("ingest", str(folder), verbosity=0)
        User.objects.create_superuser("hostile-admin", "admin@example.org", "x")
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def no_page_cache():
    """Each request here renders its page: the cost of the input is measured, not the cache."""
    cache.clear()


@pytest.fixture
def admin(client, db, catalogue):
    client.force_login(User.objects.get(username="hostile-admin"))
    return client


def test_the_hostile_record_was_loaded_whole(db, catalogue):
    trial = Trial.objects.get(registry_id=HOSTILE_ID)
    assert trial.brief_title.startswith('=HYPERLINK("http://evil.example/","x")Umbilical cord')
    assert SCRIPT in trial.brief_title and ENTITIES in trial.brief_title
    assert trial.in_scope  # so the default list shows it
    assert Trial.objects.count() == len(SEED_IDS) + 1


# --- hostile query strings -------------------------------------------------------------

HUGE = "x" * 100_000
HOSTILE_QUERIES = {
    "sql-quote": "q=%27%20OR%201%3D1--",
    "sql-drop": "q=x%27%3B%20DROP%20TABLE%20catalogue_trial%3B--&status=RECRUITING%27--",
    "sql-in-every-filter": "&".join(
        f"{p}=%27)%20OR%20(%271%27%3D%271"
        for p in ("status", "phase", "cell_source", "donor", "diabetes_type", "route", "country")
    ),
    "sql-numbers": "age=1%20OR%201=1&enrollment_min=1;SELECT%201&start_year_min=2000)--",
    "huge-q": f"q={HUGE}",
    "huge-q-words": "q=" + "stem+" * 20_000,
    "huge-q-operators": "q=" + "-%22or%22+or+" * 5_000,
    "huge-unknown": f"whatever={HUGE}",
    "huge-filter-value": f"status={HUGE}&country={HUGE}",
    "huge-page": "page=" + "9" * 30,
    "page-5000-digits": "page=" + "9" * 5_000,
    "page-negative": "page=-1",
    "page-float": "page=1e9",
    "page-nan": "page=NaN",
    "per-page-negative": "per_page=-1",
    "per-page-huge": "per_page=" + "9" * 30,
    "per-page-zero": "per_page=0",
    "numbers-huge": "enrollment_min=" + "9" * 40 + "&enrollment_max=" + "9" * 5_000,
    "numbers-odd": "age=NaN&enrollment_min=inf&start_year_min=-0&start_year_max=1e400&age=1e308",
    "repeated-status": "&".join(["status=RECRUITING"] * 900),
    "repeated-country": "&".join(f"country=Country{n}" for n in range(900)),
    "repeated-q": "&".join(["q=stem"] * 500),
    "too-many-fields": "&".join(["status=RECRUITING"] * 2_000),
    "unknown": "foo=bar&__proto__=1&q[]=1&constructor=x&utm_source=%3Cscript%3E",
    "invalid-utf8": "q=%ff%fe&status=%C0%AF&country=%ED%A0%80&%ff=%fe",
    "nul": "q=a%00b&status=RECRUITING%00&country=%00&sort=%00&page=%00&per_page=%00&%00=1",
    "nul-only-q": "q=%00",
    "odd-unicode": "q=%E2%80%AE%E2%80%8B%EF%BB%BF" + "a%CC%81" * 2_000 + "%F0%9F%A7%AC",
    "emoji-q": "q=" + "%F0%9F%98%80" * 1_000,
    "ascii-control": "q=%01%02%1b%7f&country=%0d%0aSet-Cookie:%20x=1",
    "percent-junk": "q=%zz%&status=%&%%%=",
    "websearch-junk": "q=%22%22%22-%20or%20-%20%22%20%28%29%3A%2A%26%7C%21%3C-%3E",
    "script-q": "q=%3Cscript%3Ealert(1)%3C/script%3E&country=%22%3E%3Csvg%20onload%3Dalert(1)%3E",
    "bool-odd": "include_out_of_scope=%00&include_out_of_scope=yes&sort=relevance",
}
PUBLIC_URLS = [
    "/",
    "/trials/",
    "/trials.csv",
    "/trials.json",
    "/landscape/",
    f"/trials/{SEED}/",
    "/healthz",
]
READ_THE_QUERY = {"/trials/", "/trials.csv", "/trials.json", "/landscape/"}
# A hostile request may run the queries of a plain one and this many more (a search adds
# the exact-match check and, when nothing matches as typed, one lookup of corrections for
# all its words), whatever the input; and must not take long on a tiny catalogue.
EXTRA_QUERIES = 3
MAX_SECONDS = 3.0


def fetch(client, url: str):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries), time.perf_counter() - started


@pytest.fixture(scope="module")
def plain():
    """The response to a URL without a query, and its query count: fetched once per URL."""
    seen = {}

    def get(client, url: str):
        if url not in seen:
            seen[url] = fetch(client, url)
        return seen[url]

    return get


def page_html(response) -> str:
    return response.content.decode("utf-8")


@pytest.mark.parametrize("url", PUBLIC_URLS)
@pytest.mark.parametrize("name", HOSTILE_QUERIES)
def test_hostile_query_strings_give_a_page_or_a_400(client, db, catalogue, plain, url, name):
    query = HOSTILE_QUERIES[name]
    # The plain request first: it also pays for whatever a process does once (caches).
    plain_response, plain_queries, _ = plain(client, url)
    response, queries, seconds = fetch(client, f"{url}?{query}")
    expected = 200
    if url == "/":
        # The redirect to /trials/ keeps the query; Django refuses to redirect past 16 kB.
        expected = 302 if len(f"/trials/?{query}") <= 16_384 else 400
    elif name == "too-many-fields" and url in READ_THE_QUERY:
        expected = 400  # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters
    assert response.status_code == expected, response.content[:500]
    assert queries <= plain_queries + EXTRA_QUERIES, f"{queries} queries, {plain_queries} plain"
    assert seconds < MAX_SECONDS, f"{seconds:.2f} s"
    # Nothing is copied back into the page without bound: no 100 kB echo in every link.
    assert len(response.content) < 4 * len(plain_response.content) + 20_000
    if response["Content-Type"].startswith("text/html"):
        html = page_html(response)
        assert "\x00" not in html
        assert "<script>alert" not in html and "<svg onload" not in html


@pytest.mark.parametrize("value", ["%00", "%ff%fe", "'%20OR%201=1--", "x" * 5_000, "NCT%E2%80%AE1"])
def test_hostile_registry_ids_are_a_404(client, db, catalogue, value):
    response = client.get(f"/trials/{value}/")
    assert response.status_code == 404


def results(response) -> tuple[list[str], BeautifulSoup]:
    page = BeautifulSoup(response.content, "html.parser")
    return [li["data-registry-id"] for li in page.select("li.result")], page


def messages(page: BeautifulSoup) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.select("ul.messages li")]


def test_a_long_search_is_cut_to_its_first_characters_with_a_message(client, db, catalogue):
    typed = "umbilical " + "x" * 100_000
    response = client.get("/trials/", {"q": typed})
    assert response.status_code == 200
    _, page = results(response)
    assert page.select_one("#q")["value"] == typed[:MAX_SEARCH_LENGTH]
    [message] = messages(page)
    assert message == (
        f"Search: only the first {MAX_SEARCH_LENGTH} characters of the search were used."
    )
    # Links keep the shortened search, not the 100 kB one.
    csv_link = page.select_one('a[data-download="csv"]')["href"]
    assert len(csv_link) < 1_000
    assert len(response.content) < 100_000


def test_a_search_of_exactly_the_limit_is_not_cut(client, db, catalogue):
    typed = "umbilical " + "x" * (MAX_SEARCH_LENGTH - 10)
    response = client.get("/trials/", {"q": typed})
    _, page = results(response)
    assert page.select_one("#q")["value"] == typed
    assert messages(page) == []


def test_nul_characters_are_dropped_from_the_search(client, db, catalogue):
    with_nul, page = results(client.get("/trials/?q=umbilical%00"))
    plain, _ = results(client.get("/trials/?q=umbilical"))
    assert with_nul == plain and plain
    assert page.select_one("#q")["value"] == "umbilical"


def test_a_bad_filter_value_is_echoed_short_and_escaped(client, db, catalogue):
    response = client.get("/trials/", {"status": "<b>" + "y" * 10_000, "country": "\x00"})
    _, page = results(response)
    echoed = messages(page)
    assert len(echoed) == 2
    assert all(len(message) < 200 for message in echoed), echoed
    assert echoed[0].startswith("Status: ignored “<b>yyy") and "…" in echoed[0]
    assert not page.select("ul.messages b")


def test_an_enrollment_bound_beyond_the_column_is_ignored_with_a_message(client, db, catalogue):
    ids, page = results(client.get("/trials/", {"enrollment_min": str(2**31)}))
    assert HOSTILE_ID in ids  # the bound is dropped, not applied
    assert messages(page) == [
        f"Enrollment from: ignored “{2**31}”. "
        f"Ensure this value is less than or equal to {2**31 - 1}."
    ]


def test_a_huge_page_number_is_echoed_short(client, db, catalogue):
    response = client.get("/trials/", {"page": "9" * 5_000})
    _, page = results(response)
    [message] = messages(page)
    assert len(message) < 200 and "Showing page 1." in message


def test_repeated_values_are_not_repeated_in_links(client, db, catalogue):
    query = "&".join(["status=RECRUITING"] * 900)
    response = client.get(f"/trials/?{query}")
    ids, page = results(response)
    assert HOSTILE_ID in ids
    csv_link = page.select_one('a[data-download="csv"]')["href"]
    assert csv_link.count("status=RECRUITING") == 1


def test_unknown_parameters_are_ignored(client, db, catalogue):
    plain, _ = results(client.get("/trials/"))
    odd, page = results(client.get("/trials/?foo=bar&q[]=1&__proto__=x"))
    assert odd == plain
    assert messages(page) == []


# --- hostile text from a source ---------------------------------------------------------

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")


def assert_inert(response) -> BeautifulSoup:
    """No live markup from the payloads: no script, handler or script link they created."""
    assert response.status_code == 200
    html = page_html(response)
    for live in ("<script>alert", "<img src=x", "<svg onload", "<b onclick", "<textarea><script"):
        assert live not in html, f"{live!r} is live markup"
    page = BeautifulSoup(html, "html.parser")
    for tag in page.find_all(True):
        handlers = [name for name in tag.attrs if name.lower().startswith("on")]
        assert not handlers, f"<{tag.name}> has event handler attributes {handlers}"
        for name in URL_ATTRIBUTES:
            value = tag.get(name)
            if isinstance(value, str):
                squeezed = "".join(value.split()).lower()
                assert not squeezed.startswith(DANGEROUS_SCHEMES), f"<{tag.name} {name}={value!r}>"
        if tag.name == "script" and tag.get("type") == "application/ld+json":
            # Structured data: never run, and the payloads in it stay JSON escapes.
            assert "<" not in tag.get_text() and json.loads(tag.get_text()), tag
        elif tag.name == "script":
            assert "alert" not in tag.get_text(), tag
        if tag.name in ("img", "iframe", "object", "embed"):
            assert tag.get("src", "").startswith("/static/"), tag
    return page


def test_detail_page(client, db, catalogue):
    page = assert_inert(client.get(f"/trials/{HOSTILE_ID}/"))
    text = page.get_text()
    # The payloads are there, as text: escaped once, not stripped and not decoded twice.
    assert SCRIPT in page.h1.get_text()
    assert ENTITIES in text and TEMPLATE in text
    assert "<script>alert(6)" not in text  # the entity trick stays entities
    pubmed = [a["href"] for a in page.select("#references a")]
    assert pubmed and all(href.startswith("https://pubmed.ncbi.nlm.nih.gov/") for href in pubmed)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=xylograph",
        "?q=umbilical",
        "?country=%3D1%2B1+%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_list_page_and_snippets(client, db, catalogue, query):
    response = client.get(f"/trials/{query}")
    ids, page = results(response)
    assert HOSTILE_ID in ids
    assert_inert(response)
    entry = page.select_one(f'li.result[data-registry-id="{HOSTILE_ID}"]')
    assert SCRIPT in entry.get_text()
    if query == "?q=xylograph":
        snippet = entry.select_one(".snippet")
        assert {tag.name for tag in snippet.find_all(True)} == {"mark"}
        assert "<img src=x onerror=alert(2)>" in snippet.get_text()


def test_landscape(client, db, catalogue):
    page = assert_inert(client.get("/landscape/"))
    assert "<script>alert(1)</script>" in page.get_text()  # the country, in a chart's table


def admin_pages() -> list[str]:
    trial = Trial.objects.get(registry_id=HOSTILE_ID)
    source = SourceDocument.objects.get(trial=trial)
    sponsor = Sponsor.objects.filter(name__startswith="@SUM").get()
    return [
        reverse("admin:catalogue_trial_change", args=[trial.pk]),
        reverse("admin:catalogue_trial_history", args=[trial.pk]),
        reverse("admin:catalogue_trial_changelist"),
        reverse("admin:catalogue_trial_changelist") + "?q=%3Cscript%3Ealert(1)%3C/script%3E",
        reverse("admin:catalogue_reviewitem_changelist"),
        reverse("admin:catalogue_sourcedocument_change", args=[source.pk]),
        reverse("admin:catalogue_sponsor_changelist"),
        reverse("admin:catalogue_sponsor_change", args=[sponsor.pk]),
    ]


def test_admin_pages(admin, catalogue):
    for url in admin_pages():
        page = assert_inert(admin.get(url))
        assert page.select_one("#content"), url


def test_admin_change_page_keeps_the_payload_as_field_values(admin, catalogue):
    trial = Trial.objects.get(registry_id=HOSTILE_ID)
    response = admin.get(reverse("admin:catalogue_trial_change", args=[trial.pk]))
    page = assert_inert(response)
    assert page.select_one("#id_brief_title").get_text().strip() == trial.brief_title
    assert page.select_one("#id_brief_summary").get_text().strip() == trial.brief_summary.strip()


def test_json_download_is_faithful_and_not_a_page(client, db, catalogue):
    response = client.get("/trials.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    [record] = [t for t in json.loads(response.content) if t["registry_id"] == HOSTILE_ID]
    assert record["title"] == Trial.objects.get(registry_id=HOSTILE_ID).brief_title


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def test_csv_download_has_no_cell_a_spreadsheet_would_run(client, db, catalogue):
    response = client.get("/trials.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    [row] = [r for r in rows if r["registry_id"] == HOSTILE_ID]
    assert row["title"].startswith("'=HYPERLINK(")
    assert row["lead_sponsor"].startswith("'@SUM")
    assert row["collaborators"].startswith("'-2+3")
    assert row["conditions"].startswith("'+cmd")
    assert row["countries"].startswith("'=1+1")  # the parser strips the tab
    for r in rows:
        for column, cell in r.items():
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), (column, cell)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (24, 24),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    from catalogue.export import safe_cell

    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/admin/catalogue/trial/?overall_status__exact=%00",
        "/admin/catalogue/trial/?q=a%00b",
        "/admin/catalogue/trial/?%00=1",
    ],
)
def test_a_nul_in_an_admin_url_is_a_400(admin, path):
    response = admin.get(path)
    assert response.status_code == 400
