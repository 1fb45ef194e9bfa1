"""Copy a classification onto a Trial (no save: the caller saves, alone or in bulk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .result import Classification
from .rules import classify

if TYPE_CHECKING:
    from catalogue.models import Trial
    from records import ParsedTrial

# Bump when the rules or terms change what they derive; stored as classification["version"].
CLASSIFIER_VERSION = 2

# The Trial columns the classifier writes (the reclassify command bulk-updates exactly these).
FIELDS = (
    "in_scope",
    "scope_reason",
    "cell_sources",
    "donor",
    "routes",
    "diabetes_types",
    "recent_onset",
    "comparators",
    "co_interventions",
    "dose_per_kg_min",
    "dose_per_kg_max",
    "classification",
    "needs_review",
    "review_reasons",
)


def apply_classification(trial: Trial, record: ParsedTrial) -> Classification:
    """Set the derived fields from the merged record. Idempotent; keeps other writers' data.

    Review reasons the classifier did not write (the loader's "sources disagree on ...")
    stay, and so do keys of `trial.classification` it does not own ("conflicts").
    Curator overrides are applied after this, by the curation layer, so they always win.
    """
    result = classify(record)
    trial.in_scope = result.in_scope
    trial.scope_reason = result.scope_reason
    trial.cell_sources = result.cell_sources
    trial.donor = result.donor
    trial.routes = result.routes
    trial.diabetes_types = result.diabetes_types
    trial.recent_onset = result.recent_onset
    trial.comparators = result.comparators
    trial.co_interventions = result.co_interventions
    per_kg = result.dose.cells_per_kg
    trial.dose_per_kg_min = per_kg[0] if per_kg else None
    trial.dose_per_kg_max = per_kg[-1] if per_kg else None

    previous = trial.classification or {}
    ours = previous.get("review_reasons", [])
    kept = [r for r in trial.review_reasons if r not in ours]
    trial.review_reasons = kept + [r for r in result.review_reasons if r not in kept]
    trial.needs_review = bool(trial.review_reasons)

    detail = result.to_json()
    others = {k: v for k, v in previous.items() if k not in detail and k != "version"}
    trial.classification = {"version": CLASSIFIER_VERSION, **others, **detail}
    return result


def reclassify(trial: Trial, record: ParsedTrial) -> bool:
    """Classify a stored trial again, then re-apply curator values; True when anything changed.

    The review reasons the curation layer derives from the old values ("donor not
    classified") are dropped first; `finalize` derives them again from the new ones.
    """
    # Imported here: curation needs the app registry, classify() itself does not.
    from catalogue.curation import field_value, finalize, queue_reasons

    before = {name: field_value(trial, name) for name in FIELDS}
    stale = set(queue_reasons(trial))
    trial.review_reasons = [r for r in trial.review_reasons if r not in stale]
    apply_classification(trial, record)
    finalize(trial)
    return any(field_value(trial, name) != before[name] for name in FIELDS)
