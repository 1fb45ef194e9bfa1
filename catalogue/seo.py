"""What search engines and link previews read: canonical URLs (a context processor) and JSON-LD."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict

# Pages whose query string picks which trials they show.
LISTS = {"trial_list", "landscape"}
# How a list is shown, not which trials it holds: the canonical URL leaves them out, so a
# search engine indexes one URL per set of filters.
NOISE = ("sort", "per_page", "page")


def canonical_url(request: HttpRequest) -> str:
    """This page's URL without noise: a list keeps its filters (in a stable order), any other
    page drops its query string."""
    query = ""
    match = request.resolver_match
    if match and match.url_name in LISTS:
        kept = QueryDict(mutable=True)
        for name in sorted(request.GET):
            if name not in NOISE:
                kept.setlist(name, sorted(request.GET.getlist(name)))
        query = kept.urlencode()
    return request.build_absolute_uri(request.path + (f"?{query}" if query else ""))


def site(request: HttpRequest) -> dict:
    """Context processor: every page's canonical link and og:url."""
    return {"canonical_url": canonical_url(request)}
