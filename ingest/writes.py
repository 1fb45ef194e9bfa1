"""What one batch writes, trial by trial, before a writer (`orm` or `pgcopy`) writes it.

A `Group` is one trial's write: the batch's new source documents of that trial, the stored
documents they replace, what is stored of the trial, and its `TrialWrite`. `number` gives
every new trial and every new row its id from the tables' own sequences, and links
criteria and arms by those ids, the same way for both writers; then the writer only writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, models

from catalogue.children import BY_NAME
from catalogue.models import Arm, Trial
from records import ParsedTrial

from .assemble import Stored, TrialWrite, link
from .detect import PARSER_VERSION
from .documents import Document

LINKS = Arm.interventions.through


@dataclass
class NewSource:
    """A document of the batch, parsed, about to be stored as one of a trial's sources."""

    document: Document
    digest: str
    record: ParsedTrial
    ingested_at: datetime

    def row(self, trial_id: int) -> dict:
        return {
            "trial_id": trial_id,
            "path": self.document.path,
            "filename": self.document.filename,
            "source_format": self.record.source_format,
            "raw_text": self.document.data.decode("utf-8", errors="replace"),
            "sha256": self.digest,
            "parsed": self.record.to_dict(),
            "parser_version": PARSER_VERSION,
            "warnings": self.record.warnings,
            "ingested_at": self.ingested_at,
        }


@dataclass
class Group:
    """One trial's write within a batch."""

    write: TrialWrite
    stored: Stored
    sources: list[NewSource] = field(default_factory=list)  # in input order
    replaced: list[int] = field(default_factory=list)  # stored SourceDocument ids that go
    trial_id: int | None = None  # a new trial's id comes from `number`
    created: bool = False
    stored_sources: list = field(default_factory=list)  # state.StoredSource: those that stay
    stored_hash: str = ""  # the stored trial's record digest ("" for a new trial)

    def source_rows(self) -> list[dict]:
        return [source.row(self.trial_id) for source in self.sources]


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys from the table's own sequence (no other writer can get them)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def number(groups: list[Group]) -> None:
    """Ids for new trials and new rows, then the links that need them (criteria, arms)."""
    new = [g for g in groups if g.trial_id is None]
    for group, trial_id in zip(new, allocate_ids(Trial, len(new)), strict=True):
        group.trial_id, group.created = trial_id, True
    for name, table in BY_NAME.items():
        rows = [row for g in groups for row in g.write.tables[name].insert]
        for row, row_id in zip(rows, allocate_ids(table.model, len(rows)), strict=True):
            row.values["id"] = row_id
    for group in groups:
        for plan in group.write.tables.values():
            for row in plan.insert:
                row.values["trial_id"] = group.trial_id
        link(group.write, group.stored)


def delete_rows(model: type[models.Model], ids: list[int]) -> None:
    """One DELETE by id, for both writers. Not Django's delete(): it first nulls the parent
    of nested criteria that go too, a change the history would record."""
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE id = ANY(%s)', [ids])


def unlink(arms: list[int], interventions: list[int], pairs: list[tuple[int, int]]) -> None:
    """Arm-intervention links that go: those of rows that go, and those the sources dropped."""
    if not (arms or interventions or pairs):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{LINKS._meta.db_table}" WHERE arm_id = ANY(%s) '
            "OR intervention_id = ANY(%s) OR (arm_id, intervention_id) IN "
            "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
            [arms, interventions, [a for a, _ in pairs], [i for _, i in pairs]],
        )
