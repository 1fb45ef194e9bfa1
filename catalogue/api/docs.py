"""The API's documentation page for people, made from the same OpenAPI document machines read."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator


@cache
def openapi() -> dict:
    """The schema, generated once per process: it changes only with the code."""
    return SchemaGenerator().get_schema(request=None, public=True)


def documentation(request: HttpRequest) -> HttpResponse:
    schema = openapi()
    components = schema["components"]["schemas"]
    return render(
        request,
        "api/docs.html",
        {
            "base": request.build_absolute_uri("/api/v1/"),
            "rate": settings.API_RATE_LIMIT.replace("/", " requests per ").replace("min", "minute"),
            "operations": [
                _operation(path, operation)
                for path, methods in schema["paths"].items()
                for operation in methods.values()
            ],
            "trial_fields": _fields(components["Trial"], components),
            "classification_fields": _fields(components["Classification"], components),
        },
    )


def _operation(path: str, operation: dict) -> dict:
    return {
        "path": path,
        "id": operation["operationId"],
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "parameters": [
            {
                "name": p["name"],
                "where": p["in"],
                "type": _type(p["schema"]),
                "description": p.get("description", ""),
            }
            for p in operation.get("parameters", [])
        ],
        "responses": [
            (code, r.get("description", "")) for code, r in operation["responses"].items()
        ],
    }


def _fields(component: dict, components: dict) -> list[dict]:
    return [
        {"name": name, "type": _type(spec, components), "description": spec.get("description", "")}
        for name, spec in component["properties"].items()
    ]


def _type(spec: dict, components: dict | None = None) -> str:
    """A schema in a few words: "integer 0–120", "list of: PHASE1, PHASE2", "Design or null"."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        enum = (components or {}).get(name, {}).get("enum")
        return "one of: " + ", ".join(map(str, filter(None, enum))) if enum else name
    types = spec.get("type")
    types = types if isinstance(types, list) else [types]
    nullable = "null" in types
    if "allOf" in spec or "oneOf" in spec:
        parts = [_type(s, components) for s in spec.get("allOf", spec.get("oneOf", []))]
        kind = " or ".join(p for p in parts if p not in ("null", "NullEnum"))
        nullable = nullable or len(parts) > len(kind.split(" or "))
    elif "array" in types:
        kind = "list of " + _type(spec.get("items", {}), components)
    elif "enum" in spec:
        kind = "one of: " + ", ".join(str(v) for v in spec["enum"] if v)
    else:
        kind = next((t for t in types if t and t != "null"), "any JSON")
        low, high = spec.get("minimum"), spec.get("maximum")
        if low is not None and high is not None:
            kind += f" {low}–{high}"
        if spec.get("maxLength"):
            kind += f", up to {spec['maxLength']} characters"
    return kind + (" or null" if nullable else "")
