"""What the curators' desk asks of ingest: rebuild trials from their stored sources now,
what each stored source alone would make of a trial, and a decision on whether two
registrations are one trial applied at once.

The entry points the admin uses, so the admin depends on ingest and never the other way."""

from __future__ import annotations

from dataclasses import dataclass

import pghistory
from django.db import transaction

from catalogue.curation import LOCKABLE, field_value
from catalogue.models import SourceDocument, Trial
from records.merge import LISTS, Source, merge
from records.serialize import record_from_dict

from . import grouping, rows
from .documents import Document
from .loader import rebuild, reparse_sources
from .pipeline import ingest_documents


def rebuild_trials(trials, *, reparse: bool = False) -> tuple[int, list[str]]:
    """Rebuild each trial from its stored sources (re-parsing them first when asked)."""
    done, errors = 0, []
    for trial in trials:
        with transaction.atomic(), pghistory.context(source="admin rebuild", reparse=reparse):
            if reparse:
                errors += reparse_sources(trial)
            rebuild(trial, force=True)
        done += 1
    return done, errors


@dataclass
class SourceView:
    """One stored source of a trial, read on its own."""

    document: SourceDocument
    columns: dict[str, object]  # the curator-ownable Trial columns it alone gives (JSON values)
    counts: dict[str, int]  # rows per list (records.merge key), e.g. {"arms": 2}
    last_update: str  # the source's own "last updated" date, as written ("" when none)


def source_views(trial: Trial) -> list[SourceView]:
    """What each of the trial's stored sources says, in the catalogue's columns: the values
    a curator compares side by side and may take (no database writes)."""
    views = []
    for document in trial.sources.all():
        record = record_from_dict(document.parsed)
        alone = Trial(registry_id=trial.registry_id)
        rows.set_trial_fields(alone, merge([Source(document.filename, record)]))
        counts = {key: len(getattr(record, key)) for key in LISTS}
        counts["eligibility.criteria"] = len(record.eligibility.criteria)
        views.append(
            SourceView(
                document=document,
                columns={name: field_value(alone, name) for name in LOCKABLE},
                counts=counts,
                last_update=record.last_update,
            )
        )
    return views


def apply_identity_decision(first: str, second: str) -> list[str]:
    """Make the catalogue obey a curator's decision on two registrations now (every later
    ingest obeys it too, `ingest.grouping`); returns the registry ids of the entries after.

    Joined: their entries become one (the sources move to the entry the canonical id
    names, which is rebuilt). Split: the sources that are records of either id are taken
    out of the shared entry and ingested again, so the grouping puts them apart."""
    trials = list(Trial.objects.with_any_id([first, second]))
    decision = grouping.decisions()
    if decision.together(first, second):
        keep = grouping.keep_of({t.pk: t for t in trials})
        grouping.absorb(keep, [t.pk for t in trials if t.pk != keep])
        rebuild_trials([Trial.objects.get(pk=keep)])
        return [Trial.objects.get(pk=keep).registry_id]
    moved: list[Document] = []
    with transaction.atomic():
        for trial in trials:
            sources = list(trial.sources.all())
            own = {s.pk: s.parsed.get("registry_id", "") for s in sources}
            if len(set(own.values())) < 2 or not {first, second} <= set(own.values()):
                continue
            # The registration the entry is not listed under leaves it.
            leaving = second if trial.registry_id != second else first
            for source in sources:
                if own[source.pk] == leaving:
                    moved.append(Document(source.path, source.filename, source.raw_text.encode()))
                    source.delete()
            rebuild_trials([trial])
    with pghistory.context(source="admin identity decision"):
        results = list(ingest_documents(moved, workers=1))
    kept = [t.registry_id for t in Trial.objects.with_any_id([first, second])]
    return sorted(set(kept) | {r.registry_id for r in results if r.registry_id})
