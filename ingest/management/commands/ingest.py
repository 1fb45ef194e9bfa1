"""python manage.py ingest PATH [PATH ...]: load saved trial pages into the catalogue."""

from __future__ import annotations

import sys
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from ingest.loader import ingest_file, source_files
from ingest.locking import IngestBusy, ingest_lock

STATUSES = ("created", "updated", "unchanged", "failed")


class Command(BaseCommand):
    help = "Parse saved trial pages (files or folders) and merge them into the catalogue."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", help="source files or folders (searched recursively)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and report, write nothing"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on long runs"
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=600,
            help="seconds to wait for another running ingest to finish (default 600)",
        )

    def handle(self, *args, paths, wait=600, **options):
        try:
            with ingest_lock(timeout=wait):
                self.run(paths, **options)
        except IngestBusy as error:
            raise CommandError(str(error)) from error

    def run(self, paths, dry_run=False, no_progress=False, verbosity=1, **options):
        files = source_files(paths)
        counts: Counter[str] = Counter()
        show_progress = verbosity >= 1 and not no_progress and len(files) >= 50
        for number, path in enumerate(files, start=1):
            result = ingest_file(path, dry_run=dry_run)
            counts[result.status] += 1
            if result.status == "failed":
                self.stderr.write(f"FAILED {result.path}: {result.reason}")
            elif verbosity >= 2:
                self.stdout.write(f"{result.status:9} {result.registry_id:14} {result.path}")
                if verbosity >= 3:
                    for warning in result.warnings:
                        self.stdout.write(f"          warning: {warning}")
            if show_progress:
                self._progress(number, len(files))
        if show_progress:
            self.stderr.write("")
        shown = ("parsed", "failed") if dry_run else STATUSES
        summary = ", ".join(f"{counts[s]} {s}" for s in shown)
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{len(files)} files: {summary}")
        if not files:
            self.stderr.write("No source files found.")
        if counts["failed"]:
            sys.exit(1)

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        self.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
