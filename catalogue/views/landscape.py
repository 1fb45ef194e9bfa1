"""Charts of the filtered trials, each with the table of its numbers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import landscape as numbers
from ..facets import facets
from ..filters import TrialFilter
from ..models import Trial


def landscape(request: HttpRequest) -> HttpResponse:
    filterset = TrialFilter(request.GET, queryset=Trial.objects.all())
    request.GET = filterset.data  # links carry what the filterset read (see trial_list)
    trials = filterset.filtered()
    by_flag, unflagged = numbers.by_flag(trials)
    return render(
        request,
        "catalogue/landscape.html",
        {
            "filterset": filterset,
            "facets": facets(filterset),
            "problems": filterset.problems,
            "total": trials.count(),
            "undated": numbers.without_start_date(trials),
            "by_year": numbers.by_year_and_cell_source(trials),
            "by_phase": numbers.by_phase(trials),
            "by_status": numbers.by_status(trials),
            "by_country": numbers.by_country(trials),
            "by_registry": numbers.by_registry(trials),
            "matrix": numbers.by_cell_source_and_condition(trials),
            "by_flag": by_flag,
            "unflagged_note": (
                f"{unflagged} of these trials {'has' if unflagged == 1 else 'have'} no reporting "
                "flag; a trial can have several."
            ),
            "results": numbers.results_by_completion_year(trials),
        },
    )
