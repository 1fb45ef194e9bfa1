"""One writer at a time (ingest, sync, reclassify): a PostgreSQL advisory lock held for the whole run.

Two runs at once would race on the same trials (and on shared sponsor rows); the
second run waits for the first (or gives up after `timeout` seconds) instead.
The lock lives in the database, so it also holds across machines and containers.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import connection

# An arbitrary constant that names "the catalogue ingest" among advisory locks.
INGEST_LOCK_ID = 0x4D5343_01  # "MSC" + 1


class IngestBusy(RuntimeError):
    pass


@contextmanager
def ingest_lock(timeout: float = 600.0, poll: float = 0.5):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [INGEST_LOCK_ID])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() >= deadline:
                raise IngestBusy(f"another ingest has held the lock for over {timeout:.0f} s")
            time.sleep(poll)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [INGEST_LOCK_ID])
