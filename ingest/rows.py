"""A merged record's values for the catalogue's columns and child rows (pure; no database).

The write specification (`ingest.assemble`) is built from these.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from django.db import models

from catalogue import registries
from catalogue.children import ChildTable
from catalogue.models import EligibilityCriterion, RelatedTrial, Sponsor, Trial
from records import ParsedTrial
from records.merge import Merged

from . import identity, normalize

_PRECISION = {4: "year", 7: "month", 10: "day"}
DATES = ("start_date", "primary_completion_date", "completion_date", "last_update")
DATES += ("status_verified_date", "first_posted")


def stored_date(iso: str) -> tuple[date | None, str]:
    """'2012-03' -> (date(2012, 3, 1), 'month'): the first day plus how much of it is known."""
    if not iso or len(iso) not in _PRECISION:
        return None, ""
    parts = [int(p) for p in iso.split("-")] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2]), _PRECISION[len(iso)]
    except ValueError:
        return None, ""


@cache
def limits(model: type[models.Model]) -> dict[str, int]:
    """The length limit of each of the model's short text columns."""
    return {
        f.attname: f.max_length
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length
    }


def clip(model: type[models.Model], values: dict) -> list[str]:
    """Cut values longer than their column (a page can say anything), in place; returns
    the names cut. Nothing is lost: the stored raw source keeps the whole text."""
    cut = []
    for name, limit in limits(model).items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            values[name] = value[: limit - 1] + "…"
            cut.append(name)
    return cut


def sponsor_name(name: str) -> str:
    values = {"name": name}
    clip(Sponsor, values)
    return values["name"]


def child_values(record: ParsedTrial, table: ChildTable) -> list[dict]:
    """A child table's rows for the record, in source order (`position`)."""
    items = record
    for name in table.source.split("."):
        items = getattr(items, name)
    values = [
        {"position": i, **{name: getattr(item, name) for name in table.columns}}
        for i, item in enumerate(items)
    ]
    for row in values:
        clip(table.model, row)
    if table.model is EligibilityCriterion:
        for criterion in values:
            criterion["depth"] = max(criterion["depth"], 0)
    if table.model is RelatedTrial:
        # A page may list its own trial among the related ones.
        values = [r for r in values if r["registry_id"] != record.registry_id]
        for related in values:
            related["phases"] = list(related["phases"])
    return values


def set_trial_fields(trial: Trial, merged: Merged) -> None:
    """The Trial columns the sources give (classification and curation come after)."""
    record = merged.record
    trial.secondary_ids = [
        {"identifier": s.identifier, "id_type": s.id_type} for s in record.secondary_ids
    ]
    for name in ("brief_title", "official_title", "acronym", "study_type", "enrollment_type"):
        setattr(trial, name, getattr(record, name))
    trial.overall_status = record.overall_status
    trial.phases = list(record.phases)
    trial.status_as_written = record.status_as_written
    trial.phase_as_written = record.phase_as_written
    # The registry of the id; the record's own word for it when the id is of no known registry.
    known = registries.registry_of(record.registry_id)
    trial.registry = known.code if known else record.registry
    trial.registration_date = stored_date(record.registration_date)[0]
    # One trial across registries (ingest.identity): the registrations it has records of,
    # and the others its records name.
    trial.registrations = merged.registrations
    named = {i for source in merged.sources for i in identity.named(source)}
    trial.named_registrations = sorted(named - set(trial.registrations))
    trial.record_url = record.record_url
    trial.enrollment = record.enrollment
    for name in DATES:
        value, precision = stored_date(getattr(record, name))
        setattr(trial, name, value)
        setattr(trial, f"{name}_precision", precision)
    trial.brief_summary = record.brief_summary
    trial.detailed_description = record.detailed_description
    trial.conditions = list(record.conditions)
    trial.keywords = list(record.keywords)
    trial.mesh_terms = list(record.mesh_terms)
    trial.intervention_mesh_terms = list(record.intervention_mesh_terms)
    trial.results_posted = record.results_posted
    for name in ("allocation", "intervention_model", "primary_purpose", "masking"):
        setattr(trial, name, getattr(record.design, name))
    trial.responsible_party = record.responsible_party
    eligibility = record.eligibility
    trial.sex = eligibility.sex
    trial.minimum_age = eligibility.minimum_age
    trial.maximum_age = eligibility.maximum_age
    trial.minimum_age_years = normalize.age_in_years(eligibility.minimum_age)
    trial.maximum_age_years = normalize.age_in_years(eligibility.maximum_age)
    trial.healthy_volunteers = eligibility.healthy_volunteers
    trial.eligibility_text = eligibility.criteria_text
    trial.countries = list(record.countries) or _countries_of(record)
    lead = next((s for s in record.sponsors if s.role == "lead"), None)
    trial.lead_sponsor_class = lead.agency_class if lead else ""
    trial.field_sources = merged.field_sources
    # Reasons are recomputed on every rebuild; a curator's "reviewed" mark is kept separately.
    trial.review_reasons = [f"sources disagree on {name}" for name in sorted(merged.conflicts)]
    trial.classification = {**trial.classification, "conflicts": merged.conflicts}
    columns = {name: getattr(trial, name) for name in limits(Trial)}
    for name in clip(Trial, columns):
        setattr(trial, name, columns[name])
        trial.review_reasons.append(f"{name} was longer than its column and was cut")


def _countries_of(record: ParsedTrial) -> list[str]:
    countries: list[str] = []
    for location in record.locations:
        if location.country and location.country not in countries:
            countries.append(location.country)
    return countries


def sponsor_links(record: ParsedTrial, sponsor_ids: dict[str, int]) -> list[dict]:
    """TrialSponsor rows, given each sponsor name's (casefolded) Sponsor id; one per sponsor and role."""
    rows, seen = [], set()
    for position, parsed in enumerate(record.sponsors):
        sponsor_id = sponsor_ids.get(sponsor_name(parsed.name).casefold()) if parsed.name else None
        if sponsor_id is None or (sponsor_id, parsed.role) in seen:
            continue
        seen.add((sponsor_id, parsed.role))
        rows.append({"sponsor_id": sponsor_id, "role": parsed.role, "position": position})
    return rows


def arm_links(record: ParsedTrial) -> set[tuple[str, str]]:
    """(arm label, intervention name) pairs, casefolded: arms name their interventions and back."""
    links = {(a.label.casefold(), n.casefold()) for a in record.arms for n in a.intervention_names}
    links |= {(a.casefold(), i.name.casefold()) for i in record.interventions for a in i.arm_labels}
    return links


def criterion_parents(rows: list) -> list:
    """Each criterion's parent: the nearest shallower row above it of the same kind (or None).

    `rows` are in display order and have `depth` and `kind`; returns one entry per row.
    """
    stack, parents = [], []
    for row in rows:
        while stack and (stack[-1].depth >= row.depth or stack[-1].kind != row.kind):
            stack.pop()
        parents.append(stack[-1] if stack else None)
        stack.append(row)
    return parents
