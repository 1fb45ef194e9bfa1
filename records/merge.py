"""Merge several parsed sources of one trial into one record (pure; no database).

A trial registered in several registries has a source per registration; the merged
record takes the trial's canonical id (`canonical_id`) and lists every registration.

The registry's own records outrank saved pages whatever their dates, and API v2
JSON (the live record) outranks classic XML (archives): for every field, only the
highest-ranked sources that state it are considered, so pages fill only what the
registry leaves empty.
Within a rank, field by field, over the sources ordered newest first (by the
source's own "last updated" date, then by when it was ingested):
- single values (status, phases, enrollment, dates, design, ...): the newest source
  that states one; a date stated more precisely elsewhere with the same prefix wins
  ("2012-03-04" over "2012-03");
- free text (titles, summary, description): the longest, i.e. the least cut-off;
- lists (arms, criteria, outcomes, locations, ...): the source with the most items.
Every choice is recorded in `field_sources`; differing single values, across all
ranks, are kept in `conflicts` so a curator can look. Curator-owned values are put
back over all of this after the merge (`catalogue.curation.finalize`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from records import Design, ParsedTrial

SINGLE = (
    "overall_status",
    "phases",
    "study_type",
    "enrollment",
    "enrollment_type",
    "last_update",
    "acronym",
    "responsible_party",
    "results_posted",
)
DATES = (
    "start_date",
    "primary_completion_date",
    "completion_date",
    "status_verified_date",
    "first_posted",
)
# When a source was last updated or verified differs with when it was captured: not a
# disagreement about the trial, so no conflict is recorded for these.
BOOKKEEPING = ("last_update", "status_verified_date")
TEXT = ("brief_title", "official_title", "brief_summary", "detailed_description")
LISTS = (
    "secondary_ids",
    "conditions",
    "keywords",
    "arms",
    "interventions",
    "sponsors",
    "investigators",
    "outcomes",
    "locations",
    "countries",
    "references",
    "related_trials",
    "mesh_terms",
    "intervention_mesh_terms",
)
DESIGN = tuple(f.name for f in fields(Design))
ELIGIBILITY_SINGLE = ("sex", "minimum_age", "maximum_age", "healthy_volunteers")
ELIGIBILITY_LISTS = ("criteria",)


@dataclass
class Source:
    name: str  # shown to people: the file name
    record: ParsedTrial
    ingested: str = ""  # ISO timestamp, the tie-breaker after the page's own date


@dataclass
class Merged:
    record: ParsedTrial
    field_sources: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, list[dict]] = field(default_factory=dict)
    # Every source's record, best first: what each registration states on its own.
    sources: list[ParsedTrial] = field(default_factory=list)

    @property
    def registrations(self) -> list[str]:
        """The registry ids the sources are records of, the canonical one first."""
        own = self.record.registry_id
        return [own, *sorted({s.registry_id for s in self.sources} - {own})]


def canonical_order(registry_id: str, registered: str) -> tuple:
    """How registrations of one trial sort, the canonical first: its ClinicalTrials.gov id
    (the registry most readers search), else the earliest registration (ISO date; none
    counts as the latest); ties go to the smaller id, so any order agrees."""
    return (not registry_id.startswith("NCT"), registered or "9", registry_id)


def canonical_id(records: list[ParsedTrial]) -> str:
    """The id a trial registered several times is listed under."""
    return min(
        records, key=lambda r: canonical_order(r.registry_id, r.registration_date)
    ).registry_id


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def rank(record: ParsedTrial) -> int:
    """How far a source is trusted: its format's precedence, set when it was parsed."""
    return record.precedence


