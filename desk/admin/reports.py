"""Readers' error reports: read them (escaped, as typed), open the trial, mark them handled."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from catalogue import curation
from catalogue.models import ErrorReport
from catalogue.reports import field_label


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ("number", "open_trial", "about", "excerpt", "status", "created_at", "replied")
    list_filter = ("status", "field")
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("=trial__registry_id", "text")
    list_select_related = ("trial",)
    ordering = ("status", "-created_at")
    actions = ("mark_handled",)
    fields = (
        "trial_link",
        "about",
        "report_text",
        "email",
        "created_at",
        "sender",
        "status",
        "handled_by",
        "handled_at",
    )
    readonly_fields = (
        "trial_link",
        "about",
        "report_text",
        "email",
        "created_at",
        "sender",
        "handled_by",
        "handled_at",
    )

    def has_add_permission(self, request):
        return False  # reports come from readers, through the form on each trial's page

    @admin.display(description="report", ordering="pk")
    def number(self, report):
        return f"#{report.pk}"

    @admin.display(description="trial", ordering="trial__registry_id")
    def open_trial(self, report):
        url = reverse("admin:catalogue_trial_change", args=[report.trial_id])
        return format_html('<a href="{}">{}</a>', url, report.trial.registry_id)

    @admin.display(description="trial")
    def trial_link(self, report):
        url = reverse("admin:catalogue_trial_change", args=[report.trial_id])
        public = reverse("catalogue:trial_detail", args=[report.trial.registry_id])
        return format_html(
            '<a href="{}">{}</a> ({}) · <a href="{}">public page</a>',
            url,
            report.trial.registry_id,
            report.trial.title[:100],
            public,
        )

    @admin.display(description="about", ordering="field")
    def about(self, report):
        return field_label(report.field)

    @admin.display(description="what is wrong")
    def excerpt(self, report):
        return report.text if len(report.text) <= 140 else report.text[:139] + "…"

    @admin.display(description="what the reader wrote")
    def report_text(self, report):
        return format_html('<blockquote class="report-text">{}</blockquote>', report.text)

    @admin.display(description="e-mail given", boolean=True)
    def replied(self, report):
        return bool(report.email)

    @admin.display(description="sent from")
    def sender(self, report):
        """How many reports came from the same (hashed) address: a flood shows here."""
        same = ErrorReport.objects.filter(address_hash=report.address_hash).count()
        return f"address {report.address_hash[:10]}…, {same} report(s) from it"

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            handled = obj.status == ErrorReport.Status.HANDLED
            obj.handled_by = request.user if handled else None
            obj.handled_at = timezone.now() if handled else None
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            curation.refresh_queue(obj.trial)

    @admin.action(description="Mark selected reports handled", permissions=["change"])
    def mark_handled(self, request, queryset):
        count = curation.handle_reports(queryset, request.user)
        messages.success(request, f"{count} report(s) marked handled.")

    class Media:
        css = {"all": ("desk/desk.css",)}
