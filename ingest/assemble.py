"""The write specification: what a trial's merged sources put in the catalogue, as plain values.

Pure (no database): every writer consumes what `assemble` and `complete` return and differs
only in how it writes it (`ingest.orm` one trial at a time through the ORM, `ingest.pgcopy`
many trials at once with COPY and set-based statements). What the catalogue already holds
of the trial and must respect (curator-owned fields and rows, deleted rows, the queue's
cleared reasons) comes in as `Stored`; a new trial's is empty.

Steps, in order (each may read what the earlier ones wrote):
1. `assemble`: the trial's columns from the merged record, every child table's rows
   planned against the stored ones, the classifier's fields, the search text. The costly
   part: the bulk loader runs it in worker processes.
2. `complete`: the sponsor links (they need the shared Sponsor rows' ids), the curator's
   values over everything (`catalogue.curation.finalize`), the record's digest.
3. the writer allocates ids for new rows, then `link` gives each criterion its parent and
   each arm its interventions from those ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, is_dataclass
from types import SimpleNamespace

from catalogue import search
from catalogue.children import BY_NAME, CHILD_TABLES, ChildTable
from catalogue.curation import finalize
from catalogue.models import EligibilityCriterion, Trial, TrialSponsor
from classification.apply import CLASSIFIER_VERSION, apply_classification
from records import ParsedTrial
from records.merge import Merged

from . import rows
from .detect import PARSER_VERSION

# Trial columns a rebuild never writes: the row's identity and the queue's bookkeeping.
KEPT = {"id", "review_cleared", "reviewed_at", "reviewed_by", "first_ingested", "search_vector"}
SPONSORS = TrialSponsor._meta.model_name
CRITERIA = EligibilityCriterion._meta.model_name
# The columns the search document reads; a curator's value in one means it is built again.
SEARCHED = {
    "registry_id",
    "registrations",
    "named_registrations",
    "brief_title",
    "official_title",
    "acronym",
    "conditions",
    "keywords",
}
SEARCHED |= {"brief_summary", "detailed_description", "eligibility_text"}


class Row:
    """A child row as plain column values, readable as attributes (as row keys read rows)."""

    __slots__ = ("values",)

    def __init__(self, values: dict):
        self.values = values

    def __getattr__(self, name: str):
        if name == "values":  # not yet set while unpickling
            raise AttributeError(name)
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getstate__(self):
        return self.values

    def __setstate__(self, values):
        self.values = values

    def __repr__(self) -> str:
        return f"Row({self.values!r})"


@dataclass
class Stored:
    """What the catalogue holds of a trial that its rebuild must respect; empty for a new trial."""

    trial_id: int | None = None
    rows: dict[str, list[Row]] = field(default_factory=dict)  # with id, curated, source_key
    tombstones: dict[str, set[str]] = field(default_factory=dict)  # rows a curator deleted
    locks: list = field(default_factory=list)  # CuratorLock: curator-owned fields
    review_cleared: list[str] = field(default_factory=list)
    links: set[tuple[int, int]] = field(default_factory=set)  # (arm, intervention) of source arms
    classification: str = ""  # as JSON text; reused when its inputs are unchanged
    reports: list = field(default_factory=list)  # ErrorReport: readers' open reports
    decisions: list = field(default_factory=list)  # ConflictDecision: conflicts settled


@dataclass
class TablePlan:
    """A child table's rows after the write, and how to get there from the stored ones."""

    final: list[Row]  # in display order: kept and new rows
    insert: list[Row]  # new rows (ids allocated by the writer)
    delete: list[int]  # ids of stored rows that go


