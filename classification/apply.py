"""Copy a classification onto a Trial (no save: the caller saves, alone or in bulk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalogue.vocabulary import DERIVED

from .result import Classification
from .rules import classify

if TYPE_CHECKING:
    from catalogue.models import Trial
    from records import ParsedTrial

# Bump when the rules or terms change what they derive; stored as classification["version"].
CLASSIFIER_VERSION = 1

# The Trial columns the classifier writes (the reclassify command bulk-updates exactly these).
FIELDS = (
    *(d.name for d in DERIVED),
    "scope_reason",
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
    for derived in DERIVED:
        setattr(trial, derived.name, result.values[derived.name])
    trial.scope_reason = result.scope_reason
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
