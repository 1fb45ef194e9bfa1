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
            "operations": _operations(schema),
            "trial_fields": _fields(components["Trial"], components),
            "classification_fields": _fields(components["Classification"], components),
        },
    )


def _operations(schema: dict) -> list[dict]:
    """Each operation; one whose parameters an earlier one already listed names it instead."""
    found = []
    for path, methods in schema["paths"].items():
        for operation in methods.values():
            entry = _operation(path, operation)
            names = {p["name"] for p in entry["parameters"]}
            for earlier in found:
                listed = {p["name"] for p in earlier["parameters"]}
                if names and names < listed:
                    entry |= {"parameters": [], "same_as": earlier, "left_out": listed - names}
                    break
            found.append(entry)
    return found


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
    """A schema in a few words: "integer 0–120", "one or more of: PHASE1, PHASE2", "Design or null"."""
    components = components or {}
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        target = components.get(name, {})
        if target.get("type") == "null":
            return "null"
        return "one of: " + ", ".join(str(v) for v in target["enum"]) if "enum" in target else name
    types = spec.get("type")
    types = types if isinstance(types, list) else [types]
    nullable = "null" in types
    if "allOf" in spec or "oneOf" in spec:
        parts = [_type(part, components) for part in spec.get("allOf", spec.get("oneOf", []))]
        nullable = nullable or "null" in parts
        kind = " or ".join(p for p in parts if p != "null")
    elif "array" in types:
        item = _type(spec.get("items", {}), components)
        kind = (
            item.replace("one of:", "one or more of:") if "one of:" in item else f"list of {item}"
        )
    elif "enum" in spec:
        kind = "one of: " + ", ".join(str(v) for v in spec["enum"] if v is not None)
    elif types == ["null"]:
        return "null"
    else:
        kind = next((t for t in types if t and t != "null"), "any JSON")
        low, high = spec.get("minimum"), spec.get("maximum")
        if low is not None and high is not None:
            kind += f" {low}–{high}"
        if spec.get("maxLength"):
            kind += f", up to {spec['maxLength']} characters"
    return kind + (" or null" if nullable else "")