@dataclass
class TrialWrite:
    registry_id: str
    values: dict  # Trial columns by attname (KEPT ones left out)
    search: dict[str, str]  # search weight "A".."D" -> its (expanded) text
    tables: dict[str, TablePlan]
    arm_pairs: set[tuple[str, str]]  # (arm label, intervention name), casefolded
    record: ParsedTrial  # the merged record
    reasons: list[str] = field(default_factory=list)  # the rows' review reasons
    lock_updates: list = field(default_factory=list)  # locks whose source value changed
    parent_updates: list[tuple[int, int | None]] = field(default_factory=list)  # kept criteria
    links_add: set[tuple[int, int]] = field(default_factory=set)
    links_remove: set[tuple[int, int]] = field(default_factory=set)

    def changed_rows(self) -> bool:
        return any(p.insert or p.delete for p in self.tables.values()) or bool(
            self.parent_updates or self.links_add or self.links_remove
        )


def assemble(merged: Merged, stored: Stored, source_digests: Iterable[str]) -> TrialWrite:
    """Step 1: columns, child rows planned against the stored ones, classification, search,
    and the digest of what the trial is built from (`source_digests`: its sources' SHA-256)."""
    record = merged.record
    trial = blank_trial(registry_id=record.registry_id)
    rows.set_trial_fields(trial, merged)
    tables, reasons = {}, []
    for table in CHILD_TABLES:
        if table.source:
            wanted = [Row(v) for v in rows.child_values(record, table)]
            tables[table.name], lost = plan_rows(table, stored, wanted)
            reasons += lost
    known = json.loads(stored.classification) if stored.classification else None
    apply_classification(trial, record, known=known)
    write = TrialWrite(
        registry_id=record.registry_id,
        values=_values(trial),
        search={},
        tables=tables,
        arm_pairs=rows.arm_links(record),
        record=record,
        reasons=reasons,
    )
    write.search = search_document(write)
    write.values["record_hash"] = record_digest(record, source_digests)
    return write


def complete(
    write: TrialWrite, stored: Stored, sponsor_ids: dict[str, int], *, warned: list[str]
) -> None:
    """Step 2: sponsor links, then the curator's values over all of it.

    `warned` names the trial's sources with parse warnings (a review reason)."""
    wanted = [Row(v) for v in rows.sponsor_links(write.record, sponsor_ids)]
    write.tables[SPONSORS], lost = plan_rows(BY_NAME[SPONSORS], stored, wanted)
    trial = blank_trial(registry_id=write.registry_id, review_cleared=list(stored.review_cleared))
    for name, value in write.values.items():
        setattr(trial, name, value)
    trial.review_reasons = [*trial.review_reasons, *write.reasons, *lost]
    write.lock_updates = finalize(
        trial,
        locks=stored.locks,
        warned=warned,
        reports=stored.reports,
        decisions=stored.decisions,
    )
    write.values = _values(trial)  # the digest came in with the values, and stays
    locked = {lock.field for lock in stored.locks}
    if locked & SEARCHED or any(
        r.curated for p in write.tables.values() for r in p.final if "curated" in r.values
    ):
        write.search = search_document(write)


def blank_trial(**values) -> SimpleNamespace:
    """A trial's columns with their defaults, as the steps fill them: a Trial instance would
    do, at three times the cost (its __init__), for nothing the steps use."""
    blank = {attname: default() for attname, default in _DEFAULTS}
    return SimpleNamespace(**{**blank, **values})


_DEFAULTS = [(f.attname, f.get_default) for f in Trial._meta.concrete_fields]


def _values(trial) -> dict:
    return {
        f.attname: getattr(trial, f.attname)
        for f in Trial._meta.concrete_fields
        if f.attname not in KEPT and f.name not in KEPT
    }


