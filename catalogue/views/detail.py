"""One trial, every section of it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .. import classified
from ..models import Trial
from ..provenance import section_sources


def trial_detail(request: HttpRequest, registry_id: str) -> HttpResponse:
    if "\x00" in registry_id:  # Postgres would refuse the lookup; no id holds a NUL
        raise Http404("No trial has that registry id.")
    trial = get_object_or_404(Trial.objects.for_detail(), registry_id=registry_id)
    return render(
        request,
        "catalogue/trial_detail.html",
        {
            "trial": trial,
            "provenance": section_sources(trial),
            "related": [(r, r.in_catalogue) for r in trial.related_trials.all()],
            **classified.section(trial),
        },
    )
