"""python manage.py reclassify [REGISTRY_ID ...]: run the classifier again over stored trials.

Each trial's merged record is rebuilt from its stored sources (no re-parsing), classified,
and curator corrections are put back on top. Ingest classifies every trial it writes; run
this after changing the classifier's terms or rules.
"""

from __future__ import annotations

import sys

import pghistory
from django.core.management.base import BaseCommand
from django.db import transaction

from catalogue.curation import field_value, finalize, queue_reasons, save_lock_sources
from catalogue.locking import IngestBusy, ingest_lock
from catalogue.management import progress
from catalogue.models import Trial
from catalogue.stored import merged_record
from classification.apply import FIELDS, apply_classification
from records import ParsedTrial

BATCH = 200


def reclassify(trial: Trial, record: ParsedTrial) -> bool:
    """Classify a stored trial again, then re-apply curator values; True when anything changed.

    The review reasons the curation layer derives from the old values ("donor not
    classified") are dropped first; `finalize` derives them again from the new ones.
    """
    before = {name: field_value(trial, name) for name in FIELDS}
    stale = set(queue_reasons(trial))
    trial.review_reasons = [r for r in trial.review_reasons if r not in stale]
    apply_classification(trial, record)
    save_lock_sources(finalize(trial))
    return any(field_value(trial, name) != before[name] for name in FIELDS)


class Command(BaseCommand):
    help = "Classify stored trials again from their sources (curator corrections still win)."

    def add_arguments(self, parser):
        parser.add_argument("registry_ids", nargs="*", help="only these trials (default: all)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on long runs"
        )
        parser.add_argument(
            "--wait", type=float, default=600, help="seconds to wait for a running ingest"
        )

    def handle(
        self,
        *args,
        registry_ids,
        dry_run=False,
        no_progress=False,
        wait=600,
        verbosity=1,
        **options,
    ):
        # What finalize() reads: curator locks, readers' reports, settled conflicts.
        trials = Trial.objects.order_by("registry_id").prefetch_related(
            "sources", "locks", "error_reports", "conflict_decisions"
        )
        if registry_ids:
            trials = trials.filter(registry_id__in=registry_ids)
        total = trials.count()
        show_progress = verbosity >= 1 and not no_progress and total >= 50
        changed, failed = [], 0
        try:
            with (
                ingest_lock(timeout=wait),
                pghistory.context(source="reclassify"),
                transaction.atomic(),
            ):
                for number, trial in enumerate(trials.iterator(chunk_size=BATCH), start=1):
                    if not trial.sources.all():
                        self.stderr.write(f"FAILED {trial.registry_id}: no stored sources")
                        failed += 1
                        continue
                    if reclassify(trial, merged_record(trial).record):
                        changed.append(trial)
                        if verbosity >= 2:
                            self.stdout.write(f"changed   {trial.registry_id}")
                    if show_progress:
                        progress.draw(self.stderr, number, total)
                Trial.objects.bulk_update(changed, FIELDS, batch_size=BATCH)
                if dry_run:
                    transaction.set_rollback(True)
        except IngestBusy as error:
            self.stderr.write(f"Not run: {error}")
            sys.exit(1)
        if show_progress:
            self.stderr.write("")
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{total} trials, {len(changed)} changed, {failed} failed")
        if failed:
            sys.exit(1)
