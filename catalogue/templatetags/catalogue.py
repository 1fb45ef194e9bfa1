"""Presentation helpers: labels for vocabulary slugs and dates shown as precisely as known."""

from __future__ import annotations

from django import template

from catalogue import vocabulary

register = template.Library()

_VOCABULARIES = {
    "status": vocabulary.Status,
    "phase": vocabulary.Phase,
    "study_type": vocabulary.StudyType,
    "sponsor_class": vocabulary.SponsorClass,
    "cell_source": vocabulary.CellSource,
    "donor": vocabulary.Donor,
    "diabetes_type": vocabulary.DiabetesType,
    "route": vocabulary.Route,
}


@register.filter
def label(value: str, vocabulary_name: str) -> str:
    """{{ trial.overall_status|label:"status" }} -> "Active, not recruiting"."""
    if not value:
        return ""
    return vocabulary.label(_VOCABULARIES[vocabulary_name], value)


@register.filter
def labels(values, vocabulary_name: str) -> str:
    """A list of slugs as a comma-separated list of labels."""
    return ", ".join(label(v, vocabulary_name) for v in values or [])


@register.filter
def enum_text(value: str) -> str:
    """SINGLE_GROUP -> "Single group" for registry enums that have no vocabulary here."""
    return value.replace("_", " ").capitalize() if value else ""


@register.simple_tag
def partial_date(value, precision: str) -> str:
    """A stored date shown only as precisely as the source gave it: "March 2012", not "1 March 2012"."""
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"
