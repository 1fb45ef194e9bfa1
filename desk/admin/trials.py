"""Trial admin: every child row inline; each curator edit is recorded as curator-owned.

Classified fields are edited with their vocabularies (labelled checkboxes, selects) and
shown beside the evidence they were read from; sources that disagree are compared on their
own page (`compare`); a field can be set on many trials at once (`bulk`).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from catalogue import curation, provenance, search
from catalogue.children import row_key
from catalogue.models import (
    Arm,
    CuratorLock,
    EligibilityCriterion,
    Intervention,
    Location,
    Outcome,
    Reference,
    ReviewNote,
    SourceDocument,
    Trial,
    TrialSponsor,
)
from catalogue.reports import field_label
from catalogue.vocabulary import DERIVED, label
from ingest.service import rebuild_trials

from ..forms import (
    DOSE_FIELDS,
    VocabularyField,
    as_source_text,
    format_dose,
    trial_formfield,
    vocabulary_choices,
)
from . import bulk, compare

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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A browser's CRLF is not an edit (SourceTextField). Sources leave text out (an arm
        # without a label): such a row must not stop the curator from saving the trial, and
        # the model does not check a field the form leaves optional.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return as_source_text(db_field, field, required=False)


class ArmInline(CuratedInline):
    model = Arm
    fields = ("position", "label", "arm_type", "description", "interventions", "curated")
    filter_horizontal = ()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("interventions")
        if field is not None:
            field.choices = list(iter(field.choices))  # read once for every arm, not per arm
        return formset

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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sponsor")


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
    fields = ("field", "curator_value", "was", "sources_say", "user", "updated_at")
    readonly_fields = fields
    verbose_name_plural = "curator-owned fields (tick 'delete' to release)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trial", "user")

    @admin.display(description="curator's value")
    def curator_value(self, lock):
        return lock_value(lock.field, lock.value)

    @admin.display(description="before the curator")
    def was(self, lock):
        return lock_value(lock.field, lock.original_value)

    @admin.display(description="the sources say now")
    def sources_say(self, lock):
        return lock_value(lock.field, lock.source_value)


def lock_value(field: str, value) -> str:
    """A stored value as people read it: labels for slugs, long text cut short."""
    if value is None or value == "" or value == []:
        return "—"
    if field in DOSE_FIELDS:
        return f"{format_dose(value)} cells/kg"
    names = dict(vocabulary_choices(Trial._meta.get_field(field)))
    if isinstance(value, list):
        text = ", ".join(names.get(v, str(v)) for v in value)
    elif isinstance(value, bool):
        text = "Yes" if value else "No"
    else:
        text = names.get(value, str(value))
    return text if len(text) <= 160 else text[:159] + "…"


class NoteInline(admin.TabularInline):
    """Notes curators leave each other on a trial; never published."""

    model = ReviewNote
    extra = 0
    fields = ("text", "user", "created_at")
    readonly_fields = ("user", "created_at")
    formfield_overrides = COMPACT_TEXT
    verbose_name = "note"
    verbose_name_plural = "notes for curators (never published)"


class SourceInline(admin.TabularInline):
    model = SourceDocument
    extra = 0
    fields = ("link", "source_format", "digest", "ingested_at", "warnings")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="SHA-256")
    def digest(self, doc):
        return format_html('<code title="{}">{}…</code>', doc.sha256, doc.sha256[:12])

    @admin.display(description="file")
    def link(self, doc):
        url = reverse("admin:catalogue_sourcedocument_change", args=[doc.pk])
        return format_html('<a href="{}">{}</a> (raw text)', url, doc.filename)


class TrialForm(forms.ModelForm):
    """The trial change form: a curator-owned field says so beside its widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, VocabularyField):
                field.show_stored(self.initial.get(name))
        if self.instance.pk:
            for lock in self.instance.locks.all():
                if lock.field in self.fields:
                    who = lock.user.get_username() if lock.user else "a curator"
                    self.fields[lock.field].help_text = format_html(
                        '<span class="curator-owned">Curator-owned</span> since {} by {}; '
                        "release it under “curator-owned fields” below.",
                        lock.created_at.date(),
                        who,
                    )

    def clean(self):
        data = super().clean()
        low, high = data.get("dose_per_kg_min"), data.get("dose_per_kg_max")
        if low is not None and high is not None and low > high:
            self.add_error("dose_per_kg_max", "The highest dose is lower than the lowest.")
        return data


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
    form = TrialForm
    formfield_overrides = COMPACT_TEXT
    change_form_template = "admin/catalogue/trial/change_form.html"
    readonly_fields = (
        "registry_id",
        "registrations_panel",
        "needs_review",
        "review_reason_list",
        "reader_reports",
        "evidence",
        "provenance",
        "first_ingested",
        "last_ingested",
        "reviewed_at",
        "reviewed_by",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "registry_id",
                    "registrations_panel",
                    "brief_title",
                    "official_title",
                    "acronym",
                )
            },
        ),
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
            {
                "fields": (
                    "needs_review",
                    "review_reason_list",
                    "reader_reports",
                    "reviewed_at",
                    "reviewed_by",
                )
            },
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
        NoteInline,
        ArmInline,
        InterventionInline,
        CriterionInline,
        OutcomeInline,
        SponsorInline,
        LocationInline,
        ReferenceInline,
        SourceInline,
    )
    actions = (
        "set_field",
        "reingest",
        "reclassify",
        "mark_in_scope",
        "mark_out_of_scope",
    )

    class Media:
        css = {"all": ("desk/desk.css",)}

    def has_add_permission(self, request):
        return False  # trials come from sources; `manage.py ingest` creates them

    def get_urls(self):
        compare_view = self.admin_site.admin_view(self.compare_view)
        return [
            path("<path:object_id>/sources/", compare_view, name="catalogue_trial_compare"),
            *super().get_urls(),
        ]

    def get_object(self, request, object_id, from_field=None):
        trial = super().get_object(request, object_id, from_field)
        if trial is not None:
            # Read by the form's field notes, the evidence panel and the review section.
            prefetch_related_objects([trial], "locks__user", "error_reports", "conflict_decisions")
        return trial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return trial_formfield(db_field) or as_source_text(
            db_field, super().formfield_for_dbfield(db_field, request, **kwargs)
        )

    @admin.display(description="title")
    def short_title(self, trial):
        return trial.title[:90]

    @admin.display(description="phases")
    def phase_list(self, trial):
        return labels_of("phases", trial.phases)

    @admin.display(description="cell sources")
    def cell_source_list(self, trial):
        return labels_of("cell_sources", trial.cell_sources)

    @admin.display(description="review reasons")
    def review_reason_list(self, trial):
        cleared = set(trial.review_cleared)
        settled = curation.settled_reasons(trial)
        notes = []
        for reason in trial.review_reasons:
            if reason in settled:
                notes.append((reason, " (settled by a curator)"))
            elif reason in cleared:
                notes.append((reason, " (reviewed)"))
            else:
                notes.append((reason, ""))
        html = format_html_join("", "<div>{}{}</div>", notes)
        if curation.conflicts(trial):
            url = reverse("admin:catalogue_trial_compare", args=[trial.pk])
            html += format_html('<p><a class="button" href="{}">Compare the sources</a></p>', url)
        return html

    @admin.display(description="registrations")
    def registrations_panel(self, trial):
        """Its other registrations, and where a curator splits a wrong merge or joins a missed one."""
        others = format_html_join(
            ", ",
            "{}{}",
            (
                (other["id"], "" if other["recorded"] else " (named by its records only)")
                for other in trial.also_registered
            ),
        )
        url = reverse("admin:catalogue_identitydecision_add")
        url += "?" + urlencode({"first": trial.registry_id})
        return format_html(
            '{} <a href="{}">Split or join registrations…</a>', others or "No other", url
        )

    @admin.display(description="reports from readers")
    def reader_reports(self, trial):
        reports = sorted(trial.error_reports.all(), key=lambda r: r.created_at, reverse=True)
        for report in reports:
            report.about = field_label(report.field)
        return render_to_string("admin/catalogue/trial/_reports.html", {"reports": reports})

    @admin.display(description="evidence")
    def evidence(self, trial):
        return render_to_string(
            "admin/catalogue/trial/_evidence.html",
            {
                "rows": evidence_rows(trial),
                "raw": json.dumps(trial.classification, indent=2, ensure_ascii=False)[:50000],
            },
        )

    @admin.display(description="which source gave each field")
    def provenance(self, trial):
        rows = sorted(trial.field_sources.items())
        if not rows:
            return "—"
        return format_html(
            '<table class="desk-provenance"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

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
        if formset.model is ReviewNote:
            for note in formset.save(commit=False):
                if not note.pk:
                    note.user = request.user
                note.save()
            for note in formset.deleted_objects:
                note.delete()
            return
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
                curation.record_row_edit(row, row_key(stored))
        super().save_formset(request, form, formset, change)

    def _rebuild_after_release(self, request, trial):
        # A fresh copy: the form's trial holds its locks as they were before the release.
        rebuild_trials([Trial.objects.get(pk=trial.pk)])
        messages.info(request, "Released fields take the sources' values again.")

    def compare_view(self, request, object_id):
        return compare.compare_sources(self, request, object_id)

    @admin.action(description="Set a field on the selected trials…", permissions=["change"])
    def set_field(self, request, queryset):
        return bulk.set_field(self, request, queryset)

    @admin.action(
        description="Re-ingest selected trials from their stored sources", permissions=["change"]
    )
    def reingest(self, request, queryset):
        done, errors = rebuild_trials(queryset, reparse=True)
        for error in errors:
            messages.error(request, error)
        messages.success(request, f"Re-ingested {done} trial(s); curator-owned values kept.")

    @admin.action(description="Re-classify selected trials", permissions=["change"])
    def reclassify(self, request, queryset):
        done, _ = rebuild_trials(queryset)
        messages.success(request, f"Re-classified {done} trial(s); curator-owned values kept.")

    @admin.action(description="Mark in scope (curator-owned)", permissions=["change"])
    def mark_in_scope(self, request, queryset):
        self._set_scope(request, queryset, True)

    @admin.action(description="Mark out of scope (curator-owned)", permissions=["change"])
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


def labels_of(name: str, values) -> str:
    """A Trial column's slugs as the labels of its vocabulary."""
    names = dict(vocabulary_choices(Trial._meta.get_field(name)))
    return ", ".join(names.get(v, v) for v in values)


def shown(derived, value) -> str:
    """A derived value as the detail page says it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if derived.vocabulary:
        values = value if isinstance(value, list) else [value] if value else []
        return ", ".join(label(derived.vocabulary, v) for v in values) or derived.empty
    return str(value) if value not in (None, "", []) else derived.empty


def evidence_rows(trial: Trial) -> list[dict]:
    """Each derived field with its value, whether a curator owns it, what the classifier
    read, and the passages it read it from (the detail page's content, for the admin)."""
    detail = trial.classification or {}
    derived_values = detail.get("derived") or {}
    evidence = detail.get("evidence") or {}
    locks = {lock.field: lock for lock in trial.locks.all()}

    def items(name, derived=None):
        out = []
        for e in evidence.get(name, []):
            value = e.get("value", "")
            if derived and derived.vocabulary:
                value = label(derived.vocabulary, value)
            else:
                value = e.get("note") or value
            out.append(
                {
                    **e,
                    "shown": value,
                    "source": provenance.evidence_source(trial, e.get("section", "")),
                }
            )
        return out

    rows = []
    for derived in DERIVED:
        value = getattr(trial, derived.name)
        read = derived_values.get(derived.name, value)
        rows.append(
            {
                "name": derived.name,
                "label": derived.label,
                "value": shown(derived, value),
                "reason": trial.scope_reason if derived.name == "in_scope" else "",
                "lock": locks.get(derived.name),
                "read": shown(derived, read) if read != value else None,
                "evidence": items(derived.name, derived),
            }
        )
    dose = detail.get("dose") or {}
    rows.append(
        {
            "name": "dose",
            "label": "Dose",
            "value": dose.get("summary") or "Not stated",
            "reason": "",
            "lock": locks.get("dose_per_kg_min") or locks.get("dose_per_kg_max"),
            "read": None,
            "evidence": items("dose"),
        }
    )
    return rows
