"""BENCHMARKS.md's run line: how long each part took, also when only some parts were rerun (pure)."""

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
