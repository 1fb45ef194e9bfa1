"""The catalogue: one Trial per registry id, its child rows, and the source documents it was built from.

Rows are written by ingest's write specification (`ingest.assemble`), never by save()
overrides or signals. Child rows
are ordered by `position`, the order the source gives them.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Value

from . import registries
from .querysets import TrialQuerySet
from .vocabulary import (
    CriterionKind,
    DatePrecision,
    OutcomeKind,
    Phase,
    ReportingFlag,
    SponsorClass,
    SponsorRole,
    Status,
    StudyType,
    derived_columns,
)


def _text_list(*, db_default: bool = False) -> ArrayField:
    if db_default:
        empty = Value([], output_field=ArrayField(models.TextField()))
        return ArrayField(models.TextField(), default=list, blank=True, db_default=empty)
    return ArrayField(models.TextField(), default=list, blank=True)


# Every change to a trial and its rows, by ingest or by a curator, is recorded by Postgres
# triggers (bulk writes included); the search columns are derived and left out.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["search_vector", "search_text", "record_hash", "last_ingested"],
)
class Trial(models.Model):
    registry_id = models.CharField(max_length=64, unique=True)
    secondary_ids = models.JSONField(default=list, blank=True)  # [{"identifier", "id_type"}]
    brief_title = models.TextField(blank=True)
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)

    overall_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    # The vocabulary is declared on the items, so forms and full_clean() refuse "PHASE 7".
    phases = ArrayField(
        models.CharField(max_length=16, choices=Phase.choices), default=list, blank=True
    )
    study_type = models.CharField(max_length=32, choices=StudyType.choices, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    enrollment_type = models.CharField(max_length=16, blank=True)  # ACTUAL / ESTIMATED

    # A date is stored as its first day plus how much of it the source states.
    start_date = models.DateField(null=True, blank=True)
    start_date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    primary_completion_date = models.DateField(null=True, blank=True)
    primary_completion_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    completion_date = models.DateField(null=True, blank=True)
    completion_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    # When the registry first showed the trial (ClinicalTrials.gov "First Posted"). A database
    # default too, so writers that list their columns (bench's COPY) need not know it.
    first_posted = models.DateField(null=True, blank=True)
    first_posted_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True, default="", db_default=""
    )
    last_update = models.DateField(null=True, blank=True)
    last_update_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    # What only the registry states (ClinicalTrials.gov API v2 / classic XML); pages leave these empty.
    status_verified_date = models.DateField(null=True, blank=True)
    status_verified_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    results_posted = models.BooleanField(null=True, blank=True)
    # The registry of the trial's id (a code of catalogue.registries; no choices here, so a
    # new registry row needs no migration): the list's registry filter and the record link.
    # Database defaults too, for the writers that COPY named columns (bench.synthetic).
    registry = models.CharField(max_length=16, blank=True, default="", db_default="")
    registration_date = models.DateField(null=True, blank=True)
    # The registry's own record of the trial, as the source gives its address.
    record_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    # One trial registered in several registries is one entry (ingest.identity): the ids its
    # sources are records of (the canonical registry_id first), and other registries' ids
    # they name as this trial's. Either finds the trial (`Trial.objects.by_any_id`).
    # Database defaults too, for the writers that COPY named columns (bench.synthetic).
    registrations = _text_list(db_default=True)
    named_registrations = _text_list(db_default=True)
    # A registry's own words for status and phase when they are not the catalogue's spelling.
    status_as_written = models.CharField(max_length=200, blank=True, default="", db_default="")
    phase_as_written = models.CharField(max_length=200, blank=True, default="", db_default="")
    mesh_terms = _text_list()  # condition MeSH terms
    intervention_mesh_terms = _text_list()

    brief_summary = models.TextField(blank=True)
    detailed_description = models.TextField(blank=True)
    conditions = _text_list()
    keywords = _text_list()

    allocation = models.CharField(max_length=32, blank=True)
    intervention_model = models.CharField(max_length=64, blank=True)
    primary_purpose = models.CharField(max_length=64, blank=True)
    masking = models.CharField(max_length=32, blank=True)
    responsible_party = models.TextField(blank=True)

    sex = models.CharField(max_length=8, blank=True)
    minimum_age = models.CharField(max_length=64, blank=True)  # as written
    maximum_age = models.CharField(max_length=64, blank=True)
    minimum_age_years = models.FloatField(null=True, blank=True)
    maximum_age_years = models.FloatField(null=True, blank=True)
    healthy_volunteers = models.BooleanField(null=True, blank=True)
    eligibility_text = models.TextField(blank=True)

    countries = _text_list()
    # Denormalised from the lead sponsor so the list filter needs no join.
    lead_sponsor_class = models.CharField(max_length=16, choices=SponsorClass.choices, blank=True)

    # Derived by the classifier (the `classification` app); evidence lives in `classification`.
    # One column per declared derived field (in_scope, cell_sources, donor, ...): the
    # declaration in vocabulary.DERIVED is the only place that lists them.
    vars().update(derived_columns())
    scope_reason = models.TextField(blank=True)
    # Cells per kg body weight: the lowest and highest the page names, for a dose filter.
    dose_per_kg_min = models.FloatField(null=True, blank=True)
    dose_per_kg_max = models.FloatField(null=True, blank=True)
    classification = models.JSONField(default=dict, blank=True)
    needs_review = models.BooleanField(default=False)
    review_reasons = models.JSONField(default=list, blank=True)

    # Reporting flags (catalogue.flags): computed from the fields above, the trial's history
    # and today's date, so refreshed after ingest and daily (`manage.py refresh_flags`).
    # `reporting_flag_dates` holds, per flag, the dates (and values) it was computed from.
    # Database defaults too, so writers that COPY rows (bench.seed) may leave them out.
    reporting_flags = ArrayField(
        models.CharField(max_length=32, choices=ReportingFlag.choices),
        default=list,
        db_default=Value([], output_field=ArrayField(models.CharField(max_length=32))),
        blank=True,
        editable=False,
    )
    reporting_flag_dates = models.JSONField(
        default=dict,
        db_default=Value({}, output_field=models.JSONField()),
        blank=True,
        editable=False,
    )

    # Filled by the loader after child rows are written (it spans arms, interventions, criteria).
    search_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    # The review queue: reasons a curator should look, and those a curator has already cleared.
    review_cleared = models.JSONField(default=list, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Which source document each merged field came from: {"phases": "004_….txt", ...}.
    field_sources = models.JSONField(default=dict, blank=True)
    record_hash = models.CharField(max_length=64, blank=True, editable=False)
    first_ingested = models.DateTimeField(auto_now_add=True)
    last_ingested = models.DateTimeField(null=True, blank=True)

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["registry_id"]
        indexes = [
            models.Index(fields=["overall_status"]),
            models.Index(fields=["study_type"]),
            models.Index(fields=["start_date"]),
            models.Index(fields=["last_update"]),
            models.Index(fields=["enrollment"]),
            models.Index(fields=["lead_sponsor_class"]),
            models.Index(fields=["donor"]),
            models.Index(fields=["in_scope"]),
            models.Index(fields=["registry"]),
            models.Index(fields=["minimum_age_years", "maximum_age_years"]),
            GinIndex(fields=["phases"], name="trial_phases_gin"),
            GinIndex(fields=["countries"], name="trial_countries_gin"),
            GinIndex(fields=["cell_sources"], name="trial_cell_sources_gin"),
            GinIndex(fields=["routes"], name="trial_routes_gin"),
            GinIndex(fields=["diabetes_types"], name="trial_diabetes_types_gin"),
            GinIndex(fields=["reporting_flags"], name="trial_reporting_flags_gin"),
            GinIndex(fields=["search_vector"], name="trial_search_gin"),
            GinIndex(fields=["registrations"], name="trial_registrations_gin"),
            GinIndex(fields=["named_registrations"], name="trial_named_regs_gin"),
            # The list's sort orders (querysets.ORDERINGS), so a page is read in index order
            # instead of sorting every matching trial (bench/web.py).
            models.Index(
                F("start_date").desc(nulls_last=True), "registry_id", name="trial_start_desc"
            ),
            models.Index(
                F("start_date").asc(nulls_last=True), "registry_id", name="trial_start_asc"
            ),
            models.Index(
                F("last_update").desc(nulls_last=True), "registry_id", name="trial_updated_desc"
            ),
            models.Index(
                F("enrollment").desc(nulls_last=True), "registry_id", name="trial_enrollment_desc"
            ),
            models.Index(
                F("enrollment").asc(nulls_last=True), "registry_id", name="trial_enrollment_asc"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registry_id} — {self.title}"

    @property
    def title(self) -> str:
        return self.brief_title or self.official_title or self.registry_id

    @property
    def is_nct(self) -> bool:
        return self.registry_id.startswith("NCT")

    @property
    def registry_info(self) -> registries.Registry | None:
        return registries.BY_CODE.get(self.registry)

    @property
    def registry_link(self) -> str:
        """The trial's record on its registry's site (or WHO ICTRP's page for it)."""
        return registries.record_url(self.registry_id, self.record_url)

    @property
    def also_registered(self) -> list[dict]:
        """The trial's other registrations: those the catalogue has a record of (`recorded`),
        then those its records only name; each with its registry and the record's address."""
        others = [i for i in self.registrations if i != self.registry_id]
        return [
            {
                "id": identifier,
                "registry": registries.registry_of(identifier),
                "url": registries.record_url(identifier),
                "recorded": identifier in others,
            }
            for identifier in [*others, *self.named_registrations]
        ]

    @property
    def registry_link_is_own_site(self) -> bool:
        return registries.on_own_site(self.registry_id, self.record_url)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Sponsor(models.Model):
    """An organisation; shared by every trial it sponsors so duplicates can be merged once."""

    name = models.CharField(max_length=300, unique=True)
    agency_class = models.CharField(max_length=16, choices=SponsorClass.choices, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CuratedRow(models.Model):
    """A row ingest rebuilds from the sources, unless a curator edited or added it.

    `source_key` remembers which source row a curator's edit replaced, so ingest does
    not bring that row back beside the curator's version.
    """

    curated = models.BooleanField(
        default=False, help_text="Edited or added by a curator: ingest leaves this row alone."
    )
    source_key = models.TextField(blank=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TrialSponsor(CuratedRow):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="trial_sponsors")
    sponsor = models.ForeignKey(Sponsor, on_delete=models.PROTECT, related_name="trial_sponsors")
    role = models.CharField(max_length=16, choices=SponsorRole.choices)

    class Meta:
        ordering = ["trial", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "sponsor", "role"], name="unique_trial_sponsor_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} ({self.role})"


class TrialChild(CuratedRow):
    """Common shape of the rows a trial owns, in source order."""

    class Meta:
        abstract = True
        ordering = ["trial", "position"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Intervention(TrialChild):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="interventions")
    name = models.TextField()
    intervention_type = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Arm(TrialChild):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="arms")
    label = models.TextField()
    arm_type = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)
    interventions = models.ManyToManyField(Intervention, related_name="arms", blank=True)

    def __str__(self) -> str:
        return self.label


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Investigator(TrialChild):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="investigators")
    name = models.TextField()
    role = models.CharField(max_length=32, blank=True)
    affiliation = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class EligibilityCriterion(TrialChild):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=10, choices=CriterionKind.choices)
    text = models.TextField()
    # A nested bullet points at the row it sits under; top-level rows have no parent.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta(TrialChild.Meta):
        verbose_name_plural = "eligibility criteria"

    def __str__(self) -> str:
        return self.text


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Outcome(TrialChild):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="outcomes")
    # Blank when the source lists measures without saying which are primary (the classic CSV).
    kind = models.CharField(max_length=10, choices=OutcomeKind.choices, blank=True)
    measure = models.TextField()
    time_frame = models.TextField(blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.measure


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Location(TrialChild):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="locations")
    facility = models.TextField(blank=True)
    city = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=32, blank=True)
    # The registry's geo point for the site (API v2 `geoPoint`); saved pages do not give one.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return ", ".join(p for p in (self.facility, self.city, self.country) if p)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Reference(TrialChild):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="references")
    citation = models.TextField(blank=True)
    pmid = models.CharField(max_length=16, blank=True)
    reference_type = models.CharField(max_length=16, blank=True)

    def __str__(self) -> str:
        return f"PMID {self.pmid}" if self.pmid else self.citation[:80]

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class RelatedTrial(TrialChild):
    """A trial the page links to, by registry id; it may or may not be in the catalogue."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="related_trials")
    registry_id = models.CharField(max_length=64, db_index=True)
    title = models.TextField(blank=True)
    status = models.CharField(max_length=32, blank=True)
    phases = ArrayField(models.CharField(max_length=16), default=list, blank=True)

    def __str__(self) -> str:
        return self.registry_id


class SearchWord(models.Model):
    """Every word of the catalogue's text, once: a misspelled search is corrected to the most
    similar of these (a trigram index over ~10⁵ short words, not over every trial's text)."""

    word = models.CharField(max_length=40, unique=True)

    class Meta:
        indexes = [GinIndex(fields=["word"], name="searchword_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word


class SourceDocument(models.Model):
    """A saved page exactly as it arrived, and what the parser made of it."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="sources")
    path = models.TextField()  # as given to the ingest command
    filename = models.CharField(max_length=255)
    source_format = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64, db_index=True)
    raw_text = models.TextField()
    parsed = models.JSONField(default=dict)  # the parser's ParsedTrial, as a dict
    parser_version = models.CharField(max_length=16)
    warnings = models.JSONField(default=list, blank=True)
    ingested_at = models.DateTimeField()

    class Meta:
        ordering = ["trial", "filename"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "sha256"], name="unique_source_per_trial")
        ]

    def __str__(self) -> str:
        return self.filename


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CuratorLock(models.Model):
    """A trial field a curator owns: ingest and re-classification never overwrite it.

    Values are stored as JSON (dates as ISO strings). `original_value` is what the
    field held when the curator first changed it; `source_value` is what the sources
    and the classifier say now, refreshed on every rebuild, so a later change in the
    source shows up in the review queue.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="locks")
    field = models.CharField(max_length=64)
    value = models.JSONField(null=True, blank=True)
    original_value = models.JSONField(null=True, blank=True)
    source_value = models.JSONField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["trial", "field"]
        verbose_name = "curator-owned field"
        constraints = [
            models.UniqueConstraint(fields=["trial", "field"], name="unique_lock_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.trial.registry_id}.{self.field}"

    @property
    def source_changed(self) -> bool:
        """The sources now say something else than when the curator made the correction."""
        return self.source_value not in (self.original_value, self.value)


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class CuratorDeletion(models.Model):
    """A source row a curator deleted; ingest does not bring it back."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="deletions")
    kind = models.CharField(max_length=64)  # the row's model name, e.g. "eligibilitycriterion"
    key = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trial", "kind", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "kind", "key"], name="unique_deletion")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.key[:60]}"


class SponsorAlias(models.Model):
    """Another spelling of a sponsor, kept when duplicates are merged so ingest maps it back."""

    name = models.CharField(max_length=300, unique=True)
    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "sponsor aliases"

    def __str__(self) -> str:
        return f"{self.name} → {self.sponsor}"


class SyncRun(models.Model):
    """One `manage.py sync`: what it asked the registry, how far it got, and what it changed.

    Progress is saved after each page is written, so a run that was killed is continued
    from `page_token` by the next `sync` (same query, same `since`).
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running (or stopped before it finished)"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    query = models.TextField()
    since = models.DateField(
        null=True, blank=True, help_text="Studies the registry updated on or after this day."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True)  # the last page saved
    pages = models.PositiveIntegerField(default=0)
    page_token = models.TextField(blank=True, help_text="The next page to fetch, on a resume.")
    total = models.PositiveIntegerField(null=True, blank=True)  # what the registry said matches
    studies = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    resumes = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"sync {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class ReviewItem(Trial):
    """The review queue: the same trials, listed for curators who have something to look at."""

    class Meta:
        proxy = True
        verbose_name = "review queue item"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ConflictDecision(models.Model):
    """A curator settled a disagreement between a trial's sources about one field.

    `conflict` is what the sources said when it was settled (merge's [{source, value}]);
    while they still say exactly that, the conflict stays settled, and any change brings
    it back to the review queue. Taking a source's value also makes the field curator-owned
    (a CuratorLock); keeping the catalogue's value changes nothing else.
    """

    class Decision(models.TextChoices):
        TOOK = "took", "took a source's value"
        KEPT = "kept", "kept the catalogue's value"

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="conflict_decisions")
    field = models.CharField(max_length=64)  # the merge key: "phases", "design.allocation", ...
    conflict = models.JSONField(default=list)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    source = models.CharField(max_length=255, blank=True)  # the source whose value was taken
    value = models.JSONField(null=True, blank=True)  # {column: value} as the catalogue stores it
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["trial", "field"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "field"], name="unique_conflict_decision")
        ]

    def __str__(self) -> str:
        return f"{self.trial.registry_id}.{self.field}: {self.get_decision_display()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class IdentityDecision(models.Model):
    """A curator's word on whether two registrations are one trial, which every ingest obeys.

    JOINED: records of the two ids are one entry even where title and sponsor disagree;
    SPLIT: they are two entries even where one names the other as its registration. Kept
    by registry id, not by trial, so it outlives the entries it was made on.
    """

    class Decision(models.TextChoices):
        JOINED = "joined", "one trial"
        SPLIT = "split", "two trials"

    first = models.CharField(max_length=100)  # the smaller id of the pair
    second = models.CharField(max_length=100)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    note = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first", "second"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_identity_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="identity_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first} and {self.second}: {self.get_decision_display()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ReviewNote(models.Model):
    """A curator's note on a trial for the next curator; never shown on the public site."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="review_notes")
    text = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trial", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]


# The reporter's e-mail and address hash stay out of the change history.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["email", "address_hash"],
)
class ErrorReport(models.Model):
    """A reader's report that something on a trial's page is wrong (no account needed).

    Shown to curators in the review queue while open; the text and e-mail are never
    published. `address_hash` (a keyed hash of the client address, not the address)
    lets a curator see that several reports came from one place.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HANDLED = "handled", "Handled"

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="error_reports")
    field = models.CharField(max_length=64)  # a derived field, a page section, or "other"
    text = models.TextField()
    email = models.EmailField(blank=True)
    address_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "trial"])]

    def __str__(self) -> str:
        return f"#{self.pk} on {self.trial.registry_id} ({self.field})"
