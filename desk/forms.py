"""Form fields of the curators' desk: vocabularies as labelled checkboxes, cell doses as people write them.

Which field gets which vocabulary is read from the declarations, never listed here: a
derived field's from `catalogue.vocabulary.DERIVED`, a registry field's from its model
field's `choices` (for a list, the choices of its items).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

from catalogue.vocabulary import DERIVED_BY_NAME
from classification.result import cell_count


def vocabulary_choices(field: models.Field) -> list[tuple[str, str]]:
    """The (slug, label) pairs a Trial field's values must come from; [] when it is free."""
    derived = DERIVED_BY_NAME.get(field.name)
    if derived and derived.vocabulary:
        return list(derived.vocabulary.choices)
    if isinstance(field, ArrayField):
        return list(field.base_field.choices or [])
    return list(field.choices or [])


class VocabularyWidget(forms.CheckboxSelectMultiple):
    """Checkboxes in a wrapping row, one per label."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "vocabulary", **(attrs or {})}, choices)


class VocabularyField(forms.MultipleChoiceField):
    """A list of slugs from one vocabulary, shown as the labels readers see on the site.

    The cleaned list is in the vocabulary's order (the classifier's order), so a curator's
    value compares equal to the classifier's when they name the same slugs. A stored value
    outside the vocabulary is shown, ticked and marked, and must be unticked to save.
    """

    widget = VocabularyWidget

    def __init__(self, *, choices, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=choices, **kwargs)
        self.vocabulary = {slug: label for slug, label in choices}

    def show_stored(self, values) -> None:
        """Add stored values the vocabulary lacks as choices, so the form shows them."""
        strays = [v for v in values or [] if v not in self.vocabulary]
        if strays:
            self.choices = list(self.choices) + [
                (v, f"{v} (not in the vocabulary: untick it)") for v in strays
            ]

    def validate(self, value):
        strays = [v for v in value or [] if v not in self.vocabulary]
        if not strays:
            return super().validate(value)
        raise ValidationError(
            "%(values)s is not in the vocabulary (%(known)s).",
            code="invalid_choice",
            params={
                "values": ", ".join(f"“{v}”" for v in strays),
                "known": ", ".join(self.vocabulary.values()),
            },
        )

    def clean(self, value):
        chosen = set(super().clean(value))
        known = [slug for slug in self.vocabulary if slug in chosen]
        return known + sorted(chosen - set(known))


class DoseWidget(forms.TextInput):
    """A text box followed by its unit."""

    template_name = "desk/widgets/dose.html"

    def __init__(self, unit: str = "cells/kg", attrs=None):
        super().__init__({"size": 18, "placeholder": "e.g. 2.5 × 10^6", **(attrs or {})})
        self.unit = unit

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["unit"] = self.unit
        return context


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_DOSE_INPUT = re.compile(
    rf"(?P<number>{_NUMBER})\s*"
    r"(?:(?:[x×*·]\s*10\s*(?:\^|\*\*)?\s*\(?(?P<power>-?\d{1,2})\)?)"
    r"|(?:e\+?(?P<e>-?\d{1,2}))"
    r"|(?P<word>million|millions|mio|billion|billions))?",
    re.IGNORECASE,
)
_WORDS = {"million": 10**6, "millions": 10**6, "mio": 10**6, "billion": 10**9, "billions": 10**9}
_UNIT = re.compile(
    r"\s*(?:(?:mscs?|cells?)\s*)?(?:/|per)\s*(?:kg|kilogram)s?(?:\s*(?:body\s*weight|bw))?\s*$",
    re.IGNORECASE,
)
# Fewer cells per kg than this is not a cell dose (the classifier ignores such numbers too):
# "2.5" was almost certainly meant as 2.5 × 10^6.
SMALLEST_DOSE = 1e4


def parse_dose(text: str) -> float | None:
    """'2.5 × 10^6 cells/kg', '2.5x10⁶', '2.5e6', '2,500,000', '2.5 million' -> 2500000.0."""
    text = " ".join(text.translate(_SUPERSCRIPTS).split())
    if not text:
        return None
    text = _UNIT.sub("", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # thousands separators
    match = _DOSE_INPUT.fullmatch(text.strip())
    if not match:
        raise ValueError(text)
    # Decimal, so "1.1 × 10^6" is 1100000.0 and not 1100000.0000000002.
    value = Decimal(match["number"])
    if match["power"] is not None:
        value = value.scaleb(int(match["power"]))
    elif match["e"] is not None:
        value = value.scaleb(int(match["e"]))
    elif match["word"]:
        value *= Decimal(_WORDS[match["word"].lower()])
    return float(value)


def format_dose(value: float | None) -> str:
    """2500000.0 -> '2.5 × 10^6'; every significant digit kept, so nothing changes unseen."""
    if value is None:
        return ""
    if value <= 0:
        return f"{value:g}"
    text = cell_count(value)
    return text if parse_dose(text) == value else f"{value:.15g}"


class CellDoseField(forms.Field):
    """Cells per kg body weight, typed as people write them; stored as a plain number."""

    default_error_messages = {
        "invalid": "Write a cell dose like “2.5 × 10^6”, “2.5e6” or “2500000” (cells per kg).",
        "small": "%(value)s cells/kg is too small to be a dose: did you mean %(value)s × 10^6?",
    }

    def __init__(self, *, unit: str = "cells/kg", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", DoseWidget(unit))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_dose(value) if isinstance(value, int | float) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int | float):
            return float(value)
        try:
            number = parse_dose(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number is not None and number < SMALLEST_DOSE:
            raise ValidationError(
                self.error_messages["small"], code="small", params={"value": f"{number:g}"}
            )
        return number

    def has_changed(self, initial, data):
        try:
            return self.to_python(self.prepare_value(initial)) != self.to_python(data)
        except ValidationError:
            return True


def _newlines(value):
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class SourceTextField(forms.CharField):
    """Text as the sources gave it. A browser sends a text box's lines back with CRLF, and
    Django trims the ends of what it gets: neither is an edit, so neither may make the
    field curator-owned (nor rewrite the stored text)."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        return _newlines(super().to_python(value))

    def has_changed(self, initial, data):
        return _newlines(initial or "") != _newlines(data or "")


