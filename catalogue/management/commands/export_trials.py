"""python manage.py export_trials --format json|csv [--output FILE]: the catalogue in its canonical shape.

--snapshot [DIR] writes a citable snapshot instead (catalogue.snapshot): DIR/<date>-v<N>/ with
trials.json, trials.csv, datapackage.json and CITATION.cff; DIR defaults to SNAPSHOT_DIR.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalogue import snapshot
from catalogue.export import to_csv, to_json
from catalogue.models import Trial


class Command(BaseCommand):
    help = "Write every trial in the canonical JSON shape (or flattened to CSV), or a snapshot."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("json", "csv"), default="json")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument(
            "--in-scope-only",
            action="store_true",
            help="leave out trials that are not MSC-for-diabetes",
        )
        parser.add_argument(
            "--snapshot",
            nargs="?",
            const=settings.SNAPSHOT_DIR,
            metavar="DIR",
            help="write the next dated, numbered snapshot under DIR (default: SNAPSHOT_DIR)",
        )
        parser.add_argument(
            "--if-changed",
            action="store_true",
            help="with --snapshot: write nothing when the newest snapshot has the same trials",
        )

    def handle(self, *args, format="json", output=None, in_scope_only=False, **options):
        trials = Trial.objects.for_export().order_by("registry_id")
        if in_scope_only:
            trials = trials.in_scope()
        if options["snapshot"] is not None:
            return self.snapshot(Path(options["snapshot"]), trials, options["if_changed"])
        text = to_json(trials) if format == "json" else to_csv(trials)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {trials.count()} trials to {output}")
        else:
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")

    def snapshot(self, root: Path, trials, if_changed: bool) -> None:
        try:
            written = snapshot.write(root, trials, if_changed=if_changed)
        except (FileExistsError, OSError) as error:
            raise CommandError(f"No snapshot written: {error}") from error
        if written is None:
            self.stderr.write(f"Unchanged since {snapshot.newest(root).path}: no snapshot written")
        else:
            self.stderr.write(f"Wrote {written.trials} trials to {written.path}")
