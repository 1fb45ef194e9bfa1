"""Cursors: a signed position in the list, bound to the query and to the catalogue version.

Why a position and not a keyset: the relevance order (a search's rank) has no column to
continue from, and the sort orders belong to the search engine (`filterset.qs`), which may
change how it orders without telling the API. A position in one catalogue version names
the same trials on every request, because every order ends on the registry id, so pages
never overlap or skip, and page N of the API is exactly page N of the HTML list. The price:
when the catalogue changes (an ingest, a curator's edit), an old cursor is refused with 409
stale_cursor and the client starts again; the catalogue changes a few times a day at most.
The signature keeps a cursor opaque (no one builds one by hand), and the query tag stops a
cursor from being used with other filters.
"""

from __future__ import annotations

from hashlib import sha256

from django.core import signing
from django.http import QueryDict

from .errors import BadParameters, StaleCursor

SALT = "catalogue.api.cursor"


def version_tag(version: tuple) -> str:
    return sha256(repr(version).encode()).hexdigest()[:16]


def query_tag(filters: QueryDict) -> str:
    # Order-insensitive: ?a=1&b=2 and ?b=2&a=1 are the same query.
    items = sorted((name, sorted(values)) for name, values in filters.lists())
    return sha256(repr(items).encode()).hexdigest()[:16]


def make(offset: int, *, version: tuple, filters: QueryDict) -> str:
    return signing.dumps(
        {"o": offset, "v": version_tag(version), "q": query_tag(filters)}, salt=SALT
    )


def read(text: str | None, *, version: tuple, filters: QueryDict) -> int:
    """The offset a cursor points at (0 without one)."""
    if text is None:
        return 0
    try:
        data = signing.loads(text, salt=SALT)
        offset, made_for, query = data["o"], data["v"], data["q"]
    except (signing.BadSignature, TypeError, KeyError, ValueError):
        raise BadParameters(
            ["Cursor: not one this API made. Copy it from a `next` link."]
        ) from None
    if query != query_tag(filters):
        raise BadParameters(["Cursor: it belongs to another query. Keep the filters of its page."])
    if made_for != version_tag(version):
        raise StaleCursor()
    return int(offset)
