"""Facet counts beside the list's filters, all computed by one database query.

Each facet counts the trials that pass every active filter except its own, so ticking
"Phase 2" leaves the other phases' counts at what ticking them instead would give.
Options with no trials stay listed (muted), so the choices do not jump around.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import CharField, Count, F, Func, Q, TextChoices, Value

from .filters import TrialFilter
from .vocabulary import (
    CellSource,
    DiabetesType,
    Donor,
    Phase,
    Route,
    SponsorClass,
    Status,
    StudyType,
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetSpec:
    param: str
    vocabulary: type[TextChoices] | None  # None: the values come from the data
    list_all: bool  # list every vocabulary option, or only those some trial has
    folded: bool = False  # shown closed unless one of its options is chosen


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    options: list[Option]
    folded: bool

    @property
    def selected(self) -> int:
        return sum(o.selected for o in self.options)


# The facets in the order the page shows them. The short classifier vocabularies are
# listed whole; the long registry enums only as used. What people narrow by most stays open.
FACETS = (
    FacetSpec("status", Status, list_all=False),
    FacetSpec("phase", Phase, list_all=True),
    FacetSpec("cell_source", CellSource, list_all=True),
    FacetSpec("donor", Donor, list_all=True),
    FacetSpec("diabetes_type", DiabetesType, list_all=True),
    FacetSpec("route", Route, list_all=True, folded=True),
    FacetSpec("study_type", StudyType, list_all=True, folded=True),
    FacetSpec("sponsor_class", SponsorClass, list_all=False, folded=True),
    FacetSpec("country", None, list_all=False, folded=True),
)


def facets(filterset: TrialFilter) -> list[Facet]:
    parts = [_counts(filterset, spec.param) for spec in FACETS]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in parts[0].union(*parts[1:], all=True):
        if row["value"]:
            counts[row["facet"]][row["value"]] = row["n"]
    return [_facet(filterset, spec, counts[spec.param]) for spec in FACETS]


def _counts(filterset: TrialFilter, param: str):
    """(facet, value, n) for every value the reachable trials have; n counts those passing the other filters."""
    column = filterset.filters[param].field_name
    is_array = filterset.filters[param].lookup_expr == "overlap"
    value = Func(F(column), function="unnest", output_field=CharField()) if is_array else F(column)
    others = filterset.filtered(skip={param})
    return (
        filterset.universe()
        .order_by()
        .annotate(facet=Value(param, output_field=CharField()), value=value)
        .values("facet", "value")
        .annotate(n=Count("pk", filter=Q(pk__in=others.values("pk"))))
    )


def _facet(filterset: TrialFilter, spec: FacetSpec, counts: dict[str, int]) -> Facet:
    selected = set(filterset.selected(spec.param))
    if spec.vocabulary is None:
        values = sorted(counts.keys() | selected, key=lambda v: (-counts.get(v, 0), v))
        labels = {}
    else:
        labels = dict(spec.vocabulary.choices)
        values = [v for v in labels if spec.list_all or v in counts or v in selected]
    options = [
        Option(value=v, label=labels.get(v, v), count=counts.get(v, 0), selected=v in selected)
        for v in values
    ]
    label = filterset.filters[spec.param].label
    return Facet(param=spec.param, label=label, options=options, folded=spec.folded)
