"""Derived values no registry gives: scope, cell source, donor, route, dose, indication, eligibility.

`classify(record)` is pure: a merged `records.ParsedTrial` in, a `Classification` out,
every value with the phrase that decided it. `apply_classification(trial, record)` copies the
result onto a Trial; curator overrides are re-applied after it, so an override always wins.
Terms and patterns live in `terms.py`.
"""

from .apply import CLASSIFIER_VERSION, apply_classification
from .result import Bound, Classification, Disagreement, Dose, Evidence
from .rules import classify

__all__ = [
    "CLASSIFIER_VERSION",
    "Bound",
    "Classification",
    "Disagreement",
    "Dose",
    "Evidence",
    "apply_classification",
    "classify",
]
