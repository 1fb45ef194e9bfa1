"""BENCHMARKS.md from bench.run's results: the machine, the command, one table per measurement."""

from __future__ import annotations

SCENARIOS = {
    "list": "no filter",
    "search": "`q` alone (8 searches in turn)",
    "broad_search": "broad `q` (most trials match)",
    "search_3_filters": "`q` + 3 filters",
    "filters_3": "3 filters, no `q`",
    "search_page_2": "`q`, page 2 after page 1 (counts remembered)",
    "deep_page": "deep page (1000, or the last)",
    "sort_enrollment": "sorted by enrollment",
    "misspelled_search": "misspelled `q` (fuzzy fallback)",
    "detail": "detail page",
}
INGEST = {
    "empty": "new trials into an empty catalogue",
    "unchanged": "the same files again (all unchanged)",
    "full": "other new trials into the catalogue holding the first",
    "changed": "changed pages of stored trials (set-based: merged with their stored sources and curation)",
}


TARGETS = {
    "ingest_per_s": 450,
    "list_p95_ms": 50,
    "list_p95_ms_10k": 20,
    "detail_p95_ms": 20,
    "gunicorn_rps": 300,
}


def markdown(results: dict, *, quick: bool = False) -> str:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench.run`); raw numbers in `bench/out/results.json`."
        + (" **Quick smoke run: sizes too small to mean much.**" if quick else ""),
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}, "
        f"PostgreSQL {m['postgres']} (embedded unless DATABASE_URL was set); {m['os']}.",
        _duration(results),
        *_load(results, m["cores"]),
        "",
        *_targets(results),
        *(_ingest(results["ingest"], m["cores"]) if "ingest" in results else []),
        *_web(results["web"]),
        *(_serve(results["serve"]) if "serve" in results else []),
    ]
    return "\n".join(lines) + "\n"


def _duration(results: dict) -> str:
    """When the run was and how long each part took (a rerun of some parts keeps the others' times)."""
    spent = results.get("part_minutes", {})
    if not spent:
        return f"Run {results['date']}, {results['minutes']} minutes."
    parts = ", ".join(f"{part} {minutes}" for part, minutes in spent.items())
    rerun = results.get("parts_run", list(spent))
    note = (
        ""
        if set(rerun) >= set(spent)
        else f" (this run: {', '.join(rerun)}; the rest from the run before)"
    )
    return (
        f"Run {results['date']}{note}; minutes per part: {parts}; {sum(spent.values()):.1f} in all."
    )


def _load(results: dict, cores: int) -> list[str]:
    """The machine's load average while it ran: above its core count, others were using it."""
    load = results.get("load")
    if not load:
        return []
    busy = max(load.values()) > cores
    return [
        f"Load average (5 min) at the start and end of the run: {load['start']} and {load['end']} "
        f"on {cores} cores"
        + (
            ": the machine was shared and saturated, so absolute times are inflated; compare "
            "before and after, which alternate request by request."
            if busy
            else "."
        )
    ]


def _ingest(ingest: dict, cores: int) -> list[str]:
    lines = [
        "## Ingest",
        "",
        "`manage.py ingest FOLDER` of synthetic pages (bench/corpus.py: three page formats, 10% with a",
        "missing section, 5% cut off), timed by the command itself; peak memory is the whole process",
        "tree (main process + parse workers). Parse-only and parse + classify: one process, in memory.",
        "",
        "| documents | parse only | parse + classify | run | documents/s | seconds | peak memory |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for row in ingest["sizes"].values():
        parse = row["parse"]
        for key, label in INGEST.items():
            if key not in row:
                continue
            r = row[key]
            rates = ["", ""]
            if key == "empty":  # the parse rates once per corpus, on its first row
                rates = [f"{parse['parse_per_s']:,}/s", f"{parse['parse_classify_per_s']:,}/s"]
            lines.append(
                f"| {r['documents']:,} | {rates[0]} | {rates[1]} "
                f"| {label} | **{r['per_s']:,}** | {r['seconds']} | {r['peak_rss_mb']} MB |"
            )
    return [*lines, "", *_ingest_cpu(ingest, cores), ""]


def _ingest_cpu(ingest: dict, cores: int) -> list[str]:
    """Where the CPU of the largest run into an empty catalogue went, per document."""
    size, row = list(ingest["sizes"].items())[-1]
    cpu = row["empty"].get("cpu_ms_per_document")
    if not cpu:  # results from before the CPU was sampled
        return []
    total = sum(cpu.values())
    return [
        f"CPU per document, {int(size):,} new trials into an empty catalogue: parse workers "
        f"{cpu['workers']} ms (parse, merge, classify, rows), main process {cpu['main']} ms "
        f"(COPY, history), Postgres backend {cpu['postgres']} ms (search vectors, indexes, "
        f"history rows): {total:.1f} ms in all, so {cores} cores allow at most "
        f"~{round(cores * 1000 / total):,} documents/s on this design.",
    ]


def _web(web: dict) -> list[str]:
    lines = [
        "## List and detail pages",
        "",
        "Server time through Django's test client (middleware, views, templates, no sockets), DEBUG",
        "off, after a warm-up; every list page computes all facet counts, and no search's counts",
        "are remembered from an earlier request. Synthetic trials loaded with COPY (bench/seed.py).",
        "Milliseconds, median / p95 over the requests shown. **Before**: the same requests with the",
        "search index off (`SEARCH_INDEX=0`: Postgres searches, ranks and counts, as before it),",
        "alternating with **after** (the index) request by request in one process.",
        "",
    ]
    for size, result in web.items():
        before = result.get("postgres_only", {})
        index = (
            f", search index built in {result['index_seconds']} s"
            if "index_seconds" in result
            else ""
        )
        lines += [
            f"### {int(size):,} trials (seeded in {result['seed_seconds']} s{index})",
            "",
            "| page | before median | before p95 | after median | after p95 | after SQL median | queries |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, r in result["scenarios"].items():
            q = r["queries"]
            queries = str(q["min"]) if q["min"] == q["max"] else f"{q['min']}–{q['max']}"
            b = before.get(name)
            was = f"{b['total_ms']['median']} | {b['total_ms']['p95']}" if b else "– | –"
            lines.append(
                f"| {SCENARIOS.get(name, name)} | {was} | {r['total_ms']['median']} | "
                f"**{r['total_ms']['p95']}** | {r['sql_ms']['median']} | {queries} |"
            )
        lines.append("")
    return lines


def _serve(serve: dict) -> list[str]:
    lines = [
        "## gunicorn under load",
        "",
        "gunicorn with config/gunicorn.py (2 workers, DEBUG off) on loopback, wrk with 8 connections,",
        "against the smaller catalogue. Worker memory sampled every second from /proc.",
        "",
        "| load | seconds | requests | requests/s | p50 ms | p95 ms | p99 ms | errors | worker RSS start → end (peak) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for label, r in serve.items():
        if "skipped" in r:
            lines.append(f"| {label} | skipped: {r['skipped']} |")
            continue
        latency = r["latency_ms"]
        sockets = sum(r["socket_errors"].values())
        rss = "; ".join(
            f"{w['start']:.0f} → {w['end']:.0f} ({w['peak']:.0f}) MB"
            for w in r["worker_rss_mb"].values()
        )
        what = "the list page" if label == "list" else "mixed searches/filters/sorts/pages"
        lines.append(
            f"| {what} | {r['duration_s']} | {r['requests']:,} | **{r['requests_per_s']}** | "
            f"{latency['p50']} | {latency['p95']} | {latency['p99']} | "
            f"{r['non_2xx']} non-2xx, {sockets} socket | {rss} |"
        )
    return [*lines, ""]


def _targets(results: dict) -> list[str]:
    """The issue's targets next to what this run measured (largest size of each kind)."""
    web = results["web"][max(results["web"], key=int)]["scenarios"]
    served = results.get("serve", {}).get("list", {})
    list_rows = []
    for size in sorted(results["web"], key=lambda size: -int(size)):
        target = TARGETS["list_p95_ms"] if int(size) >= 100_000 else TARGETS["list_p95_ms_10k"]
        pages = {n: r for n, r in results["web"][size]["scenarios"].items() if n != "detail"}
        worst = max(pages, key=lambda n: pages[n]["total_ms"]["p95"])
        p95 = pages[worst]["total_ms"]["p95"]
        list_rows.append(
            (
                f"every list page at {int(size):,} trials (search, filters, all facets), p95",
                f"≤ {target} ms",
                f"{p95} ms (slowest: {SCENARIOS.get(worst, worst)})",
                p95 <= target,
            )
        )
    rows = []
    if "ingest" in results:
        ingest = results["ingest"]["sizes"]
        largest = ingest[max(ingest, key=int)]
        rows.append(
            (
                "ingest, new trials into an empty catalogue",
                f"≥ {TARGETS['ingest_per_s']:,}/s and ≥ ½ parse-only "
                f"({largest['parse']['parse_per_s'] // 2:,}/s)",
                f"{largest['empty']['per_s']:,}/s",
                largest["empty"]["per_s"]
                >= max(TARGETS["ingest_per_s"], largest["parse"]["parse_per_s"] / 2),
            )
        )
    rows += [
        *list_rows,
        (
            "detail page p95 (constant queries)",
            f"≤ {TARGETS['detail_p95_ms']} ms",
            f"{web['detail']['total_ms']['p95']} ms, {web['detail']['queries']['max']} queries",
            web["detail"]["total_ms"]["p95"] <= TARGETS["detail_p95_ms"]
            and web["detail"]["queries"]["min"] == web["detail"]["queries"]["max"],
        ),
        (
            "list page under gunicorn, 2 workers",
            f"≥ {TARGETS['gunicorn_rps']} requests/s",
            f"{served.get('requests_per_s', 'skipped')} requests/s",
            served.get("requests_per_s", 0) >= TARGETS["gunicorn_rps"],
        ),
    ]
    lines = ["## Targets", "", "| measure | target | measured | met |", "| --- | --- | --- | --- |"]
    lines += [f"| {m} | {t} | {v} | {'yes' if ok else '**no**'} |" for m, t, v, ok in rows]
    return [
        *lines,
        "",
        "Where a target is missed, the closing notes of issues 7 and 17 and docs/scaling.md say why.",
        "",
    ]
