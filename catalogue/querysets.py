"""Named reads of the catalogue: each method answers one question a page asks."""

from __future__ import annotations

from django.contrib.postgres.search import SearchRank
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL

from . import search

# Highest phase first when sorting by phase; a "Phase 1/2" trial ranks as phase 2.
PHASE_RANKS = (
    ("PHASE4", 6),
    ("PHASE3", 5),
    ("PHASE2", 4),
    ("PHASE1", 3),
    ("EARLY_PHASE1", 2),
    ("NA", 1),
)
PHASE_RANK = Case(
    *(When(phases__contains=[phase], then=Value(rank)) for phase, rank in PHASE_RANKS),
    default=Value(0),
)

# The list's sort orders by slug; every order ends on the registry id so pages never overlap.
ORDERINGS = {
    "relevance": (F("rank").desc(nulls_last=True),),
    "-start": (F("start_date").desc(nulls_last=True),),
    "start": (F("start_date").asc(nulls_last=True),),
    "-updated": (F("last_update").desc(nulls_last=True),),
    "-enrollment": (F("enrollment").desc(nulls_last=True),),
    "enrollment": (F("enrollment").asc(nulls_last=True),),
    "-phase": (PHASE_RANK.desc(),),
    "phase": (PHASE_RANK.asc(),),
}

# The columns a result in the list shows; everything else stays in the database.
LIST_COLUMNS = (
    "registry_id",
    "brief_title",
    "official_title",
    "overall_status",
    "status_as_written",
    "phases",
    "phase_as_written",
    "study_type",
    "enrollment",
    "start_date",
    "start_date_precision",
    "last_update",
    "countries",
    "cell_sources",
    "donor",
    "diabetes_types",
    "in_scope",
    "reporting_flags",
)


# The longest slice read through the search index: a page. Longer ones (a whole list) are
# one plain query, as ordering by position in a list of ids grows with its square.
INDEXED_SLICE = 1000


class TrialQuerySet(models.QuerySet):
    # The search index's answer to the list query this queryset is (catalogue.search_index):
    # a slice of it reads the page's ids from the index, then only those rows from Postgres.
    # Any further filter or order forgets it (the answer no longer fits); annotations keep it.
    found = None

    def answered_by(self, found):
        clone = self._chain()
        clone.found = found
        return clone

    def annotate(self, *args, **kwargs):
        clone = super().annotate(*args, **kwargs)
        clone.found = self.found
        return clone

    def count(self) -> int:
        if self.found is not None and self._result_cache is None:
            return self.found.total
        return super().count()

    def __getitem__(self, k):
        if (
            self.found is None
            or self._result_cache is not None
            or not isinstance(k, slice)
            or k.stop is None
            or k.step not in (None, 1)
            or (k.start or 0) < 0
            or k.stop < 0
            or k.stop - (k.start or 0) > INDEXED_SLICE
        ):
            return super().__getitem__(k)
        ids = self.found.ids(k.start or 0, k.stop)
        page = self._chain()  # the same WHERE: Postgres checks the rows the index names
        page.found = None
        table = self.model._meta.db_table
        order = RawSQL(f'array_position(%s::bigint[], "{table}"."id")', (ids,))
        return page.filter(pk__in=ids).order_by(order)

    def in_scope(self):
        return self.filter(in_scope=True)

    def recruiting(self):
        return self.filter(overall_status="RECRUITING")

    def with_cell_source(self, slug: str):
        return self.filter(cell_sources__contains=[slug])

    def with_phase(self, phase: str):
        return self.filter(phases__contains=[phase])

    def accepting_age(self, years: float):
        """Trials whose stated age limits admit a participant of this age; a missing limit admits anyone."""
        return self.filter(
            Q(minimum_age_years__isnull=True) | Q(minimum_age_years__lte=years),
            Q(maximum_age_years__isnull=True) | Q(maximum_age_years__gte=years),
        )

    def matching(self, text: str):
        """Full-text matches of websearch text, with their rank (titles weigh most).

        Cover density rather than plain ts_rank: plain ranks saturate on phrase queries,
        so a trial that names type 1 diabetes once among its exclusions tied with one about it.
        """
        query = search.query(text)
        return self.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query, cover_density=True)
        )

    def with_snippets(self, text: str):
        """Each trial's best-matching fragments as `snippet`, markers not yet turned into HTML."""
        return self.annotate(snippet=search.headline(text))

    def with_any_id(self, ids: list[str]):
        """Trials any of these registry ids is an id of: the canonical one, another registration
        of it, or an id its records name as theirs (each through an index)."""
        return self.filter(
            models.Q(registry_id__in=ids)
            | models.Q(registrations__overlap=ids)
            | models.Q(named_registrations__overlap=ids)
        )

    def registered_as(self, identifier: str):
        """The trial listed under another id that `identifier` is a registration of: one its
        records are of before one they only name (a record may name a trial in error)."""
        return (
            self.with_any_id([identifier])
            .order_by(
                models.Case(models.When(registrations__contains=[identifier], then=0), default=1),
                "registry_id",
            )
            .first()
        )

    def ordered_by(self, key: str):
        return self.order_by(*ORDERINGS[key], "registry_id")

    def for_list(self):
        return self.only(*LIST_COLUMNS)

    def for_detail(self):
        """Everything the detail page shows, in a constant number of queries."""
        from .models import EligibilityCriterion, RelatedTrial, SourceDocument, Trial, TrialSponsor

        # Whether each related trial is in the catalogue too, in the same query as the links.
        known = Trial.objects.filter(registry_id=OuterRef("registry_id"))

        # The search columns are large (several kB a trial) and nothing here shows them.
        return self.defer("search_vector", "search_text").prefetch_related(
            models.Prefetch(
                "trial_sponsors", queryset=TrialSponsor.objects.select_related("sponsor")
            ),
            "arms__interventions",
            "interventions",
            "investigators",
            models.Prefetch("criteria", queryset=EligibilityCriterion.objects.order_by("position")),
            "criteria__children",
            "outcomes",
            "locations",
            "references",
            models.Prefetch(
                "related_trials",
                queryset=RelatedTrial.objects.annotate(in_catalogue=Exists(known)),
            ),
            # A source's saved page and its parse are tens of kB each and shown only in the admin.
            models.Prefetch("sources", queryset=SourceDocument.objects.defer("raw_text", "parsed")),
            "locks",  # which sections a curator owns (provenance.section_sources)
        )

    def for_export(self):
        """The canonical JSON needs every related row, exactly like the detail page."""
        return self.for_detail()
