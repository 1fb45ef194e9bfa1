"""python manage.py sync [--query Q] [--since DATE | --full] [--forever]: follow ClinicalTrials.gov.

Pulls what the registry changed since the last successful sync of the query and stores it
(ingest/sync.py says how, and how an interrupted run is continued). Each run is a SyncRun
row, listed in the admin. `--forever` is the schedule the compose `sync` service runs: a
sync and a refresh of every trial's reporting flags every SYNC_INTERVAL_HOURS.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections import Counter
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalogue.flags import refresh_flags
from catalogue.locking import IngestBusy, ingest_lock
from catalogue.models import SyncRun
from ingest import ctgov_api, sync
from ingest.documents import api_documents
from ingest.pipeline import parse_only

from .ingest import since_date

logger = logging.getLogger("ingest")


class Command(BaseCommand):
    help = (
        "Pull from ClinicalTrials.gov what changed since the last successful sync and store it; "
        "an interrupted sync is continued from its last page."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--query",
            help="the registry search (default: settings.CTGOV_QUERY, the catalogue's own)",
        )
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="studies the registry updated on or after DATE (default: the day before "
            "the last successful sync of the query started)",
        )
        parser.add_argument(
            "--full", action="store_true", help="every study of the query, whatever its date"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="fetch and parse from the first page, write and record nothing",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="parse processes (default: one per CPU)"
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            help="seconds to wait for a running ingest or sync to finish (default 0: refuse)",
        )
        parser.add_argument(
            "--forever",
            action="store_true",
            help="sync and refresh every trial's flags every SYNC_INTERVAL_HOURS, until stopped",
        )

    def handle(self, *args, query=None, since=None, full=False, forever=False, **options):
        query = (query if query is not None else sync.default_query()).strip()
        if not query:
            raise CommandError("--query needs a search (an empty one would pull every study)")
        if since is not None and full:
            raise CommandError("give --since or --full, not both")
        since = since_date(since) if since is not None else None
        if forever:
            return self.forever(query, since, full, **options)
        outcome = self.once(query, since, full, **options)
        if outcome != "ok":
            sys.exit(1)

    def once(self, query, since, full, *, dry_run=False, wait=0, workers=None, **options) -> str:
        """One sync; "ok", or "failed" when the run stopped or a study could not be stored."""
        if dry_run:
            return self.dry_run(query, since)
        self.verbosity = options.get("verbosity", 1)
        try:
            with ingest_lock(timeout=wait):
                sync_run = sync.start_or_resume(query, since=since, full=full)
                resumed = sync_run.pages > 0 or sync_run.resumes > 0
                self.announce(sync_run, resumed)
                started = time.monotonic()
                sync.run(sync_run, workers=workers, on_page=self.page_done)
        except IngestBusy as error:
            raise CommandError(f"{error}: not syncing now") from error
        self.summarise(sync_run, time.monotonic() - started)
        if sync_run.status != SyncRun.Status.SUCCEEDED or sync_run.failed:
            return "failed"
        return "ok"

    def announce(self, sync_run: SyncRun, resumed: bool) -> None:
        if self.verbosity < 1:
            return
        since = f"updated since {sync_run.since}" if sync_run.since else "all studies"
        if resumed:
            self.stdout.write(
                f"Continuing sync #{sync_run.pk} ({since}) after page {sync_run.pages}"
            )
        else:
            self.stdout.write(f"Sync #{sync_run.pk}: {sync_run.query!r}, {since}")

    def page_done(self, done: sync.PageDone) -> None:
        for failure in done.failures:
            self.stderr.write(f"FAILED {failure.path}: {failure.reason}")
        if self.verbosity >= 2:
            counts = ", ".join(f"{done.counts[s]} {s}" for s in sync.STATUSES)
            self.stdout.write(f"page {done.run.pages}: {done.studies} studies: {counts}")

    def summarise(self, sync_run: SyncRun, seconds: float) -> None:
        counts = ", ".join(f"{getattr(sync_run, s)} {s}" for s in sync.STATUSES)
        line = f"Sync #{sync_run.pk} {sync_run.status}: {sync_run.pages} pages, {sync_run.studies} studies: {counts}"
        if sync_run.error:
            self.stderr.write(f"{line}; stopped: {sync_run.error}")
        elif self.verbosity >= 1:
            self.stdout.write(line)
        logger.info(
            "sync finished",
            extra={
                "event": "sync",
                "run": sync_run.pk,
                "query": sync_run.query,
                "since": sync_run.since.isoformat() if sync_run.since else None,
                "status": sync_run.status,
                "pages": sync_run.pages,
                "resumes": sync_run.resumes,
                "counts": {s: getattr(sync_run, s) for s in sync.STATUSES},
                "seconds": round(seconds, 3),
                "error": sync_run.error or None,
            },
        )

    def dry_run(self, query: str, since: date | None) -> str:
        since = since or sync.since_last_success(query)
        pulled = ctgov_api.pull(query, since)
        counts: Counter[str] = Counter()
        for result in parse_only(api_documents(pulled.studies)):
            counts[result.status] += 1
        self.stdout.write(
            f"Dry run, nothing written: {pulled.pages} pages, {len(pulled.studies)} studies: "
            f"{counts['parsed']} parsed, {counts['failed']} failed"
        )
        if pulled.error:
            self.stderr.write(f"stopped: {pulled.error}")
        return "failed" if pulled.error or counts["failed"] else "ok"

    def forever(self, query: str, since, full, **options) -> None:
        """The schedule: a sync now (or when the interval since the last success is up), then
        one every SYNC_INTERVAL_HOURS; every trial's flags are refreshed after each attempt,
        so they follow the calendar even when the registry cannot be reached."""
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `docker stop`: stop cleanly
        interval = settings.SYNC_INTERVAL_HOURS * 3600
        last = sync.last_success(query)
        wait = 0.0
        if last:
            wait = max(0.0, interval - (timezone.now() - last.started_at).total_seconds())
        while True:
            if wait:
                logger.info("next sync in %.0f s", wait)
                time.sleep(wait)
            try:
                self.once(query, since, full, **options)
            except Exception:  # the schedule goes on; the run row and the log say what failed
                logger.exception("sync failed")
            try:
                with ingest_lock(timeout=options.get("wait") or 0):
                    changed = refresh_flags()
                logger.info(
                    "reporting flags refreshed", extra={"event": "flags", "changed": changed}
                )
            except Exception:
                logger.exception("refreshing the reporting flags failed")
            since, full, wait = None, False, interval
