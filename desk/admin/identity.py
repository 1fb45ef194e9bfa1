"""Curators decide whether two registrations are one trial: join a missed pair, split a
wrong merge. The decision is kept by registry id, applied at once, and obeyed by every
later ingest (ingest.grouping)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from catalogue import registries
from catalogue.models import IdentityDecision
from ingest.service import apply_identity_decision


class IdentityDecisionForm(forms.ModelForm):
    class Meta:
        model = IdentityDecision
        fields = ("first", "second", "decision", "note")
        labels = {"first": "Registry id", "second": "Other registry id"}
        help_texts = {
            "first": "Any id of either entry (NCT…, ChiCTR…, IRCT…, a EudraCT number, …).",
            "decision": "One trial: list them as one entry even where their records disagree. "
            "Two trials: keep them apart even where one names the other.",
        }

    def clean(self):
        data = super().clean()
        ids = []
        for name in ("first", "second"):
            value = (data.get(name) or "").strip()
            canonical = registries.canonical(value)
            if not canonical:
                self.add_error(name, f"{value!r} is not an id of a registry the catalogue knows.")
            ids.append(canonical or value)
        if ids[0] == ids[1]:
            raise forms.ValidationError("Two different registry ids, please.")
        data["first"], data["second"] = sorted(ids)  # a pair is stored once, in order
        taken = IdentityDecision.objects.filter(first=data["first"], second=data["second"])
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("There is a decision on these two already: change it.")
        return data


@admin.register(IdentityDecision)
class IdentityDecisionAdmin(admin.ModelAdmin):
    form = IdentityDecisionForm
    list_display = ("first", "second", "decision", "user", "created_at")
    list_filter = ("decision",)
    search_fields = ("first", "second")
    readonly_fields = ("user", "created_at")

    def get_changeform_initial_data(self, request):
        # The trial page's "split or join" link names its id.
        return {"first": request.GET.get("first", "")}

    def save_model(self, request, obj, form, change):
        obj.first, obj.second = form.cleaned_data["first"], form.cleaned_data["second"]
        obj.user = request.user
        super().save_model(request, obj, form, change)
        entries = apply_identity_decision(obj.first, obj.second)
        messages.info(request, "The catalogue now lists: " + ", ".join(entries))
