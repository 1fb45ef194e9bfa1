"""Every API error is JSON: {"error": code, "messages": [sentences]}, with the matching status.

400 invalid: a parameter the endpoint does not take, or a value it cannot use (the same
    judgement as the HTML list: `TrialFilter.problems`); 404 not_found; 405
    method_not_allowed; 409 stale_cursor: the catalogue changed since the cursor was made;
    429 throttled, with Retry-After.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class BadParameters(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, messages: list[str]):
        super().__init__(detail=messages, code=self.default_code)


class StaleCursor(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_cursor"
    default_detail = (
        "The catalogue changed since this cursor was made, so its position no longer names "
        "the same trials. Start again from the first page."
    )


def handle(exc, context) -> Response | None:
    """DRF's handling (status, Retry-After, Allow), with the body in the one error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a 500, which Django reports as usual
    response.data = body(exc.get_codes(), exc.detail)
    return response


def body(codes, detail) -> dict:
    code = codes[0] if isinstance(codes, list) else codes
    messages = detail if isinstance(detail, list) else [detail]
    return {"error": str(code), "messages": [str(m) for m in messages]}


def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/: a JSON 404 rather than the site's HTML page."""
    return JsonResponse(
        body("not_found", f"Nothing at {request.path}: see /api/v1/ for what there is."),
        status=404,
    )
