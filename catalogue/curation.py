"""Curator corrections that survive every re-ingest, and the review queue.

Three kinds of correction:
- a Trial field a curator changed becomes a CuratorLock; every rebuild re-applies it
  after the sources and the classifier have spoken (`apply_locks`);
- a child row a curator edited or added is marked `curated`; rebuilds leave it alone
  and skip the source row it replaced (`source_key`);
- a source row a curator deleted is remembered as a CuratorDeletion and not re-created.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

from django.db import transaction
from django.utils import timezone

from .children import row_key
from .models import (
    ConflictDecision,
    CuratorDeletion,
    CuratorLock,
    ErrorReport,
    Sponsor,
    SponsorAlias,
    Trial,
    TrialSponsor,
)
from .reports import field_label

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
        lock, _created = CuratorLock.objects.get_or_create(
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


def finalize(
    trial: Trial,
    *,
    locks=None,
    warned: list[str] | None = None,
    reports: list | None = None,
    decisions: list | None = None,
) -> list[CuratorLock]:
    """Last step of every rebuild: curator values win, then the queue flag is recomputed.

    `locks`, `warned` (the sources with parse warnings), `reports` (open error reports) and
    `decisions` (settled conflicts) default to the stored ones; the write specification
    passes them, so nothing is read. Returns the locks whose source value changed, for the
    caller to save."""
    locks = trial.locks.all() if locks is None else locks
    lock_reasons, changed = apply_locks(trial, locks)
    reasons = [r for r in trial.review_reasons if r not in lock_reasons]
    report_reasons, settled = desk_reasons(trial, reports=reports, decisions=decisions)
    for reason in queue_reasons(trial, warned) + lock_reasons + report_reasons:
        if reason not in reasons:
            reasons.append(reason)
    trial.review_reasons = reasons
    trial.needs_review = bool(set(reasons) - set(trial.review_cleared) - settled)
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


# --- The desk: conflicts a curator settled and readers' error reports in the queue. ---


def conflict_reason(key: str) -> str:
    """The review reason a rebuild gives when sources disagree on `key` (ingest.rows)."""
    return f"sources disagree on {key}"


def conflicts(trial: Trial) -> dict[str, list[dict]]:
    """{merge key: [{source, value}]}: what the sources said where they disagree."""
    return (trial.classification or {}).get("conflicts") or {}


def same_conflict(settled: list[dict] | None, now: list[dict] | None) -> bool:
    """The same sources saying the same values, in any order."""

    def canonical(items):
        return sorted(json.dumps(item, sort_keys=True, default=str) for item in items or [])

    return bool(settled) and canonical(settled) == canonical(now)


REPORT_REASON_PREFIX = "error report from a reader"


def report_reason(report: ErrorReport) -> str:
    """Named by when it was sent and a tag of its text, not by its id: a curation file
    carries it to another catalogue unchanged, and every report is a new reason (which an
    earlier "reviewed" mark does not cover)."""
    sent = report.created_at.astimezone(UTC)
    tag = hashlib.sha256(f"{sent.isoformat()}|{report.text}".encode()).hexdigest()[:6]
    return (
        f"{REPORT_REASON_PREFIX} ({field_label(report.field)}), {sent:%Y-%m-%d %H:%M} UTC, #{tag}"
    )


def desk_reasons(trial: Trial, *, reports=None, decisions=None) -> tuple[list[str], set[str]]:
    """What the desk's own records say about the queue: a reason per open error report, and
    the conflict reasons a curator settled while the sources still say what they said then.

    `reports` and `decisions` default to `trial.error_reports` and `trial.conflict_decisions`
    (prefetch them for many trials); a trial not stored yet has neither and costs no query.
    """
    stored = getattr(trial, "pk", None) is not None
    if reports is None:
        reports = list(trial.error_reports.all()) if stored else []
    if decisions is None:
        decisions = list(trial.conflict_decisions.all()) if stored else []
    reasons = [
        report_reason(r)
        for r in sorted(reports, key=lambda r: r.pk)
        if r.status == ErrorReport.Status.OPEN
    ]
    now = conflicts(trial)
    settled = set()
    if now:
        settled = {
            conflict_reason(d.field)
            for d in decisions
            if same_conflict(d.conflict, now.get(d.field))
        }
    return reasons, settled


def refresh_queue(trial: Trial) -> None:
    """Recompute the trial's place in the queue after a desk decision, without a rebuild."""
    reports, settled = desk_reasons(trial)
    reasons = [r for r in trial.review_reasons if not r.startswith(REPORT_REASON_PREFIX)]
    trial.review_reasons = reasons + reports
    trial.needs_review = bool(set(trial.review_reasons) - set(trial.review_cleared) - settled)
    trial.save(update_fields=["review_reasons", "needs_review"])


def settled_reasons(trial: Trial) -> set[str]:
    return desk_reasons(trial)[1]


def settle_conflict(
    trial: Trial, key: str, user, *, source: str = "", value: dict | None = None
) -> ConflictDecision:
    """Remember that a curator took `source`'s value for `key` (or, without a source, kept
    the catalogue's); the conflict stays settled until the sources say something else."""
    decision, _ = ConflictDecision.objects.update_or_create(
        trial=trial,
        field=key,
        defaults={
            "conflict": conflicts(trial).get(key, []),
            "decision": ConflictDecision.Decision.TOOK
            if source
            else ConflictDecision.Decision.KEPT,
            "source": source,
            "value": value,
            "user": user if getattr(user, "pk", None) else None,
        },
    )
    return decision


def file_report(trial: Trial, *, field: str, text: str, email: str, digest: str) -> ErrorReport:
    """Store a reader's report and put the trial in the review queue at once."""
    report = ErrorReport.objects.create(
        trial=trial, field=field, text=text, email=email, address_hash=digest
    )
    refresh_queue(trial)
    return report


def handle_reports(reports, user) -> int:
    """Mark reports handled; their trials leave the queue unless something else keeps them."""
    reports = list(reports.select_related("trial").filter(status=ErrorReport.Status.OPEN))
    for report in reports:
        report.status = ErrorReport.Status.HANDLED
        report.handled_by = user if getattr(user, "pk", None) else None
        report.handled_at = timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
    for trial in {report.trial_id: report.trial for report in reports}.values():
        refresh_queue(trial)
    return len(reports)
