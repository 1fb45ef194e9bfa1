"""What the curators' desk asks of ingest: rebuild trials from their stored sources now, and
what each stored source alone would make of a trial.

The entry points the admin uses, so the admin depends on ingest and never the other way."""

from __future__ import annotations

from dataclasses import dataclass

import pghistory
from django.db import transaction

from catalogue.curation import LOCKABLE, field_value
from catalogue.models import SourceDocument, Trial
from records.merge import LISTS, Source, merge
from records.serialize import record_from_dict

from . import rows
from .loader import rebuild, reparse_sources


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
