"""Named reads of the catalogue: each method answers one question a page asks."""

from __future__ import annotations

from django.db import models


class TrialQuerySet(models.QuerySet):
    def in_scope(self):
        return self.filter(in_scope=True)

    def recruiting(self):
        return self.filter(overall_status="RECRUITING")

    def with_cell_source(self, slug: str):
        return self.filter(cell_sources__contains=[slug])

    def with_phase(self, phase: str):
        return self.filter(phases__contains=[phase])

    def for_detail(self):
        """Everything the detail page shows, in a constant number of queries."""
        from .models import EligibilityCriterion, TrialSponsor

        return self.prefetch_related(
            models.Prefetch(
                "trial_sponsors", queryset=TrialSponsor.objects.select_related("sponsor")
            ),
            "arms__interventions",
            "interventions",
            "investigators",
            models.Prefetch("criteria", queryset=EligibilityCriterion.objects.order_by("position")),
            "criteria__children",
            "outcomes",
            "locations",
            "references",
            "related_trials",
            "sources",
        )

    def for_export(self):
        """The canonical JSON needs every related row, exactly like the detail page."""
        return self.for_detail()
