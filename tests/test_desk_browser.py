"""A curator at the desk, in headless Chromium: edit with the vocabulary, read the evidence,
settle a disagreement, act on a reader's report, set a field on many trials, read the history.

Screenshots (1366 px wide) land in screenshots/ (git-ignored; DESK_SCREENSHOTS moves them)
for a person to look at.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import ConflictDecision, CuratorLock, ErrorReport, Trial

from .conftest import SOURCES, curator_group
from .test_browser import browser  # noqa: F401  (the module's Chromium)
from .test_desk_compare import EXTRA, EXTRA_PAGE, MEDPATH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("DESK_SCREENSHOTS", Path(__file__).resolve().parent.parent / "screenshots")
)
WIDE = {"width": 1366, "height": 900}
PASSWORD = "a-curator's-passphrase"


@pytest.fixture
def desk(db, tmp_path):
    """The bundled trials plus a constructed second page that disagrees with one of them,
    and a curator account."""
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    (sources / EXTRA).write_text(EXTRA_PAGE)
    call_command("ingest", str(sources), stdout=io.StringIO(), stderr=io.StringIO())
    user = User.objects.create_user("cura", password=PASSWORD, is_staff=True)
    user.groups.add(curator_group())
    return user


def start(browser, live_server, path: str = "", *, login: bool = True):  # noqa: F811
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: r.status >= 400 and not r.url.endswith("favicon.ico") and errors.append(r.url),
    )
    if login:
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", "cura")
        page.fill("#id_password", PASSWORD)
        page.click('input[type="submit"]')
        page.wait_for_url("**/admin/")
    if path:
        page.goto(live_server.url + path)
    return page, errors


def shoot(page, name: str) -> None:
    """Save the page, after checking it fits 1366 px without scrolling sideways."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} is {overflow} px too wide"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"desk-{name}.png"), full_page=True)


def change_path(registry_id: str) -> str:
    trial = Trial.objects.get(registry_id=registry_id)
    return reverse("admin:catalogue_trial_change", args=[trial.pk])


def test_edit_with_the_vocabulary_and_read_the_evidence(browser, live_server, desk):  # noqa: F811
    page, errors = start(browser, live_server, change_path("NCT05308836"))
    shoot(page, "trial-form")
    evidence = page.locator('#evidence tr[data-field="cell_sources"]')
    assert evidence.locator("mark").first.inner_text() == "Adipose"
    assert "000_e5be43bb7cdcd631.txt" in evidence.inner_text()
    page.locator("#evidence").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "desk-evidence.png"))

    page.get_by_label("Umbilical cord", exact=True).check()
    page.get_by_label("Adipose tissue", exact=True).uncheck()
    page.fill("#id_dose_per_kg_min", "2.5 × 10^6 cells/kg")
    page.click('input[name="_continue"]')
    page.wait_for_selector(".messagelist .success")
    trial = Trial.objects.get(registry_id="NCT05308836")
    assert trial.cell_sources == ["umbilical_cord"] and trial.dose_per_kg_min == 2.5e6
    # Only what the curator changed is curator-owned: the browser's CRLF line ends in the
    # long text boxes are not edits.
    assert set(trial.locks.values_list("field", flat=True)) == {"cell_sources", "dose_per_kg_min"}
    assert not trial.criteria.filter(curated=True).exists()
    assert page.input_value("#id_dose_per_kg_min") == "2.5 × 10^6"
    owned = page.locator('#evidence tr[data-field="cell_sources"] .owned').inner_text()
    assert owned.startswith("Curator-owned by cura") and "Adipose tissue" in owned
    shoot(page, "trial-form-saved")

    # A phase typed by hand (a crafted request) is refused, with the vocabulary named.
    page.evaluate(
        """() => {
            const box = document.querySelector('input[name="phases"]').cloneNode();
            box.value = 'PHASE 7'; box.checked = true; box.id = 'crafted';
            document.querySelector('.field-phases .vocabulary').append(box);
        }"""
    )
    page.click('input[name="_continue"]')
    error = page.locator(".field-phases .errorlist").inner_text()
    assert "“PHASE 7” is not in the vocabulary" in error and "Phase 1" in error
    assert Trial.objects.get(registry_id="NCT05308836").phases == ["PHASE1"]
    shoot(page, "trial-form-refused")
    page.locator(".field-phases").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "desk-phase-refused.png"))
    assert errors == [], errors


