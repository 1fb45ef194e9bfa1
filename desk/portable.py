"""Curators' work as a portable JSON file: the one thing a re-ingest cannot bring back.

`export_curation()` writes every kind of curator work in KINDS; `import_curation()` puts
it back into another catalogue built from the same sources, then rebuilds the trials it
touched so their rows and values follow. Everything is keyed by registry id, by row key
(the row's content, as `catalogue.children.row_key` reads it) and by sponsor and user *names*, never
by database ids. Importing twice changes nothing the second time.

A new kind of curator work is one more `Kind` in KINDS: its name, how to write its rows
out and how to apply them. Kinds are applied in KINDS' order (sponsors before the rows
that name them, interventions before the arms that link them).

Not in the file: readers' e-mail addresses and address hashes (personal data, and not
curator work), and the change history (pg_dump backups keep both; see README).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from catalogue import curation
from catalogue.children import CHILD_TABLES, row_key
from catalogue.models import (
    Arm,
    ConflictDecision,
    CuratorDeletion,
    CuratorLock,
    ErrorReport,
    IdentityDecision,
    Intervention,
    ReviewNote,
    Sponsor,
    SponsorAlias,
    Trial,
    TrialSponsor,
)
from ingest.service import apply_identity_decision, rebuild_trials

FORMAT = "msc-diabetes-catalogue/curation"
VERSION = 1


# --- what ties a row to another catalogue ------------------------------------------------

# Row columns that are not content: ids, the trial, curation bookkeeping, derived links.
_NOT_CONTENT = {"id", "trial", "curated", "source_key", "parent"}
# Interventions first: a curated arm links to interventions by name.
ROW_MODELS = sorted((t.model for t in CHILD_TABLES), key=lambda m: (m is Arm, m._meta.model_name))
_ROW_MODEL = {m._meta.model_name: m for m in ROW_MODELS}


def _content_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.editable and f.name not in _NOT_CONTENT]


def _sponsor_names() -> dict[int, str]:
    return dict(Sponsor.objects.values_list("pk", "name"))


def _portable_key(model, key: str, names: dict[int, str]) -> str:
    """A row key with database ids replaced by names (a trial sponsor's key names the sponsor)."""
    if model is TrialSponsor and key:
        sponsor_id, _, role = key.partition("|")
        return f"{names.get(int(sponsor_id), sponsor_id)}|{role}"
    return key


def _local_key(model, key: str, ctx: Context) -> str:
    if model is TrialSponsor and key:
        name, _, role = key.rpartition("|")
        sponsor = ctx.sponsor(name)
        return f"{sponsor.pk}|{role}" if sponsor else key
    return key


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- applying --------------------------------------------------------------------------


@dataclass
class Context:
    """What applying needs: the trials by registry id, users by name, and a tally."""

    trials: dict[str, Trial]
    users: dict[str, object]
    touched: set[str] = field(default_factory=set)
    counts: dict[str, Counter] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)  # registry ids not in this catalogue
    unknown_users: set[str] = field(default_factory=set)

    def trial(self, registry_id: str) -> Trial | None:
        trial = self.trials.get(registry_id)
        if trial is None:
            self.missing.add(registry_id)
        return trial

    def user(self, name: str | None) -> int | None:
        """The id of the user of that name here (None, and noted, when there is none)."""
        if not name:
            return None
        user = self.users.get(name)
        if user is None:
            self.unknown_users.add(name)
            return None
        return user.pk

    def sponsor(self, name: str) -> Sponsor | None:
        sponsor = Sponsor.objects.filter(name=name).first()
        if sponsor is None:
            alias = SponsorAlias.objects.filter(name=name).select_related("sponsor").first()
            sponsor = alias.sponsor if alias else None
        return sponsor

    def tally(self, kind: str, outcome: str, registry_id: str | None = None) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1
        if registry_id and outcome in ("created", "updated"):
            self.touched.add(registry_id)


