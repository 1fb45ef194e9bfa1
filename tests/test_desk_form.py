"""The trial change form: vocabularies as labelled checkboxes, doses as people write them,
the evidence as the detail page shows it (no raw JSON on the page)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.models import CuratorLock, Trial
from catalogue.vocabulary import DERIVED, Donor, Phase
from desk.forms import format_dose, parse_dose

from .test_curation_admin import form_fields

pytestmark = pytest.mark.django_db

VINMEC = "NCT05308836"  # adipose MSCs, type 1 diabetes; one source


def change_url(trial: Trial) -> str:
    return reverse("admin:catalogue_trial_change", args=[trial.pk])


def post_form(client, trial: Trial, changes: dict) -> BeautifulSoup | None:
    """Submit the change form as rendered, with `changes`; the page when it did not save."""
    url = change_url(trial)
    data = form_fields(client.get(url).content)
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    data["_save"] = ["Save"]
    response = client.post(url, data)
    if response.status_code == 302:
        return None
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(
    ("typed", "cells"),
    [
        ("2.5 × 10^6 cells/kg", 2.5e6),
        ("2.5x10^6", 2.5e6),
        ("2.5 x 10⁶ cells per kg", 2.5e6),
        ("1.1 × 10^6", 1.1e6),
        ("2.5e6", 2.5e6),
        ("2,500,000", 2.5e6),
        ("2500000", 2.5e6),
        ("2.5 million", 2.5e6),
        ("1 * 10^(8) MSC/kg", 1e8),
        ("", None),
    ],
)
def test_a_dose_is_read_as_people_write_it(typed, cells):
    assert parse_dose(typed) == cells


@pytest.mark.parametrize("typed", ["two million", "2.5 10^6", "2.5 × 10^6 cells/mL", "1-2e6"])
def test_a_dose_that_is_not_one_is_refused(typed):
    with pytest.raises(ValueError, match=r".+"):  # any message: the text it could not read
        parse_dose(typed)


@pytest.mark.parametrize("cells", [2.5e6, 1.1e6, 2345678.0, 1e8, 123456789.0])
def test_a_stored_dose_is_shown_so_that_saving_it_again_changes_nothing(cells):
    assert parse_dose(format_dose(cells)) == cells


def test_list_fields_are_labelled_checkboxes_from_their_vocabulary(client, curator, seeded):
    trial = Trial.objects.get(registry_id=VINMEC)
    page = BeautifulSoup(client.get(change_url(trial)).content, "html.parser")
    vocabularies = {d.name: d.vocabulary for d in DERIVED if d.many}
    vocabularies["phases"] = Phase
    for name, vocabulary in vocabularies.items():
        boxes = page.select(f'input[type="checkbox"][name="{name}"]')
        assert [b["value"] for b in boxes] == list(vocabulary.values), name
        labels = [b.find_parent("label").get_text(strip=True) for b in boxes]
        assert labels == list(vocabulary.labels), name
        ticked = [b["value"] for b in boxes if b.has_attr("checked")]
        assert ticked == getattr(trial, name), name
        assert not page.select(f'input[type="text"][name="{name}"]'), name
    donor = page.select_one('select[name="donor"]')
    assert [o["value"] for o in donor.select("option")] == list(Donor.values)
    assert donor.select_one("option[selected]")["value"] == trial.donor


def test_a_phase_outside_the_vocabulary_cannot_be_saved(client, curator, seeded):
    trial = Trial.objects.get(registry_id=VINMEC)
    page = post_form(client, trial, {"phases": ["PHASE 7"], "brief_title": "Changed"})
    assert page is not None, "saved a phase that is not in the vocabulary"
    error = page.select_one(".field-phases .errorlist").get_text()
    assert "PHASE 7" in error
    trial.refresh_from_db()
    assert trial.phases == ["PHASE1"] and trial.brief_title != "Changed"
    assert not CuratorLock.objects.filter(trial=trial).exists()
    # The model refuses it too, whoever writes it through full_clean().
    trial.phases = ["PHASE 7"]
    with pytest.raises(ValidationError) as refused:
        trial.full_clean()
    assert "phases" in refused.value.message_dict


def test_ticking_labels_saves_slugs_in_vocabulary_order(client, curator, seeded):
    trial = Trial.objects.get(registry_id=VINMEC)
    assert post_form(client, trial, {"routes": ["local", "intravenous"]}) is None
    trial.refresh_from_db()
    assert trial.routes == ["intravenous", "local"]
    lock = CuratorLock.objects.get(trial=trial)
    assert (lock.field, lock.value, lock.original_value) == (
        "routes",
        ["intravenous", "local"],
        ["intravenous"],
    )


def test_saving_the_form_unchanged_makes_nothing_curator_owned(client, curator, seeded):
    # Among them a dose (2–3 × 10^6 cells/kg), conditions with commas in them
    # ("Diabetes Mellitus, Type 1") and an arm without a label.
    assert Trial.objects.get(registry_id="NCT02893306").dose_per_kg_min == 2e6
    before = {t.registry_id: t.conditions for t in Trial.objects.all()}
    assert "Diabetes Mellitus, Type 1" in before["NCT01219465"]
    for trial in Trial.objects.all():
        assert post_form(client, trial, {}) is None, trial.registry_id
    assert not CuratorLock.objects.exists()
    assert {t.registry_id: t.conditions for t in Trial.objects.all()} == before


def test_text_lists_are_one_item_per_line(client, curator, seeded):
    trial = Trial.objects.get(registry_id=VINMEC)
    page = BeautifulSoup(client.get(change_url(trial)).content, "html.parser")
    assert page.select_one('textarea[name="conditions"]').get_text().strip() == "Type 1 Diabetes"
    changes = {"keywords": "Diabetes Mellitus, Type 1\r\n\r\n  stem cells  \r\n"}
    assert post_form(client, trial, changes) is None
    trial.refresh_from_db()
    assert trial.keywords == ["Diabetes Mellitus, Type 1", "stem cells"]


def test_doses_are_typed_with_their_unit_shown(client, curator, seeded):
    trial = Trial.objects.get(registry_id=VINMEC)
    changes = {"dose_per_kg_min": "1.5 × 10^6 cells/kg", "dose_per_kg_max": "3e6"}
    assert post_form(client, trial, changes) is None
    trial.refresh_from_db()
    assert (trial.dose_per_kg_min, trial.dose_per_kg_max) == (1.5e6, 3e6)
    assert set(trial.locks.values_list("field", flat=True)) == {
        "dose_per_kg_min",
        "dose_per_kg_max",
    }
    page = BeautifulSoup(client.get(change_url(trial)).content, "html.parser")
    box = page.select_one('input[name="dose_per_kg_min"]')
    assert box["value"] == "1.5 × 10^6"
    assert box.find_next_sibling("span", class_="dose-unit").get_text() == "cells/kg"

    page = post_form(client, trial, {"dose_per_kg_min": "2.5"})
    assert "too small to be a dose" in page.select_one(".errorlist").get_text()
    page = post_form(client, trial, {"dose_per_kg_min": "5e6", "dose_per_kg_max": "1e6"})
    assert "lower than the lowest" in page.select_one(".errorlist").get_text()


def test_evidence_is_shown_as_the_detail_page_shows_it(client, curator, seeded):
    trial = Trial.objects.get(registry_id=VINMEC)
    admin_page = BeautifulSoup(client.get(change_url(trial)).content, "html.parser")
    public = BeautifulSoup(
        client.get(reverse("catalogue:trial_detail", args=[VINMEC])).content, "html.parser"
    )
    table = admin_page.select_one("table#evidence")
    shown = [row["data-field"] for row in table.select("tbody tr")]
    assert shown == [d.name for d in DERIVED] + ["dose"]
    # No raw JSON on the page, except behind the "raw" disclosure.
    assert [pre.find_parent("details") is not None for pre in admin_page.select("pre")] == [True]
    for derived in DERIVED:
        row = table.select_one(f'tr[data-field="{derived.name}"]')
        ours = [q.get_text() for q in row.select("q.phrase")]
        theirs = [
            q.get_text()
            for q in public.select(
                f'dd[data-field="{derived.name}"] q.phrase'
                if derived.name != "in_scope"
                else ".scope q.phrase"
            )
        ]
        assert ours == theirs, derived.name
    cell = table.select_one('tr[data-field="cell_sources"]')
    assert cell.select_one(".value").get_text() == "Adipose tissue"
    first = cell.select_one("li.evidence-item")
    assert first.select_one("mark").get_text() == "Adipose"
    assert first.select_one(".evidence-source").get_text() == "in 000_e5be43bb7cdcd631.txt"
    assert not cell.select(".curator-owned")


def test_a_curator_owned_field_says_so_beside_its_value_and_its_widget(client, curator, seeded):
    trial = Trial.objects.get(registry_id=VINMEC)
    assert post_form(client, trial, {"cell_sources": ["umbilical_cord"]}) is None
    page = BeautifulSoup(client.get(change_url(trial)).content, "html.parser")
    row = page.select_one('table#evidence tr[data-field="cell_sources"]')
    assert row.select_one(".value").get_text() == "Umbilical cord"
    owned = row.select_one(".owned").get_text(" ", strip=True)
    assert owned.startswith("Curator-owned by cura") and "the text says: Adipose tissue" in owned
    assert "Curator-owned" in page.select_one(".field-cell_sources .help").get_text()


def test_the_change_form_reads_a_fixed_number_of_queries(
    client, curator, seeded, django_assert_max_num_queries
):
    trial = Trial.objects.get(registry_id=VINMEC)
    url = change_url(trial)
    assert post_form(client, trial, {"routes": ["local"]}) is None
    trial.error_reports.create(field="phases", text="report")
    with django_assert_max_num_queries(30) as queries:
        client.get(url)
    baseline = len(queries)
    # More curator-owned fields and reports add no queries.
    assert post_form(client, trial, {"donor": "autologous", "recent_onset": []}) is None
    for n in range(3):
        trial.error_reports.create(field="phases", text=f"report {n}")
    assert trial.locks.count() == 3
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_marked_words_are_escaped_and_old_evidence_is_shown_unmarked():
    from catalogue.templatetags.catalogue import marked

    html = marked({"phrase": "<b>MSC</b> & bone marrow", "match": "bone marrow"})
    assert html == "&lt;b&gt;MSC&lt;/b&gt; &amp; <mark>bone marrow</mark>"
    assert marked({"phrase": "bone marrow <i>"}) == "bone marrow &lt;i&gt;"  # stored before `match`
    assert marked({"phrase": "x", "match": "not there"}) == "x"
