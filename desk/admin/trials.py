"""Trial admin: every child row inline; each curator edit is recorded as curator-owned."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogue import curation, search
from catalogue.models import (
    Arm,
    CuratorLock,
    EligibilityCriterion,
    Intervention,
    Location,
    Outcome,
    Reference,
    SourceDocument,
    Trial,
    TrialSponsor,
)
from catalogue.vocabulary import DERIVED
from ingest.service import rebuild_trials

# The field that names a row in the history list, whatever its model.
SUMMARY_KEYS = ("text", "name", "label", "measure", "registry_id", "facility", "citation", "field")

# Source text fields are long but mostly a line or two; full-height boxes bury the form.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})}}


class CuratedInline(admin.TabularInline):
    """Rows the sources give, editable; an edit or an addition makes the row curator-owned."""

    extra = 0
    formfield_overrides = COMPACT_TEXT
    show_change_link = False
    readonly_fields = ("curated",)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("position", "pk")


class ArmInline(CuratedInline):
    model = Arm
    fields = ("position", "label", "arm_type", "description", "interventions", "curated")
    filter_horizontal = ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Only the interventions of this trial can be linked to its arms.
        trial_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "interventions" and trial_id:
            kwargs["queryset"] = Intervention.objects.filter(trial_id=trial_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class InterventionInline(CuratedInline):
    model = Intervention
    fields = ("position", "name", "intervention_type", "description", "curated")


class CriterionInline(CuratedInline):
    model = EligibilityCriterion
    fields = ("position", "kind", "depth", "text", "curated")
    verbose_name_plural = "eligibility criteria"


class OutcomeInline(CuratedInline):
    model = Outcome
    fields = ("position", "kind", "measure", "time_frame", "description", "curated")


class SponsorInline(CuratedInline):
    model = TrialSponsor
    fields = ("position", "sponsor", "role", "curated")
    autocomplete_fields = ("sponsor",)


class LocationInline(CuratedInline):
    model = Location
    fields = ("position", "facility", "city", "state", "country", "status", "curated")


class ReferenceInline(CuratedInline):
    model = Reference
    fields = ("position", "pmid", "citation", "reference_type", "curated")


class LockInline(admin.TabularInline):
    """Curator-owned fields; deleting one releases it and the sources' value comes back."""

    model = CuratorLock
    extra = 0
    fields = ("field", "value", "original_value", "source_value", "user", "updated_at")
    readonly_fields = fields
    verbose_name_plural = "curator-owned fields (tick 'delete' to release)"

    def has_add_permission(self, request, obj=None):
        return False


