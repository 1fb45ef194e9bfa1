"""Copy a classification onto a Trial (no save: the caller saves, alone or in bulk)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import is_dataclass
from typing import TYPE_CHECKING

from catalogue.vocabulary import DERIVED

from .rules import classify

if TYPE_CHECKING:
    from catalogue.models import Trial
    from records import ParsedTrial

# Bump when the rules or terms change what they derive; stored as classification["version"].
CLASSIFIER_VERSION = 4

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
# Everything of a record the rules read (tests/test_classification_speed.py checks that
# they read nothing else): a record that differs elsewhere (status, enrollment, dates,
# sites) classifies the same, so its stored classification is kept, not computed again.
INPUTS = (
    "brief_title",
    "official_title",
    "conditions",
    "keywords",
    "mesh_terms",
    "brief_summary",
    "detailed_description",
    "arms",
    "interventions",
    "eligibility",
    "design",
)


def input_digest(record: ParsedTrial) -> str:
    """What the classification of a record depends on, as a digest."""
    inputs = {name: getattr(record, name) for name in INPUTS}
    text = json.dumps(inputs, sort_keys=True, default=lambda v: vars(v) if is_dataclass(v) else v)
    return hashlib.sha256(text.encode()).hexdigest()


def apply_classification(trial: Trial, record: ParsedTrial, *, known: dict | None = None) -> dict:
    """Set the derived fields from the merged record. Idempotent; keeps other writers' data.

    `known` is the trial's stored classification: when it was made by this classifier
    version from the same inputs, it is reused instead of classifying again. Review reasons
    the classifier did not write (the loader's "sources disagree on ...") stay, and so do
    keys of `trial.classification` it does not own ("conflicts"). Curator overrides are
    applied after this, by the curation layer, so they always win. Returns the detail.
    """
    digest = input_digest(record)
    if known and known.get("version") == CLASSIFIER_VERSION and known.get("input") == digest:
        detail = {key: known[key] for key in _OWN if key in known}
    else:
        detail = {**classify(record).to_json(), "input": digest}
    derived = detail["derived"]
    for field in DERIVED:
        setattr(trial, field.name, derived[field.name])
    trial.scope_reason = derived["scope_reason"]
    per_kg = (detail["dose"] or {}).get("cells_per_kg") or []
    trial.dose_per_kg_min = per_kg[0] if per_kg else None
    trial.dose_per_kg_max = per_kg[-1] if per_kg else None

    previous = trial.classification or {}
    ours = previous.get("review_reasons", [])
    kept = [r for r in trial.review_reasons if r not in ours]
    trial.review_reasons = kept + [r for r in detail["review_reasons"] if r not in kept]
    trial.needs_review = bool(trial.review_reasons)

    others = {k: v for k, v in previous.items() if k not in detail and k != "version"}
    trial.classification = {"version": CLASSIFIER_VERSION, **others, **detail}
    return detail


# The keys of Trial.classification the classifier writes (Classification.to_json, "input").
_OWN = (
    "derived",
    "product",
    "dose",
    "eligibility",
    "evidence",
    "disagreements",
    "review_reasons",
    "input",
)
