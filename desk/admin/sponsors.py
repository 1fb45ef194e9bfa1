"""Sponsors are shared rows; duplicates (one organisation spelled several ways) are merged here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count

from catalogue import curation
from catalogue.models import Sponsor, SponsorAlias


class AliasInline(admin.TabularInline):
    model = SponsorAlias
    extra = 0


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ("name", "agency_class", "trial_count")
    list_filter = ("agency_class",)
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("name", "aliases__name")
    ordering = ("name",)
    inlines = (AliasInline,)
    actions = ("merge",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_trials=Count("trial_sponsors"))

    @admin.display(description="trials", ordering="n_trials")
    def trial_count(self, sponsor):
        return sponsor.n_trials

    def save_model(self, request, obj, form, change):
        # A renamed sponsor keeps its old spelling as an alias, so re-ingest still finds it.
        if change and "name" in form.changed_data:
            old = Sponsor.objects.get(pk=obj.pk).name
            SponsorAlias.objects.update_or_create(name=old, defaults={"sponsor": obj})
        super().save_model(request, obj, form, change)

    @admin.action(
        description="Merge selected sponsors (into the one with most trials, then oldest)"
    )
    def merge(self, request, queryset):
        # Most trials first; on a tie the longest-standing row, whose spelling came first.
        sponsors = sorted(queryset, key=lambda s: (-s.n_trials, s.pk))
        if len(sponsors) < 2:
            messages.warning(request, "Select at least two sponsors to merge.")
            return
        target, others = sponsors[0], sponsors[1:]
        moved = curation.merge_sponsors(target, others)
        messages.success(
            request,
            f"Merged {len(others)} sponsor(s) into “{target.name}” ({moved} trial links moved); "
            "their names are kept as aliases. Rename the sponsor if another spelling is better.",
        )
