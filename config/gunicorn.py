"""gunicorn settings for production (docker-compose runs `gunicorn --config config/gunicorn.py config.wsgi`)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The usual 2 × cores + 1, capped so a big host does not exhaust Postgres connections.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. Not too often:
# a new worker starts with cold caches (facet counts, rendered pages), and at 2,000 the
# cached list page (~450 requests/s a worker) recycled every few seconds, which was its p95.
# Memory under load is flat (BENCHMARKS.md), so a recycle a minute or so is plenty.
max_requests = 20000
max_requests_jitter = 2000
# GUNICORN_ACCESS_LOG=0 leaves it out: the app logs every request itself (bench/serve.py runs without).
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "0" else "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
