"""The trial list as both the HTML page and the API read it: one filterset, its ordered trials and counts.

Both read a `Listing`, so a filter, sort or search backend changes both at once, and a
page of the API holds the same trials in the same order as the same page of the HTML list.
"""

from __future__ import annotations

from functools import cached_property

from django.db.models import QuerySet
from django.http import QueryDict

from .facets import Counts, facet_counts
from .filters import TrialFilter


class Listing:
    """The trials `params` ask for, read from `queryset` (which says which columns and rows to load).

    The counts are made when first asked for, so a caller can check the filters' problems
    (or answer 304) first.
    """

    def __init__(self, params: QueryDict, queryset: QuerySet):
        self.filterset = TrialFilter(params, queryset=queryset)

    @property
    def trials(self) -> QuerySet:
        """Every matching trial, in the chosen order."""
        return self.filterset.qs

    @cached_property
    def counts(self) -> Counts:
        """Facet counts; `counts.total` is how many trials match."""
        return facet_counts(self.filterset)