def plan_rows(table: ChildTable, stored: Stored, wanted: list[Row]) -> tuple[TablePlan, list[str]]:
    """Make the trial's source rows equal `wanted`, touching only what differs.

    Curator-owned rows stay; a source row a curator replaced or deleted is not re-created;
    an unchanged stored row is kept as it is (and so is its history). Also returns the review
    reasons: a source row a curator edited has changed or gone.
    """
    existing = stored.rows.get(table.name, [])
    curated = [r for r in existing if r.curated]
    replaced = {r.source_key for r in curated if r.source_key}
    blocked = replaced | stored.tombstones.get(table.name, set())
    source_keys = {table.key(r) for r in wanted}
    unchanged: dict[tuple, list[Row]] = {}
    for row in existing:
        if not row.curated:
            unchanged.setdefault(_content(table, row), []).append(row)
    kept, insert = [], []
    for row in wanted:
        if table.key(row) in blocked:
            continue
        same = unchanged.get(_content(table, row))
        if same:
            kept.append(same.pop())  # unchanged: keep the stored row as it is
        else:
            insert.append(row)
    delete = [row.id for rows_ in unchanged.values() for row in rows_]
    # Display order; at one position, source rows before curated ones, stored before new.
    final = sorted([*curated, *kept, *insert], key=_order)
    reasons = [
        f"source changed the {table.model._meta.verbose_name} a curator edited "
        f"({r.source_key[:60]})"
        for r in curated
        if r.source_key and r.source_key not in source_keys
    ]
    return TablePlan(final=final, insert=insert, delete=delete), reasons


def _order(row: Row) -> tuple:
    return (row.position, bool(row.values.get("curated")), row.values.get("id", _NEW))


_NEW = float("inf")  # a new row's id is not known yet; it will be higher than any stored one


def _content(table: ChildTable, row: Row) -> tuple:
    return tuple(
        tuple(v) if isinstance(v, list) else v for v in (row.values.get(c) for c in table.content)
    )


def link(write: TrialWrite, stored: Stored) -> None:
    """Step 3, once every new row has its id: criteria parents and arm-intervention links."""
    criteria = write.tables[CRITERIA].final
    new = {id(r) for r in write.tables[CRITERIA].insert}
    for row, parent in zip(criteria, rows.criterion_parents(criteria), strict=True):
        parent_id = parent.id if parent else None
        if id(row) in new:
            row.values["parent_id"] = parent_id
        elif row.values.get("parent_id") != parent_id:
            write.parent_updates.append((row.id, parent_id))
    arms = {r.label.casefold(): r for r in write.tables["arm"].final}
    interventions = {r.name.casefold(): r for r in write.tables["intervention"].final}
    wanted = set()
    for label, name in write.arm_pairs:
        arm, intervention = arms.get(label), interventions.get(name)
        if arm and intervention and not arm.values.get("curated"):
            wanted.add((arm.id, intervention.id))
    write.links_add = wanted - stored.links
    write.links_remove = stored.links - wanted


def search_document(write: TrialWrite) -> dict[str, str]:
    """Each search weight's text, expanded with the phrases of the abbreviations it uses."""
    trial = SimpleNamespace(**{k: v for k, v in write.values.items() if k in SEARCHED})
    parts = search.document_parts(
        trial,
        arms=write.tables["arm"].final,
        interventions=write.tables["intervention"].final,
        criteria=write.tables[CRITERIA].final,
        outcomes=write.tables["outcome"].final,
    )
    write.values["search_text"] = " ".join(parts.values())[: search.TEXT_LIMIT]
    return {weight: search.expand_document(text) for weight, text in parts.items()}


def record_digest(record: ParsedTrial, source_digests: Iterable[str]) -> str:
    """What a trial is built from: equal digests, equal rows (so the rebuild can be skipped).

    The parser and classifier versions are part of it: new rules rewrite every trial."""
    payload = {
        "record": record,
        "sources": sorted(source_digests),
        "parser": PARSER_VERSION,
        "classifier": CLASSIFIER_VERSION,
    }
    # A dataclass is written as its __dict__: what dataclasses.asdict gives, without the
    # deep copy that made asdict the costliest step of a rebuild.
    text = json.dumps(payload, sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value):
    return vars(value) if is_dataclass(value) else str(value)