def _save(obj: models.Model, values: dict) -> str:
    """Set `values` on `obj` and save when anything differs: 'created', 'updated' or 'unchanged'."""
    if obj.pk is None:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        return "created"
    changed = [n for n, v in values.items() if getattr(obj, n) != v]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
        return "updated"
    return "unchanged"


def _keep_times(obj: models.Model, **times: datetime | None) -> None:
    """Give an imported row the times it had (auto_now fields cannot be set through save())."""
    times = {k: v for k, v in times.items() if v and getattr(obj, k) != v}
    if times:
        type(obj).objects.filter(pk=obj.pk).update(**times)


# --- the kinds of curator work -----------------------------------------------------------


def export_sponsors() -> list[dict]:
    """Sponsors that have other spellings (a merge or a rename), with those spellings."""
    sponsors = Sponsor.objects.filter(aliases__isnull=False).distinct().order_by("name")
    return [
        {
            "name": s.name,
            "agency_class": s.agency_class,
            "aliases": sorted(s.aliases.values_list("name", flat=True)),
        }
        for s in sponsors.prefetch_related("aliases")
    ]


def apply_sponsors(items: list[dict], ctx: Context) -> None:
    for item in items:
        target, created = Sponsor.objects.get_or_create(
            name=item["name"], defaults={"agency_class": item["agency_class"]}
        )
        outcome = "created" if created else _save(target, {"agency_class": item["agency_class"]})
        for alias in item["aliases"]:
            duplicate = Sponsor.objects.filter(name=alias).exclude(pk=target.pk).first()
            if duplicate:  # this catalogue still spells it separately: merge, as the curator did
                ctx.touched.update(
                    duplicate.trial_sponsors.values_list("trial__registry_id", flat=True)
                )
                curation.merge_sponsors(target, [duplicate])
                outcome = "updated" if outcome == "unchanged" else outcome
            else:
                link, made = SponsorAlias.objects.get_or_create(
                    name=alias, defaults={"sponsor": target}
                )
                if not made and link.sponsor_id != target.pk:
                    link.sponsor = target
                    link.save(update_fields=["sponsor"])
                    made = True
                if made and outcome == "unchanged":
                    outcome = "updated"
        ctx.tally("sponsors", outcome)


def export_locks() -> list[dict]:
    locks = CuratorLock.objects.select_related("trial", "user").order_by(
        "trial__registry_id", "field"
    )
    return [
        {
            "trial": lock.trial.registry_id,
            "field": lock.field,
            "value": lock.value,
            "original_value": lock.original_value,
            "source_value": lock.source_value,
            "user": lock.user.get_username() if lock.user else None,
            "created_at": _when(lock.created_at),
            "updated_at": _when(lock.updated_at),
        }
        for lock in locks
    ]


def apply_locks(items: list[dict], ctx: Context) -> None:
    for item in items:
        trial = ctx.trial(item["trial"])
        if trial is None:
            ctx.tally("locks", "skipped")
            continue
        lock = CuratorLock.objects.filter(trial=trial, field=item["field"]).first()
        lock = lock or CuratorLock(trial=trial, field=item["field"])
        outcome = _save(
            lock,
            {
                "value": item["value"],
                "original_value": item["original_value"],
                "source_value": item["source_value"],
                "user_id": ctx.user(item["user"]),
            },
        )
        if outcome != "unchanged":
            _keep_times(
                lock,
                created_at=_parse_when(item["created_at"]),
                updated_at=_parse_when(item["updated_at"]),
            )
        ctx.tally("locks", outcome, trial.registry_id)


