"""Write one merged record onto its Trial row and child rows (bulk inserts, no per-row queries)."""

from __future__ import annotations

from datetime import date

from catalogue import search
from catalogue.classification import apply_classification
from catalogue.curation import finalize, row_key
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
    SponsorAlias,
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
    """Sources first, then the classifier, then curator corrections, which always win."""
    record = merged.record
    _write_fields(trial, record, merged)
    row_reasons = _write_children(trial, record)
    apply_classification(trial, record)
    trial.review_reasons = trial.review_reasons + row_reasons
    finalize(trial)
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
    for name in (
        "start_date",
        "primary_completion_date",
        "completion_date",
        "last_update",
        "status_verified_date",
    ):
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


def _countries_of(record: ParsedTrial) -> list[str]:
    countries: list[str] = []
    for location in record.locations:
        if location.country and location.country not in countries:
            countries.append(location.country)
    return countries


# The columns compared to decide whether a stored row still matches its source row.
CONTENT = {
    Intervention: ("name", "intervention_type", "description", "position"),
    Arm: ("label", "arm_type", "description", "position"),
    Investigator: ("name", "role", "affiliation", "position"),
    EligibilityCriterion: ("kind", "text", "depth", "position"),
    Outcome: ("kind", "measure", "time_frame", "description", "position"),
    Location: (
        "facility",
        "city",
        "state",
        "country",
        "status",
        "latitude",
        "longitude",
        "position",
    ),
    Reference: ("citation", "pmid", "reference_type", "position"),
    RelatedTrial: ("registry_id", "title", "status", "phases", "position"),
    TrialSponsor: ("sponsor_id", "role", "position"),
}


def _content(row) -> tuple:
    return tuple(
        tuple(v) if isinstance(v, list) else v
        for v in (getattr(row, f) for f in CONTENT[type(row)])
    )


def sync_rows(trial: Trial, model, wanted: list, tombstones: dict[str, set[str]]) -> list[str]:
    """Make the trial's non-curated rows of `model` equal `wanted`, touching only what differs.

    Curator-owned rows stay; a source row a curator replaced or deleted is not re-created.
    Returns review reasons (a source row a curator edited has changed or gone).
    """
    existing = list(model.objects.filter(trial=trial))
    curated = [r for r in existing if r.curated]
    replaced = {r.source_key for r in curated if r.source_key}
    blocked = replaced | tombstones.get(model._meta.model_name, set())
    source_keys = {row_key(r) for r in wanted}
    wanted = [r for r in wanted if row_key(r) not in blocked]
    stale = {}
    for row in existing:
        if not row.curated:
            stale.setdefault(_content(row), []).append(row)
    create = []
    for row in wanted:
        same = stale.get(_content(row))
        if same:
            same.pop()  # unchanged: keep the stored row (and its history) as it is
        else:
            create.append(row)
    drop = [row.pk for rows in stale.values() for row in rows]
    if drop:
        model.objects.filter(pk__in=drop).delete()
    model.objects.bulk_create(create)
    return [
        f"source changed the {model._meta.verbose_name} a curator edited ({r.source_key[:60]})"
        for r in curated
        if r.source_key and r.source_key not in source_keys
    ]


def _write_children(trial: Trial, record: ParsedTrial) -> list[str]:
    tombstones: dict[str, set[str]] = {}
    for kind, key in trial.deletions.values_list("kind", "key"):
        tombstones.setdefault(kind, set()).add(key)
    rows = {
        Intervention: [
            Intervention(
                trial=trial,
                position=i,
                name=item.name,
                intervention_type=item.intervention_type,
                description=item.description,
            )
            for i, item in enumerate(record.interventions)
        ],
        Arm: [
            Arm(
                trial=trial,
                position=i,
                label=a.label,
                arm_type=a.arm_type,
                description=a.description,
            )
            for i, a in enumerate(record.arms)
        ],
        EligibilityCriterion: [
            EligibilityCriterion(
                trial=trial, position=i, kind=c.kind, text=c.text, depth=max(c.depth, 0)
            )
            for i, c in enumerate(record.eligibility.criteria)
        ],
        Investigator: [
            Investigator(
                trial=trial, position=i, name=p.name, role=p.role, affiliation=p.affiliation
            )
            for i, p in enumerate(record.investigators)
        ],
        Outcome: [
            Outcome(
                trial=trial,
                position=i,
                kind=o.kind,
                measure=o.measure,
                time_frame=o.time_frame,
                description=o.description,
            )
            for i, o in enumerate(record.outcomes)
        ],
        Location: [
            Location(
                trial=trial,
                position=i,
                facility=loc.facility,
                city=loc.city,
                state=loc.state,
                country=loc.country,
                status=loc.status,
                latitude=loc.latitude,
                longitude=loc.longitude,
            )
            for i, loc in enumerate(record.locations)
        ],
        Reference: [
            Reference(
                trial=trial,
                position=i,
                citation=r.citation,
                pmid=r.pmid,
                reference_type=r.reference_type,
            )
            for i, r in enumerate(record.references)
        ],
        RelatedTrial: [
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
        ],
        TrialSponsor: _sponsor_rows(trial, record),
    }
    reasons = []
    for model, wanted in rows.items():
        reasons += sync_rows(trial, model, wanted, tombstones)
    _link_arms(trial, record)
    _link_criteria(trial)
    return reasons


