"""Curation end to end through the admin itself: the real change form, inlines included."""

from __future__ import annotations

import contextlib
import io
import shutil

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from catalogue.models import CuratorDeletion, CuratorLock, EligibilityCriterion, Sponsor, Trial

from .conftest import SOURCES

pytestmark = pytest.mark.django_db

VINMEC = "000_e5be43bb7cdcd631.txt"
EDITED_CRITERION = "Aged from 5 years and over."


def form_fields(html: bytes, form_id: str = "trial_form") -> dict[str, list[str]]:
    """What a browser would submit for the form as rendered (unchanged)."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    data: dict[str, list[str]] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.name == "textarea":
            data.setdefault(name, []).append(field.text.removeprefix("\n"))
        elif field.name == "select":
            chosen = [
                o.get("value", o.text) for o in field.find_all("option") if o.has_attr("selected")
            ]
            data.setdefault(name, []).extend(chosen)
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        else:
            data.setdefault(name, []).append(field.get("value", ""))
    return data


def inline_prefix(data: dict, field_suffix: str, value: str) -> str:
    """The form prefix (e.g. 'criteria-3') of the inline row whose field holds `value`."""
    for name, values in data.items():
        if name.endswith(field_suffix) and values == [value]:
            return name.removesuffix(field_suffix)
    raise AssertionError(f"no inline row with {field_suffix}={value!r}")


@pytest.fixture
def sources(tmp_path):
    target = tmp_path / "sources"
    shutil.copytree(SOURCES, target)
    call_command("ingest", str(target), verbosity=0)
    return target


def ingest(path) -> str:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("ingest", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def edit_trial(
    client, trial: Trial, changes: dict[str, str | list[str]], criterion: tuple[str, str] | None
):
    url = reverse("admin:catalogue_trial_change", args=[trial.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_fields(page.content)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    if criterion:
        old, new = criterion
        prefix = inline_prefix(data, "-text", old)
        data[f"{prefix}-text"] = [new]
    data["_save"] = ["Save"]
    response = client.post(url, data)
    assert response.status_code == 302, BeautifulSoup(response.content, "html.parser").select(
        ".errorlist"
    )


def test_curator_edits_survive_reingest_of_the_same_and_a_changed_source(client, curator, sources):
    trial = Trial.objects.get(registry_id="NCT05308836")
    assert trial.phases == ["PHASE1"]
    edit_trial(
        client,
        trial,
        {
            "brief_title": "Adipose MSCs in type 1 diabetes (curated title)",
            "phases": ["PHASE1", "PHASE2"],
            "cell_sources": ["adipose", "bone_marrow"],
        },
        (EDITED_CRITERION, "Aged 5 years or over (curator wording)."),
    )
    locks = {lock.field: lock for lock in CuratorLock.objects.filter(trial=trial)}
    assert set(locks) == {"brief_title", "phases", "cell_sources"}
    assert locks["phases"].original_value == ["PHASE1"] and locks["phases"].user == curator

    # The same files again: nothing changes.
    assert "5 unchanged" in ingest(sources)
    # A changed source: the registry now says PHASE2 and 12 participants.
    page = sources / VINMEC
    page.write_text(
        page.read_text()
        .replace("Clinical Phase\n\nPHASE1", "Clinical Phase\n\nPHASE2")
        .replace("10 participants", "12 participants")
    )
    assert "1 updated" in ingest(sources)

    trial.refresh_from_db()
    assert trial.brief_title == "Adipose MSCs in type 1 diabetes (curated title)"
    assert trial.phases == ["PHASE1", "PHASE2"]
    assert trial.cell_sources == ["bone_marrow", "adipose"]  # in the vocabulary's order
    assert trial.enrollment == 12  # fields the curator did not touch follow the source
    texts = list(trial.criteria.values_list("text", flat=True))
    assert "Aged 5 years or over (curator wording)." in texts
    assert EDITED_CRITERION not in texts  # the source row the curator replaced stays out
    assert len(texts) == 21

    # The review queue says the source changed under the curator's phase.
    assert trial.needs_review
    assert "source changed phases since the curator's correction" in trial.review_reasons
    queue = client.get(reverse("admin:catalogue_reviewitem_changelist"))
    rows = BeautifulSoup(queue.content, "html.parser").select("#result_list tbody tr")
    assert any("NCT05308836" in row.get_text() for row in rows)

    # The history holds the curator's edit and the ingest's update.
    history = client.get(reverse("admin:catalogue_trial_history", args=[trial.pk]))
    events = BeautifulSoup(history.content, "html.parser").select("#change-history tr.event")
    by_curator = [e for e in events if e.select_one(".who").get_text().startswith(curator.username)]
    by_ingest = [e for e in events if e.select_one(".who").get_text().startswith("ingest")]
    assert any("brief_title" in e.get_text() for e in by_curator)
    assert any("enrollment" in e.get_text() for e in by_ingest)
    assert any(e["data-model"] == "catalogue.EligibilityCriterion" for e in by_curator)


def test_released_lock_takes_the_sources_value_again(client, curator, sources):
    trial = Trial.objects.get(registry_id="NCT05308836")
    edit_trial(client, trial, {"brief_title": "Curated"}, None)
    url = reverse("admin:catalogue_trial_change", args=[trial.pk])
    data = form_fields(client.get(url).content)
    prefix = inline_prefix(data, "-id", str(CuratorLock.objects.get(trial=trial).pk))
    data[f"{prefix}-DELETE"] = ["on"]
    data["_save"] = ["Save"]
    assert client.post(url, data).status_code == 302
    trial.refresh_from_db()
    assert not trial.locks.exists()
    assert trial.brief_title.startswith("Evaluate Safety of Adipose Derived")


def test_deleted_and_added_rows_survive_reingest(client, curator, sources):
    trial = Trial.objects.get(registry_id="NCT05308836")
    url = reverse("admin:catalogue_trial_change", args=[trial.pk])
    data = form_fields(client.get(url).content)
    prefix = inline_prefix(data, "-text", "Taking systemic steroids")
    data[f"{prefix}-DELETE"] = ["on"]
    total = int(data["criteria-TOTAL_FORMS"][0])
    data["criteria-TOTAL_FORMS"] = [str(total + 1)]
    new = f"criteria-{total}"
    data.update(
        {
            f"{new}-position": ["99"],
            f"{new}-kind": ["exclusion"],
            f"{new}-depth": ["0"],
            f"{new}-text": ["Pregnancy (added by curator)"],
            f"{new}-trial": [str(trial.pk)],
        }
    )
    data["_save"] = ["Save"]
    assert client.post(url, data).status_code == 302
    assert CuratorDeletion.objects.filter(trial=trial, kind="eligibilitycriterion").count() == 1

    ingest(sources)
    from ingest.service import rebuild_trials

    rebuild_trials([trial], reparse=True)
    texts = list(EligibilityCriterion.objects.filter(trial=trial).values_list("text", flat=True))
    assert "Taking systemic steroids" not in texts
    assert "Pregnancy (added by curator)" in texts
    assert EligibilityCriterion.objects.get(text="Pregnancy (added by curator)").curated


def test_sponsor_merge_keeps_aliases_for_the_next_ingest(client, curator, sources):
    vinmec = Sponsor.objects.get(name="Vinmec Research Institute of Stem Cell and Gene Technology")
    page = sources / "001_721fa60f9c1edb35.txt"
    page.write_text(page.read_text().replace(vinmec.name, "Vinmec Research Institute (Hanoi)"))
    ingest(sources)
    duplicate = Sponsor.objects.get(name="Vinmec Research Institute (Hanoi)")
    response = client.post(
        reverse("admin:catalogue_sponsor_changelist"),
        {"action": "merge", "_selected_action": [vinmec.pk, duplicate.pk]},
    )
    assert response.status_code == 302
    assert not Sponsor.objects.filter(pk=duplicate.pk).exists()
    assert vinmec.aliases.filter(name="Vinmec Research Institute (Hanoi)").exists()
    from ingest.service import rebuild_trials

    rebuild_trials(Trial.objects.all(), reparse=True)
    assert not Sponsor.objects.filter(name="Vinmec Research Institute (Hanoi)").exists()
    assert Trial.objects.get(registry_id="NCT03343782").trial_sponsors.get().sponsor == vinmec


def test_mark_reviewed_clears_the_queue_until_a_new_reason(client, curator, sources):
    trial = Trial.objects.get(registry_id="NCT04061746")
    assert trial.needs_review  # parse warnings at least
    url = reverse("admin:catalogue_reviewitem_changelist")
    client.post(url, {"action": "mark_reviewed", "_selected_action": [trial.pk]})
    trial.refresh_from_db()
    assert not trial.needs_review
    edit_trial(client, trial, {"phases": ["PHASE2"]}, None)
    page = sources / "002_66764e625140ade7.txt"
    page.write_text(page.read_text().replace("\nPHASE1\n", "\nPHASE3\n"))
    ingest(sources)
    trial.refresh_from_db()
    assert trial.needs_review and trial.phases == ["PHASE2"]


def test_curator_group_cannot_manage_users(client, curator):
    assert curator.has_perm("catalogue.change_trial")
    assert curator.has_perm("catalogue.delete_eligibilitycriterion")
    assert not curator.has_perm("auth.change_user") and not curator.has_perm("auth.add_user")
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_admin_login_locks_out_after_repeated_failures(client):
    User.objects.create_user("victim", password="right-password", is_staff=True)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "victim", "password": "wrong"})
    response = client.post(url, {"username": "victim", "password": "right-password"})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
