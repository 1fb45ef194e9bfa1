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
from .vocabulary import CellSource, DiabetesType, Donor, Phase, Route, SponsorClass, Status, StudyType


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    options: list[Option]

    @property
    def selected(self) -> int:
        return sum(o.selected for o in self.options)


# The facets in the order the page shows them: parameter, vocabulary (None: values come
# from the data), and whether every vocabulary option is listed or only those in use. The
# short classifier vocabularies are listed whole; the long registry enums only as used.
FACETS: tuple[tuple[str, type[TextChoices] | None, bool], ...] = (
    ("status", Status, False),
    ("phase", Phase, True),
    ("cell_source", CellSource, True),
    ("donor", Donor, True),
    ("diabetes_type", DiabetesType, True),
    ("route", Route, True),
    ("study_type", StudyType, True),
    ("sponsor_class", SponsorClass, False),
    ("country", None, False),
)


def facets(filterset: TrialFilter) -> list[Facet]:
    parts = [_counts(filterset, param) for param, _, _ in FACETS]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in parts[0].union(*parts[1:], all=True):
        if row["value"]:
            counts[row["facet"]][row["value"]] = row["n"]
    return [
        _facet(filterset, param, vocabulary, list_all, counts[param])
        for param, vocabulary, list_all in FACETS
    ]


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


def _facet(filterset, param, vocabulary, list_all, counts: dict[str, int]) -> Facet:
    selected = set(filterset.selected(param))
    if vocabulary is None:
        values = sorted(counts.keys() | selected, key=lambda v: (-counts.get(v, 0), v))
        labels = {}
    else:
        labels = dict(vocabulary.choices)
        values = [v for v in labels if list_all or v in counts or v in selected]
    options = [
        Option(value=v, label=labels.get(v, v), count=counts.get(v, 0), selected=v in selected)
        for v in values
    ]
    return Facet(param=param, label=filterset.filters[param].label, options=options)
