"""Merge several parsed sources of one registry id into one record (pure; no database).

Rules, field by field, over the sources ordered newest first (by the page's own
"last updated" date, then by when it was ingested):
- single values (status, phases, enrollment, dates, design, ...): the newest source
  that states one; a date stated more precisely elsewhere with the same prefix wins
  ("2012-03-04" over "2012-03");
- free text (titles, summary, description): the longest, i.e. the least cut-off;
- lists (arms, criteria, outcomes, locations, ...): the source with the most items.
Every choice is recorded in `field_sources`; differing single values are kept in
`conflicts` so a curator can look.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .records import Design, ParsedTrial

SINGLE = (
    "overall_status",
    "phases",
    "study_type",
    "enrollment",
    "enrollment_type",
    "last_update",
    "acronym",
    "responsible_party",
)
DATES = ("start_date", "primary_completion_date", "completion_date")
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


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge(sources: list[Source]) -> Merged:
    if not sources:
        raise ValueError("nothing to merge")
    ordered = sorted(sources, key=lambda s: (s.record.last_update, s.ingested), reverse=True)
    newest = ordered[0].record
    out = ParsedTrial(source_format="merged", registry_id=newest.registry_id)
    merged = Merged(record=out)
    named = [(s.name, s.record) for s in ordered]

    def pick(key: str, candidates: list[tuple[str, object]], how: str) -> object:
        present = [(name, value) for name, value in candidates if not _empty(value)]
        if not present:
            return candidates[0][1] if candidates else None
        if how == "longest":  # text: the least cut-off; lists: the most items; ties: newest
            name, value = max(present, key=lambda nv: len(nv[1]))
        elif how == "date":
            name, value = present[0]
            for other_name, other in present[1:]:
                if len(other) > len(value) and other.startswith(value):
                    name, value = other_name, other
        else:
            name, value = present[0]
        merged.field_sources[key] = name
        distinct = {repr(v) for _, v in present}
        if how in ("first", "date") and len(distinct) > 1:
            if how != "date" or not all(value.startswith(v) for _, v in present):
                merged.conflicts[key] = [{"source": n, "value": v} for n, v in present]
        return value

    for key in SINGLE:
        setattr(out, key, pick(key, [(n, getattr(r, key)) for n, r in named], "first"))
    for key in DATES:
        setattr(out, key, pick(key, [(n, getattr(r, key)) for n, r in named], "date"))
    for key in TEXT:
        setattr(out, key, pick(key, [(n, getattr(r, key)) for n, r in named], "longest"))
    for key in LISTS:
        setattr(out, key, pick(key, [(n, getattr(r, key)) for n, r in named], "longest"))
    for key in DESIGN:
        value = pick(f"design.{key}", [(n, getattr(r.design, key)) for n, r in named], "first")
        setattr(out.design, key, value)
    for key in ELIGIBILITY_SINGLE:
        value = pick(
            f"eligibility.{key}", [(n, getattr(r.eligibility, key)) for n, r in named], "first"
        )
        setattr(out.eligibility, key, value)
    # The criteria rows and the block they were read from travel together.
    with_criteria = [(n, r.eligibility) for n, r in named if r.eligibility.criteria]
    if with_criteria:
        name, eligibility = max(with_criteria, key=lambda ne: len(ne[1].criteria))
        out.eligibility.criteria = eligibility.criteria
        out.eligibility.criteria_text = eligibility.criteria_text
        merged.field_sources["eligibility.criteria"] = name
    for name, record in named:
        out.warnings.extend(f"{name}: {w}" for w in record.warnings)
    return merged
