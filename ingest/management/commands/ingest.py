"""python manage.py ingest [PATH ...] [--ctgov QUERY [--since DATE]]: load trial sources.

Paths are saved pages, registry JSON/XML (one study or many), ClinicalTrials.gov CSV
downloads (one document per row) and zips of them; --ctgov
pulls a search from the ClinicalTrials.gov API v2 as well. Each study or page is one
document, stored and merged on its own; the summary line counts documents.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from catalogue.flags import refresh_flags
from catalogue.locking import IngestBusy, ingest_lock
from catalogue.management import progress
from catalogue.models import Trial
from ingest import ctgov_api
from ingest.documents import api_documents, read_documents, source_files
from ingest.pipeline import BATCH, FileResult, ingest_documents, parse_only

STATUSES = ("created", "updated", "unchanged", "failed")
FAILURES_LOGGED = 100  # the summary log line names at most this many failed documents
logger = logging.getLogger("ingest")


def since_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--since must be a date like 2024-01-31, got {value!r}") from error


class Command(BaseCommand):
    help = (
        "Parse trial sources (saved pages, registry JSON/XML, CSV downloads, zips; files or folders) "
        "and/or pull a ClinicalTrials.gov search, and merge them into the catalogue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="source files or folders (searched recursively)"
        )
        parser.add_argument(
            "--ctgov",
            metavar="QUERY",
            help='pull the studies matching QUERY from the ClinicalTrials.gov API, e.g. "mesenchymal AND diabetes"',
        )
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="with --ctgov: only studies the registry updated on or after DATE (YYYY-MM-DD)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and report, write nothing"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on long runs"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes that parse and classify (default: one per CPU; 1: none)",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=BATCH,
            help=f"documents per transaction (default {BATCH})",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=600,
            help="seconds to wait for another running ingest to finish (default 600)",
        )

    def handle(self, *args, paths, ctgov=None, since=None, wait=600, **options):
        if ctgov is not None and not ctgov.strip():
            raise CommandError("--ctgov needs a search query (an empty one would pull every study)")
        if since is not None and ctgov is None:
            raise CommandError("--since applies to --ctgov only")
        if not paths and ctgov is None:
            raise CommandError("give source paths, --ctgov QUERY, or both")
        since = since_date(since) if since is not None else None
        try:
            with ingest_lock(timeout=wait):
                self.run(paths, ctgov, since, **options)
        except IngestBusy as error:
            raise CommandError(str(error)) from error

    def run(self, paths, query, since, dry_run=False, no_progress=False, verbosity=1, **options):
        self.verbosity = verbosity
        self.workers = options.get("workers")
        self.batch = options.get("batch") or BATCH
        self.counts: Counter[str] = Counter()
        self.failures: list[dict] = []
        self.touched: set[str] = set()  # registry ids created or updated: their flags are redone
        started = time.monotonic()
        show_progress = verbosity >= 1 and not no_progress
        parts = []
        if paths:
            files = source_files(paths)
            documents = self.ingest_files(files, dry_run, show_progress and len(files) >= 50)
            noun = f"{len(files)} files"
            parts.append(noun if documents == len(files) else f"{noun} ({documents} records)")
            if not files:
                self.stderr.write("No source files found.")
        if query is not None:
            studies = self.pull(query, since, dry_run, show_progress)
            parts.append(f"{studies} studies from ClinicalTrials.gov")
        if self.touched:
            refresh_flags(Trial.objects.filter(registry_id__in=self.touched))
        shown = ("parsed", "failed") if dry_run else STATUSES
        summary = ", ".join(f"{self.counts[s]} {s}" for s in shown)
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{' + '.join(parts)}: {summary}")
        self.log_summary(time.monotonic() - started, dry_run)
        if self.counts["failed"]:
            sys.exit(1)

    def ingest_files(self, files, dry_run: bool, show_progress: bool) -> int:
        read = 0

        def documents():
            nonlocal read
            for read, path in enumerate(files, start=1):  # noqa: B007 (read by the progress bar)
                yield from read_documents(path)

        if dry_run:
            results = parse_only(documents())
        else:
            results = ingest_documents(documents(), workers=self.workers, batch=self.batch)
        count = 0
        for count, result in enumerate(results, start=1):
            self.report(result)
            if show_progress:
                # A CSV download or a JSON list is one file of many records: count both.
                progress.draw(self.stderr, read, len(files), f"files, {count} records")
        if show_progress:
            self.stderr.write("")
        return count

    def pull(self, query: str, since: date | None, dry_run: bool, show_progress: bool) -> int:
        """Fetch every page first, then import: no HTTP inside the import loop."""

        def on_page(pulled: ctgov_api.Pull) -> None:
            if show_progress:
                total = f"/{pulled.total}" if pulled.total is not None else ""
                self.stderr.write(
                    f"\rClinicalTrials.gov: {len(pulled.studies)}{total} studies fetched", ending=""
                )

        pulled = ctgov_api.pull(query, since, on_page=on_page)
        if show_progress and pulled.pages:
            self.stderr.write("")
        if pulled.error:
            self.report(FileResult("ctgov-api", "failed", reason=pulled.error))
        documents = list(api_documents(pulled.studies))
        show_progress = show_progress and len(documents) >= 50
        if dry_run:
            results = parse_only(documents)
        else:
            results = ingest_documents(documents, workers=self.workers, batch=self.batch)
        for number, result in enumerate(results, start=1):
            self.report(result)
            if show_progress:
                progress.draw(self.stderr, number, len(documents))
        if show_progress:
            self.stderr.write("")
        return len(documents)

    def report(self, result: FileResult) -> None:
        self.counts[result.status] += 1
        if result.status in ("created", "updated"):
            self.touched.add(result.registry_id)
        if result.status == "failed":
            if len(self.failures) < FAILURES_LOGGED:
                self.failures.append({"path": result.path, "reason": result.reason})
            self.stderr.write(f"FAILED {result.path}: {result.reason}")
        elif self.verbosity >= 2:
            self.stdout.write(f"{result.status:9} {result.registry_id:14} {result.path}")
            if self.verbosity >= 3:
                for warning in result.warnings:
                    self.stdout.write(f"          warning: {warning}")

    def log_summary(self, seconds: float, dry_run: bool) -> None:
        """One structured line per run, for whoever watches the logs rather than the terminal."""
        documents = sum(self.counts.values())
        logger.info(
            "ingest finished",
            extra={
                "event": "ingest",
                "dry_run": dry_run,
                "documents": documents,
                # Nested: "created" would clash with the LogRecord attribute of that name.
                "counts": {status: self.counts[status] for status in (*STATUSES, "parsed")},
                "seconds": round(seconds, 3),
                "documents_per_second": round(documents / seconds, 1) if seconds else None,
                "failures": self.failures,
            },
        )
