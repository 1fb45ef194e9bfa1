"""Write one merged record onto its Trial row and child rows (bulk inserts, no per-row queries)."""

from __future__ import annotations

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

from . import rows
from .merge import Merged
from .records import ParsedTrial


def write_trial(trial: Trial, merged: Merged) -> None:
    """Sources first, then the classifier, then curator corrections, which always win."""
    record = merged.record
    rows.set_trial_fields(trial, merged)
    row_reasons = _write_children(trial, record)
    apply_classification(trial, record)
    trial.review_reasons = trial.review_reasons + row_reasons
    finalize(trial)
    trial.save()
    search.refresh(Trial.objects.filter(pk=trial.pk))


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
    wanted = {
        model: [model(trial=trial, **values) for values in table]
        for model, table in rows.child_values(record).items()
    }
    wanted[TrialSponsor] = _sponsor_rows(trial, record)
    reasons = []
    for model, table in wanted.items():
        reasons += sync_rows(trial, model, table, tombstones)
    _link_arms(trial, record)
    _link_criteria(trial)
    return reasons


def _link_arms(trial: Trial, record: ParsedTrial) -> None:
    """Link arms and interventions by name; only links of source-built arms are rewritten."""
    arms = {a.label.casefold(): a for a in trial.arms.all()}
    interventions = {i.name.casefold(): i for i in trial.interventions.all()}
    links = set()
    for label, name in rows.arm_links(record):
        arm, intervention = arms.get(label), interventions.get(name)
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
    criteria = sorted(trial.criteria.all(), key=lambda r: (r.position, r.curated, r.pk))
    changed = []
    for row, parent in zip(criteria, rows.criterion_parents(criteria), strict=True):
        parent_id = parent.pk if parent else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            changed.append(row)
    EligibilityCriterion.objects.bulk_update(changed, ["parent"])


def _sponsor_rows(trial: Trial, record: ParsedTrial) -> list[TrialSponsor]:
    return [
        TrialSponsor(trial=trial, **values)
        for values in rows.sponsor_links(record, sponsor_ids(record))
    ]


def sponsor_ids(record: ParsedTrial) -> dict[str, int]:
    """Sponsors are shared rows: find each by name or by an alias left by a curator's merge,
    creating the missing ones. Keyed by the casefolded name as the record spells it."""
    names = {rows.sponsor_name(s.name) for s in record.sponsors if s.name}
    known = {s.name.casefold(): s for s in Sponsor.objects.filter(name__in=names)}
    for alias in SponsorAlias.objects.filter(name__in=names).select_related("sponsor"):
        known.setdefault(alias.name.casefold(), alias.sponsor)
    for parsed in record.sponsors:
        if not parsed.name:
            continue
        name = rows.sponsor_name(parsed.name)
        sponsor = known.get(name.casefold())
        if sponsor is None:
            sponsor, _ = Sponsor.objects.get_or_create(
                name=name, defaults={"agency_class": parsed.agency_class}
            )
            known[name.casefold()] = sponsor
        elif parsed.agency_class and not sponsor.agency_class:
            sponsor.agency_class = parsed.agency_class
            sponsor.save(update_fields=["agency_class"])
    return {name: sponsor.pk for name, sponsor in known.items()}
