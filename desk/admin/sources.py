"""Source documents, read-only: the raw text exactly as it arrived, and what the parser made of it."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from catalogue.models import CuratorLock, SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ("filename", "trial", "source_format", "ingested_at")
    list_filter = ("source_format",)
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ("filename", "trial__registry_id", "sha256")
    fields = (
        "trial",
        "path",
        "filename",
        "source_format",
        "sha256",
        "parser_version",
        "ingested_at",
        "warnings",
        "raw",
        "parsed_record",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ("desk/desk.css",)}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="raw text")
    def raw(self, doc):
        return format_html('<pre class="desk-raw-text">{}</pre>', doc.raw_text)

    @admin.display(description="parsed record")
    def parsed_record(self, doc):
        return format_html("<pre>{}</pre>", json.dumps(doc.parsed, indent=2, ensure_ascii=False))


@admin.register(CuratorLock)
class CuratorLockAdmin(admin.ModelAdmin):
    """All curator-owned fields; deleting one releases it (the trial is rebuilt from its sources)."""

    list_display = ("trial", "field", "value", "source_value", "user", "updated_at")
    list_filter = ("field",)
    search_fields = ("trial__registry_id", "field")
    readonly_fields = ("trial", "field", "value", "original_value", "source_value", "user")

    def has_add_permission(self, request):
        return False

    def delete_queryset(self, request, queryset):
        from ingest.service import rebuild_trials

        trials = {lock.trial for lock in queryset.select_related("trial")}
        super().delete_queryset(request, queryset)
        rebuild_trials(trials)

    def delete_model(self, request, obj):
        from ingest.service import rebuild_trials

        trial = obj.trial
        super().delete_model(request, obj)
        rebuild_trials([trial])
