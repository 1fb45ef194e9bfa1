"""Which source each section of a trial's detail page came from.

`Trial.field_sources` records, for every merged field, the source document it was
taken from ({"overall_status": "ctgov-api:NCT…", "eligibility.criteria": "001_….txt"}).
This folds those fields into the detail page's sections, so a template can say
"from ClinicalTrials.gov API" or "from 001_….txt" beside each one. A section a
curator corrected also names "curator".
"""

from __future__ import annotations

from .models import Trial

CURATOR = "curator"

# Detail-page section id -> the merged fields (records.merge keys) shown in it.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "status": (
        "overall_status",
        "phases",
        "study_type",
        "enrollment",
        "enrollment_type",
        "start_date",
        "primary_completion_date",
        "completion_date",
        "first_posted",
        "last_update",
        "status_verified_date",
        "results_posted",
    ),
    "summary": (
        "brief_title",
        "official_title",
        "acronym",
        "secondary_ids",
        "brief_summary",
        "detailed_description",
        "conditions",
        "keywords",
        "mesh_terms",
        "intervention_mesh_terms",
    ),
    "design": (
        "design.allocation",
        "design.intervention_model",
        "design.primary_purpose",
        "design.masking",
    ),
    "arms": ("arms", "interventions"),
    "outcomes": ("outcomes",),
    "eligibility": (
        "eligibility.sex",
        "eligibility.minimum_age",
        "eligibility.maximum_age",
        "eligibility.healthy_volunteers",
        "eligibility.criteria",
    ),
    "sponsors": ("sponsors", "responsible_party", "investigators"),
    "locations": ("locations", "countries"),
    "references": ("references", "related_trials"),
}
SECTIONS = tuple(SECTION_FIELDS)

# Trial columns a curator can own (CuratorLock.field) whose merge key differs from the column.
_LOCK_FIELDS = {
    "allocation": "design.allocation",
    "intervention_model": "design.intervention_model",
    "primary_purpose": "design.primary_purpose",
    "masking": "design.masking",
    "sex": "eligibility.sex",
    "minimum_age": "eligibility.minimum_age",
    "maximum_age": "eligibility.maximum_age",
    "minimum_age_years": "eligibility.minimum_age",
    "maximum_age_years": "eligibility.maximum_age",
    "healthy_volunteers": "eligibility.healthy_volunteers",
    "eligibility_text": "eligibility.criteria",
    "lead_sponsor_class": "sponsors",
}
_SECTION_OF = {name: section for section, names in SECTION_FIELDS.items() for name in names}


def section_sources(trial: Trial) -> dict[str, list[str]]:
    """{section id: the source file names its fields came from, in field order}, every section present.

    Reads `trial.locks.all()`, so prefetch "locks" when listing many trials.
    """
    out: dict[str, list[str]] = {section: [] for section in SECTIONS}
    for section, names in SECTION_FIELDS.items():
        for name in names:
            source = trial.field_sources.get(name)
            if source and source not in out[section]:
                out[section].append(source)
    for lock in trial.locks.all():
        section = _SECTION_OF.get(_LOCK_FIELDS.get(lock.field, lock.field))
        if section and CURATOR not in out[section]:
            out[section].append(CURATOR)
    return out


# The parts of the merged record the classifier reads (its evidence's `section`,
# classification.passages) -> the merge key that says which source gave that part.
EVIDENCE_SECTIONS = {
    "title": "brief_title",
    "official_title": "official_title",
    "condition": "conditions",
    "keyword": "keywords",
    "mesh_term": "mesh_terms",
    "summary": "brief_summary",
    "description": "detailed_description",
    "arm": "arms",
    "intervention": "interventions",
    "inclusion": "eligibility.criteria",
    "exclusion": "eligibility.criteria",
}


def evidence_source(trial: Trial, section: str) -> str:
    """The source document an evidence passage was read from ("" when unknown)."""
    return trial.field_sources.get(EVIDENCE_SECTIONS.get(section, ""), "")


def merge_key(column: str) -> str:
    """The merge key (records.merge) a curator-ownable Trial column is filled from."""
    column = column.removesuffix("_precision")
    return _LOCK_FIELDS.get(column, column)
