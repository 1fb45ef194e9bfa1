"""What the catalogue holds of the trials a batch touches, read in a constant number of queries.

Both writers read it the same way: the rows and curator work a rebuild must respect
(`assemble.Stored`), the stored sources to merge with, and the shared Sponsor rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import TextField
from django.db.models.functions import Cast

from catalogue.children import CHILD_TABLES
from catalogue.models import (
    Arm,
    ConflictDecision,
    CuratorDeletion,
    CuratorLock,
    EligibilityCriterion,
    ErrorReport,
    SourceDocument,
    Sponsor,
    SponsorAlias,
    Trial,
)
from records import ParsedTrial

from . import rows
from .assemble import Row, Stored


@dataclass
class StoredSource:
    """A stored source document, as the merge needs it (its page text stays in the database)."""

    id: int
    trial_id: int
    path: str
    filename: str
    sha256: str
    parsed: str  # its parse, as JSON text
    warnings: list[str]
    ingested_at: str  # ISO


def stored_state(trial_ids: Iterable[int]) -> dict[int, Stored]:
    """Each trial's Stored: its rows, deletions, locks, cleared reasons and arm links."""
    ids = list(trial_ids)
    if not ids:
        return {}
    # The stored classification goes to the workers as JSON text: they decode it, if needed.
    state = {
        pk: Stored(trial_id=pk, review_cleared=cleared, classification=classification)
        for pk, cleared, classification in Trial.objects.filter(pk__any=ids)
        .annotate(classification_text=Cast("classification", TextField()))
        .values_list("pk", "review_cleared", "classification_text")
    }
    for table in CHILD_TABLES:
        columns = ["id", "trial_id", "curated", "source_key", *table.content]
        if table.model is EligibilityCriterion:
            columns.append("parent_id")
        for values in table.model.objects.filter(trial_id__any=ids).values(*columns):
            state[values["trial_id"]].rows.setdefault(table.name, []).append(Row(values))
    deletions = CuratorDeletion.objects.filter(trial_id__any=ids)
    for trial_id, kind, key in deletions.values_list("trial_id", "kind", "key"):
        state[trial_id].tombstones.setdefault(kind, set()).add(key)
    for lock in CuratorLock.objects.filter(trial_id__any=ids):
        state[lock.trial_id].locks.append(lock)
    for report in ErrorReport.objects.filter(trial_id__any=ids, status=ErrorReport.Status.OPEN):
        state[report.trial_id].reports.append(report)
    for decision in ConflictDecision.objects.filter(trial_id__any=ids):
        state[decision.trial_id].decisions.append(decision)
    links = Arm.interventions.through.objects.filter(arm__trial_id__any=ids, arm__curated=False)
    for trial_id, arm_id, intervention_id in links.values_list(
        "arm__trial_id", "arm_id", "intervention_id"
    ):
        state[trial_id].links.add((arm_id, intervention_id))
    return state


def stored_sources(trial_ids: Iterable[int]) -> dict[int, list[StoredSource]]:
    """Each trial's stored source documents (their parse, not their page text)."""
    found: dict[int, list[StoredSource]] = defaultdict(list)
    columns = ("id", "trial_id", "path", "filename", "sha256", "warnings")
    for values in (
        SourceDocument.objects.filter(trial_id__any=list(trial_ids))
        .order_by("trial_id", "filename", "id")
        # JSON text: the workers that merge the sources decode it, not this process.
        .annotate(parsed_text=Cast("parsed", TextField()))
        .values(*columns, "parsed_text", "ingested_at")
    ):
        values["ingested_at"] = values["ingested_at"].isoformat()
        values["parsed"] = values.pop("parsed_text")
        found[values["trial_id"]].append(StoredSource(**values))
    return found


def sponsor_ids(records: Iterable[ParsedTrial]) -> dict[str, int]:
    """Sponsors are shared rows: find each one the records name, by its name or by an alias
    left by a curator's merge, creating the missing ones (through the ORM, so their history
    is kept). Keyed by the casefolded name as the records spell it."""
    named = [s for record in records for s in record.sponsors if s.name]
    names = {rows.sponsor_name(s.name) for s in named}
    known = {s.name.casefold(): s for s in Sponsor.objects.filter(name__in=names)}
    for alias in SponsorAlias.objects.filter(name__in=names).select_related("sponsor"):
        known.setdefault(alias.name.casefold(), alias.sponsor)
    missing: dict[str, Sponsor] = {}
    classes: dict[str, str] = {}
    for parsed in named:
        name = rows.sponsor_name(parsed.name)
        key = name.casefold()
        if key not in known and key not in missing:
            missing[key] = Sponsor(name=name, agency_class=parsed.agency_class)
        if parsed.agency_class:
            classes.setdefault(key, parsed.agency_class)
    if missing:  # one INSERT for the batch; a name another writer just added is skipped
        Sponsor.objects.bulk_create(missing.values(), ignore_conflicts=True)
        names = [s.name for s in missing.values()]
        known.update({s.name.casefold(): s for s in Sponsor.objects.filter(name__any=names)})
    unclassed = {}
    for key, sponsor in known.items():
        if not sponsor.agency_class and classes.get(key):
            sponsor.agency_class = classes[key]
            unclassed[sponsor.pk] = sponsor
    Sponsor.objects.bulk_update(unclassed.values(), ["agency_class"])
    return {name: sponsor.pk for name, sponsor in known.items()}
