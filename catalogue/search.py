"""Full-text search document of a trial: a weighted tsvector plus plain text for trigram matching.

The vector spans child rows (arms, interventions, criteria), so it cannot be a
GeneratedField; the loader calls `refresh()` after it writes a trial.
Weights: A titles and ids, B conditions / interventions / arms, C summary and
description, D eligibility and outcomes.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db.models import Value

# A text search configuration (english + unaccent) created by migration 0001.
CONFIG = "catalogue"


def documents(trial) -> dict[str, str]:
    """The text of each weight for one trial (children must be loaded or loadable)."""
    arms = list(trial.arms.all())
    interventions = list(trial.interventions.all())
    return {
        "A": " ".join([trial.registry_id, trial.brief_title, trial.official_title, trial.acronym]),
        "B": " ".join(
            [
                *trial.conditions,
                *trial.keywords,
                *(i.name for i in interventions),
                *(a.label for a in arms),
            ]
        ),
        "C": " ".join(
            [
                trial.brief_summary,
                trial.detailed_description,
                *(i.description for i in interventions),
                *(a.description for a in arms),
            ]
        ),
        "D": " ".join(
            [
                trial.eligibility_text,
                *(c.text for c in trial.criteria.all()),
                *(o.measure for o in trial.outcomes.all()),
            ]
        ),
    }


def refresh(trials) -> None:
    """Recompute the stored search vector and trigram text of the given trials."""
    for trial in trials.prefetch_related("arms", "interventions", "criteria", "outcomes"):
        parts = documents(trial)
        vector = None
        for weight, text in parts.items():
            piece = SearchVector(Value(text), weight=weight, config=CONFIG)
            vector = piece if vector is None else vector + piece
        type(trial).objects.filter(pk=trial.pk).update(
            search_vector=vector, search_text=" ".join(parts.values())[:200_000]
        )
