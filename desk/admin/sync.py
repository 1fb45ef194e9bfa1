"""Registry syncs (`manage.py sync`): each run, how far it got and what it changed. Read only."""

from __future__ import annotations

from django.contrib import admin

from catalogue.models import SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "status",
        "since",
        "pages",
        "studies",
        "created",
        "updated",
        "unchanged",
        "failed",
        "resumes",
        "finished_at",
        "short_error",
    )
    list_filter = ("status",)
    search_fields = ("query", "error")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request):
        return False  # runs are made by `manage.py sync`

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="error")
    def short_error(self, run: SyncRun) -> str:
        return run.error[:120]
