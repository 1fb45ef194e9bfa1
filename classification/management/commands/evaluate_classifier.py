"""python manage.py evaluate_classifier [--labels PATH] [--misses]: precision and recall per field.

Parses every labelled page and classifies it in memory; the database is never touched.
The classifier knows no file formats: the project's RECORD_READER setting names the
function that turns a labelled file into a record (ingest's, which depends on this
package, never the other way).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from classification import classify
from classification.evaluation import load_labels, score, table
from records import ParseError

DEFAULT_LABELS = Path(settings.BASE_DIR) / "tests" / "fixtures" / "classification" / "labels.json"


class Command(BaseCommand):
    help = "Score the classifier against a labelled set of trial pages (no database needed)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--labels", type=Path, default=DEFAULT_LABELS, help="labels.json to score against"
        )
        parser.add_argument(
            "--misses", action="store_true", help="list every field that differs from its label"
        )

    def handle(self, *args, labels: Path, misses: bool = False, **options):
        if not labels.is_file():
            self.stderr.write(f"No label file at {labels}")
            sys.exit(2)
        pairs, failed = [], 0
        for item in load_labels(labels):
            try:
                record = import_string(settings.RECORD_READER)(
                    item["path"].read_bytes(), item["path"].name
                )
            except (OSError, ParseError) as error:
                self.stderr.write(f"FAILED {item['file']}: {error}")
                failed += 1
                continue
            pairs.append((item, classify(record)))
        report = score(pairs)
        for line in table(report):
            self.stdout.write(line)
        if misses:
            self.stdout.write("")
            for miss in report.misses:
                self.stdout.write(
                    f"{miss.file}: {miss.field}: expected {miss.expected!r}, got {miss.got!r}"
                )
        if failed:
            sys.exit(1)
