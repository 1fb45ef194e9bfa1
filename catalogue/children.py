"""The rows a trial owns besides its own columns: one declaration read by every writer,
by curation and by the tests.

Each child table names its model, where a parsed record holds its rows, the columns copied
from each of them, and the key that identifies a row across re-ingests (its content, not
its id: a curator's edit or deletion of a row is remembered by that key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from .models import (
    Arm,
    EligibilityCriterion,
    Intervention,
    Investigator,
    Location,
    Outcome,
    Reference,
    RelatedTrial,
    TrialSponsor,
)


@dataclass(frozen=True)
class ChildTable:
    model: type[models.Model]
    # The parsed record's list of these rows ("eligibility.criteria"); "" when the rows are
    # not copied from the record as they are (sponsor links need the shared Sponsor's id).
    source: str
    columns: tuple[str, ...]  # copied from each item's same-named attribute
    key: Callable[[object], str]  # a row (anything with the columns as attributes) -> its key

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def content(self) -> tuple[str, ...]:
        """What is compared to decide whether a stored row still matches its source row."""
        return (*self.columns, "position")


CHILD_TABLES: tuple[ChildTable, ...] = (
    ChildTable(
        Intervention,
        "interventions",
        ("name", "intervention_type", "description"),
        lambda r: r.name.casefold(),
    ),
    ChildTable(Arm, "arms", ("label", "arm_type", "description"), lambda r: r.label.casefold()),
    ChildTable(
        EligibilityCriterion,
        "eligibility.criteria",
        ("kind", "text", "depth"),
        lambda r: f"{r.kind}|{r.text}",
    ),
    ChildTable(
        Investigator,
        "investigators",
        ("name", "role", "affiliation"),
        lambda r: r.name.casefold(),
    ),
    ChildTable(
        Outcome,
        "outcomes",
        ("kind", "measure", "time_frame", "description"),
        lambda r: f"{r.kind}|{r.measure}",
    ),
    ChildTable(
        Location,
        "locations",
        ("facility", "city", "state", "country", "status", "latitude", "longitude"),
        lambda r: f"{r.facility}|{r.city}|{r.country}".casefold(),
    ),
    ChildTable(
        Reference,
        "references",
        ("citation", "pmid", "reference_type"),
        lambda r: r.pmid or r.citation,
    ),
    ChildTable(
        RelatedTrial,
        "related_trials",
        ("registry_id", "title", "status", "phases"),
        lambda r: r.registry_id,
    ),
    ChildTable(TrialSponsor, "", ("sponsor_id", "role"), lambda r: f"{r.sponsor_id}|{r.role}"),
)
BY_MODEL = {table.model: table for table in CHILD_TABLES}
BY_NAME = {table.name: table for table in CHILD_TABLES}


def row_key(row) -> str:
    """The key of a stored row (a model instance)."""
    return BY_MODEL[type(row)].key(row)