def test_settle_a_disagreement_side_by_side(browser, live_server, desk):  # noqa: F811
    page, errors = start(browser, live_server, change_path("NCT03343782"))
    page.click("#compare-sources-link")
    page.wait_for_selector("#conflicts")
    shoot(page, "compare")
    status = page.locator('tr.conflict[data-field="overall_status"]')
    status.locator(f'td[data-source="{MEDPATH}"] button.take').click()
    page.wait_for_selector(".messagelist .success")
    assert "curator-owned" in page.locator(".messagelist").inner_text()
    assert status.get_attribute("data-settled") == "true"
    page.locator('tr.conflict[data-field="phases"] button.keep').click()
    page.wait_for_selector('tr.conflict[data-field="phases"][data-settled="true"]')
    shoot(page, "compare-settled")
    trial = Trial.objects.get(registry_id="NCT03343782")
    assert trial.overall_status == "COMPLETED"
    assert CuratorLock.objects.get(trial=trial).user == desk
    assert set(ConflictDecision.objects.values_list("field", "decision")) == {
        ("overall_status", "took"),
        ("phases", "kept"),
    }

    page.goto(live_server.url + reverse("admin:catalogue_trial_history", args=[trial.pk]))
    rows = page.locator("#change-history tr.event")
    by_cura = [
        rows.nth(i).inner_text()
        for i in range(rows.count())
        if "cura" in rows.nth(i).locator(".who").inner_text()
    ]
    assert any("overall_status" in text for text in by_cura)
    shoot(page, "history")
    assert errors == [], errors


def test_a_reader_reports_an_error_and_a_curator_handles_it(browser, live_server, desk):  # noqa: F811
    reader, errors = start(
        browser, live_server, reverse("catalogue:trial_detail", args=["NCT05308836"]), login=False
    )
    reader.click(".report-link a")
    reader.wait_for_selector("form.report-form")
    trap = reader.locator('input[name="website"]').bounding_box()  # the honeypot: off-screen
    assert trap["x"] + trap["width"] <= 0
    reader.select_option('select[name="field"]', "donor")
    reader.fill('textarea[name="text"]', "The cells are <b>autologous</b>: see the 2024 paper.")
    reader.fill('input[name="email"]', "reader@example.org")
    shoot(reader, "report-form")
    reader.click("form.report-form button[type=submit]")
    reader.wait_for_selector("h1:has-text('Thank you')")
    shoot(reader, "report-thanks")
    assert ErrorReport.objects.get().field == "donor"
    assert errors == [], errors

    page, errors = start(browser, live_server, reverse("admin:catalogue_reviewitem_changelist"))
    row = page.locator("#result_list tbody tr", has_text="NCT05308836")
    text = row.locator(".report-text").inner_text()
    assert "The cells are <b>autologous</b>" in text  # shown as typed, never as markup
    shoot(page, "review-queue")
    page.goto(live_server.url + reverse("admin:catalogue_errorreport_changelist"))
    shoot(page, "error-reports")
    page.locator("#result_list tbody tr input.action-select").first.check()
    page.select_option('select[name="action"]', "mark_handled")
    page.click('button[name="index"]')
    page.wait_for_selector(".messagelist .success")
    assert ErrorReport.objects.get().status == "handled"
    assert not Trial.objects.get(registry_id="NCT05308836").needs_review
    assert errors == [], errors


def test_set_the_donor_on_several_trials(browser, live_server, desk):  # noqa: F811
    page, errors = start(browser, live_server, reverse("admin:catalogue_trial_changelist"))
    for registry_id in ("NCT05308836", "NCT01219465"):
        page.locator("#result_list tbody tr", has_text=registry_id).locator(
            "input.action-select"
        ).check()
    page.select_option('select[name="action"]', "set_field")
    page.click('button[name="index"]')
    page.wait_for_selector("#bulk-form")
    page.select_option('select[name="field"]', "donor")
    shoot(page, "bulk-field")
    page.click('button[value="field"]')
    page.select_option('select[name="value"]', "autologous")
    shoot(page, "bulk-value")
    page.click('button[value="value"]')
    page.wait_for_selector("#bulk-preview")
    assert page.locator("#bulk-preview tbody tr").count() == 2
    shoot(page, "bulk-preview")
    page.click("#bulk-apply")
    page.wait_for_selector(".messagelist .success")
    shoot(page, "bulk-done")
    donors = set(
        Trial.objects.filter(registry_id__in=["NCT05308836", "NCT01219465"]).values_list(
            "donor", flat=True
        )
    )
    assert donors == {"autologous"}
    assert CuratorLock.objects.filter(field="donor", user=desk).count() == 2
    assert errors == [], errors
