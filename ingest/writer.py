"""Write one merged record onto its Trial row and child rows (bulk inserts, no per-row queries)."""

from __future__ import annotations

from datetime import date

from catalogue import search
from catalogue.classification import apply_classification
from catalogue.models import (
    Arm,
    EligibilityCriterion,
    Intervention,
    Investigator,
    Location,
    Outcome,
    Reference,
    RelatedTrial,
    Sponsor,
    Trial,
    TrialSponsor,
)

from . import normalize
from .merge import Merged
from .records import ParsedTrial

_PRECISION = {4: "year", 7: "month", 10: "day"}


def stored_date(iso: str) -> tuple[date | None, str]:
    """'2012-03' -> (date(2012, 3, 1), 'month'): the first day plus how much of it is known."""
    if not iso or len(iso) not in _PRECISION:
        return None, ""
    parts = [int(p) for p in iso.split("-")] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2]), _PRECISION[len(iso)]
    except ValueError:
        return None, ""


def write_trial(trial: Trial, merged: Merged) -> None:
    record = merged.record
    _write_fields(trial, record, merged)
    _write_children(trial, record)
    apply_classification(trial, record)
    trial.save()
    search.refresh(Trial.objects.filter(pk=trial.pk))


def _write_fields(trial: Trial, record: ParsedTrial, merged: Merged) -> None:
    trial.secondary_ids = [
        {"identifier": s.identifier, "id_type": s.id_type} for s in record.secondary_ids
    ]
    for name in ("brief_title", "official_title", "acronym", "study_type", "enrollment_type"):
        setattr(trial, name, getattr(record, name))
    trial.overall_status = record.overall_status
    trial.phases = list(record.phases)
    trial.enrollment = record.enrollment
    for name in ("start_date", "primary_completion_date", "completion_date", "last_update"):
        value, precision = stored_date(getattr(record, name))
        setattr(trial, name, value)
        setattr(trial, f"{name}_precision", precision)
    trial.brief_summary = record.brief_summary
    trial.detailed_description = record.detailed_description
    trial.conditions = list(record.conditions)
    trial.keywords = list(record.keywords)
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
    conflicts = [f"sources disagree on {name}" for name in sorted(merged.conflicts)]
    trial.review_reasons = [r for r in trial.review_reasons if not r.startswith("sources disagree")]
    trial.review_reasons += conflicts
    trial.classification = {**trial.classification, "conflicts": merged.conflicts}


def _countries_of(record: ParsedTrial) -> list[str]:
    countries: list[str] = []
    for location in record.locations:
        if location.country and location.country not in countries:
            countries.append(location.country)
    return countries


def _write_children(trial: Trial, record: ParsedTrial) -> None:
    for relation in (
        trial.arms,
        trial.interventions,
        trial.investigators,
        trial.criteria,
        trial.outcomes,
        trial.locations,
        trial.references,
        trial.related_trials,
        trial.trial_sponsors,
    ):
        relation.all().delete()

    interventions = Intervention.objects.bulk_create(
        Intervention(
            trial=trial,
            position=i,
            name=item.name,
            intervention_type=item.intervention_type,
            description=item.description,
        )
        for i, item in enumerate(record.interventions)
    )
    arms = Arm.objects.bulk_create(
        Arm(trial=trial, position=i, label=a.label, arm_type=a.arm_type, description=a.description)
        for i, a in enumerate(record.arms)
    )
    _link_arms(arms, interventions, record)
    _write_criteria(trial, record)
    Investigator.objects.bulk_create(
        Investigator(trial=trial, position=i, name=p.name, role=p.role, affiliation=p.affiliation)
        for i, p in enumerate(record.investigators)
    )
    Outcome.objects.bulk_create(
        Outcome(
            trial=trial,
            position=i,
            kind=o.kind,
            measure=o.measure,
            time_frame=o.time_frame,
            description=o.description,
        )
        for i, o in enumerate(record.outcomes)
    )
    Location.objects.bulk_create(
        Location(
            trial=trial,
            position=i,
            facility=loc.facility,
            city=loc.city,
            state=loc.state,
            country=loc.country,
            status=loc.status,
        )
        for i, loc in enumerate(record.locations)
    )
    Reference.objects.bulk_create(
        Reference(
            trial=trial,
            position=i,
            citation=r.citation,
            pmid=r.pmid,
            reference_type=r.reference_type,
        )
        for i, r in enumerate(record.references)
    )
    RelatedTrial.objects.bulk_create(
        RelatedTrial(
            trial=trial,
            position=i,
            registry_id=r.registry_id,
            title=r.title,
            status=r.status,
            phases=r.phases,
        )
        for i, r in enumerate(record.related_trials)
        if r.registry_id != trial.registry_id
    )
    _write_sponsors(trial, record)


def _link_arms(arms: list[Arm], interventions: list[Intervention], record: ParsedTrial) -> None:
    """Arms name their interventions (and interventions their arms); link both ways by name."""
    by_name = {i.name.casefold(): i for i in interventions}
    links = set()
    for arm, parsed in zip(arms, record.arms, strict=True):
        for name in parsed.intervention_names:
            if name.casefold() in by_name:
                links.add((arm.pk, by_name[name.casefold()].pk))
    arm_by_label = {a.label.casefold(): a for a in arms}
    for intervention, parsed in zip(interventions, record.interventions, strict=True):
        for label in parsed.arm_labels:
            if label.casefold() in arm_by_label:
                links.add((arm_by_label[label.casefold()].pk, intervention.pk))
    Through = Arm.interventions.through
    Through.objects.bulk_create(Through(arm_id=a, intervention_id=i) for a, i in sorted(links))


def _write_criteria(trial: Trial, record: ParsedTrial) -> None:
    rows = [
        EligibilityCriterion(
            trial=trial, position=i, kind=c.kind, text=c.text, depth=max(c.depth, 0)
        )
        for i, c in enumerate(record.eligibility.criteria)
    ]
    EligibilityCriterion.objects.bulk_create(rows)
    # A nested row belongs to the nearest shallower row above it of the same kind.
    stack: list[EligibilityCriterion] = []
    nested = []
    for row in rows:
        while stack and (stack[-1].depth >= row.depth or stack[-1].kind != row.kind):
            stack.pop()
        if stack:
            row.parent = stack[-1]
            nested.append(row)
        stack.append(row)
    EligibilityCriterion.objects.bulk_update(nested, ["parent"])


def _write_sponsors(trial: Trial, record: ParsedTrial) -> None:
    names = {s.name for s in record.sponsors if s.name}
    existing = {s.name.casefold(): s for s in Sponsor.objects.filter(name__in=names)}
    links = []
    seen = set()
    for position, parsed in enumerate(record.sponsors):
        if not parsed.name:
            continue
        sponsor = existing.get(parsed.name.casefold())
        if sponsor is None:
            sponsor, _ = Sponsor.objects.get_or_create(
                name=parsed.name, defaults={"agency_class": parsed.agency_class}
            )
            existing[parsed.name.casefold()] = sponsor
        elif parsed.agency_class and not sponsor.agency_class:
            sponsor.agency_class = parsed.agency_class
            sponsor.save(update_fields=["agency_class"])
        if (sponsor.pk, parsed.role) in seen:
            continue
        seen.add((sponsor.pk, parsed.role))
        links.append(
            TrialSponsor(trial=trial, sponsor=sponsor, role=parsed.role, position=position)
        )
    TrialSponsor.objects.bulk_create(links)
