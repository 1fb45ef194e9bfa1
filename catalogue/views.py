from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from .models import Trial


def trial_list(request):
    trials = Trial.objects.order_by("registry_id")
    return render(request, "catalogue/trial_list.html", {"trials": trials})


def trial_detail(request, registry_id: str):
    trial = get_object_or_404(Trial.objects.for_detail(), registry_id=registry_id)
    related = list(trial.related_trials.all())
    known = set(
        Trial.objects.filter(registry_id__in=[r.registry_id for r in related]).values_list(
            "registry_id", flat=True
        )
    )
    return render(
        request,
        "catalogue/trial_detail.html",
        {
            "trial": trial,
            "related": [(r, r.registry_id in known) for r in related],
        },
    )
