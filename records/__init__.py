"""What a parser returns: plain dataclasses, no database.

Every parser fills a `ParsedTrial` with what its page states and nothing more;
a value the page does not give stays empty (None / "" / []), and a section that
is missing or empty is noted in `warnings`. Enumerated values use
ClinicalTrials.gov's API v2 spellings (see `ingest.normalize`).
Dates are ISO strings as precise as the source: "2012", "2012-03" or "2012-03-04".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, is_dataclass


@dataclass
class SecondaryId:
    identifier: str
    id_type: str = ""  # e.g. "org_study_id", "acronym", "IRCT", "NIH"


@dataclass
class Arm:
    label: str
    arm_type: str = ""  # EXPERIMENTAL, PLACEBO_COMPARATOR, ACTIVE_COMPARATOR, NO_INTERVENTION, ...
    description: str = ""
    intervention_names: list[str] = field(default_factory=list)


@dataclass
class Intervention:
    name: str
    intervention_type: str = ""  # BIOLOGICAL, DRUG, COMBINATION_PRODUCT, PROCEDURE, ...
    description: str = ""
    arm_labels: list[str] = field(default_factory=list)


@dataclass
class Sponsor:
    name: str
    role: str = "lead"  # "lead" or "collaborator"
    agency_class: str = ""  # NIH, FED, INDUSTRY, OTHER, OTHER_GOV, INDIV, NETWORK, UNKNOWN


@dataclass
class Investigator:
    name: str
    role: str = ""  # PRINCIPAL_INVESTIGATOR, STUDY_DIRECTOR, STUDY_CHAIR, ...
    affiliation: str = ""


@dataclass
class Criterion:
    """One inclusion or exclusion bullet; depth > 0 nests it under the previous shallower row."""

    kind: str  # "inclusion" or "exclusion"
    text: str
    depth: int = 0


@dataclass
class Eligibility:
    sex: str = ""  # ALL, FEMALE, MALE
    minimum_age: str = ""  # as written, e.g. "5 Years"
    maximum_age: str = ""
    healthy_volunteers: bool | None = None
    criteria_text: str = ""  # the whole criteria block as written
    criteria: list[Criterion] = field(default_factory=list)


@dataclass
class Outcome:
    kind: str  # "primary", "secondary" or "other"
    measure: str
    time_frame: str = ""
    description: str = ""


@dataclass
class Location:
    facility: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    status: str = ""
    # Only the registry gives a site's geo point (API v2 `geoPoint`).
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Reference:
    citation: str = ""
    pmid: str = ""
    reference_type: str = ""  # BACKGROUND, RESULT, DERIVED


@dataclass
class RelatedTrial:
    registry_id: str
    title: str = ""
    status: str = ""
    phases: list[str] = field(default_factory=list)


@dataclass
class Design:
    allocation: str = ""  # RANDOMIZED, NON_RANDOMIZED, NA
    intervention_model: str = ""  # SINGLE_GROUP, PARALLEL, CROSSOVER, ...
    primary_purpose: str = ""  # TREATMENT, PREVENTION, ...
    masking: str = ""  # NONE, SINGLE, DOUBLE, TRIPLE, QUADRUPLE


@dataclass
class ParsedTrial:
    source_format: str
    registry_id: str = ""
    secondary_ids: list[SecondaryId] = field(default_factory=list)
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""
    overall_status: str = ""
    phases: list[str] = field(default_factory=list)
    # A registry's own words for the status and phase, when they are not the catalogue's
    # spelling: beside a value read from the spelling table (ingest.spellings), or alone
    # when the table does not know them (never guessed; the parser warns).
    status_as_written: str = ""
    phase_as_written: str = ""
    study_type: str = ""  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    enrollment: int | None = None
    enrollment_type: str = ""  # ACTUAL or ESTIMATED, when the page says
    start_date: str = ""
    primary_completion_date: str = ""
    completion_date: str = ""
    first_posted: str = ""  # when the registry first showed the trial
    last_update: str = ""
    brief_summary: str = ""
    detailed_description: str = ""
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    design: Design = field(default_factory=Design)
    arms: list[Arm] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    sponsors: list[Sponsor] = field(default_factory=list)
    responsible_party: str = ""
    investigators: list[Investigator] = field(default_factory=list)
    eligibility: Eligibility = field(default_factory=Eligibility)
    outcomes: list[Outcome] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    related_trials: list[RelatedTrial] = field(default_factory=list)
    # What only the registry states (ClinicalTrials.gov API v2 / classic XML); pages leave these empty.
    mesh_terms: list[str] = field(default_factory=list)  # condition MeSH terms
    intervention_mesh_terms: list[str] = field(default_factory=list)
    status_verified_date: str = ""
    results_posted: bool | None = None
    # From registries beyond ClinicalTrials.gov (WHO ICTRP exports): the registry the record
    # names (a code of catalogue.registries, for an id of no known registry), when the trial
    # was registered there, and the address of the registry's own record.
    registry: str = ""
    registration_date: str = ""
    record_url: str = ""
    warnings: list[str] = field(default_factory=list)
    # How far this source is trusted where sources disagree (records.merge): set from the
    # format table (ingest.detect) when the document is parsed.
    precedence: int = 0

    def to_dict(self) -> dict:
        """What dataclasses.asdict gives, without its deep copy of every string (slow)."""
        return _plain(self)

    def to_json(self) -> str:
        """json.dumps(self.to_dict()), without building the dict first."""
        return json.dumps(self, default=vars, ensure_ascii=False)


def _plain(value):
    if is_dataclass(value):
        return {name: _plain(item) for name, item in vars(value).items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class ParseError(ValueError):
    """The text is not a trial page this parser can read (the reason is the message)."""
