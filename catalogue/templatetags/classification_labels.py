"""Labels for any vocabulary by its class name, for the classifier's own slugs on the detail page.

`{{ slug|vocab:"Comparator" }}` -> "Placebo". The four vocabularies the list pages use have
short names in `catalogue.label`; this covers the rest (comparators, co-interventions,
eligibility measures) without a second table of names.
"""

from __future__ import annotations

from django import template
from django.db import models

from catalogue import vocabulary

register = template.Library()


@register.filter
def vocab(value: str, class_name: str) -> str:
    choices = getattr(vocabulary, class_name, None)
    if not value or not (isinstance(choices, type) and issubclass(choices, models.TextChoices)):
        return value or ""
    return vocabulary.label(choices, value)


@register.filter
def vocabs(values, class_name: str) -> str:
    return ", ".join(vocab(v, class_name) for v in values or [])
