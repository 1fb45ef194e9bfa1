"""The trial list's filters: one FilterSet reads every GET parameter of /trials/ (and /landscape/).

A bad value never fails the page. It is dropped, every other filter still applies, and
`problems` says in words what was ignored. A repeatable filter keeps its good values:
`phase=PHASE2&phase=PHASE9` still filters by phase 2. Whatever the query string holds,
the filterset reads a bounded copy of it (`bounded`): its own parameters only, each value
once, the search cut to MAX_SEARCH_LENGTH characters.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import django_filters
from django import forms
from django.http import QueryDict

from . import search, search_index
from .vocabulary import DERIVED, Phase, Registry, ReportingFlag, SponsorClass, Status, StudyType

SORTS = (
    ("relevance", "Relevance"),
    ("-start", "Start date, newest first"),
    ("start", "Start date, oldest first"),
    ("-updated", "Last updated"),
    ("-enrollment", "Enrollment, largest first"),
    ("enrollment", "Enrollment, smallest first"),
    ("-phase", "Phase, latest first"),
    ("phase", "Phase, earliest first"),
)
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20

NUMBER_FILTERS = ("age", "enrollment_min", "enrollment_max", "start_year_min", "start_year_max")
_NOT_AN_OPTION = "It is not one of the options."
# Longer searches are cut (with a message): no one types more, and each word costs the
# search (and the page, which repeats the search in its links) some time.
MAX_SEARCH_LENGTH = 200
# Any other value longer than this is bad anyway; keeping it whole would only make every
# link on the page that long.
MAX_VALUE_LENGTH = 200
# More values than any filter has options (a value list this long is not a person's): each
# would be a chip on the page, and each chip's link repeats all the others.
MAX_VALUES = 50
# The enrollment column is a Postgres integer. A bound beyond it is a bad value: Django
# cannot compile a comparison with it (EmptyResultSet), which the facet query would not survive.
LARGEST_ENROLLMENT = 2**31 - 1
# How much of a bad value a message repeats.
_ECHO_LENGTH = 40


class AnyOfFilter(django_filters.MultipleChoiceFilter):
    """A repeatable parameter: a trial matches when it has any of the chosen values.

    `lookup_expr` is "in" for a plain column and "overlap" for an array column.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": list(value)})

    def __deepcopy__(self, memo):
        # Each FilterSet deep-copies its filters; the choices and labels are never changed
        # per request, so a shallow copy serves (a list request spent ~2 ms copying them).
        clone = copy.copy(self)
        memo[id(self)] = clone
        return clone


class FreeValueField(forms.MultipleChoiceField):
    """Values that come from the data rather than a vocabulary (country names)."""

    def valid_value(self, value) -> bool:
        return 0 < len(value) <= 100 and "\x00" not in value  # Postgres text cannot hold NUL


class AnyValueFilter(AnyOfFilter):
    field_class = FreeValueField


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class BrowseForm(forms.Form):
    """The options beside the filters: which trials are in reach, and how to order and page them."""

    include_out_of_scope = forms.BooleanField(
        required=False, label="Include trials that are not MSC-for-diabetes"
    )
    sort = forms.ChoiceField(
        choices=SORTS,
        required=False,
        label="Sort",
        error_messages={"invalid_choice": _NOT_AN_OPTION},
    )
    per_page = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in PAGE_SIZES],
        coerce=int,
        empty_value=None,
        required=False,
        label="Per page",
        error_messages={"invalid_choice": _NOT_AN_OPTION},
    )


@dataclass(frozen=True)
class Active:
    """One applied filter value, as the summary above the results shows it (and removes it)."""

    param: str
    value: str | None  # None: remove the whole parameter
    text: str


def bounded(data: QueryDict, names: Iterable[str]) -> tuple[QueryDict, list[str]]:
    """`data` with only the parameters in `names`, each value once, in bounded number and length.

    Also gives the parameters that were cut short. NUL (which Postgres cannot take) is
    dropped from the search; other values with one are reported as ignored.
    """
    names = set(names)
    out = QueryDict(mutable=True)
    cut = []
    for name, values in data.lists():
        if name not in names:
            continue
        if name == "q":
            typed = values[-1].replace("\x00", "").strip()
            values = [typed[:MAX_SEARCH_LENGTH].strip()]
            too_long = len(typed) > MAX_SEARCH_LENGTH
        else:
            values = list(dict.fromkeys(v[:MAX_VALUE_LENGTH] for v in values))
            too_long = len(values) > MAX_VALUES
        if too_long:
            cut.append(name)
        out.setlist(name, values[:MAX_VALUES])
    out._mutable = False
    return out, cut


