"""Reporting flags: what a trial's own record says about how it is reported, which no registry shows.

`compute` is pure: a trial's fields, the values the catalogue recorded for it earlier
(the largest enrollment, the earliest completion date: read from its change history)
and today's date in; the flags out, each with the dates and values it was computed from.
Those are stored on the trial (`reporting_flags`, an indexed array the list filters and
counts; `reporting_flag_dates`, what the detail page and the export show), and
`refresh_flags` recomputes them: after each ingest or sync for the trials it touched, and
daily for every trial (`manage.py refresh_flags`), since most flags follow the calendar.

Dates stored with a month or year precision count from the end of that month or year, so
"completion 2023-06" is not past before July 2023.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pghistory
from django.apps import apps
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from .models import CuratorLock, Trial
from .vocabulary import ReportingFlag, Status

Flag = ReportingFlag
RESULTS_DUE_MONTHS = 12
VERIFY_YEARS = 2
DELAY_YEARS = 1
# A status a registry keeps verifying while the trial runs; a finished trial's status is final.
OPEN = {
    Status.NOT_YET_RECRUITING,
    Status.RECRUITING,
    Status.ENROLLING_BY_INVITATION,
    Status.ACTIVE_NOT_RECRUITING,
    Status.SUSPENDED,
    Status.UNKNOWN,
}
FINISHED = {Status.COMPLETED, Status.TERMINATED}
STILL_RECRUITING = {Status.RECRUITING, Status.ENROLLING_BY_INVITATION}
# The Trial columns `compute` reads (so a refresh loads nothing else).
COLUMNS = (
    "id",
    "overall_status",
    "results_posted",
    "enrollment",
    "start_date",
    "start_date_precision",
    "primary_completion_date",
    "primary_completion_date_precision",
    "completion_date",
    "completion_date_precision",
    "status_verified_date",
    "status_verified_date_precision",
    "last_update",
    "last_update_precision",
    "reporting_flags",
    "reporting_flag_dates",
)


@dataclass(frozen=True)
class Recorded:
    """A value the catalogue held for a trial earlier: when it first held it, and the
    registry's own last-update date in that version of the record (if the source gave one)."""

    value: int | date
    precision: str = ""
    recorded: date | None = None
    registry_date: date | None = None


@dataclass(frozen=True)
class Facts:
    """What `compute` needs: the trial's fields (a Trial or anything with the same attributes)
    and its history-derived earlier values."""

    trial: object
    largest_enrollment: Recorded | None = None
    earliest_completion: Recorded | None = None
    locked: frozenset[str] = field(default_factory=frozenset)  # curator-owned fields


def iso(value: date | None, precision: str = "day") -> str | None:
    """2012-03-01 + 'month' -> '2012-03' (as the export writes dates)."""
    if value is None:
        return None
    text = value.isoformat()
    return {"year": text[:4], "month": text[:7]}.get(precision, text)


def period_end(value: date, precision: str) -> date:
    """The last day a partial date may mean: 2023-06 -> 2023-06-30, 2023 -> 2023-12-31."""
    if precision == "year":
        return date(value.year, 12, 31)
    if precision == "month":
        return date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def add_months(value: date, months: int) -> date:
    month = value.month - 1 + months
    year, month = value.year + month // 12, month % 12 + 1
    return date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


def _completion(trial) -> tuple[date | None, str, str]:
    """The date results are reckoned from: the primary completion (the registry's results
    clock), else the completion date; and which of the two it is."""
    if trial.primary_completion_date:
        return (
            trial.primary_completion_date,
            trial.primary_completion_date_precision,
            "primary_completion_date",
        )
    if trial.completion_date:
        return trial.completion_date, trial.completion_date_precision, "completion_date"
    return None, "", ""


