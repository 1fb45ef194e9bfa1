"""Trials made in a test with exactly the fields it cares about (classifier fields included)."""

from __future__ import annotations

import datetime
import itertools

from catalogue import search
from catalogue.models import Trial

_numbers = itertools.count(90_000_001)


def make_trial(**fields) -> Trial:
    trial = Trial.objects.create(**_with_defaults(fields))
    search.refresh(Trial.objects.filter(pk=trial.pk))
    return trial


def make_trials(count: int, **fields) -> list[Trial]:
    """Many trials in one insert (and one search refresh each), for query-count tests."""
    trials = Trial.objects.bulk_create(Trial(**_with_defaults(fields)) for _ in range(count))
    search.refresh(Trial.objects.filter(pk__in=[t.pk for t in trials]))
    return trials


def _with_defaults(fields: dict) -> dict:
    number = next(_numbers)
    return {
        "registry_id": f"NCT{number:08d}",
        "brief_title": f"Mesenchymal stem cells for diabetes, study {number}",
        "brief_summary": "Mesenchymal stromal cells given to people with diabetes.",
        "overall_status": "RECRUITING",
        "phases": ["PHASE1"],
        "study_type": "INTERVENTIONAL",
        "enrollment": 20,
        "start_date": datetime.date(2020, 1, 1),
        "start_date_precision": "month",
        "countries": ["China"],
        "lead_sponsor_class": "OTHER",
        "cell_sources": ["umbilical_cord"],
        "donor": "allogeneic",
        "routes": ["intravenous"],
        "diabetes_types": ["t1d"],
        **fields,
    }
