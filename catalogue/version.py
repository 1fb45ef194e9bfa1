"""A token that changes whenever the catalogue's trials change, for in-memory caches of what they show."""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.apps import apps
from django.db import DatabaseError, connection, transaction

# A counter moved on by every rewrite of trials' search columns, which the change history
# leaves out. A sequence, created by the first rewrite: no table and no migration for one
# number, and reading it costs nothing next to the query below.
SEARCH_GENERATION = "catalogue_search_generation"


def catalogue_version() -> tuple:
    """Changes whenever a trial is added, changed or deleted, or its search document is
    rewritten (`search_changed`); one cheap query.

    Inserts raise the highest id; updates and deletes add a change-history row (pghistory
    triggers on every tracked field); TRUNCATE gives the table a new file. Read it before
    what it guards, so a cached value is never older than its key.
    """
    trials = apps.get_model("catalogue", "Trial")._meta.db_table
    events = apps.get_model("catalogue", "TrialEvent")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_relation_filenode(%s), (SELECT max(id) FROM {trials}), "
            f"(SELECT max(pgh_id) FROM {events}), "
            "pg_sequence_last_value(to_regclass(%s))",
            [trials, SEARCH_GENERATION],
        )
        return cursor.fetchone()


def search_changed() -> None:
    """Move the version on once the transaction that rewrote search columns commits.

    Not before: a reader would then cache the old search results under the new version. A
    reader between the commit and the move caches the new results under the old version,
    which no one asks for afterwards.
    """
    transaction.on_commit(_next_search_generation)


def _next_search_generation() -> None:
    with connection.cursor() as cursor:
        # Another process may create it at the same moment: that is as good.
        with contextlib.suppress(DatabaseError):
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEARCH_GENERATION}")
        cursor.execute("SELECT nextval(%s)", [SEARCH_GENERATION])


def last_change() -> datetime | None:
    """When a trial was last added, changed or deleted: the newest change-history row's time.

    For Last-Modified. A TRUNCATE leaves no row; the version (and so the ETag) still changes.
    """
    events = apps.get_model("catalogue", "TrialEvent")
    return events.objects.order_by("-pgh_id").values_list("pgh_created_at", flat=True).first()
