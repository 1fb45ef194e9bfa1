"""A token that changes whenever the catalogue's trials change, for in-memory caches of what they show."""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.db import connection


def catalogue_version() -> tuple:
    """Changes whenever a trial is added, changed or deleted; one cheap query.

    Inserts raise the highest id; updates and deletes add a change-history row (pghistory
    triggers on every tracked field); TRUNCATE gives the table a new file. Read it before
    what it guards, so a cached value is never older than its key.
    """
    trials = apps.get_model("catalogue", "Trial")._meta.db_table
    events = apps.get_model("catalogue", "TrialEvent")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_relation_filenode(%s), (SELECT max(id) FROM {trials}), "
            f"(SELECT max(pgh_id) FROM {events})",
            [trials],
        )
        return cursor.fetchone()


def last_change() -> datetime | None:
    """When a trial was last added, changed or deleted: the newest change-history row's time.

    For Last-Modified. A TRUNCATE leaves no row; the version (and so the ETag) still changes.
    """
    events = apps.get_model("catalogue", "TrialEvent")
    return events.objects.order_by("-pgh_id").values_list("pgh_created_at", flat=True).first()