class LinesField(SimpleArrayField):
    """A list of free text, one item per line: conditions and keywords hold commas
    ("Diabetes Mellitus, Type 1"), so the comma-separated default would split them."""

    def __init__(self, base_field: forms.Field, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "cols": 80}))
        kwargs.setdefault("help_text", "One per line.")
        kwargs.setdefault("required", False)
        super().__init__(base_field, delimiter="\n", **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
        return super().to_python(value)


# Cells per kg: the classifier's lowest and highest dose, typed as people write doses.
DOSE_FIELDS = {"dose_per_kg_min": "Lowest dose", "dose_per_kg_max": "Highest dose"}


def trial_formfield(db_field: models.Field) -> forms.Field | None:
    """The desk's form field for a Trial column, when it differs from Django's default:
    vocabularies from their declarations, doses as people write them, text lists by line."""
    derived = DERIVED_BY_NAME.get(db_field.name)
    title = derived.label if derived else capfirst(db_field.verbose_name)
    choices = vocabulary_choices(db_field)
    if isinstance(db_field, ArrayField) and choices:
        return VocabularyField(choices=choices, label=title)
    if isinstance(db_field, ArrayField):
        return LinesField(db_field.base_field.formfield(), label=title)
    if db_field.name in DOSE_FIELDS:
        return CellDoseField(label=DOSE_FIELDS[db_field.name])
    if derived and choices:
        return forms.TypedChoiceField(choices=choices, label=title, required=not db_field.blank)
    return None


def as_source_text(db_field: models.Field, field: forms.Field | None, **kwargs):
    """`field` (the admin's form field for a text column) as a SourceTextField with the same
    widget, label and limits; any other field as it is."""
    if field is None or vocabulary_choices(db_field):
        return field
    if not isinstance(db_field, models.CharField | models.TextField):
        return field
    kwargs = {"required": field.required, **kwargs}
    return db_field.formfield(
        form_class=SourceTextField,
        widget=field.widget,
        label=field.label,
        help_text=field.help_text,
        **kwargs,
    )
