"""Throwaway databases for the benchmarks, on the same server as the catalogue's.

The server is DATABASE_URL's when it is set, else the embedded one under .pgdata/.
Each benchmark gets its own database (bench_*), migrated once as a template and then
copied, so a run never touches the catalogue's data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "bench_template"


def server_url(database: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        sys.path.insert(0, str(ROOT))
        from config.database import embedded_url

        return embedded_url(ROOT / ".pgdata", database)
    return urlunparse(urlparse(url)._replace(path=f"/{database}"))


def _admin(sql: str) -> None:
    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def fresh(name: str) -> str:
    """An empty, migrated database `name` (dropped first if it exists); returns its URL."""
    _ensure_template()
    drop(name)
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    return server_url(name)


def copy(source: str, name: str) -> str:
    """A copy of database `source` (e.g. a full catalogue to ingest into again)."""
    drop(name)
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return server_url(name)


def drop(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _drop_search_index(name)


def _drop_search_index(name: str) -> None:
    """The database's search index folder (catalogue.search_index), which the database outlived."""
    import shutil

    folder = os.environ.get("SEARCH_INDEX_DIR", "").strip() or str(ROOT / ".search-index")
    shutil.rmtree(Path(folder) / name, ignore_errors=True)


def _ensure_template() -> None:
    url = server_url(TEMPLATE)  # creates it when missing
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
