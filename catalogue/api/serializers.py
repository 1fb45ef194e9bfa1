"""The API's JSON shapes, declared for the OpenAPI schema.

The trial shape is `catalogue.export.trial_to_dict`, the one the downloads and snapshots
write; these classes only describe it (the views return that dict as it is). Every object
in the schema forbids keys it does not declare (`schema.closed_objects`), and the tests
check every response against the schema, so a key added to the export without a line here
fails a test instead of going out undocumented.
"""

from __future__ import annotations

from rest_framework import serializers

from ..vocabulary import (
    DERIVED,
    Derived,
    OutcomeKind,
    Phase,
    ReportingFlag,
    SponsorClass,
    Status,
    StudyType,
)

PARTIAL_DATE = (
    "An ISO 8601 date only as precise as the registry states it: 2012, 2012-03 or 2012-03-15."
)


def text(help_text: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(help_text=help_text, **kwargs)


def maybe_text(help_text: str) -> serializers.CharField:
    return serializers.CharField(help_text=help_text, allow_null=True)


def choice(vocabulary, help_text: str, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=vocabulary.choices, help_text=help_text, **kwargs)


def choices(vocabulary, help_text: str) -> serializers.ListField:
    return serializers.ListField(child=choice(vocabulary, ""), help_text=help_text)


def texts(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), help_text=help_text)


def derived_field(derived: Derived) -> serializers.Field:
    if derived.vocabulary is None:
        return serializers.BooleanField(help_text=f"{derived.label} (yes or no).")
    if derived.many:
        return choices(derived.vocabulary, f"{derived.label}: slugs of its vocabulary.")
    return choice(derived.vocabulary, f"{derived.label}: a slug of its vocabulary.")


def partial_date(what: str) -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text=f"{what}. {PARTIAL_DATE}")


