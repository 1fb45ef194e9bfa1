"""Response headers and request logs that every page gets."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.http import HttpResponseBadRequest

request_log = logging.getLogger("catalogue.requests")


class ContentSecurityPolicyMiddleware:
    """A strict CSP: nothing remote, no inline scripts; set once here for every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(f"{k} {v}" for k, v in settings.CONTENT_SECURITY_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RequestLogMiddleware:
    """One structured log line per request: method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "query": request.META.get("QUERY_STRING", "")[:500],
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": getattr(getattr(request, "user", None), "pk", None),
            },
        )
        return response


class AdminNulMiddleware:
    """A NUL byte in an admin URL is a 400: Postgres refuses NUL in text, so the admin's
    filters would otherwise fail with a 500. The public pages clean their own input."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL.strip("/") + "/"

    def __call__(self, request):
        if request.path.startswith(self.prefix) and (
            "\x00" in request.path or any("\x00" in k + "".join(v) for k, v in request.GET.lists())
        ):
            return HttpResponseBadRequest(
                "NUL bytes are not allowed here.", content_type="text/plain"
            )
        return self.get_response(request)
