"""Set one field on many trials: the intermediate pages of the trial list's "Set a field" action.

Three steps, each a POST back to the trial list carrying the selected trials: choose the
field, give the value (lists: replace, add or remove), then confirm the preview of every
change. Each trial whose value changes gets the curator's value as a curator-owned field
(recorded in the history with who and when) and is rebuilt, so its review reasons follow.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.fields import ArrayField
from django.db import transaction
from django.template.response import TemplateResponse

from catalogue import curation
from catalogue.models import Trial
from catalogue.vocabulary import DERIVED, DERIVED_BY_NAME
from ingest.service import rebuild_trials

from ..forms import trial_formfield, vocabulary_choices

REPLACE, ADD, REMOVE = "replace", "add", "remove"


def settable() -> list[tuple[str, str]]:
    """(field, label): every derived field, then the registry fields that have a vocabulary."""
    fields = [(d.name, d.label) for d in DERIVED]
    for name in curation.LOCKABLE:
        db_field = Trial._meta.get_field(name)
        if name in DERIVED_BY_NAME or name.endswith("_precision"):
            continue
        if vocabulary_choices(db_field):
            fields.append((name, str(db_field.verbose_name).capitalize()))
    return fields


class FieldChoice(forms.Form):
    field = forms.ChoiceField(label="Field to set", choices=settable)


def value_form(name: str) -> type[forms.Form]:
    """The form for the new value of `name`, with the same widget as the trial's page."""
    db_field = Trial._meta.get_field(name)
    label = dict(settable())[name]
    if db_field.get_internal_type() == "BooleanField":
        value = forms.TypedChoiceField(
            label=label,
            choices=[("True", "Yes"), ("False", "No")],
            coerce=lambda v: v == "True",
            widget=forms.RadioSelect,
        )
    else:
        value = trial_formfield(db_field) or db_field.formfield()
        value.label = label
    attrs = {"value": value}
    if isinstance(db_field, ArrayField):
        value.required = False
        attrs["mode"] = forms.ChoiceField(
            label="How",
            choices=[
                (REPLACE, "Replace the whole list with these"),
                (ADD, "Add these to each trial's list"),
                (REMOVE, "Remove these from each trial's list"),
            ],
            initial=REPLACE,
            widget=forms.RadioSelect,
        )
    if name == "in_scope":
        attrs["reason"] = forms.CharField(
            label="Scope reason",
            required=False,
            max_length=500,
            help_text="Shown on the trial's page; by default “marked … by <you>”.",
        )
    return type("BulkValueForm", (forms.Form,), attrs)


def new_value(name: str, old, data: dict):
    value = data["value"]
    mode = data.get("mode", REPLACE)
    if mode == REPLACE:
        return value
    order = [slug for slug, _ in vocabulary_choices(Trial._meta.get_field(name))]
    if mode == ADD:
        chosen = set(old) | set(value)
    else:
        chosen = set(old) - set(value)
    return [slug for slug in order if slug in chosen] + sorted(chosen - set(order))


def changes(name: str, trials: list[Trial], data: dict, user) -> list[dict]:
    """What would change, trial by trial: {"trial", "names", "before", "after"} (unchanged
    trials are left out)."""
    out = []
    for trial in trials:
        values = {name: new_value(name, getattr(trial, name), data)}
        if name == "in_scope":
            verb = "in" if values[name] else "out of"
            values["scope_reason"] = data.get("reason") or (
                f"marked {verb} scope by {user.get_username()}"
            )
        before = {n: curation.field_value(trial, n) for n in values}
        after = {n: curation.to_json(v) for n, v in values.items()}
        if before[name] != after[name] or (
            name == "in_scope" and before["scope_reason"] != after["scope_reason"]
        ):
            out.append({"trial": trial, "before": before, "after": after})
    return out


def shown(name: str, value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    labels = dict(vocabulary_choices(Trial._meta.get_field(name)))
    if isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value) or "—"
    return labels.get(value, value) if value not in (None, "") else "—"


def set_field(model_admin, request, queryset):
    trials = list(queryset.order_by("registry_id"))
    step = request.POST.get("step", "")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Set a field on {len(trials)} trial{'s' if len(trials) != 1 else ''}",
        "opts": model_admin.opts,
        "trials": trials,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
    }
    choice = FieldChoice(request.POST if step else None)
    if not step or not choice.is_valid():
        context.update(step="field", choice=choice)
        return TemplateResponse(request, "admin/catalogue/trial/bulk_set.html", context)
    name = choice.cleaned_data["field"]
    form_class = value_form(name)
    context.update(choice=choice, name=name, field_label=dict(settable())[name])
    for trial in trials:
        trial.current = shown(name, getattr(trial, name))
    if step == "field":
        context.update(step="value", form=form_class())
        return TemplateResponse(request, "admin/catalogue/trial/bulk_set.html", context)
    form = form_class(request.POST)
    if not form.is_valid():
        context.update(step="value", form=form)
        return TemplateResponse(request, "admin/catalogue/trial/bulk_set.html", context)
    planned = changes(name, trials, form.cleaned_data, request.user)
    for change in planned:
        change["old"] = shown(name, change["before"][name])
        change["new"] = shown(name, change["after"][name])
    if step == "value":
        context.update(
            step="confirm", form=form, planned=planned, unchanged=len(trials) - len(planned)
        )
        return TemplateResponse(request, "admin/catalogue/trial/bulk_set.html", context)
    # step == "apply"
    with transaction.atomic():
        for change in planned:
            trial = change["trial"]
            names = list(change["after"])
            for n in names:
                curation.set_field_value(trial, n, change["after"][n])
            trial.save(update_fields=names)
            curation.record_field_edits(trial, change["before"], names, request.user)
        rebuild_trials([change["trial"] for change in planned])
    left = len(trials) - len(planned)
    messages.success(
        request,
        f"{context['field_label']}: changed on {len(planned)} trial(s), now curator-owned"
        + (f"; {left} already had that value and were left as they were." if left else "."),
    )
    return None
