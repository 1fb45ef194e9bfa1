"""The numbers behind the landscape page: the filtered trials counted several ways, in the database.

A trial with two cell sources (or phases, countries, conditions) counts once under each,
so the bars of one chart can add up to more than the number of trials. Trials with an
empty value are counted under "" so every trial shows up somewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db.models import Case, CharField, Count, F, Func, Q, QuerySet, TextChoices, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from .vocabulary import CellSource, DiabetesType, Phase, Registry, ReportingFlag, Status

NOT_STATED = ""


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class Tally:
    """Trials per value of one field, largest or vocabulary order first."""

    categories: list[Category]
    counts: dict[str, int]

    @property
    def rows(self) -> list[tuple[Category, int]]:
        return [(c, self.counts.get(c.key, 0)) for c in self.categories]

    @property
    def largest(self) -> int:
        return max(self.counts.values(), default=0)


@dataclass(frozen=True)
class CrossTab:
    """Trials per pair of values: rows × columns, with zeros filled in."""

    rows: list[Category]
    columns: list[Category]
    counts: dict[tuple[str, str], int]

    def row(self, key: str) -> list[int]:
        return [self.counts.get((key, c.key), 0) for c in self.columns]

    @property
    def table(self) -> list[tuple[Category, list[int], int]]:
        """Each row with its cells and its total (a trial counted once per column it falls in)."""
        return [(r, self.row(r.key), sum(self.row(r.key))) for r in self.rows]

    @property
    def largest(self) -> int:
        return max(self.counts.values(), default=0)


def each(field: str) -> Func:
    """One row per element of an array column, and one "" row for an empty array."""
    return Func(
        Case(
            When(
                **{f"{field}__len": 0},
                then=Value([NOT_STATED], output_field=ArrayField(CharField())),
            ),
            default=F(field),
        ),
        function="unnest",
        output_field=CharField(),
    )


def _categories(
    keys, vocabulary: type[TextChoices] | None, not_stated: str, *, list_all: bool = False
) -> list[Category]:
    """Vocabulary order (unknown values after it, then the empty bucket), or alphabetical without one.

    `list_all` keeps vocabulary values no trial has, to show where the gaps are.
    """
    keys = set(keys)
    labels = dict(vocabulary.choices) if vocabulary else {}
    ordered = [k for k in labels if list_all or k in keys] + sorted(
        keys - labels.keys() - {NOT_STATED}
    )
    if NOT_STATED in keys:
        ordered.append(NOT_STATED)
    return [Category(k, not_stated if k == NOT_STATED else labels.get(k, k)) for k in ordered]


def tally(
    trials: QuerySet,
    field: str,
    vocabulary: type[TextChoices] | None,
    *,
    array: bool,
    not_stated: str,
    list_all: bool = False,
) -> Tally:
    value = each(field) if array else F(field)
    rows = trials.order_by().annotate(key=value).values("key").annotate(n=Count("pk"))
    counts = {r["key"] or NOT_STATED: r["n"] for r in rows}
    categories = _categories(counts, vocabulary, not_stated, list_all=list_all)
    if vocabulary is None:
        categories.sort(key=lambda c: (c.key == NOT_STATED, -counts[c.key], c.label))
    return Tally(categories, counts)


def by_phase(trials: QuerySet) -> Tally:
    return tally(trials, "phases", Phase, array=True, not_stated="Not stated", list_all=True)


def by_status(trials: QuerySet) -> Tally:
    return tally(trials, "overall_status", Status, array=False, not_stated="Not stated")


def by_country(trials: QuerySet) -> Tally:
    return tally(trials, "countries", None, array=True, not_stated="Not stated")


def by_registry(trials: QuerySet) -> Tally:
    """Trials by the registry of their id, largest first (each trial once: one id each)."""
    counted = tally(trials, "registry", Registry, array=False, not_stated="Registry not known")
    categories = sorted(
        counted.categories, key=lambda c: (c.key == NOT_STATED, -counted.counts[c.key], c.label)
    )
    return Tally(categories, counted.counts)


def by_year_and_cell_source(trials: QuerySet) -> CrossTab:
    """Trials started each year (every year between the first and last, even empty ones) by cell source."""
    rows = (
        trials.order_by()
        .filter(start_date__isnull=False)
        .annotate(year=ExtractYear("start_date"), source=each("cell_sources"))
        .values("year", "source")
        .annotate(n=Count("pk"))
    )
    counts = {(str(r["year"]), r["source"]): r["n"] for r in rows}
    years = sorted({int(year) for year, _ in counts})
    span = range(years[0], years[-1] + 1) if years else []
    columns = _categories({s for _, s in counts}, CellSource, "Not classified")
    return CrossTab([Category(str(y), str(y)) for y in span], columns, counts)


def by_cell_source_and_condition(trials: QuerySet) -> CrossTab:
    """Cell source × diabetes type, counted with one FILTER aggregate per diabetes type."""
    conditions = {slug: Q(diabetes_types__contains=[slug]) for slug in DiabetesType.values}
    conditions[NOT_STATED] = Q(diabetes_types__len=0)
    rows = (
        trials.order_by()
        .annotate(source=each("cell_sources"))
        .values("source")
        .annotate(**{f"n_{key or 'none'}": Count("pk", filter=q) for key, q in conditions.items()})
    )
    counts = {
        (r["source"], key): r[f"n_{key or 'none'}"]
        for r in rows
        for key in conditions
        if r[f"n_{key or 'none'}"]
    }
    sources = _categories({s for s, _ in counts}, CellSource, "Not classified", list_all=True)
    columns = _categories({c for _, c in counts}, DiabetesType, "Not classified", list_all=True)
    return CrossTab(sources, columns, counts)


def by_flag(trials: QuerySet) -> tuple[Tally, int]:
    """Trials per reporting flag, and how many have none (kept out of the bars, which it
    would dwarf)."""
    counted = tally(
        trials, "reporting_flags", ReportingFlag, array=True, not_stated="No flag", list_all=True
    )
    flagged = [c for c in counted.categories if c.key != NOT_STATED]
    # Every flag listed, with its zero: "no trial has it" is worth showing.
    counts = {c.key: counted.counts.get(c.key, 0) for c in flagged}
    return Tally(flagged, counts), counted.counts.get(NOT_STATED, 0)


# How a finished trial's results stand in the registry (Trial.results_posted: None where
# no registry record says).
RESULTS = (
    Category("posted", "Results posted"),
    Category("none", "No results posted"),
    Category("unknown", "Not stated (no registry record)"),
)


def results_by_completion_year(trials: QuerySet) -> CrossTab:
    """Completed or terminated trials per completion year (the primary completion, else the
    completion date: the registry's results clock, as the results flag reckons it), by
    whether results are posted; every year between the first and the last."""
    rows = (
        trials.order_by()
        .filter(overall_status__in=[Status.COMPLETED, Status.TERMINATED])
        .annotate(year=ExtractYear(Coalesce("primary_completion_date", "completion_date")))
        .filter(year__isnull=False)
        .annotate(
            results=Case(
                When(results_posted=True, then=Value("posted")),
                When(results_posted=False, then=Value("none")),
                default=Value("unknown"),
                output_field=CharField(),
            )
        )
        .values("year", "results")
        .annotate(n=Count("pk"))
    )
    counts = {(str(r["year"]), r["results"]): r["n"] for r in rows}
    years = sorted({int(year) for year, _ in counts})
    span = range(years[0], years[-1] + 1) if years else []
    return CrossTab([Category(str(y), str(y)) for y in span], list(RESULTS), counts)


def without_start_date(trials: QuerySet) -> int:
    return trials.filter(start_date__isnull=True).count()
