"""Facet counts beside the list's filters.

Each facet counts the trials that pass every active filter except its own, so ticking
"Phase 2" leaves the other phases' counts at what ticking them instead would give.
Options with no trials stay listed (muted), so the choices do not jump around.

The list's search index (catalogue.search_index) counts them when it can answer the
filterset (`_index_counts`: one AND and one popcount per value, no SQL); otherwise Postgres
does, as follows. Cost (bench/web.py measures it): the counts over the whole catalogue, which the landing
page shows and which tell what values exist at all, change only when trials change, so
each process keeps them per catalogue version. The rest is one query: the trials that
pass every filter are read once for all the facets whose own filter is off (and
counted, which spares the paginator its COUNT), and each facet whose filter is on
counts its own column over the trials that pass the others; the rows of the last 128 such
queries are kept per catalogue version too, so paging through a search counts it once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import TextChoices

from .filters import TrialFilter
from .version import catalogue_version
from .vocabulary import DERIVED, Phase, Registry, ReportingFlag, SponsorClass, Status, StudyType


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


@dataclass(frozen=True)
class Counts:
    """Trials per value of each facet, and how many trials there are in all."""

    by_facet: dict[str, dict[str, int]]
    total: int


# The facets in the order the page shows them. The short classifier vocabularies are
# listed whole; the long registry enums only as used. What people narrow by most stays open.
FACETS = (
    FacetSpec("status", Status, list_all=False),
    FacetSpec("phase", Phase, list_all=True),
    *(
        FacetSpec(derived.param, derived.vocabulary, list_all=True, folded=derived.folded)
        for derived in DERIVED
        if derived.param
    ),
    FacetSpec("study_type", StudyType, list_all=True, folded=True),
    FacetSpec("sponsor_class", SponsorClass, list_all=False, folded=True),
    FacetSpec("country", None, list_all=False, folded=True),
    FacetSpec("flag", ReportingFlag, list_all=True, folded=True),
    FacetSpec("registry", Registry, list_all=False, folded=True),
)
PARAMS = [spec.param for spec in FACETS]


def facets(filterset: TrialFilter, counts: Counts | None = None) -> list[Facet]:
    counts = counts or facet_counts(filterset)
    return [_facet(filterset, spec, counts.by_facet[spec.param]) for spec in FACETS]


def facet_counts(filterset: TrialFilter) -> Counts:
    """Each facet's count per value present in the reachable trials, and the filtered total."""
    if filterset.found is not None:
        return _index_counts(filterset, filterset.found)
    version = catalogue_version()  # read before the counts it keys, so never newer than them
    universe = _universe_counts(filterset, version)
    active = set(filterset.values)
    if not active:
        return universe
    # A facet whose filter is the only one set counts the whole universe again.
    own = [p for p in PARAMS if p in active and active - {p}]
    others = [p for p in PARAMS if p not in active]
    if own and "q" in active:
        # Each group would repeat the search (a third of a big catalogue can match it): read
        # the matches once, then narrow them by each group's facet filters.
        shared = filterset.filtered(skip=own)
        groups = [(filterset.narrowed(own), others, True)]
        groups += [(filterset.narrowed(set(own) - {p}), [p], False) for p in own]
    else:
        shared = None
        groups = [(filterset.filtered(), others, True)]
        groups += [(filterset.filtered(skip={p}), [p], False) for p in own]
    found, total = _count(groups, shared, version=version)
    by_facet = {}
    for param in PARAMS:
        present = universe.by_facet[param]
        if param in own or param in others:
            counted = found.get(param, {})
            by_facet[param] = {value: counted.get(value, 0) for value in present}
        else:
            by_facet[param] = present
    return Counts(by_facet, total)


def _index_counts(filterset: TrialFilter, found) -> Counts:
    """The same counts from the search index (catalogue.search_index): each facet over the
    trials that pass every filter but its own, a facet whose filter is the only one set over
    every reachable trial, and only the values some reachable trial has."""
    active = set(filterset.values)
    by_facet = {}
    for param in PARAMS:
        present = found.universe_counts(param)
        if param in active and not active - {param}:
            by_facet[param] = present
        else:
            counted = found.counts(param, found.without({param}))
            by_facet[param] = {value: counted.get(value, 0) for value in present}
    return Counts(by_facet, found.total)


