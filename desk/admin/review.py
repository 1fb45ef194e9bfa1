"""The review queue: trials a curator should look at, and a way to mark them reviewed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogue import curation
from catalogue.models import ReviewItem


@admin.register(ReviewItem)
class ReviewQueueAdmin(admin.ModelAdmin):
    list_display = ("registry_id", "open_trial", "reasons", "in_scope", "last_ingested")
    list_filter = ("in_scope", "overall_status")
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("=registry_id", "brief_title")
    ordering = ("-last_ingested", "registry_id")
    actions = ("mark_reviewed",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(needs_review=True)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # trials are edited on the trial page; the queue only lists and clears

    @admin.display(description="trial")
    def open_trial(self, item):
        url = reverse("admin:catalogue_trial_change", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, item.title[:80])

    @admin.display(description="why")
    def reasons(self, item):
        cleared = set(item.review_cleared)
        return format_html_join(
            "", "<div>{}</div>", ((r,) for r in item.review_reasons if r not in cleared)
        )

    @admin.action(description="Mark selected as reviewed", permissions=["view"])
    def mark_reviewed(self, request, queryset):
        count = curation.mark_reviewed(queryset, request.user)
        messages.success(request, f"{count} trial(s) marked reviewed.")
