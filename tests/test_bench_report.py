"""BENCHMARKS.md: the run line (minutes per part, also after a partial rerun) and the ingest CPU line."""

from __future__ import annotations

from bench.report import _duration

RUN = {"date": "2026-11-22 10:00 UTC", "minutes": 4.0}


def test_a_full_run_gives_each_part_and_the_sum():
    line = _duration({**RUN, "part_minutes": {"ingest": 5.1, "web": 6.0, "serve": 2.5}})
    assert (
        line
        == "Run 2026-11-22 10:00 UTC; minutes per part: ingest 5.1, web 6.0, serve 2.5; 13.6 in all."
    )


def test_a_partial_rerun_says_which_times_come_from_the_run_before():
    results = {
        **RUN,
        "part_minutes": {"ingest": 5.1, "web": 4.0, "serve": 2.5},
        "parts_run": ["web"],
    }
    line = _duration(results)
    assert "(this run: web; the rest from the run before)" in line
    assert line.endswith("11.6 in all.")


def test_results_from_before_part_times_give_the_run_minutes():
    assert _duration(RUN) == "Run 2026-11-22 10:00 UTC, 4.0 minutes."


def test_the_ingest_cpu_line_says_where_each_document_went_and_the_rate_it_allows():
    from bench.report import _ingest_cpu

    empty = {"cpu_ms_per_document": {"workers": 4.0, "main": 2.0, "postgres": 4.0}}
    line = _ingest_cpu({"sizes": {"10000": {"empty": empty}}}, cores=2)[0]
    assert "10,000 new trials" in line
    assert "parse workers 4.0 ms" in line and "Postgres backend 4.0 ms" in line
    assert line.endswith(
        "10.0 ms in all, so 2 cores allow at most ~200 documents/s on this design."
    )


def test_a_process_cpu_time_is_read_from_proc():
    import os

    from bench.ingest import _cpu_seconds

    sum(i * i for i in range(200_000))  # some CPU for this process to have spent
    assert _cpu_seconds(os.getpid()) > 0
    assert _cpu_seconds(2**22 + 1) == 0.0  # no such process


def test_the_ingest_sampler_finds_the_postgres_backend_of_its_database(django_db_setup, db):
    import os
    import time

    from django.db import connection

    from bench.ingest import ProcessSampler

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM generate_series(1, 300000)")  # some backend CPU
    sampler = ProcessSampler(os.getpid(), database=connection.settings_dict["NAME"])
    time.sleep(0.35)
    sampler.stop()
    spent = sampler.cpu_seconds()
    assert spent["main"] > 0 and spent["postgres"] > 0
