"""Ingest under faults: a killed run leaves every trial fully old or fully new; runs do not collide."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from catalogue.models import Trial

from .conftest import SOURCES

# Each test runs `manage.py ingest` in subprocesses and kills them.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.subprocess]

SEED = (SOURCES / "000_e5be43bb7cdcd631.txt").read_text()
EXTRA = "* Pregnancy or breast-feeding (constructed row for the fault tests)\n"


def write_corpus(folder: Path, count: int, *, new: bool) -> None:
    """`count` copies of a real page under made-up registry ids; `new` changes two facts."""
    folder.mkdir(exist_ok=True)
    for n in range(count):
        text = SEED.replace("NCT05308836", f"NCT9{n:07d}")
        if new:
            text = text.replace("10 participants", "12 participants")
            text = text.replace(
                "* Taking systemic steroids\n", "* Taking systemic steroids\n" + EXTRA
            )
        (folder / f"NCT9{n:07d}.txt").write_text(text)


def database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"]
    if host.startswith("/"):
        return f"postgresql://{db['USER']}:{db['PASSWORD']}@/{db['NAME']}?host={host}"
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start_ingest(folder: Path) -> subprocess.Popen:
    """An ingest in its own process, ten documents a transaction (so a kill lands mid-run)."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_DEBUG": "1"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "ingest", str(folder), "--no-progress", "--batch", "10"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_trials(at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while Trial.objects.count() < at_least:
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)


def state(trial: Trial) -> tuple:
    return (
        trial.enrollment,
        trial.criteria.count(),
        trial.sources.count(),
        bool(trial.record_hash),
    )


def test_a_killed_ingest_leaves_each_trial_fully_old_or_fully_new(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 120, new=False)
    first = start_ingest(corpus)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    old = {t.registry_id: state(t) for t in Trial.objects.all()}
    assert set(old.values()) == {(10, 21, 1, True)}

    write_corpus(corpus, 120, new=True)
    run = start_ingest(corpus)
    # Let it update part of the catalogue, then kill it without warning.
    deadline = time.monotonic() + 60
    while Trial.objects.filter(enrollment=12).count() < 10:
        assert time.monotonic() < deadline and run.poll() is None, "ingest finished too fast"
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)

    states = {t.registry_id: state(t) for t in Trial.objects.all()}
    assert set(states) == set(old)
    assert set(states.values()) <= {(10, 21, 1, True), (12, 22, 1, True)}
    assert (12, 22, 1, True) in states.values() and (10, 21, 1, True) in states.values()

    # The next run completes the job.
    rerun = start_ingest(corpus)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read()
    assert {state(t) for t in Trial.objects.all()} == {(12, 22, 1, True)}


def test_two_ingests_at_once_neither_corrupt_nor_duplicate(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 60, new=False)
    runs = [start_ingest(corpus), start_ingest(corpus)]
    outputs = [(run.wait(timeout=300), run.stdout.read(), run.stderr.read()) for run in runs]
    assert [code for code, _, _ in outputs] == [0, 0], outputs
    summaries = sorted(out.strip().splitlines()[-1] for _, out, _ in outputs)
    assert summaries == [
        "60 files: 0 created, 0 updated, 60 unchanged, 0 failed",
        "60 files: 60 created, 0 updated, 0 unchanged, 0 failed",
    ]
    assert Trial.objects.count() == 60
    assert {state(t) for t in Trial.objects.all()} == {(10, 21, 1, True)}
