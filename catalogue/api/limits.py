"""A request budget per client address, so one script cannot starve everyone else."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerAddress(SimpleRateThrottle):
    """API_RATE_LIMIT requests per address (REMOTE_ADDR, or the address API_PROXY_COUNT proxies
    forwarded); over it, 429 with Retry-After. Counted in the default cache."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT  # read per request, so tests (and settings) can change it

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
