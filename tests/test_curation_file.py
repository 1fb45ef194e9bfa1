"""Curators' work is never lost: export it, build a fresh catalogue from the same sources,
import it, and the catalogue is the same trial for trial and row for row."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from catalogue import curation
from catalogue.children import CHILD_TABLES
from catalogue.models import (
    Arm,
    ConflictDecision,
    CuratorDeletion,
    CuratorLock,
    ErrorReport,
    ReviewNote,
    Sponsor,
    SponsorAlias,
    Trial,
    TrialSponsor,
)
from desk.portable import KINDS

from .test_curation_admin import form_fields, inline_prefix
from .test_desk_compare import EXTRA, EXTRA_PAGE, MEDPATH

pytestmark = pytest.mark.django_db

VINMEC_NAME = "Vinmec Research Institute of Stem Cell and Gene Technology"
# Bookkeeping that differs between two catalogues built at different times.
NOT_COMPARED = {"id", "search_vector", "first_ingested", "last_ingested"}


def natural(obj, field) -> object:
    """A column's value with database ids replaced by what they stand for."""
    value = getattr(obj, field.attname)
    if field.is_relation and value is not None:
        related = getattr(obj, field.name)
        return (
            getattr(related, "registry_id", None)
            or getattr(related, "username", None)
            or str(getattr(related, "name", None) or getattr(related, "text", None) or related)
        )
    return value


def portable_key(model, key: str) -> str:
    if model is TrialSponsor and key:
        sponsor_id, _, role = key.partition("|")
        return f"{Sponsor.objects.get(pk=sponsor_id).name}|{role}"
    return key


def rows_of(model, **where) -> list:
    out = []
    for row in model.objects.filter(**where):
        item = {
            f.name: natural(row, f)
            for f in model._meta.concrete_fields
            if f.name not in NOT_COMPARED and f.name not in ("created_at", "updated_at")
        }
        if "source_key" in item:
            item["source_key"] = portable_key(model, item["source_key"])
        if model is CuratorDeletion:
            from desk.portable import _ROW_MODEL

            item["key"] = portable_key(_ROW_MODEL.get(row.kind), row.key)
        if model is Arm:
            item["interventions"] = sorted(i.name for i in row.interventions.all())
        if model is ErrorReport:
            item.pop("email"), item.pop("address_hash")  # not curator work; not in the file
        out.append(json.dumps(item, sort_keys=True, default=str))
    return sorted(out)


def canonical() -> dict:
    """Everything ingest and curators made, keyed by what it is rather than by ids."""
    trials = {}
    for trial in Trial.objects.all():
        columns = {
            f.name: natural(trial, f)
            for f in Trial._meta.concrete_fields
            if f.name not in NOT_COMPARED
        }
        children = {
            model._meta.model_name: rows_of(model, trial=trial)
            for model in (
                *(t.model for t in CHILD_TABLES),
                CuratorLock,
                CuratorDeletion,
                ConflictDecision,
                ReviewNote,
                ErrorReport,
            )
        }
        trials[trial.registry_id] = {"columns": columns, **children}
    return {
        "trials": trials,
        "sponsors": sorted(Sponsor.objects.values_list("name", "agency_class")),
        "aliases": sorted(SponsorAlias.objects.values_list("name", "sponsor__name")),
    }


def ingest(path) -> None:
    call_command("ingest", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def save_trial(client, trial: Trial, change) -> None:
    """Open the trial's change form, let `change(data)` edit what a browser would send, save."""
    url = reverse("admin:catalogue_trial_change", args=[trial.pk])
    data = form_fields(client.get(url).content)
    change(data)
    data["_save"] = ["Save"]
    assert client.post(url, data).status_code == 302


def curate(client, curator, sources_dir) -> None:
    """A morning's curation, through the admin wherever a curator would use it."""
    # Locks and curated rows: an edited, a deleted and an added criterion; a changed sponsor.
    vinmec = Trial.objects.get(registry_id="NCT05308836")

    def edit_vinmec(data):
        data["brief_title"] = ["AD-MSCs in type 1 diabetes (curated)"]
        data["cell_sources"] = ["adipose", "bone_marrow"]
        data["dose_per_kg_min"] = ["1 × 10^6"]
        prefix = inline_prefix(data, "-text", "Aged from 5 years and over.")
        data[f"{prefix}-text"] = ["Aged 5 years or over (curator wording)."]
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
                f"{new}-trial": [str(vinmec.pk)],
            }
        )

    save_trial(client, vinmec, edit_vinmec)

    hospital = Sponsor.objects.create(name="Curator-named Hospital", agency_class="OTHER")
    cord = Trial.objects.get(registry_id="NCT01219465")

    def edit_cord(data):
        prefix = inline_prefix(data, "-role", "lead")
        data[f"{prefix}-sponsor"] = [str(hospital.pk)]
        prefix = inline_prefix(data, "-label", cord.arms.get().label)
        data[f"{prefix}-description"] = ["One infusion (curator's summary)."]

    save_trial(client, cord, edit_cord)

    # Sources that disagree: take one value, keep another.
    trial = Trial.objects.get(registry_id="NCT03343782")
    url = reverse("admin:catalogue_trial_compare", args=[trial.pk])
    client.post(url, {"action": "take", "field": "overall_status", "source": MEDPATH})
    client.post(url, {"action": "keep", "field": "phases"})

    # The queue: one trial marked reviewed; readers' reports, one of them handled.
    warned = Trial.objects.get(registry_id="NCT04061746")
    client.post(
        reverse("admin:catalogue_reviewitem_changelist"),
        {"action": "mark_reviewed", "_selected_action": [warned.pk]},
    )
    open_report = curation.file_report(
        trial, field="phases", text="Phase 2 was never started.", email="r@example.org", digest="a"
    )
    handled = curation.file_report(
        warned, field="donor", text="Donor is wrong.", email="", digest="b"
    )
    curation.handle_reports(ErrorReport.objects.filter(pk=handled.pk), curator)
    assert open_report.status == "open"
    ReviewNote.objects.create(trial=trial, text="Ask the sponsor about phase 2.", user=curator)

    # Two registrations a curator says are different trials.
    answer = client.post(
        reverse("admin:catalogue_identitydecision_add"),
        {"first": "NCT03343782", "second": "ChiCTR2000031319", "decision": "split", "note": "No."},
    )
    assert answer.status_code == 302

    # Sponsors: a duplicate spelling merged away, and a rename.
    extra = sources_dir / EXTRA  # where NCT03343782's sponsors come from
    extra.write_text(extra.read_text().replace(VINMEC_NAME, "Vinmec Research Institute (Hanoi)"))
    ingest(sources_dir)
    duplicate = Sponsor.objects.get(name="Vinmec Research Institute (Hanoi)")
    main = Sponsor.objects.get(name=VINMEC_NAME)
    client.post(
        reverse("admin:catalogue_sponsor_changelist"),
        {"action": "merge", "_selected_action": [main.pk, duplicate.pk]},
    )
    main.refresh_from_db()
    url = reverse("admin:catalogue_sponsor_change", args=[main.pk])
    data = form_fields(client.get(url).content, form_id="sponsor_form")
    data["name"] = ["Vinmec Research Institute"]
    data["_save"] = ["Save"]
    assert client.post(url, data).status_code == 302


