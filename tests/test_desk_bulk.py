"""Setting one field on many trials from the trial list: field, value, preview, apply."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from catalogue.models import CuratorLock, Trial
from ingest.service import rebuild_trials

pytestmark = pytest.mark.django_db

LIST = reverse("admin:catalogue_trial_changelist")
CHOSEN = ["NCT05308836", "NCT03343782", "NCT01219465"]  # allogeneic, autologous, allogeneic


def step(client, trials, **data):
    ids = [t.pk for t in trials]
    response = client.post(LIST, {"action": "set_field", "_selected_action": ids, **data})
    return response, BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def chosen(seeded) -> list[Trial]:
    return list(Trial.objects.filter(registry_id__in=CHOSEN).order_by("registry_id"))


def test_set_the_donor_through_a_preview(client, curator, chosen):
    response, page = step(client, chosen)
    assert response.status_code == 200
    options = [o["value"] for o in page.select('select[name="field"] option')]
    assert options[:3] == ["in_scope", "cell_sources", "donor"] and "phases" in options

    _, page = step(client, chosen, step="field", field="donor")
    assert [o["value"] for o in page.select('select[name="value"] option')] == [
        "autologous",
        "allogeneic",
        "unknown",
    ]
    assert len(page.select("#bulk-current tbody tr")) == 3

    _, page = step(client, chosen, step="value", field="donor", value="autologous")
    rows = page.select("#bulk-preview tbody tr")
    assert sorted(r["data-registry-id"] for r in rows) == ["NCT01219465", "NCT05308836"]
    assert [td.get_text() for td in rows[0].select("td")[1:]] == ["Allogeneic", "Autologous"]
    assert "1 selected trial has it already" in page.get_text(" ", strip=True)
    assert Trial.objects.filter(donor="autologous").count() == 1  # nothing written yet

    response, _ = step(client, chosen, step="apply", field="donor", value="autologous")
    assert response.status_code == 302
    assert set(Trial.objects.filter(registry_id__in=CHOSEN).values_list("donor", flat=True)) == {
        "autologous"
    }
    locks = CuratorLock.objects.filter(field="donor")
    assert sorted(lock.trial.registry_id for lock in locks) == ["NCT01219465", "NCT05308836"]
    assert all(lock.user == curator and lock.original_value == "allogeneic" for lock in locks)

    # Curator-owned: a rebuild from the sources keeps it, and the history says who.
    rebuild_trials(chosen, reparse=True)
    assert Trial.objects.get(registry_id="NCT05308836").donor == "autologous"
    trial = Trial.objects.get(registry_id="NCT01219465")
    history = BeautifulSoup(
        client.get(reverse("admin:catalogue_trial_history", args=[trial.pk])).content,
        "html.parser",
    )
    edits = [
        e
        for e in history.select("#change-history tr.event")
        if e["data-model"] == "catalogue.Trial" and "donor" in e.get_text()
    ]
    assert edits[-1].select_one(".who").get_text().startswith("cura")


def test_add_a_cell_source_to_each_trials_list(client, curator, chosen):
    data = {"field": "cell_sources", "value": ["placenta"], "mode": "add"}
    _, page = step(client, chosen, step="value", **data)
    assert len(page.select("#bulk-preview tbody tr")) == 3
    step(client, chosen, step="apply", **data)
    sources = dict(
        Trial.objects.filter(pk__in=[t.pk for t in chosen]).values_list(
            "registry_id", "cell_sources"
        )
    )
    assert sources == {
        "NCT01219465": ["umbilical_cord", "placenta"],
        "NCT03343782": ["bone_marrow", "placenta"],
        "NCT05308836": ["adipose", "placenta"],
    }


def test_mark_out_of_scope_with_a_reason(client, curator, chosen):
    data = {"field": "in_scope", "value": "False", "reason": "Islet cells, not MSCs"}
    response, _ = step(client, chosen[:1], step="apply", **data)
    assert response.status_code == 302
    trial = Trial.objects.get(pk=chosen[0].pk)
    assert (trial.in_scope, trial.scope_reason) == (False, "Islet cells, not MSCs")
    assert set(trial.locks.values_list("field", flat=True)) == {"in_scope", "scope_reason"}
    assert trial.needs_review and "out of scope: Islet cells, not MSCs" in trial.review_reasons


def test_a_value_outside_the_vocabulary_is_refused(client, curator, chosen):
    response, page = step(client, chosen, step="apply", field="phases", value=["PHASE 7"])
    assert response.status_code == 200
    assert "PHASE 7" in page.select_one(".errorlist").get_text()
    assert not CuratorLock.objects.exists()


def test_someone_who_may_only_look_cannot_set_fields(client, chosen):
    from django.contrib.auth.models import Permission, User

    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_trial"))
    client.force_login(viewer)
    page = BeautifulSoup(client.get(LIST).content, "html.parser")
    actions = [o["value"] for o in page.select('select[name="action"] option')]
    assert "set_field" not in actions
    _response, _ = step(client, chosen, step="apply", field="donor", value="autologous")
    assert not CuratorLock.objects.exists()
    assert Trial.objects.filter(donor="autologous").count() == 1
