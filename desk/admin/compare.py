"""A trial's sources side by side: where they disagree, each one's value and the catalogue's,
and one click to take a source's value or keep the catalogue's.

Taking a value makes the field curator-owned (a CuratorLock, in the history like every
edit) and settles the conflict; keeping settles it without a lock. A settled conflict
stays out of the review queue until the sources say something else (`curation.desk_reasons`).

Lists (arms, criteria, outcomes, locations, ...) are not offered here: merge takes each
list whole from the source that gives the most rows and records no conflict for them, and
a list copied from a source would be curator-owned row by row, so it would stop following
that source. The page shows how many rows each source gives; rows are corrected one by
one on the trial's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst

from catalogue import curation, provenance
from catalogue.models import ConflictDecision, Trial
from catalogue.templatetags.catalogue import partial_date
from desk.forms import vocabulary_choices
from ingest.service import SourceView, rebuild_trials, source_views
from records.merge import LISTS

DATES = ("start_date", "primary_completion_date", "completion_date", "last_update")
DATES += ("status_verified_date",)


def columns_of(key: str) -> list[str]:
    """The curator-ownable Trial columns a merge key fills ("start_date" -> the date and its precision)."""
    return [name for name in curation.LOCKABLE if provenance.merge_key(name) == key]


def key_label(key: str) -> str:
    """ "design.allocation" -> "Allocation"; "eligibility.criteria" -> "Eligibility criteria"."""
    name = key.rsplit(".", 1)[-1]
    try:
        field = Trial._meta.get_field(name)
    except FieldDoesNotExist:
        return capfirst(key.replace(".", " ").replace("_", " "))
    if field.is_relation and field.auto_created:  # a child table: "arms" -> "Arms"
        return capfirst(field.related_model._meta.verbose_name_plural)
    return capfirst(field.verbose_name)


def shown(key: str, values: dict) -> str:
    """A merge key's value, from the columns it fills, as people read it ("" when not stated)."""
    if key in DATES:
        from datetime import date

        iso, precision = values.get(key), values.get(f"{key}_precision")
        return partial_date(date.fromisoformat(iso), precision) if iso else ""
    name = key.rsplit(".", 1)[-1]
    value = values.get(name)
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    labels = dict(vocabulary_choices(Trial._meta.get_field(name)))
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


def comparison(trial: Trial, views: list[SourceView]) -> dict:
    """What the page shows: one row per disagreement (and per settled one), then the lists."""
    now = curation.conflicts(trial)
    decisions = {d.field: d for d in trial.conflict_decisions.all()}
    locks = {lock.field: lock for lock in trial.locks.all()}
    current = {name: curation.field_value(trial, name) for name in curation.LOCKABLE}
    rows = []
    for key, said in now.items():
        stated = {item["source"] for item in said}
        decision = decisions.get(key)
        columns = columns_of(key)
        rows.append(
            {
                "key": key,
                "label": key_label(key),
                "now": shown(key, current) or "Not stated",
                "owned": [locks[c] for c in columns if c in locks],
                "decision": decision,
                "settled": bool(decision) and curation.same_conflict(decision.conflict, said),
                "cells": [
                    {
                        "source": view.document.filename,
                        "stated": view.document.filename in stated,
                        "value": shown(key, view.columns),
                        "chosen": trial.field_sources.get(key) == view.document.filename,
                        "taken": bool(decision)
                        and decision.decision == ConflictDecision.Decision.TOOK
                        and decision.source == view.document.filename,
                    }
                    for view in views
                ],
                "takeable": bool(columns),
            }
        )
    lists = [
        {
            "key": key,
            "label": key_label(key),
            "used": trial.field_sources.get(key, ""),
            "counts": [view.counts.get(key, 0) for view in views],
        }
        for key in (*LISTS, "eligibility.criteria")
        if any(view.counts.get(key) for view in views)
    ]
    return {"rows": rows, "lists": lists}


def compare_sources(model_admin, request, object_id):
    trial = get_object_or_404(
        Trial.objects.prefetch_related("sources", "locks__user", "conflict_decisions__user"),
        pk=object_id,
    )
    if not model_admin.has_view_or_change_permission(request, trial):
        raise PermissionDenied
    url = reverse("admin:catalogue_trial_compare", args=[trial.pk])
    views = source_views(trial)
    if request.method == "POST":
        if not model_admin.has_change_permission(request, trial):
            raise PermissionDenied
        decide(request, trial, views)
        return HttpResponseRedirect(url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Compare sources: {trial.registry_id}",
        "trial": trial,
        "opts": model_admin.opts,
        "sources": views,
        "can_change": model_admin.has_change_permission(request, trial),
        **comparison(trial, views),
    }
    return TemplateResponse(request, "admin/catalogue/trial/compare.html", context)


@transaction.atomic
def decide(request, trial: Trial, views: list[SourceView]) -> None:
    """Take a source's value, keep the catalogue's, or reopen a settled conflict."""
    key = request.POST.get("field", "")
    action = request.POST.get("action", "")
    said = curation.conflicts(trial).get(key)
    if action == "reopen":
        ConflictDecision.objects.filter(trial=trial, field=key).delete()
        curation.refresh_queue(Trial.objects.get(pk=trial.pk))
        messages.info(request, f"{key_label(key)}: the disagreement is open again.")
        return
    if said is None:
        raise Http404("The sources no longer disagree on that field.")
    if action == "keep":
        curation.settle_conflict(trial, key, request.user)
        curation.refresh_queue(Trial.objects.get(pk=trial.pk))
        messages.success(
            request,
            f"{key_label(key)}: kept the catalogue's value. The disagreement comes back only "
            "if the sources change.",
        )
        return
    if action != "take":
        raise Http404("Unknown action.")
    name = request.POST.get("source", "")
    view = next((v for v in views if v.document.filename == name), None)
    columns = columns_of(key)
    if view is None or name not in {item["source"] for item in said} or not columns:
        raise Http404("That source does not state this field.")
    before = {column: curation.field_value(trial, column) for column in columns}
    for column in columns:
        curation.set_field_value(trial, column, view.columns[column])
    trial.save(update_fields=columns)
    curation.record_field_edits(trial, before, columns, request.user)
    taken = {column: view.columns[column] for column in columns}
    curation.settle_conflict(trial, key, request.user, source=name, value=taken)
    # A fresh copy: this one holds its locks and decisions as they were before.
    rebuild_trials([Trial.objects.get(pk=trial.pk)])
    messages.success(
        request,
        f"{key_label(key)}: took {shown(key, view.columns) or 'nothing'} from {name}; "
        "the field is curator-owned now.",
    )
