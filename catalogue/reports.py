"""Readers' error reports: what a reader can point at, how often one address may report,
and filing a report into the review queue.

A report needs no account. It is stored with a keyed hash of the client address (never
the address itself), counted against a per-address limit in the cache, and shows up in
the review queue in the same request (`curation.file_report`).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .provenance import SECTIONS
from .vocabulary import DERIVED

OTHER = "other"


def report_fields() -> list[tuple[str, object]]:
    """The choices of "what is wrong": the page's sections and its derived values, as the
    detail page names them, then "something else"."""
    return [
        ("Sections of the page", [(section, section.capitalize()) for section in SECTIONS]),
        ("Classification", [(d.name, d.label) for d in DERIVED]),
        (OTHER, "Something else"),
    ]


def field_label(slug: str) -> str:
    for value, label in report_fields():
        if isinstance(label, list):
            for inner, inner_label in label:
                if inner == slug:
                    return inner_label
        elif value == slug:
            return label
    return slug


def client_address(request: HttpRequest) -> str:
    """The reader's address, as the login lockout sees it (AXES_IPWARE_PROXY_COUNT proxies)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "unknown"


def address_hash(address: str) -> str:
    """Keyed, so the stored hash cannot be turned back into an address by trying them all."""
    key = f"error-report-address:{settings.SECRET_KEY}".encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _counter(digest: str) -> str:
    return f"error-reports:{digest}"


def throttled(digest: str) -> bool:
    """This address has sent its ERROR_REPORT_LIMIT reports in the last ERROR_REPORT_WINDOW seconds."""
    return (cache.get(_counter(digest)) or 0) >= settings.ERROR_REPORT_LIMIT


def count_attempt(digest: str) -> None:
    """One more report from this address (a honeypot catch counts too)."""
    key = _counter(digest)
    if not cache.add(key, 1, settings.ERROR_REPORT_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, settings.ERROR_REPORT_WINDOW)
