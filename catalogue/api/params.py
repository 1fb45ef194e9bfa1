"""The API's query parameters: the list page's filters, read from its FilterSet, plus cursor paging.

Nothing here names a filter. A filter declared on `TrialFilter` (or an option on its form)
is a parameter of /api/v1/trials and /api/v1/facets, in the schema too, with no change here.
"""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter

from ..filters import BrowseForm, TrialFilter, echo
from .errors import BadParameters

# The HTML list's numbered pages; the API pages with a cursor instead.
HTML_ONLY = ("per_page", "page")
CURSOR = "cursor"
PAGE_SIZE = "page_size"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def filter_fields() -> dict[str, forms.Field]:
    """The form field of every filter and list option the API takes, in the page's order."""
    fields = {name: f.field for name, f in TrialFilter.base_filters.items()}
    fields |= {name: f for name, f in BrowseForm.base_fields.items() if name not in HTML_ONLY}
    return fields


def filters_only(data: QueryDict) -> QueryDict:
    """`data` without the paging parameters: what a cursor is bound to."""
    names = filter_fields()
    kept = QueryDict(mutable=True)
    for name, values in data.lists():
        if name in names:
            kept.setlist(name, values)
    return kept


def unknown(data: QueryDict, *, paged: bool) -> list[str]:
    """A parameter the endpoint does not take is an error, not silently ignored."""
    known = set(filter_fields()) | ({CURSOR, PAGE_SIZE} if paged else set())
    return [
        f"Unknown parameter “{echo(name)}”: see /api/v1/schema."
        for name in data
        if name not in known
    ]


def check(data: QueryDict, filterset: TrialFilter, *, paged: bool) -> None:
    """Raise one 400 that names every bad parameter: unknown names, and the values the HTML
    list would ignore (the filterset's own `problems`)."""
    messages = unknown(data, paged=paged) + filterset.problems
    if messages:
        raise BadParameters(messages)


def page_size(data: QueryDict) -> int:
    asked = data.get(PAGE_SIZE)
    if asked is None:
        return DEFAULT_PAGE_SIZE
    if not asked.isascii() or not asked.isdigit() or not 1 <= int(asked) <= MAX_PAGE_SIZE:
        raise BadParameters(
            [f"Page size: “{echo(asked)}” is not a whole number from 1 to {MAX_PAGE_SIZE}."]
        )
    return int(asked)


def openapi_filters() -> list[OpenApiParameter]:
    return [_parameter(name, field) for name, field in filter_fields().items()]


def openapi_paging() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            CURSOR,
            str,
            description="Where a page starts: copy it from the `next` link of the previous page "
            "(opaque; bound to the query and the catalogue version).",
        ),
        OpenApiParameter(
            PAGE_SIZE,
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            description=f"Trials per page (default {DEFAULT_PAGE_SIZE}).",
        ),
    ]


def _parameter(name: str, field: forms.Field) -> OpenApiParameter:
    schema = _schema(field)
    many = schema["type"] == "array"
    description = f"{field.label or name}."
    if many:
        description += " Repeat for several; a trial matches any."
    return OpenApiParameter(name, schema, description=description, explode=True if many else None)


def _schema(field: forms.Field) -> dict:
    """The JSON schema of the values a form field accepts."""
    if isinstance(field, forms.MultipleChoiceField):
        values = [str(v) for v, _ in field.choices]
        # Values from the data (countries): any text without NUL, which Postgres cannot hold.
        item = {"type": "string", "enum": values} if values else {**_free_text(100), "minLength": 1}
        return {"type": "array", "items": item}
    if isinstance(field, forms.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [str(v) for v, _ in field.choices if v != ""]}
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        kind = "integer" if type(field) is forms.IntegerField else "number"
        bounds = {"minimum": field.min_value, "maximum": field.max_value}
        return {"type": kind, **{k: v for k, v in bounds.items() if v is not None}}
    return _free_text(field.max_length)


def _free_text(max_length: int | None) -> dict:
    schema = {"type": "string", "pattern": "^[^\\u0000]*$"}
    return {**schema, "maxLength": max_length} if max_length else schema


def vocabularies() -> list[dict]:
    """The values of every parameter that takes one of a fixed set, with their labels."""
    found = []
    for name, field in filter_fields().items():
        terms = [(str(v), str(text)) for v, text in getattr(field, "choices", ()) if v != ""]
        if terms:
            found.append(
                {
                    "param": name,
                    "label": str(field.label or name),
                    "values": [{"value": v, "label": text} for v, text in terms],
                }
            )
    return found