def compute(facts: Facts, today: date) -> dict[str, dict]:
    """{flag slug: the dates and values it was computed from}, in vocabulary order."""
    trial = facts.trial
    status = trial.overall_status
    flags: dict[str, dict] = {}
    completion, completion_precision, completion_field = _completion(trial)

    if status in FINISHED and trial.results_posted is False and completion:
        due = add_months(period_end(completion, completion_precision), RESULTS_DUE_MONTHS)
        if today > due:
            flags[Flag.RESULTS_OVERDUE] = {
                "status": status,
                "completion_field": completion_field,
                "completion": iso(completion, completion_precision),
                "due": due.isoformat(),
            }

    verified = trial.status_verified_date
    if status in OPEN and verified:
        end = period_end(verified, trial.status_verified_date_precision)
        if today > add_months(end, 12 * VERIFY_YEARS):
            flags[Flag.STATUS_UNVERIFIED] = {
                "status": status,
                "status_verified": iso(verified, trial.status_verified_date_precision),
            }

    if (
        status == Status.NOT_YET_RECRUITING
        and trial.start_date
        and today > period_end(trial.start_date, trial.start_date_precision)
    ):
        flags[Flag.START_PASSED] = {
            "status": status,
            "start": iso(trial.start_date, trial.start_date_precision),
        }

    ends = trial.completion_date or trial.primary_completion_date
    if status in STILL_RECRUITING and ends:
        field_name = "completion_date" if trial.completion_date else "primary_completion_date"
        precision = getattr(trial, f"{field_name}_precision")
        if today > period_end(ends, precision):
            flags[Flag.COMPLETION_PASSED] = {
                "status": status,
                "completion_field": field_name,
                "completion": iso(ends, precision),
            }

    largest = facts.largest_enrollment
    if (
        largest
        and "enrollment" not in facts.locked
        and trial.enrollment is not None
        and largest.value > 0
        and trial.enrollment * 2 <= largest.value
    ):
        flags[Flag.ENROLLMENT_CUT] = {
            "from": largest.value,
            "from_recorded": iso(largest.recorded),
            "from_registry_date": iso(largest.registry_date),
            "to": trial.enrollment,
            "to_registry_date": iso(trial.last_update, trial.last_update_precision),
        }

    earliest = facts.earliest_completion
    if (
        earliest
        and "completion_date" not in facts.locked
        and trial.completion_date
        and trial.completion_date >= add_months(earliest.value, 12 * DELAY_YEARS)
    ):
        flags[Flag.COMPLETION_DELAYED] = {
            "from": iso(earliest.value, earliest.precision),
            "from_recorded": iso(earliest.recorded),
            "from_registry_date": iso(earliest.registry_date),
            "to": iso(trial.completion_date, trial.completion_date_precision),
            "to_registry_date": iso(trial.last_update, trial.last_update_precision),
        }
    return {slug: flags[slug] for slug in Flag.values if slug in flags}


# --- the words the detail page and the export use -----------------------------------


def shown_date(text: str | None) -> str:
    """'2013-01' -> 'January 2013', '2013-01-05' -> '5 January 2013', '2013' -> '2013'."""
    if not text:
        return "an unstated date"
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = calendar.month_name[parts[1]]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{parts[2]} {month} {parts[0]}"


def _recorded(basis: dict, prefix: str) -> str:
    if basis.get(f"{prefix}_registry_date"):
        return f"registry record of {shown_date(basis[f'{prefix}_registry_date'])}"
    if basis.get(f"{prefix}_recorded"):
        return f"as recorded here on {shown_date(basis[f'{prefix}_recorded'])}"
    return "current record"


def explain(slug: str, basis: dict) -> str:
    """One sentence naming the dates (and values) a flag was computed from."""
    status = Status(basis["status"]).label if basis.get("status") in Status.values else ""
    completion_name = (
        "Primary completion"
        if basis.get("completion_field") == "primary_completion_date"
        else "Completion"
    )
    if slug == Flag.RESULTS_OVERDUE:
        return (
            f"{completion_name} {shown_date(basis.get('completion'))} ({status.lower()}); results "
            f"were due by {shown_date(basis.get('due'))} and the registry shows none posted."
        )
    if slug == Flag.STATUS_UNVERIFIED:
        return (
            f"Status “{status}” last verified {shown_date(basis.get('status_verified'))}, "
            f"more than {VERIFY_YEARS} years ago."
        )
    if slug == Flag.START_PASSED:
        return f"Start date {shown_date(basis.get('start'))} has passed; the status is still “{status}”."
    if slug == Flag.COMPLETION_PASSED:
        return (
            f"{completion_name} date {shown_date(basis.get('completion'))} has passed; "
            f"the status is still “{status}”."
        )
    if slug == Flag.ENROLLMENT_CUT:
        return (
            f"Enrollment {basis.get('from')} ({_recorded(basis, 'from')}) is now "
            f"{basis.get('to')} ({_recorded(basis, 'to')})."
        )
    if slug == Flag.COMPLETION_DELAYED:
        return (
            f"Completion {shown_date(basis.get('from'))} ({_recorded(basis, 'from')}) is now "
            f"{shown_date(basis.get('to'))} ({_recorded(basis, 'to')})."
        )
    return ""


