"""The browse pages in headless Chromium: search, filter, open a trial, download, at desktop and phone width.

Screenshots land in screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from .conftest import SOURCES
from .factories import make_trial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed (make browser)")
    # Playwright's sync API runs an event loop in this thread; the database calls in
    # these tests are still plain synchronous ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def catalogue(db):
    """The bundled trials plus a few classified ones, so every facet and chart has something in it."""
    call_command("ingest", str(SOURCES), verbosity=0)
    examples = [
        ("umbilical_cord", "t1d", 2016, "RECRUITING", "China"),
        ("umbilical_cord", "t2d", 2018, "COMPLETED", "China"),
        ("bone_marrow", "t2d", 2014, "COMPLETED", "India"),
        ("adipose", "diabetic_foot", 2019, "RECRUITING", "Iran, Islamic Republic of"),
        ("placenta", "limb_ischemia", 2021, "NOT_YET_RECRUITING", "United States"),
        ("bone_marrow", "nephropathy", 2022, "ACTIVE_NOT_RECRUITING", "Spain"),
    ]
    for source, condition, year, status, country in examples:
        make_trial(
            brief_title=f"{source.replace('_', ' ').capitalize()} mesenchymal stromal cells in {condition.upper()}",
            cell_sources=[source],
            diabetes_types=[condition],
            start_date=datetime.date(year, 3, 1),
            overall_status=status,
            countries=[country],
        )


def open_page(browser, live_server, path, viewport=DESKTOP, javascript=True):
    context = browser.new_context(
        viewport=viewport, java_script_enabled=javascript, accept_downloads=True
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and errors.append(response.url))
    page.goto(live_server.url + path)
    return page, errors


def shoot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def listed(page) -> list[str]:
    return page.locator("li.result").evaluate_all("items => items.map(i => i.dataset.registryId)")


def test_search_finds_a_misspelling_and_keeps_the_url(browser, live_server, catalogue):
    page, errors = open_page(browser, live_server, reverse("catalogue:trial_list"))
    page.fill("#q", "umbilicle")
    page.press("#q", "Enter")
    page.wait_for_url("**q=umbilicle**")
    page.locator("#fuzzy-note").wait_for()
    assert {"NCT01219465", "NCT04061746"} <= set(listed(page))
    assert page.locator("#result-count").inner_text().endswith("trials")
    shoot(page, "list-search-desktop")
    assert errors == []


def test_ticking_a_cell_source_updates_results_counts_and_url(browser, live_server, catalogue):
    page, errors = open_page(browser, live_server, reverse("catalogue:trial_list"))
    before = page.locator("#result-count").inner_text()
    page.check("#f-cell_source-umbilical_cord")
    page.wait_for_url("**cell_source=umbilical_cord**")
    page.wait_for_function(
        "before => document.querySelector('#result-count').textContent.trim() !== before",
        arg=before,
    )
    expected = page.locator(
        '[data-facet="cell_source"][data-value="umbilical_cord"]'
    ).get_attribute("data-count")
    assert len(listed(page)) == int(expected) >= 2
    assert page.evaluate("document.activeElement.id") == "f-cell_source-umbilical_cord"
    assert "?" in page.url and "=&" not in page.url  # empty fields stay out of the URL
    shoot(page, "list-filtered-desktop")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('cell_source')")
    assert errors == []


def test_filters_work_without_javascript(browser, live_server, catalogue):
    page, _ = open_page(browser, live_server, reverse("catalogue:trial_list"), javascript=False)
    expected = page.get_attribute(
        '[data-facet="cell_source"][data-value="bone_marrow"]', "data-count"
    )
    page.check("#f-cell_source-bone_marrow")
    page.click("#apply")
    page.wait_for_url("**cell_source=bone_marrow**")
    assert len(listed(page)) == int(expected) >= 2
    page.select_option("#sort", "start")
    page.click("#sort-button")
    page.wait_for_url("**sort=start**")
    assert "cell_source=bone_marrow" in page.url


def test_open_a_trial_from_the_list(browser, live_server, catalogue):
    page, errors = open_page(
        browser, live_server, reverse("catalogue:trial_list") + "?phase=PHASE2"
    )
    page.click('li.result[data-registry-id="NCT02893306"] h3 a')
    page.wait_for_url("**/trials/NCT02893306/")
    assert page.locator("h1").inner_text().startswith("Phase 2 Study of Intravenous Administration")
    for section in (
        "status",
        "classification",
        "summary",
        "design",
        "arms",
        "outcomes",
        "eligibility",
        "sponsors",
        "locations",
        "references",
        "related",
        "sources",
        "cite",
    ):
        assert page.locator(f"section#{section}").is_visible(), section
    shoot(page, "detail-desktop")
    assert errors == []


def test_download_the_filtered_list_as_csv(browser, live_server, catalogue):
    page, _ = open_page(
        browser, live_server, reverse("catalogue:trial_list") + "?status=COMPLETED&sort=-start"
    )
    shown = listed(page)
    with page.expect_download() as download:
        page.click('a[data-download="csv"]')
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    )
    assert [row["registry_id"] for row in rows] == shown
    assert download.value.suggested_filename.endswith(".csv")


def test_landscape_follows_the_filters(browser, live_server, catalogue):
    page, errors = open_page(browser, live_server, reverse("catalogue:landscape"))
    assert page.locator("#chart-year svg rect").count() > 0
    shoot(page, "landscape-desktop")
    expected = page.get_attribute('[data-facet="diabetes_type"][data-value="t2d"]', "data-count")
    page.check("#f-diabetes_type-t2d")
    page.wait_for_url("**diabetes_type=t2d**")
    page.wait_for_function(
        "count => document.querySelector('#result-count').textContent.trim() === `${count} trials`",
        arg=expected,
    )
    assert errors == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        (
            "list",
            reverse("catalogue:trial_list") + "?q=mesenchymal&status=RECRUITING&status=COMPLETED",
        ),
        ("detail", reverse("catalogue:trial_detail", args=["NCT05308836"])),
        ("landscape", reverse("catalogue:landscape")),
        ("data", reverse("catalogue:data")),
        ("api-docs", reverse("api:docs")),
    ],
)
def test_pages_fit_a_phone(browser, live_server, catalogue, name, path):
    page, errors = open_page(browser, live_server, path, viewport=PHONE)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    shoot(page, f"{name}-phone")
    assert errors == []


def test_filters_fold_away_on_a_phone(browser, live_server, catalogue):
    page, _ = open_page(browser, live_server, reverse("catalogue:trial_list"), viewport=PHONE)
    panel = page.locator("#filters-panel")
    assert not panel.evaluate("panel => panel.open")
    page.click("#filters-panel > summary")
    page.check("#f-phase-phase2")
    page.wait_for_url("**phase=PHASE2**")
    assert panel.evaluate("panel => panel.open")
    shoot(page, "list-filters-open-phone")


def test_a_folded_facet_stays_open_once_opened(browser, live_server, catalogue):
    page, errors = open_page(browser, live_server, reverse("catalogue:trial_list"))
    country = page.locator("#facet-country")
    assert not country.evaluate("facet => facet.open")
    page.click("#facet-country > summary")
    page.check("#f-country-china")
    page.wait_for_url("**country=China**")
    page.click("#facet-route > summary")
    page.check("#f-phase-phase1")
    page.wait_for_url("**phase=PHASE1**")
    assert page.locator("#facet-country").evaluate("facet => facet.open")
    assert page.locator("#facet-route").evaluate("facet => facet.open")
    assert errors == []


def test_pages_and_filter_chips_update_in_place(browser, live_server, catalogue):
    page, errors = open_page(
        browser,
        live_server,
        reverse("catalogue:trial_list")
        + "?per_page=10&status=RECRUITING&status=COMPLETED&status=UNKNOWN&status=ACTIVE_NOT_RECRUITING&status=NOT_YET_RECRUITING",
    )
    first = listed(page)
    assert len(first) == 10
    page.click('.pagination a[rel="next"]')
    page.wait_for_url("**page=2**")
    page.wait_for_function(
        "() => document.querySelector('#result-count').textContent.includes('11–')"
    )
    assert not set(listed(page)) & set(first)
    assert "per_page=10" in page.url and "status=RECRUITING" in page.url
    page.click('.active-filters a.chip[data-param="status"] >> nth=0')
    page.wait_for_function("() => !location.search.includes('status=RECRUITING')")
    assert "page" not in parse_qs(urlsplit(page.url).query)
    page.click(".active-filters a.clear-all")
    page.wait_for_function("() => location.search === ''")
    assert page.locator(".active-filters").count() == 0
    assert errors == []


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# The rules axe-core counts as serious or critical: each one blocks some reader from the page.
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make axe)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def many_countries(catalogue):
    """Enough countries that the country facet and chart fold their tail away."""
    for number in range(14):
        make_trial(countries=[f"Country {number:02d}"], diabetes_types=["t2d"])


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "path",
    [
        reverse("catalogue:trial_list"),
        reverse("catalogue:trial_list") + "?include_out_of_scope=1&country=Country+13",
        reverse("catalogue:trial_detail", args=["NCT04061746"]),
        reverse("catalogue:trial_detail", args=["NCT02893306"]),
        reverse("catalogue:landscape"),
    ],
    ids=["list", "list-filtered", "detail", "detail-aggregator", "landscape"],
)
def test_axe_finds_no_serious_violation(
    browser, live_server, many_countries, axe_source, path, viewport
):
    page, errors = open_page(browser, live_server, path, viewport=viewport)
    # What folds away (filters on a phone, long lists) is checked too.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.evaluate(axe_source)  # through DevTools: the page's CSP does not apply
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    blocking = [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5])
        for v in violations
        if v["impact"] in BLOCKING
    ]
    assert blocking == []
    assert errors == []
