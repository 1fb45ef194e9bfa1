"""Rendered pages kept per catalogue version: what a list URL shows changes only when trials do.

Only GET requests from visitors without cookies are answered from it or stored in it:
without a session there is no login and no message to show, so every such visitor gets
the same page. Searches are always made afresh: their results also depend on the search
columns, which the change history behind the version leaves out. Kept in the default
cache (per process unless CACHES says otherwise).
bench/serve.py measures the list page with it and without it.
"""

from __future__ import annotations

from functools import wraps
from hashlib import sha256

from django.core.cache import cache

from .version import catalogue_version

# Old versions are never asked for again; let them go after a while.
TIMEOUT = 600


def cached_for_visitors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.COOKIES or request.GET.get("q", "").strip():
            return view(request, *args, **kwargs)
        key = repr((catalogue_version(), request.get_full_path()))
        key = "page:" + sha256(key.encode()).hexdigest()
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies:
                cache.set(key, response, TIMEOUT)
        return response

    return wrapper