def export_rows() -> list[dict]:
    """Every curated child row: its content, the source row it replaced, its place."""
    names = _sponsor_names()
    out = []
    for model in ROW_MODELS:
        rows = model.objects.filter(curated=True).select_related("trial")
        if model is Arm:
            rows = rows.prefetch_related("interventions")
        for row in rows.order_by("trial__registry_id", "position", "pk"):
            values = {f.attname: getattr(row, f.attname) for f in _content_fields(model)}
            if model is TrialSponsor:
                sponsor = values.pop("sponsor_id")
                values["sponsor"] = names[sponsor]
                values["agency_class"] = row.sponsor.agency_class
            item = {
                "trial": row.trial.registry_id,
                "model": model._meta.model_name,
                "key": _portable_key(model, row_key(row), names),
                "source_key": _portable_key(model, row.source_key, names),
                "values": values,
            }
            if model is Arm:
                item["interventions"] = sorted(i.name for i in row.interventions.all())
            out.append(item)
    return out


def apply_rows(items: list[dict], ctx: Context) -> None:
    for model in ROW_MODELS:
        for item in (i for i in items if i["model"] == model._meta.model_name):
            trial = ctx.trial(item["trial"])
            if trial is None:
                ctx.tally("rows", "skipped")
                continue
            values = dict(item["values"])
            if model is TrialSponsor:
                sponsor = ctx.sponsor(values["sponsor"])
                if sponsor is None:  # a sponsor only a curator named
                    sponsor = Sponsor.objects.create(
                        name=values["sponsor"], agency_class=values["agency_class"]
                    )
                values.pop("sponsor"), values.pop("agency_class")
                values["sponsor_id"] = sponsor.pk
            values["source_key"] = _local_key(model, item["source_key"], ctx)
            values["curated"] = True
            key = row_key(model(trial=trial, **values))
            row = next(
                (r for r in model.objects.filter(trial=trial, curated=True) if row_key(r) == key),
                None,
            ) or model(trial=trial)
            outcome = _save(row, values)
            if model is Arm:
                wanted = set(
                    Intervention.objects.filter(
                        trial=trial, name__in=item.get("interventions", [])
                    ).values_list("pk", flat=True)
                )
                if set(row.interventions.values_list("pk", flat=True)) != wanted:
                    row.interventions.set(wanted)
                    outcome = "updated" if outcome == "unchanged" else outcome
            ctx.tally("rows", outcome, trial.registry_id)


def export_deletions() -> list[dict]:
    names = _sponsor_names()
    deletions = CuratorDeletion.objects.select_related("trial", "user")
    return [
        {
            "trial": d.trial.registry_id,
            "model": d.kind,
            "key": _portable_key(_ROW_MODEL.get(d.kind), d.key, names),
            "user": d.user.get_username() if d.user else None,
            "created_at": _when(d.created_at),
        }
        for d in deletions.order_by("trial__registry_id", "kind", "key")
    ]


def apply_deletions(items: list[dict], ctx: Context) -> None:
    for item in items:
        trial = ctx.trial(item["trial"])
        if trial is None:
            ctx.tally("deletions", "skipped")
            continue
        key = _local_key(_ROW_MODEL.get(item["model"]), item["key"], ctx)
        deletion, created = CuratorDeletion.objects.get_or_create(
            trial=trial, kind=item["model"], key=key, defaults={"user_id": ctx.user(item["user"])}
        )
        if created:
            _keep_times(deletion, created_at=_parse_when(item["created_at"]))
        ctx.tally("deletions", "created" if created else "unchanged", trial.registry_id)


def export_conflict_decisions() -> list[dict]:
    decisions = ConflictDecision.objects.select_related("trial", "user")
    return [
        {
            "trial": d.trial.registry_id,
            "field": d.field,
            "conflict": d.conflict,
            "decision": d.decision,
            "source": d.source,
            "value": d.value,
            "user": d.user.get_username() if d.user else None,
            "created_at": _when(d.created_at),
            "updated_at": _when(d.updated_at),
        }
        for d in decisions.order_by("trial__registry_id", "field")
    ]


