"""gunicorn settings for production (docker-compose runs `gunicorn --config config/gunicorn.py config.wsgi`)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The usual 2 × cores + 1, capped so a big host does not exhaust Postgres connections.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# GUNICORN_ACCESS_LOG=0 leaves it out: the app logs every request itself (bench/serve.py runs without).
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "0" else "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
