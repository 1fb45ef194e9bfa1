"""python manage.py search_index: build the list page's search index afresh from the database.

Never needed for correctness: the index brings itself up to date on the next list request
(catalogue.search_index). Run it after loading trials outside ingest (a restored dump), or
to build it before the first visitor rather than during the first request.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from catalogue import search_index


class Command(BaseCommand):
    help = "Rebuild the search index of the list page from the database."

    def handle(self, *args, **options):
        started = time.monotonic()
        count = search_index.rebuild()
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Indexed {count} trial{'s' * (count != 1)} in {seconds:.1f} s "
            f"({search_index.store.directory()})."
        )
