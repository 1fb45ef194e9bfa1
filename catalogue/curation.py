"""Curator corrections that survive every re-ingest, and the review queue.

Three kinds of correction:
- a Trial field a curator changed becomes a CuratorLock; every rebuild re-applies it
  after the sources and the classifier have spoken (`apply_locks`);
- a child row a curator edited or added is marked `curated`; rebuilds leave it alone
  and skip the source row it replaced (`source_key`);
- a source row a curator deleted is remembered as a CuratorDeletion and not re-created.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from .children import row_key
from .models import CuratorDeletion, CuratorLock, Sponsor, SponsorAlias, Trial, TrialSponsor

# Fields a curator may own. Derived bookkeeping (search, hashes, provenance, the queue) is not.
NOT_LOCKABLE = {
    "id",
    "registry_id",
    "search_vector",
    "search_text",
    "record_hash",
    "field_sources",
    "first_ingested",
    "last_ingested",
    "review_reasons",
    "review_cleared",
    "reviewed_at",
    "reviewed_by",
    "needs_review",
    "classification",
}
LOCKABLE = [
    f.name for f in Trial._meta.concrete_fields if f.editable and f.name not in NOT_LOCKABLE
]


def to_json(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def field_value(trial: Trial, name: str):
    return to_json(Trial._meta.get_field(name).value_from_object(trial))


def set_field_value(trial: Trial, name: str, value) -> None:
    setattr(trial, name, Trial._meta.get_field(name).to_python(value))


def record_field_edits(trial: Trial, before: dict, changed: list[str], user) -> list[CuratorLock]:
    """Make each changed field curator-owned; `before` holds the values prior to the edit."""
    locks = []
    for name in changed:
        if name not in LOCKABLE:
            continue
        lock, created = CuratorLock.objects.get_or_create(
            trial=trial,
            field=name,
            defaults={"original_value": before.get(name), "source_value": before.get(name)},
        )
        lock.value = field_value(trial, name)
        lock.user = user if getattr(user, "pk", None) else None
        lock.save()
        locks.append(lock)
    return locks


def apply_locks(trial: Trial, locks) -> tuple[list[str], list[CuratorLock]]:
    """Put curator values back over what ingest computed.

    Returns review reasons, and the locks whose `source_value` changed (the caller saves
    them: this writes nothing)."""
    reasons = []
    changed = []
    for lock in locks:
        if lock.field not in LOCKABLE:
            continue
        now = field_value(trial, lock.field)
        if now != lock.source_value:
            lock.source_value = now
            changed.append(lock)
        set_field_value(trial, lock.field, lock.value)
        if lock.source_changed:
            reasons.append(f"source changed {lock.field} since the curator's correction")
    return reasons, changed


def record_row_edit(row, original_key: str) -> None:
    """A curator edited a row: it becomes curator-owned and replaces the source row it was."""
    if not row.curated:
        row.source_key = original_key
    row.curated = True


def record_row_deletion(row, user) -> None:
    """A curator deleted a row; the source row it came from must not come back."""
    key = row.source_key if row.curated else row_key(row)
    if key:
        CuratorDeletion.objects.get_or_create(
            trial_id=row.trial_id,
            kind=type(row)._meta.model_name,
            key=key,
            defaults={"user": user if getattr(user, "pk", None) else None},
        )


def queue_reasons(trial: Trial, warned: list[str] | None = None) -> list[str]:
    """Why a curator should look at this trial (beyond what merge and classifier reported).

    `warned` names the sources with parse warnings; by default read from the stored sources."""
    reasons = []
    if warned is None:
        warned = [s.filename for s in trial.sources.all() if s.warnings]
    if warned:
        reasons.append("parse warnings in " + ", ".join(sorted(warned)))
    if not trial.cell_sources or trial.cell_sources == ["unspecified"]:
        reasons.append("cell source not classified")
    if trial.donor == "unknown":
        reasons.append("donor not classified")
    if not trial.in_scope:
        reasons.append("out of scope: " + (trial.scope_reason or "no reason given"))
    return reasons


def finalize(trial: Trial, *, locks=None, warned: list[str] | None = None) -> list[CuratorLock]:
    """Last step of every rebuild: curator values win, then the queue flag is recomputed.

    `locks` and `warned` (the sources with parse warnings) default to the stored ones; the
    write specification passes them, so nothing is read. Returns the locks whose source
    value changed, for the caller to save."""
    locks = trial.locks.all() if locks is None else locks
    lock_reasons, changed = apply_locks(trial, locks)
    reasons = [r for r in trial.review_reasons if r not in lock_reasons]
    for reason in queue_reasons(trial, warned) + lock_reasons:
        if reason not in reasons:
            reasons.append(reason)
    trial.review_reasons = reasons
    trial.needs_review = bool(set(reasons) - set(trial.review_cleared))
    return changed


def save_lock_sources(locks: list[CuratorLock]) -> None:
    CuratorLock.objects.bulk_update(locks, ["source_value"])


def mark_reviewed(trials, user) -> int:
    """Clear the current reasons; a new reason later puts the trial back in the queue."""
    count = 0
    for trial in trials:
        trial.review_cleared = list(trial.review_reasons)
        trial.needs_review = False
        trial.reviewed_at = timezone.now()
        trial.reviewed_by = user
        trial.save(update_fields=["review_cleared", "needs_review", "reviewed_at", "reviewed_by"])
        count += 1
    return count


@transaction.atomic
def merge_sponsors(target: Sponsor, others: list[Sponsor]) -> int:
    """Fold duplicate sponsors into `target`; their names become aliases that ingest maps back."""
    moved = 0
    for other in others:
        if other.pk == target.pk:
            continue
        for link in TrialSponsor.objects.filter(sponsor=other):
            if TrialSponsor.objects.filter(
                trial=link.trial, sponsor=target, role=link.role
            ).exists():
                link.delete()
            else:
                link.sponsor = target
                link.save(update_fields=["sponsor"])
                moved += 1
        SponsorAlias.objects.filter(sponsor=other).update(sponsor=target)
        SponsorAlias.objects.update_or_create(name=other.name, defaults={"sponsor": target})
        if not target.agency_class and other.agency_class:
            target.agency_class = other.agency_class
            target.save(update_fields=["agency_class"])
        other.delete()
    return moved
