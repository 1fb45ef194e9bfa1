"""Pull studies from the ClinicalTrials.gov API v2 `/studies` endpoint (stdlib urllib only).

A pull is one search: `query.term` plus, for `--since`, an `AREA[LastUpdatePostDate]`
range, followed page by page through `nextPageToken`. The client keeps a polite gap
between requests and retries what is worth retrying (429, 5xx, dropped connections,
timeouts, a body cut short) with exponential backoff, honouring `Retry-After`, for a
bounded number of attempts. Everything is fetched before anything is written, so no
HTTP call happens inside the import loop or a database transaction.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

logger = logging.getLogger(__name__)

USER_AGENT = "msc-diabetes-catalogue/1 (manage.py ingest --ctgov)"
PAGE_SIZE = 100  # studies per page; the API allows up to 1000, but pages with results are large
MAX_PAGES = 10_000  # a runaway token loop stops here
MAX_RESPONSE_BYTES = 200 * 1024 * 1024
MAX_BACKOFF = 300.0  # seconds; also caps what a Retry-After header may ask for


class ApiError(RuntimeError):
    """The API refused the request, or kept failing after every retry."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status of a refusal that is not worth retrying


@dataclass
class Client:
    base_url: str
    delay: float = 1.5  # seconds between the starts of two requests
    timeout: float = 30.0
    backoff: float = 2.0  # first retry waits this long, then twice as long each time
    attempts: int = 5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic  # tests pass one that only sleep moves
    _last_request: float | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls) -> Client:
        return cls(
            base_url=settings.CTGOV_API_URL,
            delay=settings.CTGOV_API_DELAY,
            timeout=settings.CTGOV_API_TIMEOUT,
            backoff=settings.CTGOV_API_BACKOFF,
            attempts=settings.CTGOV_API_ATTEMPTS,
        )

    def get_json(self, path: str, params: dict) -> object:
        url = f"{self.base_url.rstrip('/')}{path}?{urlencode(params)}"
        request = Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        for attempt in range(1, self.attempts + 1):
            self._keep_polite_gap()
            wait = None
            try:
                with urlopen(request, timeout=self.timeout) as response:
                    body = response.read(MAX_RESPONSE_BYTES + 1)
                if len(body) > MAX_RESPONSE_BYTES:
                    raise ApiError(f"response larger than {MAX_RESPONSE_BYTES} bytes from {url}")
                return json.loads(body)
            except HTTPError as error:
                if error.code != 429 and error.code < 500:
                    raise ApiError(
                        f"HTTP {error.code} {error.reason} from {url}", status=error.code
                    ) from error
                reason = f"HTTP {error.code} {error.reason}"
                wait = retry_after(error.headers.get("Retry-After"))
            except (URLError, OSError, http.client.HTTPException) as error:
                reason = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                reason = f"incomplete or invalid JSON ({error})"
            if attempt == self.attempts:
                raise ApiError(f"gave up after {attempt} attempts on {url}: {reason}")
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1)
            wait = min(wait, MAX_BACKOFF)
            logger.warning("%s; retry %d of %d in %.1f s", reason, attempt, self.attempts - 1, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _keep_polite_gap(self) -> None:
        now = self.clock()
        if self._last_request is not None:
            remaining = self.delay - (now - self._last_request)
            if remaining > 0:
                self.sleep(remaining)
        self._last_request = self.clock()


def retry_after(value: str | None) -> float | None:
    """Seconds a 'Retry-After' header asks for: '120' or an HTTP date; None when absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def search_params(query: str, since: date | None, token: str = "") -> dict:
    params = {"format": "json", "pageSize": PAGE_SIZE, "query.term": query}
    if since:
        params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"
    if token:
        params["pageToken"] = token
    else:
        params["countTotal"] = "true"
    return params


@dataclass
class Page:
    """One page of a search: its studies, the token of the next page ("" on the last)."""

    studies: list[dict]
    next_token: str = ""
    total: int | None = None  # what the API says the search matches (first page only)


def fetch_page(client: Client, query: str, since: date | None, token: str = "") -> Page:
    """One page of the search, from its start ("") or from a page token; raises ApiError."""
    page = client.get_json("/studies", search_params(query, since, token))
    if not isinstance(page, dict) or not isinstance(page.get("studies"), list):
        raise ApiError(f"the answer to {token or 'the first page'} is not a /studies page")
    next_token = page.get("nextPageToken") or ""
    if not isinstance(next_token, str):
        raise ApiError("the page's nextPageToken is not a string")
    total = page.get("totalCount") if isinstance(page.get("totalCount"), int) else None
    return Page(page["studies"], next_token, total)


@dataclass
class Pull:
    studies: list[dict] = field(default_factory=list)
    pages: int = 0
    total: int | None = None  # what the API said the search matches
    error: str = ""  # why the pull stopped before the last page, if it did


def pull(
    query: str,
    since: date | None = None,
    *,
    client: Client | None = None,
    on_page: Callable[[Pull], None] | None = None,
) -> Pull:
    """Every study the search matches; on a failure, those fetched so far and the reason."""
    client = client or Client.from_settings()
    result = Pull()
    token = ""
    seen_tokens: set[str] = set()
    while result.pages < MAX_PAGES:
        try:
            page = fetch_page(client, query, since, token)
        except ApiError as error:
            result.error = str(error)
            break
        result.pages += 1
        if page.total is not None:
            result.total = page.total
        result.studies.extend(page.studies)
        if on_page:
            on_page(result)
        token = page.next_token
        if not token:
            break
        if token in seen_tokens:
            result.error = "the API repeated a page token; stopped"
            break
        seen_tokens.add(token)
    else:
        result.error = f"stopped after {MAX_PAGES} pages"
    return result
