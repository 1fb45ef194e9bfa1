"""python manage.py refresh_flags [--today DATE]: recompute every trial's reporting flags.

Ingest and sync redo the flags of the trials they write; most flags also follow the
calendar ("completed more than 12 months ago"), so this runs daily (the compose `sync`
service runs it after each sync). It writes only the trials whose flags changed.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from catalogue.flags import refresh_flags
from catalogue.locking import IngestBusy, ingest_lock
from catalogue.models import Trial


class Command(BaseCommand):
    help = "Recompute the reporting flags of every trial (they depend on today's date)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            metavar="DATE",
            help="compute as of this day instead of today (YYYY-MM-DD); the next daily "
            "run puts today's flags back",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=600,
            help="seconds to wait for a running ingest or sync to finish (default 600)",
        )

    def handle(self, *args, today=None, wait=600, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today must be a date like 2025-01-31, got {today!r}") from error
        try:
            with ingest_lock(timeout=wait):
                changed = refresh_flags(today=day)
        except IngestBusy as error:
            raise CommandError(str(error)) from error
        flagged = Trial.objects.exclude(reporting_flags=[]).count()
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(
                f"Reporting flags: {changed} trial{'s' * (changed != 1)} changed, "
                f"{flagged} flagged in all."
            )
