"""The review queue: trials a curator should look at, and a way to mark them reviewed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogue import curation
from catalogue.models import ErrorReport, ReviewItem
from catalogue.reports import field_label


@admin.register(ReviewItem)
class ReviewQueueAdmin(admin.ModelAdmin):
    list_display = ("registry_id", "open_trial", "reasons", "in_scope", "last_ingested")
    list_filter = ("in_scope", "overall_status")
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("=registry_id", "brief_title")
    ordering = ("-last_ingested", "registry_id")
    actions = ("mark_reviewed",)

    def get_queryset(self, request):
        # Error reports and conflict decisions say which reasons are open (curation.desk_reasons).
        return (
            super()
            .get_queryset(request)
            .filter(needs_review=True)
            .defer("search_vector", "search_text")
            .prefetch_related("error_reports", "conflict_decisions")
        )

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
        _, settled = curation.desk_reasons(item)
        closed = set(item.review_cleared) | settled
        html = format_html_join(
            "", "<div>{}</div>", ((r,) for r in item.review_reasons if r not in closed)
        )
        reports = [r for r in item.error_reports.all() if r.status == ErrorReport.Status.OPEN]
        if reports:
            html += format_html_join(
                "",
                '<blockquote class="report-text" data-report="{}"><strong>#{} ({}):</strong> {}</blockquote>',
                (
                    (r.pk, r.pk, field_label(r.field), r.text[:500])
                    for r in sorted(reports, key=lambda r: r.pk)
                ),
            )
        if any(curation.conflict_reason(key) not in settled for key in curation.conflicts(item)):
            url = reverse("admin:catalogue_trial_compare", args=[item.pk])
            html += format_html('<div><a href="{}">Compare the sources</a></div>', url)
        return html

    @admin.action(description="Mark selected as reviewed", permissions=["view"])
    def mark_reviewed(self, request, queryset):
        trials = list(queryset)
        count = curation.mark_reviewed(trials, request.user)
        # Reviewing a trial answers its readers' reports too.
        handled = curation.handle_reports(
            ErrorReport.objects.filter(trial__in=trials), request.user
        )
        extra = f" and {handled} reader report(s) marked handled" if handled else ""
        messages.success(request, f"{count} trial(s) marked reviewed{extra}.")

    class Media:
        css = {"all": ("desk/desk.css",)}