def apply_conflict_decisions(items: list[dict], ctx: Context) -> None:
    for item in items:
        trial = ctx.trial(item["trial"])
        if trial is None:
            ctx.tally("conflict_decisions", "skipped")
            continue
        decision = ConflictDecision.objects.filter(trial=trial, field=item["field"]).first()
        decision = decision or ConflictDecision(trial=trial, field=item["field"])
        outcome = _save(
            decision,
            {
                "conflict": item["conflict"],
                "decision": item["decision"],
                "source": item["source"],
                "value": item["value"],
                "user_id": ctx.user(item["user"]),
            },
        )
        if outcome != "unchanged":
            _keep_times(
                decision,
                created_at=_parse_when(item["created_at"]),
                updated_at=_parse_when(item["updated_at"]),
            )
        ctx.tally("conflict_decisions", outcome, trial.registry_id)


def export_review() -> list[dict]:
    """The queue reasons a curator cleared ("Mark reviewed"), and who did it when."""
    trials = Trial.objects.exclude(review_cleared=[], reviewed_at=None).select_related(
        "reviewed_by"
    )
    return [
        {
            "trial": t.registry_id,
            "cleared": t.review_cleared,
            "reviewed_at": _when(t.reviewed_at),
            "reviewed_by": t.reviewed_by.get_username() if t.reviewed_by else None,
        }
        for t in trials.order_by("registry_id").only(
            "registry_id", "review_cleared", "reviewed_at", "reviewed_by"
        )
    ]


def apply_review(items: list[dict], ctx: Context) -> None:
    for item in items:
        trial = ctx.trial(item["trial"])
        if trial is None:
            ctx.tally("review", "skipped")
            continue
        outcome = _save(
            trial,
            {
                "review_cleared": item["cleared"],
                "reviewed_at": _parse_when(item["reviewed_at"]),
                "reviewed_by_id": ctx.user(item["reviewed_by"]),
            },
        )
        ctx.tally("review", outcome, trial.registry_id)


def export_identity() -> list[dict]:
    """Curators' decisions on whether two registrations are one trial (keyed by the ids)."""
    return [
        {
            "first": d.first,
            "second": d.second,
            "decision": d.decision,
            "note": d.note,
            "user": d.user.get_username() if d.user else None,
        }
        for d in IdentityDecision.objects.select_related("user")
    ]


def apply_identity(items: list[dict], ctx: Context) -> None:
    """Each decision, then the catalogue made to obey it; applied first, since it decides
    which registry id each entry is listed under."""
    for item in items:
        decision = IdentityDecision.objects.filter(first=item["first"], second=item["second"])
        outcome = _save(
            decision.first() or IdentityDecision(first=item["first"], second=item["second"]),
            {"decision": item["decision"], "note": item["note"], "user_id": ctx.user(item["user"])},
        )
        ctx.tally("identity", outcome)
        if outcome != "unchanged":
            apply_identity_decision(item["first"], item["second"])
    ctx.trials = {t.registry_id: t for t in Trial.objects.all()}


def export_notes() -> list[dict]:
    notes = ReviewNote.objects.select_related("trial", "user")
    return [
        {
            "trial": n.trial.registry_id,
            "text": n.text,
            "user": n.user.get_username() if n.user else None,
            "created_at": _when(n.created_at),
        }
        for n in notes.order_by("trial__registry_id", "created_at", "pk")
    ]


def apply_notes(items: list[dict], ctx: Context) -> None:
    for item in items:
        trial = ctx.trial(item["trial"])
        if trial is None:
            ctx.tally("notes", "skipped")
            continue
        created_at = _parse_when(item["created_at"])
        note = ReviewNote.objects.filter(trial=trial, text=item["text"], created_at=created_at)
        if note.exists():
            ctx.tally("notes", "unchanged")
            continue
        note = ReviewNote.objects.create(
            trial=trial, text=item["text"], user_id=ctx.user(item["user"])
        )
        _keep_times(note, created_at=created_at)
        ctx.tally("notes", "created", trial.registry_id)


