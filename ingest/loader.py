"""Rebuild stored trials from their stored sources: the admin's re-ingest and re-classify.

The same write specification as every ingest (`ingest.assemble`), written by the ORM
writer one trial at a time; curator-owned values and rows still win.
"""

from __future__ import annotations

from catalogue.models import Trial

from . import orm
from .assemble import assemble
from .deadline import deadline
from .detect import PARSER_VERSION, parse_document
from .pipeline import PARSE_SECONDS, finish, merged_sources
from .state import sponsor_ids, stored_sources, stored_state
from .writes import Group, number


def reparse_sources(trial: Trial) -> list[str]:
    """Parse the trial's stored raw sources again with today's parsers; returns failures."""
    errors = []
    for doc in trial.sources.all():
        try:
            with deadline(PARSE_SECONDS):
                record = parse_document(doc.raw_text, doc.filename)
        except Exception as error:  # keep the old parse; report and go on
            errors.append(f"{doc.filename}: {error}")
            continue
        doc.parsed = record.to_dict()
        doc.warnings = record.warnings
        doc.source_format = record.source_format
        doc.parser_version = PARSER_VERSION
        doc.save(update_fields=["parsed", "warnings", "source_format", "parser_version"])
    return errors


def rebuild(trial: Trial, *, force: bool = False) -> bool:
    """Rewrite the trial from its stored sources; False when nothing would change.

    `force` rewrites even an unchanged record, e.g. after a curator released a lock."""
    stored = stored_state([trial.pk])[trial.pk]
    kept = stored_sources([trial.pk])[trial.pk]
    write = assemble(merged_sources([], kept), stored)
    group = Group(write=write, stored=stored, trial_id=trial.pk, stored_sources=kept)
    finish(group, sponsor_ids([write.record]))
    if write.values["record_hash"] == trial.record_hash and not force:
        return False
    number([group])
    orm.write([group])
    return True