def wipe_catalogue() -> None:
    """A fresh catalogue: no trials, no sponsors (the accounts stay, as on a new server)."""
    Trial.objects.all().delete()
    SponsorAlias.objects.all().delete()
    Sponsor.objects.all().delete()


def test_export_fresh_catalogue_ingest_import_equals_the_original(
    client, curator, sources_dir, tmp_path
):
    (sources_dir / EXTRA).write_text(EXTRA_PAGE)
    ingest(sources_dir)
    curate(client, curator, sources_dir)
    original = canonical()
    # Every kind of curator work is in play.
    exported = tmp_path / "curation.json"
    err = io.StringIO()
    call_command("export_curation", "-o", str(exported), stderr=err)
    data = json.loads(exported.read_text())
    assert {kind.name for kind in KINDS} == set(data["kinds"])
    assert all(data["kinds"][kind.name] for kind in KINDS), {
        k: len(v) for k, v in data["kinds"].items()
    }
    assert "r@example.org" not in exported.read_text()  # readers' addresses stay behind
    assert str(Trial.objects.get(registry_id="NCT05308836").pk) not in {
        str(item.get("trial")) for items in data["kinds"].values() for item in items
    }

    wipe_catalogue()
    ingest(sources_dir)
    assert canonical() != original
    out = io.StringIO()
    call_command("import_curation", str(exported), stdout=out, stderr=io.StringIO())
    restored = canonical()
    for registry_id, trial in original["trials"].items():
        for part, value in trial.items():
            assert restored["trials"][registry_id][part] == value, (registry_id, part)
    assert restored == original

    # A second import finds nothing to do.
    out = io.StringIO()
    call_command("import_curation", str(exported), stdout=out, stderr=io.StringIO())
    assert "0 change(s); 0 trial(s) rebuilt (nothing to do" in out.getvalue()
    assert canonical() == original


def test_a_dry_run_writes_nothing_and_missing_trials_fail_the_run(
    client, curator, seeded, tmp_path
):
    trial = Trial.objects.get(registry_id="NCT05308836")
    save_trial(client, trial, lambda data: data.update(brief_title=["Curated title"]))
    exported = tmp_path / "curation.json"
    call_command("export_curation", "-o", str(exported), stderr=io.StringIO())
    CuratorLock.objects.all().delete()
    out = io.StringIO()
    call_command("import_curation", str(exported), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "Dry run, nothing written: locks: 1 created" in out.getvalue()
    assert not CuratorLock.objects.exists()

    Trial.objects.filter(registry_id="NCT05308836").delete()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_curation", str(exported), stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "NCT05308836" in err.getvalue() and "not in this catalogue" in err.getvalue()


def test_a_file_that_is_not_a_curation_file_is_refused(db, tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "trials.json"
    bad.write_text(json.dumps([{"registry_id": "NCT1"}]))
    with pytest.raises(CommandError, match="not a curation file"):
        call_command("import_curation", str(bad))


def test_users_are_named_and_missing_ones_reported(client, curator, seeded, tmp_path):
    trial = Trial.objects.get(registry_id="NCT05308836")
    save_trial(client, trial, lambda data: data.update(acronym=["ADMSC-T1D"]))
    exported = tmp_path / "curation.json"
    call_command("export_curation", "-o", str(exported), stderr=io.StringIO())
    assert json.loads(exported.read_text())["kinds"]["locks"][0]["user"] == "cura"
    CuratorLock.objects.all().delete()
    User.objects.filter(username="cura").update(username="someone-else")
    err = io.StringIO()
    call_command("import_curation", str(exported), stdout=io.StringIO(), stderr=err)
    assert "no user 'cura' here" in err.getvalue()
    lock = CuratorLock.objects.get()
    assert (lock.value, lock.user) == ("ADMSC-T1D", None)