def merge(sources: list[Source]) -> Merged:
    if not sources:
        raise ValueError("nothing to merge")
    ordered = sorted(
        sources,
        key=lambda s: (rank(s.record), s.record.last_update, s.ingested),
        reverse=True,
    )
    records = [s.record for s in ordered]
    out = ParsedTrial(source_format="merged", registry_id=canonical_id(records))
    merged = Merged(record=out, sources=records)
    named = [(s.name, rank(s.record), s.record) for s in ordered]

    def pick(key: str, candidates: list[tuple[str, int, Any]], how: str) -> Any:
        present = [(name, r, value) for name, r, value in candidates if not _empty(value)]
        if not present:
            return candidates[0][2] if candidates else None
        # Only the highest-ranked sources that state the field may supply it.
        best = [(name, value) for name, r, value in present if r == present[0][1]]
        if how == "longest":  # text: the least cut-off; lists: the most items; ties: newest
            name, value = max(best, key=lambda nv: len(nv[1]))
        elif how == "date":
            name, value = best[0]
            for other_name, other in best[1:]:
                if len(other) > len(value) and other.startswith(value):
                    name, value = other_name, other
        else:
            name, value = best[0]
        merged.field_sources[key] = name
        values = [v for _, _, v in present]
        if key in BOOKKEEPING:
            return value
        # A page's date that only cuts the chosen one short (or refines it) is no conflict.
        if (
            how in ("first", "date")
            and len({repr(v) for v in values}) > 1
            and (
                how != "date" or not all(value.startswith(v) or v.startswith(value) for v in values)
            )
        ):
            merged.conflicts[key] = [{"source": n, "value": v} for n, _, v in present]
        return value

    for key in SINGLE:
        setattr(out, key, pick(key, [(n, r, getattr(rec, key)) for n, r, rec in named], "first"))
    for key in DATES:
        setattr(out, key, pick(key, [(n, r, getattr(rec, key)) for n, r, rec in named], "date"))
    for key in TEXT:
        setattr(out, key, pick(key, [(n, r, getattr(rec, key)) for n, r, rec in named], "longest"))
    for key in LISTS:
        setattr(out, key, pick(key, [(n, r, getattr(rec, key)) for n, r, rec in named], "longest"))
    _registry_fields(named, merged)
    for key in DESIGN:
        candidates = [(n, r, getattr(rec.design, key)) for n, r, rec in named]
        setattr(out.design, key, pick(f"design.{key}", candidates, "first"))
    for key in ELIGIBILITY_SINGLE:
        candidates = [(n, r, getattr(rec.eligibility, key)) for n, r, rec in named]
        setattr(out.eligibility, key, pick(f"eligibility.{key}", candidates, "first"))
    # The criteria rows and the block they were read from travel together.
    with_criteria = [(n, r, rec.eligibility) for n, r, rec in named if rec.eligibility.criteria]
    if with_criteria:
        top = with_criteria[0][1]
        name, _, eligibility = max(
            (c for c in with_criteria if c[1] == top), key=lambda c: len(c[2].criteria)
        )
        out.eligibility.criteria = eligibility.criteria
        out.eligibility.criteria_text = eligibility.criteria_text
        merged.field_sources["eligibility.criteria"] = name
    for name, _, record in named:
        out.warnings.extend(f"{name}: {w}" for w in record.warnings)
    return merged


def _registry_fields(named: list[tuple[str, int, ParsedTrial]], merged: Merged) -> None:
    """What registries beyond ClinicalTrials.gov add, chosen without recording conflicts.

    A status's or phase's words as written go with the value they were read beside: from the
    source that supplied the merged status (phases), or, when no source gives one the
    catalogue knows, from the best source that wrote one. The registration date is the
    earliest any source states (an EU trial has one record, and date, per country); the
    registry and the record's address come from the best source that states them.
    """
    out = merged.record
    for key, written in (("overall_status", "status_as_written"), ("phases", "phase_as_written")):
        chosen = merged.field_sources.get(key) if getattr(out, key) else None
        for name, _, record in named:
            if (name == chosen) if chosen else getattr(record, written):
                setattr(out, written, getattr(record, written))
                if getattr(record, written):
                    merged.field_sources[written] = name
                break
    dated = sorted((r.registration_date, n) for n, _, r in named if r.registration_date)
    if dated:
        out.registration_date, merged.field_sources["registration_date"] = dated[0]
    # The registry's own record of the canonical registration (another one's address is
    # listed with its id, not as the trial's).
    canonical = [(n, r, rec) for n, r, rec in named if rec.registry_id == out.registry_id]
    for key in ("registry", "record_url"):
        for name, _, record in canonical:
            if getattr(record, key):
                setattr(out, key, getattr(record, key))
                merged.field_sources[key] = name
                break