# Per process: {(catalogue version, universe SQL): Counts}.
_universes: dict[tuple, Counts] = {}


def _universe_counts(filterset: TrialFilter, version: tuple) -> Counts:
    universe = filterset.universe()
    sql, params = universe.order_by().values("pk").query.sql_with_params()
    key = (version, sql, tuple(params))
    if key not in _universes:
        if len(_universes) >= 8:
            _universes.clear()
        found, total = _count([(universe, PARAMS, True)])
        by_facet = {p: found.get(p, {}) for p in PARAMS}
        _universes[key] = Counts(by_facet, total)
    return _universes[key]


# Per process: the rows of recent facet queries by (catalogue version, SQL, parameters), so
# the next page of a search, another sort or coming back does not count its matches again
# (at 100k trials a broad search's counts take a few hundred ms). Least recently used out
# first; a new catalogue version makes every old key miss.
_recent: OrderedDict[tuple, list] = OrderedDict()
RECENT = 128


def forget_recent() -> None:
    """Drop the remembered counts (bench.web measures searches counted afresh)."""
    _recent.clear()


def forget() -> None:
    """Drop every remembered count (the tests start each test without any)."""
    _recent.clear()
    _universes.clear()


def _rows(sql: str, params: list, version: tuple | None) -> list:
    key = (version, sql, repr(params))  # parameters hold lists: repr is their hashable form
    if version is not None and key in _recent:
        _recent.move_to_end(key)
        return _recent[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if version is not None:
        _recent[key] = rows
        while len(_recent) > RECENT:
            _recent.popitem(last=False)
    return rows


def _count(groups, shared=None, *, version=None) -> tuple[dict[str, dict[str, int]], int | None]:
    """One query for every (queryset, facets, with total) group: value counts and the total.

    With `shared`, the groups' querysets hold only their own facet filters, and they read
    the trials of `shared` (materialized once, with every facet column) instead of the table.
    """
    ctes, parts, params = [], [], []
    table = f'FROM "{groups[0][0].model._meta.db_table}"'
    if shared is not None:
        everything = sorted({"id", *(_column(p)[0] for p in PARAMS)})  # "id": a group counting none
        sql, sql_params = _sql(shared, everything)
        ctes.append(f"facet_base AS MATERIALIZED ({sql})")
        params += sql_params
    for i, (queryset, facet_params, with_total) in enumerate(groups):
        columns = {p: _column(p) for p in facet_params}
        names = sorted({name for name, _ in columns.values()}) or ["id"]
        sql, sql_params = _sql(queryset, names)
        if shared is not None:
            # The group's own WHERE, on the shared rows: they keep the table's column names.
            if sql.count(table) != 1:  # facet filters never join; if one did, fail loudly
                raise ValueError(f"a facet group reads more than the trial table: {sql}")
            sql = sql.replace(table, f"{table.replace('FROM ', 'FROM facet_base AS ')}")
        ctes.append(f"t{i} AS MATERIALIZED ({sql})")
        params += sql_params
        for p, (name, is_array) in columns.items():
            value = f"unnest({name})" if is_array else name
            parts.append(f"SELECT {PARAMS.index(p)}, {value}::text, count(*) FROM t{i} GROUP BY 2")
        if with_total:
            parts.append(f"SELECT -1, NULL, count(*) FROM t{i}")
    found: dict[str, dict[str, int]] = {}
    total = None
    for index, value, n in _rows(
        f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}", params, version
    ):
        if index < 0:
            total = n
        elif value:
            found.setdefault(PARAMS[index], {})[value] = n
    return found, total


def _sql(queryset, names: list[str]) -> tuple[str, tuple]:
    """The SELECT of these columns of the queryset's trials, and its parameters."""
    try:
        return queryset.order_by().values(*names).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing: count an empty set
        table = queryset.model._meta.db_table
        return f'SELECT {", ".join(names)} FROM "{table}" WHERE false', ()


def _column(param: str) -> tuple[str, bool]:
    """The trial column a facet counts, and whether it holds a list of values."""
    declared = TrialFilter.base_filters[param]
    return declared.field_name, declared.lookup_expr == "overlap"


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
