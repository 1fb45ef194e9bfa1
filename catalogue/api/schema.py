"""What drf-spectacular cannot infer: the API's description, and objects closed to undeclared keys."""

from __future__ import annotations

DESCRIPTION = """\
Read-only JSON over the MSC–Diabetes Trial Catalogue: the trials the HTML list shows, with \
the same filters, search and sort orders; one trial with every section and the evidence for \
its classification; facet counts; the vocabularies the filters take.

Paging: /trials answers a page and a `next` link; follow it until it is null. Cursors are \
opaque, bound to the query and to the catalogue version: after the catalogue changes an old \
cursor answers 409 (stale_cursor), and you start again from the first page.

Errors are JSON, {"error": code, "messages": [...]}: 400 for a parameter the endpoint does \
not take or a value it cannot use, 404 for an unknown trial, 409 for a stale cursor, 429 \
(with Retry-After) when a client address sends too many requests.

Caching: every answer carries ETag and Last-Modified from the catalogue version; send them \
back (If-None-Match, If-Modified-Since) and an unchanged catalogue answers 304. CORS is open \
for GET from any origin.

Terms: registry data is ClinicalTrials.gov's (see its terms and conditions); the \
catalogue's derived fields (classification) are under the catalogue's data licence (see /data/).
"""


def finish(result: dict, generator, request, public) -> dict:
    """Postprocessing hook (SPECTACULAR_SETTINGS): description, closed objects."""
    result["info"]["description"] = DESCRIPTION
    for component in result.get("components", {}).get("schemas", {}).values():
        if component.get("type") == "object" and "properties" in component:
            component["additionalProperties"] = False
    return result