class OrganisationSerializer(serializers.Serializer):
    name = text(
        "The organisation's name as the catalogue knows it (merged spellings share one name)."
    )
    # "class" is a Python keyword: the field is renamed in the schema.
    agency_class = choice(SponsorClass, "ClinicalTrials.gov's agency class.", allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = fields.pop("agency_class")
        return fields


class InvestigatorSerializer(serializers.Serializer):
    name = text("As the registry writes it.")
    role = maybe_text("PRINCIPAL_INVESTIGATOR, STUDY_CHAIR, STUDY_DIRECTOR, …")
    affiliation = maybe_text("The investigator's institution.")


class DesignSerializer(serializers.Serializer):
    allocation = maybe_text("RANDOMIZED, NON_RANDOMIZED or NA.")
    intervention_model = maybe_text("SINGLE_GROUP, PARALLEL, CROSSOVER, …")
    primary_purpose = maybe_text("TREATMENT, PREVENTION, …")
    masking = maybe_text("NONE, SINGLE, DOUBLE, TRIPLE or QUADRUPLE.")


class CriterionSerializer(serializers.Serializer):
    text = text("One criterion as written.")
    sub = serializers.ListField(
        child=serializers.JSONField(), help_text="Nested criteria, in the same shape."
    )


class EligibilitySerializer(serializers.Serializer):
    sex = maybe_text("ALL, FEMALE or MALE.")
    minimum_age = maybe_text("As written (“18 Years”).")
    maximum_age = maybe_text("As written.")
    minimum_age_years = serializers.FloatField(allow_null=True, help_text="In years.")
    maximum_age_years = serializers.FloatField(allow_null=True, help_text="In years.")
    healthy_volunteers = serializers.BooleanField(allow_null=True)
    inclusion = CriterionSerializer(many=True, help_text="Inclusion criteria in order.")
    exclusion = CriterionSerializer(many=True, help_text="Exclusion criteria in order.")


class ArmSerializer(serializers.Serializer):
    label = text("The arm's name.")
    type = maybe_text("EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, …")
    description = maybe_text("What the arm receives.")
    interventions = texts("Names of the interventions this arm receives.")


class InterventionSerializer(serializers.Serializer):
    name = text("As the registry names it.")
    type = maybe_text("BIOLOGICAL, DRUG, PROCEDURE, …")
    description = maybe_text("As written.")


class OutcomeSerializer(serializers.Serializer):
    kind = choice(
        OutcomeKind,
        "Primary, secondary or other outcome; null when the source does not say "
        "(the classic CSV download lists every measure in one column).",
        allow_null=True,
    )
    measure = text("What is measured.")
    time_frame = maybe_text("When it is measured.")


class LocationSerializer(serializers.Serializer):
    facility = maybe_text("Hospital or centre.")
    city = maybe_text("City.")
    state = maybe_text("State or province.")
    country = maybe_text("Country, as ClinicalTrials.gov names it.")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class ReferenceSerializer(serializers.Serializer):
    pmid = maybe_text("PubMed id.")
    citation = maybe_text("The citation as the registry gives it.")


class SourceSerializer(serializers.Serializer):
    file = text("The saved page or registry record (file name, `#NCT…` for one study of many).")
    format = text("Which parser read it (ctgov_json, ctgov_xml, medpath, …).")
    sha256 = text("SHA-256 of the stored document.")


class ReportingFlagSerializer(serializers.Serializer):
    flag = choice(ReportingFlag, "Which reporting problem (a slug).")
    label = text("The flag for people.")
    text = text("What was noticed, with the dates it was computed from.")
    dates = serializers.DictField(help_text="The dates (and values) the flag was computed from.")


class ClassificationSerializer(serializers.Serializer):
    # Every derived field as declared (vocabulary.DERIVED): in_scope, cell_sources, donor, ...
    vars().update({derived.name: derived_field(derived) for derived in DERIVED})
    scope_reason = maybe_text("Why it is in or out of scope.")
    product = maybe_text("cells, secretome, exosomes, …")
    dose = serializers.DictField(
        allow_null=True,
        help_text="{cells_per_kg, total_cells, doses, interval, interval_days, written, summary}.",
    )
    eligibility = serializers.ListField(
        child=serializers.JSONField(),
        help_text="Eligible ranges read from the criteria: {measure, low, high, unit, kind, …}.",
    )
    evidence = serializers.DictField(
        help_text="{field: [{value, section, where, phrase, note}]}: the words each value was read from."
    )
    derived = serializers.DictField(
        allow_null=True,
        help_text="The classifier's own values; they differ from the above only where a curator corrected them.",
    )
    disagreements = serializers.ListField(
        child=serializers.JSONField(),
        help_text="[{field, values: {part of the page: [values]}}] where the page contradicts itself.",
    )
    needs_review = serializers.BooleanField(help_text="Waiting for a curator.")
    review_reasons = serializers.ListField(
        child=serializers.JSONField(), help_text="Why a curator should look."
    )
    classifier_version = serializers.IntegerField(
        allow_null=True, help_text="Which version of the rules read it."
    )


class TrialSerializer(serializers.Serializer):
    """One trial in the catalogue's canonical shape (the JSON download and snapshots use it too)."""

    registry_id = text("ClinicalTrials.gov NCT number (or another registry's id).")
    registry = maybe_text(
        "The registry of that id (a code: NCT, ChiCTR, IRCT, CTRI, …; see /api/v1/vocabularies),"
        " or the record's own name for a registry the catalogue does not know."
    )
    registry_url = maybe_text("The trial's record on its registry's site (or WHO ICTRP's page).")
    also_registered_as = texts(
        "The trial's ids in other registries: those the catalogue has a record of, then those"
        " its records name. /trials/<any of them>/ leads to this trial."
    )
    secondary_ids = serializers.ListField(
        child=serializers.DictField(), help_text="Other ids: [{identifier, id_type}]."
    )
    title = text("Brief title (the official one when there is none).")
    official_title = maybe_text("Official title.")
    acronym = maybe_text("Acronym.")
    overall_status = choice(Status, "Recruitment status.", allow_null=True)
    status_as_written = maybe_text(
        "The registry's own words for the status when they are not the catalogue's spelling."
    )
    phases = choices(Phase, "Phases (a phase 1/2 trial lists both).")
    phase_as_written = maybe_text(
        "The registry's own words for the phase when they are not the catalogue's spelling."
    )
    study_type = choice(StudyType, "Study type.", allow_null=True)
    enrollment = serializers.IntegerField(allow_null=True, help_text="Participants.")
    enrollment_type = maybe_text("ACTUAL or ESTIMATED.")
    registration_date = partial_date("Registered (first submitted to the registry)")
    start_date = partial_date("Study start")
    primary_completion_date = partial_date("Primary completion")
    completion_date = partial_date("Study completion")
    first_posted = partial_date("First posted on the registry")
    last_update = partial_date("Last update posted on the registry")
    status_verified_date = partial_date("When the registry last verified the status")
    results_posted = serializers.BooleanField(allow_null=True, help_text="Results on the registry.")
    brief_summary = maybe_text("Brief summary.")
    detailed_description = maybe_text("Detailed description.")
    conditions = texts("Conditions as the registry lists them.")
    keywords = texts("Keywords.")
    mesh_terms = texts("Condition MeSH terms.")
    intervention_mesh_terms = texts("Intervention MeSH terms.")
    design = DesignSerializer(help_text="How the study is designed, in the registry's terms.")
    lead_sponsor = OrganisationSerializer(allow_null=True, help_text="The lead sponsor.")
    collaborators = OrganisationSerializer(many=True, help_text="Other sponsors.")
    responsible_party = maybe_text("As the registry states it.")
    investigators = InvestigatorSerializer(
        many=True, help_text="Principal investigators, chairs, …"
    )
    countries = texts("Countries with a site.")
    eligibility = EligibilitySerializer(help_text="Who may take part.")
    arms = ArmSerializer(many=True, help_text="The study's arms or groups.")
    interventions = InterventionSerializer(many=True, help_text="What is given or done.")
    outcomes = OutcomeSerializer(many=True, help_text="What is measured, and when.")
    locations = LocationSerializer(many=True, help_text="Sites.")
    references = ReferenceSerializer(many=True, help_text="Publications the record cites.")
    related_trials = texts("Registry ids of trials the record names.")
    classification = ClassificationSerializer(
        help_text="What the catalogue read from the trial's text, and the evidence for each value."
    )
    reporting_flags = ReportingFlagSerializer(
        many=True, help_text="Reporting problems the catalogue notices (catalogue.flags)."
    )
    sources = SourceSerializer(many=True, help_text="Every document this record was built from.")


class TrialPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many trials match, on every page.")
    next = serializers.URLField(
        allow_null=True, help_text="The next page (the same query with a cursor); null on the last."
    )
    catalogue_version = text("Changes whenever the catalogue does; cursors are bound to it.")
    results = TrialSerializer(many=True)


class OptionSerializer(serializers.Serializer):
    value = text("What the filter parameter takes.")
    label = text("What people read.")
    count = serializers.IntegerField(
        help_text="Trials with this value that pass every other active filter."
    )
    selected = serializers.BooleanField(help_text="Whether the query filters by this value.")


class FacetSerializer(serializers.Serializer):
    param = text("The query parameter this facet filters by.")
    label = text("Its name.")
    options = OptionSerializer(many=True)


class FacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="How many trials pass every filter.")
    catalogue_version = text("Changes whenever the catalogue does.")
    facets = FacetSerializer(many=True)


class TermSerializer(serializers.Serializer):
    value = text("The slug a filter takes and the trial data holds.")
    label = text("What people read.")


class VocabularySerializer(serializers.Serializer):
    param = text("The query parameter of /api/v1/trials that takes these values.")
    label = text("Its name.")
    values = TermSerializer(many=True)


class VocabulariesSerializer(serializers.Serializer):
    vocabularies = VocabularySerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = text(
        "What went wrong, as a code: invalid, not_found, stale_cursor, throttled, "
        "method_not_allowed, not_acceptable."
    )
    messages = texts("What went wrong, in words; one per bad parameter.")
