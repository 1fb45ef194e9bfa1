"""python manage.py export_trials --format json|csv [--output FILE]: the catalogue in its canonical shape."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalogue.export import to_csv, to_json
from catalogue.models import Trial


class Command(BaseCommand):
    help = "Write every trial in the canonical JSON shape (or flattened to CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("json", "csv"), default="json")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument(
            "--in-scope-only",
            action="store_true",
            help="leave out trials that are not MSC-for-diabetes",
        )

    def handle(self, *args, format="json", output=None, in_scope_only=False, **options):
        trials = Trial.objects.for_export().order_by("registry_id")
        if in_scope_only:
            trials = trials.in_scope()
        text = to_json(trials) if format == "json" else to_csv(trials)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {trials.count()} trials to {output}")
        else:
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