class SourceInline(admin.TabularInline):
    model = SourceDocument
    extra = 0
    fields = ("link", "source_format", "sha256", "ingested_at", "warnings")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def link(self, doc):
        url = reverse("admin:catalogue_sourcedocument_change", args=[doc.pk])
        return format_html('<a href="{}">{}</a> (raw text)', url, doc.filename)


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = (
        "registry_id",
        "short_title",
        "overall_status",
        "phase_list",
        "cell_source_list",
        "in_scope",
        "needs_review",
        "last_ingested",
    )
    list_filter = (
        "in_scope",
        "needs_review",
        "overall_status",
        "study_type",
        "donor",
        "lead_sponsor_class",
    )
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = (
        "=registry_id",
        "brief_title",
        "official_title",
        "trial_sponsors__sponsor__name",
    )
    ordering = ("registry_id",)
    list_per_page = 50
    formfield_overrides = COMPACT_TEXT
    readonly_fields = (
        "registry_id",
        "needs_review",
        "review_reason_list",
        "evidence",
        "provenance",
        "first_ingested",
        "last_ingested",
        "reviewed_at",
        "reviewed_by",
    )
    fieldsets = (
        (None, {"fields": ("registry_id", "brief_title", "official_title", "acronym")}),
        (
            "Status",
            {
                "fields": (
                    ("overall_status", "study_type"),
                    "phases",
                    ("enrollment", "enrollment_type"),
                    ("start_date", "start_date_precision"),
                    ("primary_completion_date", "primary_completion_date_precision"),
                    ("completion_date", "completion_date_precision"),
                    ("last_update", "last_update_precision"),
                )
            },
        ),
        (
            "Classification (derived; a change here becomes curator-owned)",
            {
                "fields": (
                    ("in_scope", "scope_reason"),
                    *(d.name for d in DERIVED if d.name != "in_scope"),
                    ("dose_per_kg_min", "dose_per_kg_max"),
                    "evidence",
                )
            },
        ),
        (
            "Review",
            {"fields": ("needs_review", "review_reason_list", "reviewed_at", "reviewed_by")},
        ),
        (
            "Description",
            {"fields": ("brief_summary", "detailed_description", "conditions", "keywords")},
        ),
        (
            "Design",
            {"fields": (("allocation", "intervention_model"), ("primary_purpose", "masking"))},
        ),
        (
            "Eligibility",
            {
                "fields": (
                    "sex",
                    ("minimum_age", "minimum_age_years"),
                    ("maximum_age", "maximum_age_years"),
                    "healthy_volunteers",
                    "eligibility_text",
                )
            },
        ),
        (
            "Other",
            {
                "classes": ("collapse",),
                "fields": (
                    "secondary_ids",
                    "countries",
                    "lead_sponsor_class",
                    "responsible_party",
                    "provenance",
                    "first_ingested",
                    "last_ingested",
                ),
            },
        ),
    )
    inlines = (
        LockInline,
        ArmInline,
        InterventionInline,
        CriterionInline,
        OutcomeInline,
        SponsorInline,
        LocationInline,
        ReferenceInline,
        SourceInline,
    )
    actions = ("reingest", "reclassify", "mark_in_scope", "mark_out_of_scope")

    def has_add_permission(self, request):
        return False  # trials come from sources; `manage.py ingest` creates them

    @admin.display(description="title")
    def short_title(self, trial):
        return trial.title[:90]

    @admin.display(description="phases")
    def phase_list(self, trial):
        return ", ".join(trial.phases)

    @admin.display(description="cell sources")
    def cell_source_list(self, trial):
        return ", ".join(trial.cell_sources)

    @admin.display(description="review reasons")
    def review_reason_list(self, trial):
        cleared = set(trial.review_cleared)
        return format_html_join(
            "",
            "<div>{}{}</div>",
            ((r, " (reviewed)" if r in cleared else "") for r in trial.review_reasons),
        )

    @admin.display(description="classification evidence")
    def evidence(self, trial):
        return format_html("<pre>{}</pre>", json.dumps(trial.classification, indent=2)[:20000])

    @admin.display(description="which source gave each field")
    def provenance(self, trial):
        return format_html("<pre>{}</pre>", json.dumps(trial.field_sources, indent=2))

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            stored = Trial.objects.get(pk=obj.pk)
            before = {name: curation.field_value(stored, name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        if change:
            curation.record_field_edits(obj, before, form.changed_data, request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The curator's text is searchable at once, and the list (its index) shows the edit.
        search.refresh(Trial.objects.filter(pk=form.instance.pk))

    def save_formset(self, request, form, formset, change):
        if formset.model is CuratorLock:
            released = [f.instance for f in formset.deleted_forms if f.instance.pk]
            super().save_formset(request, form, formset, change)
            if released:
                self._rebuild_after_release(request, form.instance)
            return
        if formset.model is SourceDocument:
            return super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            row = inline_form.instance
            if inline_form in formset.deleted_forms:
                if row.pk:
                    curation.record_row_deletion(row, request.user)
            elif not row.pk and inline_form.has_changed():
                row.curated = True  # a row the curator added
            elif row.pk and inline_form.has_changed():
                stored = type(row).objects.get(pk=row.pk)
                curation.record_row_edit(row, curation.row_key(stored))
        super().save_formset(request, form, formset, change)

    def _rebuild_after_release(self, request, trial):
        rebuild_trials([trial])
        messages.info(request, "Released fields take the sources' values again.")

    @admin.action(description="Re-ingest selected trials from their stored sources")
    def reingest(self, request, queryset):
        done, errors = rebuild_trials(queryset, reparse=True)
        for error in errors:
            messages.error(request, error)
        messages.success(request, f"Re-ingested {done} trial(s); curator-owned values kept.")

    @admin.action(description="Re-classify selected trials")
    def reclassify(self, request, queryset):
        done, _ = rebuild_trials(queryset)
        messages.success(request, f"Re-classified {done} trial(s); curator-owned values kept.")

    @admin.action(description="Mark in scope (curator-owned)")
    def mark_in_scope(self, request, queryset):
        self._set_scope(request, queryset, True)

    @admin.action(description="Mark out of scope (curator-owned)")
    def mark_out_of_scope(self, request, queryset):
        self._set_scope(request, queryset, False)

    def _set_scope(self, request, queryset, in_scope: bool):
        reason = f"marked {'in' if in_scope else 'out of'} scope by {request.user.get_username()}"
        for trial in queryset:
            before = {n: curation.field_value(trial, n) for n in ("in_scope", "scope_reason")}
            trial.in_scope, trial.scope_reason = in_scope, reason
            trial.save(update_fields=["in_scope", "scope_reason"])
            curation.record_field_edits(trial, before, ["in_scope", "scope_reason"], request.user)
        rebuild_trials(queryset)
        messages.success(request, f"{queryset.count()} trial(s) {reason}.")

    def history_view(self, request, object_id, extra_context=None):
        """Every change to the trial and its rows, by ingest or by a curator (pghistory events)."""
        from pghistory.models import Events

        trial = self.get_object(request, object_id)
        if trial is None or not self.has_view_or_change_permission(request, trial):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        events = list(Events.objects.references(trial).order_by("-pgh_created_at", "-pgh_id")[:500])
        user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
        names = dict(
            get_user_model().objects.filter(pk__in=user_ids - {None}).values_list("pk", "username")
        )
        for event in events:
            context_ = event.pgh_context or {}
            event.who = names.get(context_.get("user")) or context_.get("source", "")
            event.where = context_.get("path") or context_.get("url") or ""
            event.summary = next(
                (str(event.pgh_data[k]) for k in SUMMARY_KEYS if event.pgh_data.get(k)), ""
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {trial.registry_id}",
            "trial": trial,
            "events": events,
            "opts": self.opts,
            "object": trial,
        }
        return TemplateResponse(request, "admin/catalogue/trial/history.html", context)
