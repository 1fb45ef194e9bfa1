"""Server time of the trial list and detail pages, measured in process against the current database.

    python -m bench.web --trials 100000 --requests 50 --json bench/out/web-100k.json

Each scenario is requested through Django's test client (the whole middleware stack,
no sockets, no page cache) after a warm-up; a request's SQL time and query count come from a
`connection.execute_wrapper`. Scenarios that search rotate through a few realistic
queries rather than repeating one. Seed the database first with bench.seed.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

SEARCHES = [
    "umbilical cord",
    "type 1 diabetes",
    "bone marrow",
    "diabetic foot ulcer",
    "adipose",
    "C-peptide",
    "UC-MSC",
    "placebo",
]
# A search plus three facet filters, as someone narrowing a search would set them.
NARROWED = [
    {"q": "umbilical cord", "status": "RECRUITING", "phase": "PHASE2", "diabetes_type": "t1d"},
    {"q": "type 1 diabetes", "cell_source": "umbilical_cord", "donor": "allogeneic", "country": "China"},
    {"q": "bone marrow", "phase": "PHASE1", "route": "intravenous", "sponsor_class": "OTHER"},
    {"q": "diabetic foot ulcer", "cell_source": "adipose", "status": "COMPLETED", "country": "Iran"},
    {"q": "C-peptide", "diabetes_type": "t1d", "phase": "PHASE2", "study_type": "INTERVENTIONAL"},
]  # fmt: skip
# Searches that match most of the catalogue: the most trials to count and rank.
BROAD = ["type 1 diabetes", "diabetes", "mesenchymal stem cells", "cell therapy"]
# Three facet filters without a search, as someone browsing would set them.
FILTERS_ONLY = [
    {"status": "RECRUITING", "phase": "PHASE2", "diabetes_type": "t1d"},
    {"cell_source": "umbilical_cord", "donor": "allogeneic", "country": "China"},
    {"phase": "PHASE1", "route": "intravenous", "sponsor_class": "OTHER"},
    {"cell_source": "adipose", "status": "COMPLETED", "diabetes_type": "diabetic_foot"},
]
MISSPELLED = ["umbilicle cord", "mesenchimal", "adipos tissue", "diabetis"]
DEEP_PAGE = 1000  # or the last page, when there are fewer
DEFAULT_SCENARIOS = (
    "list",
    "search",
    "broad_search",
    "search_3_filters",
    "filters_3",
    "search_page_2",
    "deep_page",
    "sort_enrollment",
    "misspelled_search",
    "detail",
)


def measure(
    trials: int | None = None,
    requests: int = 50,
    *,
    warmup: int = 5,
    seed: int = 0,
    only: list[str] | None = None,
    compare: bool = False,
) -> dict:
    """Median and p95 of total and SQL milliseconds, and query counts, for every scenario.

    `trials` only labels the result (the database holds what it holds). DEBUG is off while
    measuring, as in production, and the per-request log line is not written. With
    `compare`, every list scenario is also measured with the search index off (Postgres
    alone, the design before it), alternating request by request: "postgres_only".
    """
    client = Client()
    # With a cookie the rendered-page cache (catalogue.pagecache) stays out of it: this
    # measures what a page costs to make. bench.serve measures it with the cache too.
    client.cookies["bench"] = "uncached"
    scenarios = _scenarios(requests, random.Random(seed))
    results, before = {}, {}
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts), _quiet("catalogue.requests"):
        for name, urls in scenarios.items():
            if name in (only or DEFAULT_SCENARIOS):
                # Page 2 comes right after its page 1, as when someone pages through a search.
                first = _page_one if name == "search_page_2" else None
                if compare and name != "detail":  # the detail page does not use the index
                    both = _run(client, urls, warmup, first, ways=("index", "postgres"))
                    results[name], before[name] = both["index"], both["postgres"]
                else:
                    results[name] = _run(client, urls, warmup, first)
    from catalogue.models import Trial

    return {
        "trials": trials,
        "trials_in_database": Trial.objects.count(),
        "requests": requests,
        "scenarios": results,
        **({"postgres_only": before} if compare else {}),
    }


def _scenarios(requests: int, rng: random.Random) -> dict[str, list[str]]:
    from catalogue.filters import DEFAULT_PAGE_SIZE
    from catalogue.models import Trial

    home = reverse("catalogue:trial_list")

    def rotate(params: list[dict]) -> list[str]:
        return [
            f"{home}?{urlencode(params[i % len(params)])}" if params[i % len(params)] else home
            for i in range(requests)
        ]

    last_page = max(1, math.ceil(Trial.objects.in_scope().count() / DEFAULT_PAGE_SIZE))
    ids = list(Trial.objects.order_by("pk").values_list("registry_id", flat=True))
    return {
        "list": rotate([{}]),
        "search": rotate([{"q": q} for q in SEARCHES]),
        "broad_search": rotate([{"q": q} for q in BROAD]),
        "search_3_filters": rotate(NARROWED),
        "filters_3": rotate(FILTERS_ONLY),
        "search_page_2": rotate([{"q": q, "page": 2} for q in SEARCHES]),
        "deep_page": rotate([{"page": min(DEEP_PAGE, last_page)}]),
        "sort_enrollment": rotate([{"sort": "-enrollment"}, {"sort": "enrollment"}]),
        "misspelled_search": rotate([{"q": q} for q in MISSPELLED]),
        "detail": [reverse("catalogue:trial_detail", args=[i]) for i in rng.choices(ids, k=requests)],
    }  # fmt: skip


def _page_one(url: str) -> str:
    return url.replace("&page=2", "")


def _run(client: Client, urls: list[str], warmup: int, first=None, ways=("index",)) -> dict:
    """Each URL measured with no search's counts remembered (catalogue.facets), unless
    `first(url)` is requested (unmeasured) just before it. With two `ways` ("index" and
    "postgres": the search index on and off), each URL is requested both ways, alternating
    which goes first, and each way gets its own summary."""
    from catalogue import facets  # after django.setup(), like the module's other app imports

    for url in urls[:warmup]:
        for way in ways:
            with _way(way):
                client.get(url)
    samples = {way: ([], [], [], set()) for way in ways}
    for i, url in enumerate(urls):
        for way in ways if i % 2 == 0 else reversed(ways):
            totals, sql, counts, statuses = samples[way]
            with _way(way):
                facets.forget_recent()
                if first:
                    client.get(first(url))
                with _sql() as spent:
                    started = time.perf_counter()
                    response = client.get(url)
                    totals.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
            sql.append(spent["ms"])
            counts.append(spent["queries"])
    summaries = {
        way: {
            "example": urls[0],
            "requests": len(urls),
            "status": sorted(statuses),
            "total_ms": _summary(totals),
            "sql_ms": _summary(sql),
            "queries": {"min": min(counts), "max": max(counts)},
        }
        for way, (totals, sql, counts, statuses) in samples.items()
    }
    return summaries if len(ways) > 1 else summaries[ways[0]]


@contextmanager
def _way(way: str) -> Iterator[None]:
    """The list answered with the search index ("index") or by Postgres alone ("postgres")."""
    with override_settings(SEARCH_INDEX=way == "index"):
        yield


@contextmanager
def _sql() -> Iterator[dict]:
    spent = {"ms": 0.0, "queries": 0}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["ms"] += (time.perf_counter() - started) * 1000
            spent["queries"] += 1

    with connection.execute_wrapper(timed):
        yield spent


@contextmanager
def _quiet(logger: str) -> Iterator[None]:
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "max": round(ordered[-1], 2),
    }


def profile(scenario: str, requests: int = 20) -> str:
    """pyinstrument's call tree of one scenario's requests (after a warm-up)."""
    from pyinstrument import Profiler

    client = Client()
    client.cookies["bench"] = "uncached"
    urls = _scenarios(requests, random.Random(0))[scenario]
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts), _quiet("catalogue.requests"):
        for url in urls[:5]:
            client.get(url)
        with Profiler(interval=0.0005) as profiler:
            for url in urls:
                client.get(url)
    return profiler.output_text()


def table(result: dict) -> str:
    """The results as a small fixed-width table."""
    lines = [
        f"{result['trials_in_database']:,} trials in the database, {result['requests']} requests each",
        f"{'scenario':<18} {'total med':>9} {'p95':>8} {'SQL med':>8} {'p95':>8} {'queries':>8}",
    ]
    rows = [(name, r) for name, r in result["scenarios"].items()]
    rows += [(f"{name} (pg)", r) for name, r in result.get("postgres_only", {}).items()]
    for name, r in rows:
        q = r["queries"]
        queries = str(q["min"]) if q["min"] == q["max"] else f"{q['min']}-{q['max']}"
        lines.append(
            f"{name:<18} {r['total_ms']['median']:>9.1f} {r['total_ms']['p95']:>8.1f} "
            f"{r['sql_ms']['median']:>8.1f} {r['sql_ms']['p95']:>8.1f} {queries:>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, help="the catalogue size, to label the result")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--only", nargs="*", help="these scenarios only")
    parser.add_argument(
        "--compare", action="store_true", help="also with the search index off, alternating"
    )
    parser.add_argument("--profile", metavar="SCENARIO", help="where its time goes (pyinstrument)")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile, args.requests))
        return
    result = measure(
        args.trials, args.requests, warmup=args.warmup, only=args.only, compare=args.compare
    )
    print(table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    main()