@dataclass(frozen=True)
class Shown:
    slug: str
    label: str
    text: str
    basis: dict


def shown(trial: Trial) -> list[Shown]:
    """The trial's stored flags, labelled and explained (no query)."""
    dates = trial.reporting_flag_dates or {}
    return [
        Shown(
            slug, ReportingFlag(slug).label, explain(slug, dates.get(slug, {})), dates.get(slug, {})
        )
        for slug in trial.reporting_flags
        if slug in ReportingFlag.values
    ]


# --- reading the history, writing the flags ------------------------------------------


def earlier_values(
    trial_ids: list[int],
) -> tuple[dict[int, Recorded], dict[int, Recorded], dict[int, frozenset[str]]]:
    """For each trial: the largest enrollment and the earliest completion date it ever had
    (first time recorded), and which of those two fields a curator owns. Three queries."""
    events = apps.get_model("catalogue", "TrialEvent").objects.filter(pgh_obj_id__in=trial_ids)
    largest = {
        row["pgh_obj_id"]: Recorded(
            row["enrollment"],
            recorded=timezone.localdate(row["pgh_created_at"]),
            registry_date=row["last_update"],
        )
        for row in events.filter(enrollment__isnull=False)
        .order_by("pgh_obj_id", "-enrollment", "pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_obj_id", "enrollment", "pgh_created_at", "last_update")
    }
    earliest = {
        row["pgh_obj_id"]: Recorded(
            row["completion_date"],
            row["completion_date_precision"],
            recorded=timezone.localdate(row["pgh_created_at"]),
            registry_date=row["last_update"],
        )
        for row in events.filter(completion_date__isnull=False)
        .order_by("pgh_obj_id", "completion_date", "pgh_id")
        .distinct("pgh_obj_id")
        .values(
            "pgh_obj_id",
            "completion_date",
            "completion_date_precision",
            "pgh_created_at",
            "last_update",
        )
    }
    locked: dict[int, set[str]] = {}
    for trial_id, name in CuratorLock.objects.filter(
        trial_id__in=trial_ids, field__in=("enrollment", "completion_date")
    ).values_list("trial_id", "field"):
        locked.setdefault(trial_id, set()).add(name)
    return largest, earliest, {k: frozenset(v) for k, v in locked.items()}


BATCH = 2000  # trials per round of reads and one bulk update


def refresh_flags(
    trials: QuerySet | Iterable[int] | None = None, *, today: date | None = None
) -> int:
    """Recompute the flags of these trials (a queryset or ids; None: every trial) and store
    those that changed; returns how many changed. Four queries and one UPDATE per batch."""
    today = today or timezone.localdate()
    if trials is None:
        trials = Trial.objects.all()
    if isinstance(trials, QuerySet):
        ids = list(trials.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(trials))
    changed = 0
    with pghistory.context(source="flags"):
        for start in range(0, len(ids), BATCH):
            changed += _refresh_batch(ids[start : start + BATCH], today)
    return changed


def _refresh_batch(ids: list[int], today: date) -> int:
    largest, earliest, locked = earlier_values(ids)
    stale = []
    for trial in Trial.objects.filter(pk__in=ids).only(*COLUMNS):
        facts = Facts(
            trial, largest.get(trial.pk), earliest.get(trial.pk), locked.get(trial.pk, frozenset())
        )
        flags = compute(facts, today)
        if list(flags) != trial.reporting_flags or flags != trial.reporting_flag_dates:
            trial.reporting_flags, trial.reporting_flag_dates = list(flags), flags
            stale.append(trial)
    _store(stale)
    return len(stale)


def _store(trials: list[Trial]) -> None:
    """One UPDATE for the batch (bulk_update's CASE per row costs seconds per thousand)."""
    if not trials:
        return
    rows = [
        {"id": t.pk, "flags": t.reporting_flags, "dates": t.reporting_flag_dates} for t in trials
    ]
    table = Trial._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET reporting_flags = v.flags, reporting_flag_dates = v.dates "
            "FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, flags varchar(32)[], dates jsonb) "
            "WHERE t.id = v.id",
            [json.dumps(rows)],
        )
