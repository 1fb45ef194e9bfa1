"""python manage.py refresh_search: rebuild every trial's stored search document.

Ingest refreshes a trial it writes; run this after `catalogue.search` changes how the
document is built (new abbreviations, weights), since unchanged trials are not rewritten.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalogue import search
from catalogue.models import Trial


class Command(BaseCommand):
    help = "Recompute the search vector and trigram text of every trial."

    def handle(self, *args, **options):
        trials = Trial.objects.order_by("pk")
        search.refresh(trials)
        count = trials.count()
        self.stdout.write(f"Refreshed the search document of {count} trial{'s' * (count != 1)}.")
