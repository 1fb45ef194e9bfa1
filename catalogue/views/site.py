"""robots.txt: where the sitemap is, and what crawlers need not fetch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        # Downloads and the API repeat the pages as data, at a cost per request.
        f"Disallow: {reverse('catalogue:download', args=['csv'])}",
        f"Disallow: {reverse('catalogue:download', args=['json'])}",
        "Disallow: /api/",
    ]
    # A moved admin stays unnamed: listing it here would tell everyone where it went.
    if settings.ADMIN_URL == "admin/":
        lines.append("Disallow: /admin/")
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('catalogue:sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