def export_error_reports() -> list[dict]:
    """Readers' reports and what curators did with them; never the reader's e-mail."""
    reports = ErrorReport.objects.select_related("trial", "handled_by")
    return [
        {
            "trial": r.trial.registry_id,
            "field": r.field,
            "text": r.text,
            "created_at": _when(r.created_at),
            "status": r.status,
            "handled_by": r.handled_by.get_username() if r.handled_by else None,
            "handled_at": _when(r.handled_at),
        }
        for r in reports.order_by("created_at", "pk")
    ]


def apply_error_reports(items: list[dict], ctx: Context) -> None:
    for item in items:
        trial = ctx.trial(item["trial"])
        if trial is None:
            ctx.tally("error_reports", "skipped")
            continue
        created_at = _parse_when(item["created_at"])
        report = ErrorReport.objects.filter(
            trial=trial, text=item["text"], created_at=created_at
        ).first() or ErrorReport(trial=trial, text=item["text"])
        outcome = _save(
            report,
            {
                "field": item["field"],
                "status": item["status"],
                "handled_by_id": ctx.user(item["handled_by"]),
                "handled_at": _parse_when(item["handled_at"]),
            },
        )
        if outcome == "created":
            _keep_times(report, created_at=created_at)
        ctx.tally("error_reports", outcome, trial.registry_id)


@dataclass(frozen=True)
class Kind:
    """One kind of curator work: how its rows are written out and put back."""

    name: str
    export: Callable[[], list[dict]]
    apply: Callable[[list[dict], Context], None]


KINDS: tuple[Kind, ...] = (
    Kind("identity", export_identity, apply_identity),
    Kind("sponsors", export_sponsors, apply_sponsors),
    Kind("locks", export_locks, apply_locks),
    Kind("rows", export_rows, apply_rows),
    Kind("deletions", export_deletions, apply_deletions),
    Kind("conflict_decisions", export_conflict_decisions, apply_conflict_decisions),
    Kind("review", export_review, apply_review),
    Kind("notes", export_notes, apply_notes),
    Kind("error_reports", export_error_reports, apply_error_reports),
)


# --- the file ------------------------------------------------------------------------------


def export_curation() -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "kinds": {kind.name: kind.export() for kind in KINDS},
    }


class CurationFileError(ValueError):
    pass


@dataclass
class ImportResult:
    counts: dict[str, Counter]
    rebuilt: int
    missing: list[str]
    unknown_users: list[str]
    rebuild_errors: list[str]


def import_curation(data: dict, *, dry_run: bool = False) -> ImportResult:
    """Apply a curation file; trials it changed are rebuilt so its values and rows take effect."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CurationFileError(f"not a curation file (expected format {FORMAT!r})")
    if data.get("version") != VERSION:
        raise CurationFileError(
            f"curation file version {data.get('version')!r}, expected {VERSION}"
        )
    kinds = data.get("kinds") or {}
    unknown = set(kinds) - {kind.name for kind in KINDS}
    if unknown:
        raise CurationFileError(f"unknown kinds of curator work: {', '.join(sorted(unknown))}")
    ids = _registry_ids(kinds.values())
    ctx = Context(
        trials={t.registry_id: t for t in Trial.objects.filter(registry_id__in=ids)},
        users={u.get_username(): u for u in get_user_model().objects.all()},
    )
    with transaction.atomic():
        for kind in KINDS:
            kind.apply(kinds.get(kind.name, []), ctx)
        trials = [ctx.trials[i] for i in sorted(ctx.touched) if i in ctx.trials]
        rebuilt, errors = rebuild_trials(trials) if trials else (0, [])
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(
        counts=ctx.counts,
        rebuilt=rebuilt,
        missing=sorted(ctx.missing),
        unknown_users=sorted(ctx.unknown_users),
        rebuild_errors=errors,
    )


def _registry_ids(groups: Iterable[list[dict]]) -> set[str]:
    return {item["trial"] for items in groups for item in items if "trial" in item}
