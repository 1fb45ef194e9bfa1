"""The ORM writer: the same writes as `ingest.pgcopy`, one model call at a time.

The reference the set-based writer is tested against (tests/test_ingest_bulk.py), and
the plain path to read when in doubt about what a write does. Both write inside the
caller's transaction and leave the change history to the tables' triggers.
"""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from catalogue import search, search_index
from catalogue.children import BY_NAME
from catalogue.curation import save_lock_sources
from catalogue.models import EligibilityCriterion, SourceDocument, Trial

from .writes import LINKS, Group, delete_rows, unlink


def write(groups: list[Group]) -> None:
    """Write the batch (ids already given by `writes.number`), trial by trial."""
    now = timezone.now()
    for group in groups:
        _write_group(group, now)
    search.add_words(ids=[g.trial_id for g in groups])
    search_index.refresh([g.trial_id for g in groups])  # the list page's index of them


def _write_group(group: Group, now) -> None:
    write = group.write
    delete_rows(SourceDocument, group.replaced)
    SourceDocument.objects.bulk_create(
        SourceDocument(**{**row, "parsed": json.loads(row["parsed"])})
        for row in group.source_rows()
    )
    values = {**write.values, "last_ingested": now}
    if group.created:
        Trial.objects.create(id=group.trial_id, first_ingested=now, **values)
    else:
        Trial.objects.filter(pk=group.trial_id).update(**values)
    _store_vector(group.trial_id, write.search)
    gone = {name: write.tables[name].delete for name in BY_NAME}
    unlink(gone["arm"], gone["intervention"], sorted(write.links_remove))
    for name, table in BY_NAME.items():
        delete_rows(table.model, gone[name])
    for name, table in BY_NAME.items():
        table.model.objects.bulk_create(
            table.model(**row.values) for row in write.tables[name].insert
        )
    EligibilityCriterion.objects.bulk_update(
        [EligibilityCriterion(pk=pk, parent_id=parent) for pk, parent in write.parent_updates],
        ["parent"],
    )
    LINKS.objects.bulk_create(
        LINKS(arm_id=arm_id, intervention_id=intervention_id)
        for arm_id, intervention_id in sorted(write.links_add)
    )
    save_lock_sources(write.lock_updates)


def _store_vector(trial_id: int, weights: dict[str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Trial._meta.db_table} SET search_vector = {search.vector_sql(['%s'] * 4)} "
            "WHERE id = %s",
            [*(weights[w] for w in search.WEIGHTS), trial_id],
        )
