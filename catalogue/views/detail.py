"""One trial, every section of it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import classified, flags
from ..changes import changes_for
from ..models import Trial
from ..provenance import section_sources
from ..structured import medical_trial


def trial_detail(request: HttpRequest, registry_id: str) -> HttpResponse:
    if "\x00" in registry_id:  # Postgres would refuse the lookup; no id holds a NUL
        raise Http404("No trial has that registry id.")
    trial = Trial.objects.for_detail().filter(registry_id=registry_id).first()
    if trial is None:
        # Another registration of a trial listed under its canonical id.
        other = Trial.objects.registered_as(registry_id)
        if other is None:
            raise Http404("No trial has that registry id.")
        return redirect("catalogue:trial_detail", other.registry_id, permanent=True)
    return render(
        request,
        "catalogue/trial_detail.html",
        {
            "trial": trial,
            "provenance": section_sources(trial),
            "related": [(r, r.in_catalogue) for r in trial.related_trials.all()],
            **classified.section(trial),
            "structured": medical_trial(trial, request.build_absolute_uri(request.path)),
            "flags": flags.shown(trial),
            "history": changes_for([trial.pk])[trial.pk],
        },
    )
