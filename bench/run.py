"""`make bench`: every benchmark, then BENCHMARKS.md with the machine, the command and the tables.

    python -m bench.run [--quick] [--out BENCHMARKS.md]

Each part runs against its own throwaway database (bench.databases), never the catalogue's:
ingest throughput (bench.ingest), list and detail page server time at 10,000 and 100,000
trials (bench.seed + bench.web), and gunicorn under wrk (bench.serve: the list page for
30 s, then 60 s of mixed searches and filters as the load test). Raw results are kept
as JSON in bench/out/. `--quick` is a smoke run with small sizes (its numbers mean little).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import databases
from .ingest import OUT, ROOT
from .ingest import measure as measure_ingest

PARTS = ["ingest", "web", "serve"]


def _env(url: str) -> dict:
    # DEBUG on for the commands' settings only (no SECRET_KEY needed); bench.web measures with it off.
    return {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}


def run_module(module: str, args: list[str], url: str) -> None:
    subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=_env(url), check=True)


def web(sizes: list[int], requests: int, keep_first: bool = True) -> dict:
    results = {}
    for size in sizes:
        name = f"bench_web_{size}"
        url = databases.fresh(name)
        started = time.monotonic()
        run_module("bench.seed", ["--trials", str(size)], url)
        seeded = time.monotonic() - started
        started = time.monotonic()
        manage = [sys.executable, "manage.py", "search_index"]
        subprocess.run(manage, cwd=ROOT, env=_env(url), check=True)  # the list's search index
        indexed = time.monotonic() - started
        out = OUT / f"web-{size}.json"
        run_module("bench.web", ["--trials", str(size), "--requests", str(requests), "--compare", "--json", str(out)], url)  # fmt: skip
        results[size] = {
            "seed_seconds": round(seeded, 1),
            "index_seconds": round(indexed, 1),
            **json.loads(out.read_text()),
        }
        if size != sizes[0] or not keep_first:
            databases.drop(name)
    return results


def serve(size: int, durations: tuple[int, int], requests: int) -> dict:
    """The list page under gunicorn (2 workers) at `size` trials, then the mixed load test."""
    url = databases.server_url(f"bench_web_{size}")  # seeded by web() and kept for this
    migrate = [sys.executable, "manage.py", "migrate", "--no-input", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=_env(url), check=True)
    run_module("bench.seed", ["--trials", str(size)], url)  # a no-op when web() just did
    results = {}
    for label, duration, extra in (("list", durations[0], []), ("mixed", durations[1], ["--mixed"])):  # fmt: skip
        out = OUT / f"serve-{label}.json"
        run_module("bench.serve", ["--duration", str(duration), "--workers", "2", "--json", str(out), *extra], url)  # fmt: skip
        results[label] = json.loads(out.read_text())
    databases.drop(f"bench_web_{size}")
    return results


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    import psycopg

    with psycopg.connect(databases.server_url("postgres")) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024),
        "python": platform.python_version(),
        "postgres": postgres,
        "os": platform.platform(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=list(PARTS),
        help="run only these; the others' results are taken from the last run's results.json",
    )
    args = parser.parse_args(argv)
    # As `make` sets it: development settings for the benchmark's own Django (no SECRET_KEY
    # needed); every measurement turns DEBUG off itself, as production has it.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    ingest_sizes, web_sizes = ([200, 500], [500, 2000]) if args.quick else ([1000, 10000], [10000, 100000])  # fmt: skip
    durations = (5, 5) if args.quick else (30, 60)
    requests = 10 if args.quick else 50
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    saved = OUT / "results.json"
    results = json.loads(saved.read_text()) if saved.exists() and args.parts != PARTS else {}
    results.update(machine=machine(), date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    load = {"start": round(os.getloadavg()[1], 1)}  # 5-minute load: others sharing the machine
    spent = results.setdefault("part_minutes", {})
    parts = {
        "ingest": lambda: measure_ingest(ingest_sizes),
        # serve uses the smaller catalogue web() seeds
        "web": lambda: web(web_sizes, requests, keep_first="serve" in args.parts),
        "serve": lambda: serve(web_sizes[0], durations, requests),
    }
    for part in PARTS:
        if part in args.parts:
            print(f"{part} ...", flush=True)
            part_started = time.monotonic()
            results[part] = parts[part]()
            spent[part] = round((time.monotonic() - part_started) / 60, 1)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    results["load"] = {**load, "end": round(os.getloadavg()[1], 1)}
    results["parts_run"] = args.parts
    saved.write_text(json.dumps(results, indent=2, default=str))
    from .report import markdown

    text = markdown(results, quick=args.quick)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
