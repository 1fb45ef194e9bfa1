"""The web container's healthcheck: GET /healthz on the local gunicorn; exit 0 only on a 200.

Slim Python images have no curl, so this is plain urllib. The request names a host from
ALLOWED_HOSTS (Django answers 400 to any other) and says it came over HTTPS, as the
TLS proxy in front would, so that SECURE_SSL_REDIRECT does not send it elsewhere.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def health_url() -> str:
    """http://127.0.0.1:PORT/healthz, PORT from GUNICORN_BIND as config/gunicorn.py reads it."""
    bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
    port = bind.rsplit(":", 1)[-1] if ":" in bind else "8000"
    return f"http://127.0.0.1:{port}/healthz"


def host() -> str:
    """A host name that ALLOWED_HOSTS accepts: its first entry ('.example.org' -> 'example.org')."""
    first = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip("*.")
    return first or "localhost"


def main() -> int:
    request = urllib.request.Request(
        health_url(), headers={"Host": host(), "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            ok = response.status == 200
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
