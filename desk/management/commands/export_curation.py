"""python manage.py export_curation [-o FILE]: every kind of curator work, as portable JSON.

The file is keyed by registry ids, row keys and names (never database ids), so
`import_curation` can re-apply it to another catalogue built from the same sources.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from desk.portable import export_curation


class Command(BaseCommand):
    help = "Write every curator-owned field and row, decision, note and alias to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, output=None, verbosity=1, **options):
        data = export_curation()
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if output:
            path = Path(output)
            partial = path.with_name(path.name + ".partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)  # a reader never sees half a file
        else:
            sys.stdout.write(text)
        counts = ", ".join(f"{len(items)} {name}" for name, items in data["kinds"].items())
        if verbosity >= 1:
            self.stderr.write(f"Exported curation: {counts}" + (f" to {output}" if output else ""))
