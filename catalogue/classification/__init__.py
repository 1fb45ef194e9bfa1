"""Derived values no registry gives (cell source, donor, route, dose, indication).

Placeholder until the classification issue lands: it records that nothing was
classified yet, so every trial starts with unknown values.
"""

from __future__ import annotations


def apply_classification(trial, record) -> None:
    trial.classification = {**trial.classification, "version": 0}