def _link_arms(trial: Trial, record: ParsedTrial) -> None:
    """Arms name their interventions (and interventions their arms); link both ways by name.

    Only links of source-built arms are rewritten; a curated arm keeps the links it has.
    """
    arms = {a.label.casefold(): a for a in trial.arms.all()}
    interventions = {i.name.casefold(): i for i in trial.interventions.all()}
    links = set()
    for parsed in record.arms:
        arm = arms.get(parsed.label.casefold())
        for name in parsed.intervention_names:
            if arm and not arm.curated and name.casefold() in interventions:
                links.add((arm.pk, interventions[name.casefold()].pk))
    for parsed in record.interventions:
        intervention = interventions.get(parsed.name.casefold())
        for label in parsed.arm_labels:
            arm = arms.get(label.casefold())
            if arm and intervention and not arm.curated:
                links.add((arm.pk, intervention.pk))
    through = Arm.interventions.through
    source_arms = [a.pk for a in arms.values() if not a.curated]
    current = set(
        through.objects.filter(arm_id__in=source_arms).values_list("arm_id", "intervention_id")
    )
    if current != links:
        through.objects.filter(arm_id__in=source_arms).exclude(
            pk__in=[
                t.pk
                for t in through.objects.filter(arm_id__in=source_arms)
                if (t.arm_id, t.intervention_id) in links
            ]
        ).delete()
        through.objects.bulk_create(
            through(arm_id=a, intervention_id=i) for a, i in sorted(links - current)
        )


def _link_criteria(trial: Trial) -> None:
    """A nested row belongs to the nearest shallower row above it of the same kind."""
    rows = sorted(trial.criteria.all(), key=lambda r: (r.position, r.curated, r.pk))
    stack: list[EligibilityCriterion] = []
    changed = []
    for row in rows:
        while stack and (stack[-1].depth >= row.depth or stack[-1].kind != row.kind):
            stack.pop()
        parent_id = stack[-1].pk if stack else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            changed.append(row)
        stack.append(row)
    EligibilityCriterion.objects.bulk_update(changed, ["parent"])


def _sponsor_rows(trial: Trial, record: ParsedTrial) -> list[TrialSponsor]:
    """Sponsors are shared rows: find each by name or by an alias left by a curator's merge."""
    names = {s.name for s in record.sponsors if s.name}
    known = {s.name.casefold(): s for s in Sponsor.objects.filter(name__in=names)}
    for alias in SponsorAlias.objects.filter(name__in=names).select_related("sponsor"):
        known.setdefault(alias.name.casefold(), alias.sponsor)
    rows = []
    seen = set()
    for position, parsed in enumerate(record.sponsors):
        if not parsed.name:
            continue
        sponsor = known.get(parsed.name.casefold())
        if sponsor is None:
            sponsor, _ = Sponsor.objects.get_or_create(
                name=parsed.name, defaults={"agency_class": parsed.agency_class}
            )
            known[parsed.name.casefold()] = sponsor
        elif parsed.agency_class and not sponsor.agency_class:
            sponsor.agency_class = parsed.agency_class
            sponsor.save(update_fields=["agency_class"])
        if (sponsor.pk, parsed.role) in seen:
            continue
        seen.add((sponsor.pk, parsed.role))
        rows.append(TrialSponsor(trial=trial, sponsor=sponsor, role=parsed.role, position=position))
    return rows
