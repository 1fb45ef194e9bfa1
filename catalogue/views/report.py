"""'Report an error': a short form on every trial's page, for readers without an account.

CSRF-protected like every form here; a honeypot field catches form-filling robots (they
get the thank-you page and nothing is stored); each client address may send
ERROR_REPORT_LIMIT reports per ERROR_REPORT_WINDOW seconds. A stored report reaches the
review queue within the request. What a reader types is shown only to curators, escaped.
"""

from __future__ import annotations

import pghistory
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .. import curation
from ..models import Trial
from ..reports import address_hash, client_address, count_attempt, report_fields, throttled

TEXT_LIMIT = 2000


class ErrorReportForm(forms.Form):
    field = forms.ChoiceField(label="Which part of the page is wrong?", choices=report_fields)
    text = forms.CharField(
        label="What is wrong, and what should it say?",
        max_length=TEXT_LIMIT,
        min_length=3,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_LIMIT}),
        help_text="If you can, say where the right value is stated (a registry record, a paper).",
    )
    email = forms.EmailField(
        label="Your e-mail (optional)",
        required=False,
        help_text="Only curators see it, and only to ask you about this report. It is never published.",
    )
    # The honeypot: hidden from people by the stylesheet, filled in by robots.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def _trial(registry_id: str) -> Trial:
    if "\x00" in registry_id:  # Postgres would refuse the lookup; no id holds a NUL
        raise Http404("No trial has that registry id.")
    return get_object_or_404(
        Trial.objects.only("id", "registry_id", "brief_title", "official_title"),
        registry_id=registry_id,
    )


def report_error(request: HttpRequest, registry_id: str) -> HttpResponse:
    trial = _trial(registry_id)
    digest = address_hash(client_address(request))
    context = {"trial": trial, "limit_reached": False}
    if request.method == "POST":
        if throttled(digest):
            context.update(limit_reached=True, form=ErrorReportForm(request.POST))
            return render(request, "catalogue/report_error.html", context, status=429)
        form = ErrorReportForm(request.POST)
        if form.is_valid():
            count_attempt(digest)
            data = form.cleaned_data
            if not data["website"]:
                with pghistory.context(source="error report"):
                    curation.file_report(
                        trial,
                        field=data["field"],
                        text=data["text"],
                        email=data["email"],
                        digest=digest,
                    )
            return redirect("catalogue:report_thanks", registry_id=trial.registry_id)
    else:
        field = request.GET.get("field", "")
        form = ErrorReportForm(initial={"field": field} if field else None)
    context["form"] = form
    return render(request, "catalogue/report_error.html", context)


def report_thanks(request: HttpRequest, registry_id: str) -> HttpResponse:
    return render(request, "catalogue/report_thanks.html", {"trial": _trial(registry_id)})