def echo(value: str) -> str:
    """A bad value as a message repeats it: printable characters only, and not too many."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in value).strip()
    return shown if len(shown) <= _ECHO_LENGTH else shown[:_ECHO_LENGTH] + "…"


class TrialFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search", label="Search", max_length=MAX_SEARCH_LENGTH
    )
    status = AnyOfFilter(
        field_name="overall_status", lookup_expr="in", choices=Status.choices, label="Status"
    )
    phase = AnyOfFilter(
        field_name="phases", lookup_expr="overlap", choices=Phase.choices, label="Phase"
    )
    # One filter per derived field with a parameter (cell_source, donor, diabetes_type, ...).
    vars().update(
        {
            derived.param: AnyOfFilter(
                field_name=derived.name,
                lookup_expr="overlap" if derived.many else "in",
                choices=derived.vocabulary.choices,
                label=derived.label,
            )
            for derived in DERIVED
            if derived.param
        }
    )
    country = AnyValueFilter(field_name="countries", lookup_expr="overlap", label="Country")
    study_type = AnyOfFilter(
        field_name="study_type", lookup_expr="in", choices=StudyType.choices, label="Study type"
    )
    sponsor_class = AnyOfFilter(
        field_name="lead_sponsor_class",
        lookup_expr="in",
        choices=SponsorClass.choices,
        label="Lead sponsor",
    )
    flag = AnyOfFilter(
        field_name="reporting_flags",
        lookup_expr="overlap",
        choices=ReportingFlag.choices,
        label="Reporting flag",
    )
    registry = AnyOfFilter(
        field_name="registry", lookup_expr="in", choices=Registry.choices, label="Registry"
    )
    age = django_filters.NumberFilter(
        method="filter_age", min_value=0, max_value=120, label="Accepts age (years)"
    )
    enrollment_min = WholeNumberFilter(
        field_name="enrollment",
        lookup_expr="gte",
        min_value=0,
        max_value=LARGEST_ENROLLMENT,
        label="Enrollment from",
    )
    enrollment_max = WholeNumberFilter(
        field_name="enrollment",
        lookup_expr="lte",
        min_value=0,
        max_value=LARGEST_ENROLLMENT,
        label="Enrollment to",
    )
    start_year_min = WholeNumberFilter(
        field_name="start_date",
        lookup_expr="year__gte",
        min_value=1900,
        max_value=2100,
        label="Started from",
    )
    start_year_max = WholeNumberFilter(
        field_name="start_date",
        lookup_expr="year__lte",
        min_value=1900,
        max_value=2100,
        label="Started until",
    )

    class Meta:
        form = BrowseForm

    def __init__(self, data: QueryDict | None = None, *args, **kwargs):
        self.cut: list[str] = []  # parameters that were cut short
        if data is not None:
            names = [*self.base_filters, *BrowseForm.base_fields, "page"]
            data, self.cut = bounded(data, names)
        super().__init__(data, *args, **kwargs)

    def filter_search(self, queryset, name, text):
        if self.fuzzy and self.correction:
            return queryset.matching(self.correction)
        if self.fuzzy:  # nothing close: no trials (with the rank the relevance order sorts by)
            return queryset.matching(text).none()
        return queryset.matching(text)

    def filter_age(self, queryset, name, years):
        return queryset.accepting_age(years)

    @cached_property
    def cleaned(self) -> dict:
        """The form's valid values (a field with a bad value is left out)."""
        self.form.is_valid()
        return self.form.cleaned_data

    @cached_property
    def values(self) -> dict:
        """Each filter's valid value; a repeatable filter with some bad values keeps the good ones."""
        values = {
            n: v for n, v in self.cleaned.items() if n in self.filters and v not in ("", None, [])
        }
        for name in self.form.errors:
            if isinstance(self.filters.get(name), AnyOfFilter):
                good = [v for v in self.data.getlist(name) if self.form.fields[name].valid_value(v)]
                if good:
                    values[name] = good
        return values

    @cached_property
    def problems(self) -> list[str]:
        """What was ignored and why, in words a visitor understands."""
        messages = []
        for name in self.cut:
            if name == "q":
                messages.append(
                    f"Search: only the first {MAX_SEARCH_LENGTH} characters of the search were used."
                )
            elif name in self.form.fields:
                label = self.form.fields[name].label
                messages.append(f"{label}: only the first {MAX_VALUES} values were used.")
        for name, errors in self.form.errors.items():
            field = self.form.fields[name]
            if isinstance(self.filters.get(name), AnyOfFilter):
                bad = [v for v in self.data.getlist(name) if not field.valid_value(v)]
                messages += [f"{field.label}: ignored “{echo(v)}”. {_NOT_AN_OPTION}" for v in bad]
            else:
                value = echo(self.data.get(name) or "")
                messages.append(f"{field.label}: ignored “{value}”. {errors[0]}")
        return messages

    @property
    def numbers_given(self) -> bool:
        """Whether any of the typed-in number filters has a value (valid or not)."""
        return any(self.data.get(name) for name in NUMBER_FILTERS)

    @property
    def search_text(self) -> str:
        return self.values.get("q", "")

    @cached_property
    def fuzzy(self) -> bool:
        """True when the typed words match nothing exactly, so the search looks for similar spellings."""
        if not self.search_text:
            return False
        if self.index is not None:
            try:
                return not self.text_match(self.search_text)[0].any()
            except search_index.Unsupported:
                pass
        return not self.queryset.matching(self.search_text).exists()

    @cached_property
    def index(self):
        """The search index when it can answer for this filterset's trials (all of the
        catalogue, not a narrowed queryset), else None: then Postgres answers."""
        if self.queryset.query.where:
            return None
        return search_index.current()

    def text_match(self, text: str):
        """The index's matches of a search (each search is evaluated once per request)."""
        matches = self.__dict__.setdefault("_text_matches", {})
        if text not in matches:
            matches[text] = self.index.match(text)
        return matches[text]

    @cached_property
    def found(self):
        """The list as the search index answers it (catalogue.search_index.Result), or None."""
        return search_index.find(self)

    @cached_property
    def correction(self) -> str:
        """When nothing matches as typed: the search with each unknown word replaced by the
        catalogue's most similar word ("umbilicle" -> "umbilical"); "" when none is close."""
        return search.corrected(self.search_text) if self.fuzzy else ""

    @property
    def searched(self) -> str:
        """The search the list shows: as typed, or its correction."""
        return self.correction if self.fuzzy else self.search_text

    @property
    def include_out_of_scope(self) -> bool:
        return bool(self.cleaned.get("include_out_of_scope"))

    @property
    def default_sort(self) -> str:
        return "relevance" if self.search_text else "-start"

    @property
    def sort(self) -> str:
        chosen = self.cleaned.get("sort")
        if chosen == "relevance" and not self.search_text:
            chosen = None
        return chosen or self.default_sort

    def sort_options(self) -> list[tuple[str, str, bool]]:
        """(value, text, selected) for the sort menu. The default order submits no value,
        so a new search from the same form sorts by relevance rather than by date."""
        return [
            ("" if key == self.default_sort else key, text, key == self.sort)
            for key, text in SORTS
            if key != "relevance" or self.search_text
        ]

    @property
    def per_page(self) -> int:
        return self.cleaned.get("per_page") or DEFAULT_PAGE_SIZE

    def universe(self):
        """Every trial a visitor can reach from here by changing filters."""
        return self.queryset if self.include_out_of_scope else self.queryset.in_scope()

    def filtered(self, *, skip: Iterable[str] = ()):
        """The trials that pass every filter but those in `skip` (a facet skips its own), unordered."""
        queryset = self.universe()
        for name, value in self.values.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def narrowed(self, names: Iterable[str]):
        """Every trial (in scope or not), narrowed by just the named filters."""
        queryset = self.queryset.all()
        for name in names:
            queryset = self.filters[name].filter(queryset, self.values[name])
        return queryset

    @cached_property
    def qs(self):
        """The filtered trials in the chosen order. A page of it (a slice) comes from the
        search index when it can answer: its ids from the index, its rows from Postgres."""
        trials = self.filtered().ordered_by(self.sort)
        return trials.answered_by(self.found) if self.found is not None else trials

    def selected(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return list(value) if isinstance(value, list | tuple) else [str(value)]

    def active(self) -> list[Active]:
        """The applied filters, one entry per removable value, in the order of the form."""
        entries = []
        for name, value in self.values.items():
            f = self.filters[name]
            if isinstance(f, AnyOfFilter):
                choices = dict(self.form.fields[name].choices)
                entries += [Active(name, v, f"{f.label}: {choices.get(v, v)}") for v in value]
            else:
                entries.append(Active(name, None, _describe(name, value)))
        if self.include_out_of_scope:
            entries.append(Active("include_out_of_scope", None, "Including out-of-scope trials"))
        return entries


def _describe(name: str, value) -> str:
    if isinstance(value, Decimal):
        value = f"{value.normalize():f}"  # 30, not 3E+1
    return {
        "q": f"Search: “{value}”",
        "age": f"Accepts age {value}",
        "enrollment_min": f"Enrollment ≥ {value}",
        "enrollment_max": f"Enrollment ≤ {value}",
        "start_year_min": f"Started {value} or later",
        "start_year_max": f"Started {value} or earlier",
    }[name]
