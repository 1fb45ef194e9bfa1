"""Keep the catalogue up to date with ClinicalTrials.gov: `manage.py sync`, page by page, resumable.

A run asks the API for the studies of the catalogue's query (settings.CTGOV_QUERY) that
the registry updated on or after `since`: the day before the last successful run of the
same query started (the registry's LastUpdatePostDate is a day in US time, so a day's
overlap misses nothing; a study pulled twice is "unchanged" the second time). Each page
is fetched, then stored through the same entry point as `ingest --ctgov`
(`ingest.pipeline.ingest_documents` over `api_documents`), so it takes whatever write path
that uses; then the reporting flags of the trials it touched are recomputed, and the
run's progress is saved (pages, the next page token, the counts). No HTTP call happens
while a page is being written.

Every run is a `SyncRun` row. A run killed between pages stays "running" with the token
of its next page, and the next `sync` of that query continues it from there (a run that
stopped on an API error is continued the same way); a token the API no longer accepts
starts the run's pages again from the first. Callers hold the ingest lock, so a second
sync (or ingest) at the same time is refused or waits, and a "running" row seen under the
lock is always one that was interrupted.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from catalogue.flags import refresh_flags
from catalogue.models import SyncRun, Trial

from . import ctgov_api
from .documents import api_documents
from .pipeline import FileResult, ingest_documents

logger = logging.getLogger("ingest")
STATUSES = ("created", "updated", "unchanged", "failed")
OVERLAP = timedelta(days=1)


def default_query() -> str:
    return settings.CTGOV_QUERY


def last_success(query: str) -> SyncRun | None:
    return (
        SyncRun.objects.filter(query=query, status=SyncRun.Status.SUCCEEDED)
        .order_by("-started_at")
        .first()
    )


def since_last_success(query: str) -> date | None:
    """The first registry update day to ask for: a day before the last success started."""
    last = last_success(query)
    return timezone.localdate(last.started_at) - OVERLAP if last else None


def start_or_resume(query: str, *, since: date | None = None, full: bool = False) -> SyncRun:
    """The query's latest run continued, when it did not finish; otherwise a new run.

    Asking for another `since` (or `full`: every study of the query) starts a new run; an
    interrupted run that is not continued is closed as failed.
    """
    latest = SyncRun.objects.filter(query=query).order_by("-started_at").first()
    wanted = None if full else (since or since_last_success(query))
    if latest and latest.status != SyncRun.Status.SUCCEEDED:
        if not (since or full) or latest.since == wanted:
            latest.status = SyncRun.Status.RUNNING
            latest.resumes += 1
            latest.error = ""
            latest.finished_at = None
            latest.save(update_fields=["status", "resumes", "error", "finished_at"])
            return latest
        if latest.status == SyncRun.Status.RUNNING:
            _fail(latest, "interrupted, and not continued: a later run asked for another range")
    return SyncRun.objects.create(query=query, since=wanted, started_at=timezone.now())


@dataclass
class PageDone:
    """What one page brought, for the command's progress lines."""

    run: SyncRun
    studies: int
    counts: Counter = field(default_factory=Counter)
    failures: list[FileResult] = field(default_factory=list)


def run(
    sync_run: SyncRun,
    *,
    client: ctgov_api.Client | None = None,
    workers: int | None = None,
    on_page: Callable[[PageDone], None] | None = None,
) -> SyncRun:
    """Fetch and store the run's remaining pages, saving progress after each; returns it finished
    (succeeded, or failed with the reason and the token to continue from)."""
    client = client or ctgov_api.Client.from_settings()
    token = sync_run.page_token
    resumed_at = token
    seen: set[str] = set()
    while True:
        try:
            page = ctgov_api.fetch_page(client, sync_run.query, sync_run.since, token)
        except ctgov_api.ApiError as error:
            if token and token == resumed_at and error.status and 400 <= error.status < 500:
                # The token of an interrupted run has expired: its pages again, from the first.
                logger.warning("page token refused on resume (%s); starting from page 1", error)
                token = resumed_at = ""
                continue
            return _fail(sync_run, str(error))
        resumed_at = None
        done = store_page(sync_run, page, workers=workers)
        if on_page:
            on_page(done)
        if not page.next_token:
            break
        if page.next_token in seen or sync_run.pages >= ctgov_api.MAX_PAGES:
            return _fail(sync_run, "the API repeated a page token; stopped")
        seen.add(page.next_token)
        token = page.next_token
    return sync_run


def store_page(sync_run: SyncRun, page: ctgov_api.Page, *, workers: int | None = None) -> PageDone:
    """Write one page's studies, refresh their trials' flags, then save the run's progress."""
    done = PageDone(sync_run, len(page.studies))
    touched = []
    for result in ingest_documents(api_documents(page.studies), workers=workers):
        done.counts[result.status] += 1
        if result.status == "failed":
            done.failures.append(result)
        elif result.status in ("created", "updated"):
            touched.append(result.registry_id)
    if touched:
        refresh_flags(Trial.objects.filter(registry_id__in=touched))
    now = timezone.now()
    sync_run.pages += 1
    sync_run.studies += len(page.studies)
    for status in STATUSES:
        setattr(sync_run, status, getattr(sync_run, status) + done.counts[status])
    if page.total is not None and sync_run.total is None:
        sync_run.total = page.total
    sync_run.page_token = page.next_token
    sync_run.progressed_at = now
    if not page.next_token:
        sync_run.status = SyncRun.Status.SUCCEEDED
        sync_run.finished_at = now
    sync_run.save()
    return done


def _fail(sync_run: SyncRun, reason: str) -> SyncRun:
    sync_run.status = SyncRun.Status.FAILED
    sync_run.error = reason
    sync_run.finished_at = timezone.now()
    sync_run.save(update_fields=["status", "error", "finished_at"])
    return sync_run
