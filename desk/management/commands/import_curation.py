"""python manage.py import_curation FILE [--dry-run]: re-apply exported curator work.

Run it after ingesting the same sources into another (or a fresh) catalogue. Idempotent:
a second run changes nothing and says so. Trials the file names that this catalogue lacks
are reported and make the exit code non-zero; the rest is still applied.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pghistory
from django.core.management.base import BaseCommand, CommandError

from catalogue.locking import IngestBusy, ingest_lock
from desk.portable import CurationFileError, import_curation


class Command(BaseCommand):
    help = "Re-apply a curation file written by export_curation to this catalogue."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the JSON file export_curation wrote")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )
        parser.add_argument(
            "--wait", type=float, default=600, help="seconds to wait for a running ingest"
        )

    def handle(self, *args, path, dry_run=False, wait=600, verbosity=1, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{path}: {error}") from error
        try:
            with ingest_lock(timeout=wait), pghistory.context(source="import_curation", path=path):
                result = import_curation(data, dry_run=dry_run)
        except CurationFileError as error:
            raise CommandError(f"{path}: {error}") from error
        except IngestBusy as error:
            raise CommandError(f"Not run: {error}") from error
        prefix = "Dry run, nothing written: " if dry_run else ""
        for name, counts in result.counts.items():
            said = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            self.stdout.write(f"{prefix}{name}: {said}")
        changed = sum(
            n for c in result.counts.values() for o, n in c.items() if o in ("created", "updated")
        )
        self.stdout.write(
            f"{prefix}{changed} change(s); {result.rebuilt} trial(s) rebuilt"
            + ("" if changed else " (nothing to do: this catalogue already has it all)")
        )
        for name in result.unknown_users:
            self.stderr.write(f"no user {name!r} here: their work is kept without a name")
        for error in result.rebuild_errors:
            self.stderr.write(f"FAILED rebuild: {error}")
        if result.missing:
            self.stderr.write(
                f"FAILED: {len(result.missing)} trial(s) named in the file are not in this "
                f"catalogue (ingest their sources first): {', '.join(result.missing)}"
            )
        if result.missing or result.rebuild_errors:
            sys.exit(1)
